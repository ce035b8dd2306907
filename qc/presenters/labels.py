"""Readable names of rule codes (a Flag's rule) and severities, and stored reasons, in the
current language."""

from django.utils.translation import gettext_lazy

from common.i18n import ui_language
from common.labels import localized
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
    rules.NO_SPEECH: gettext_lazy("Almost no speech in the recording"),
    rules.DUPLICATE_ACROSS: gettext_lazy("Copied from another interviewer"),
    rules.READING_SPEED: gettext_lazy("Questions not read out"),
    rules.ANSWER_CHANGES: gettext_lazy("Many answers changed"),
    rules.LONG_PAUSES: gettext_lazy("Long pause on a page"),
    BACKCHECK_RULE: gettext_lazy("Back-check discrepancy"),
}


def rule_label(code: str) -> str:
    """The readable name of a rule code in the current language; an unknown code as is."""
    label = RULE_LABELS.get(code)
    return str(label) if label is not None else code


def reason_text(reason: str, reason_en: str) -> str:
    """A stored reason in the reader's language: an automatic one is kept in Chinese
    (`reason`) and English (`reason_en`); a person's words, and reasons kept before both
    were, have no `reason_en` and are read as written."""
    return reason_en if reason_en and ui_language() == "en" else reason


SEVERITY_LABELS = dict(Flag.Severity.choices)  # code -> its name (lazy: read in a language)


def severity_label(code: str) -> str:
    """The readable name of a severity code; an unknown code as is."""
    return str(SEVERITY_LABELS.get(code, code))


# RuleConfig's thresholds (qc.rules.RuleConfig) -> their names on the QC settings page.
SETTING_LABELS = {
    "seconds_per_item": gettext_lazy("Least seconds per question"),
    "floor_seconds": gettext_lazy("Shortest complete interview (seconds)"),
    "straightlining_min_items": gettext_lazy("Same answer: scale questions needed"),
    "straightlining_max_share": gettext_lazy("Same answer: share of one answer that flags"),
    "rushed_relative_fraction": gettext_lazy("Much shorter: share of the wave's median"),
    "rushed_relative_min_interviews": gettext_lazy("Much shorter: interviews needed for a median"),
    "item_nonresponse_max_share": gettext_lazy("Don't know / refused: share that flags"),
    "item_nonresponse_min_items": gettext_lazy("Don't know / refused: scale questions needed"),
    "working_hours_start": gettext_lazy("Interviewing hours begin"),
    "working_hours_end": gettext_lazy("Interviewing hours end"),
    "timezone": gettext_lazy("Time zone of the interviewing hours"),
    "duplicate_min_share": gettext_lazy("Copied answers: share identical"),
    "duplicate_min_items": gettext_lazy("Copied answers: scale questions needed"),
    "duplicate_alpha": gettext_lazy("Copied answers: chance below which it flags"),
    "chars_per_second": gettext_lazy("Reading speed (characters per second)"),
    "fast_items_min_items": gettext_lazy("Read too fast: timed questions needed"),
    "fast_items_max_share": gettext_lazy("Read too fast: share of questions that flags"),
    "acquiescence_min_items": gettext_lazy("Agrees with everything: answers needed (0: off)"),
    "acquiescence_min_share": gettext_lazy("Agrees with everything: positive share that flags"),
    "overall_item": gettext_lazy("Overall rating compared with its items"),
    "contradiction_min_items": gettext_lazy("Contradiction: specific items needed"),
    "contradiction_high": gettext_lazy("Contradiction: clearly positive score from"),
    "contradiction_low": gettext_lazy("Contradiction: clearly negative score up to"),
    "open_min_chars": gettext_lazy("Shortest open answer (characters)"),
    "signal_min_interviews": gettext_lazy("Interviewer risk: interviews needed"),
    "signal_z": gettext_lazy("Interviewer risk: z beyond peers that counts"),
    "signal_z_cap": gettext_lazy("Interviewer risk: most one indicator adds"),
    "respondent_age_tolerance": gettext_lazy(
        "Not the selected household member: years the ages may differ"
    ),
    "no_speech_max_share": gettext_lazy("Almost no speech: share of the recording with speech"),
    "reading_max_chars_per_second": gettext_lazy(
        "Not read out: median characters per second that flags"
    ),
    "reading_min_items": gettext_lazy("Not read out: measured questions needed"),
    "changes_max_share": gettext_lazy("Answers changed: share of answered questions that flags"),
    "changes_min_changes": gettext_lazy("Answers changed: changes needed"),
    "changes_min_returns": gettext_lazy("Answers changed: changes back that flag"),
    "pause_seconds": gettext_lazy("Long pause on a page (seconds)"),
}
# The time zones offered for interviewing hours (a stored other zone stays selectable).
TIME_ZONES = {
    "Asia/Shanghai": gettext_lazy("China Standard Time (UTC+8)"),
    "Asia/Urumqi": gettext_lazy("Xinjiang Time (UTC+6)"),
    "Asia/Hong_Kong": gettext_lazy("Hong Kong Time (UTC+8)"),
    "Asia/Macau": gettext_lazy("Macao Time (UTC+8)"),
    "Asia/Taipei": gettext_lazy("Taipei Time (UTC+8)"),
}


def question_labels(definition: dict, language: str) -> dict[str, str]:
    """{name: label in `language`} of a definition's single-choice questions, in order."""
    return {
        question["name"]: localized(question.get("label"), language) or question["name"]
        for group in definition.get("groups", [])
        for question in group.get("questions", [])
        if question.get("type") == "select_one"
    }
