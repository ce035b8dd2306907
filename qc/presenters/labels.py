"""Readable names of rule codes (a Flag's rule) and severities, in the current language."""

from django.utils.translation import gettext_lazy

from qc import rules
from qc.backchecks import BACKCHECK_RULE
from qc.models import Flag

# Rule code (a Flag's rule) -> its name for people; every rule that can raise a flag.
RULE_LABELS = {
    rules.RUSHED: gettext_lazy("Too short"),
    rules.STRAIGHTLINING: gettext_lazy("Same answer throughout"),
    rules.RUSHED_RELATIVE: gettext_lazy("Much shorter than usual"),
    rules.ITEM_NONRESPONSE: gettext_lazy("Many don't know / refused"),
    rules.OFF_HOURS: gettext_lazy("Outside interviewing hours"),
    rules.OVERLAPPING: gettext_lazy("Overlaps another interview"),
    rules.DUPLICATE_ANSWERS: gettext_lazy("Copied answers"),
    rules.LOCALITY_MISMATCH: gettext_lazy("Other street than sampled"),
    rules.FAST_ITEMS: gettext_lazy("Questions read too fast"),
    rules.ACQUIESCENCE: gettext_lazy("Agrees with everything"),
    rules.INCONSISTENT: gettext_lazy("Fails consistency checks"),
    rules.CONTRADICTION: gettext_lazy("Overall rating contradicts items"),
    rules.DUPLICATE_CONTACT: gettext_lazy("Same phone or household"),
    rules.SHORT_OPEN_ANSWERS: gettext_lazy("Too-short open answers"),
    rules.RESPONDENT_MISMATCH: gettext_lazy("Not the selected household member"),
    BACKCHECK_RULE: gettext_lazy("Back-check discrepancy"),
}


def rule_label(code: str) -> str:
    """The readable name of a rule code in the current language; an unknown code as is."""
    label = RULE_LABELS.get(code)
    return str(label) if label is not None else code


def severity_label(code: str) -> str:
    """The readable name of a severity code; an unknown code as is."""
    return str(dict(Flag.Severity.choices).get(code, code))
