"""The door-to-door selection carried into the interview: the selected household member's sex
and age offered on the questions named `sex` and `age` (the names scoring and weighting read),
and a warning when the respondent's answers say it is someone else.

The same comparison (sampling.household.differences) is what quality control's
respondent_mismatch rule applies to completed interviews.
"""

from django.utils.translation import gettext as _

from sampling import household

SEX_QUESTION, AGE_QUESTION = "sex", "age"
# Ticked when the interviewer keeps answers that describe someone other than the selected member.
CONFIRMED_FIELD = "respondent_confirmed"


def _sex_value(question: dict, definition: dict, sex: str) -> str | None:
    """The choice of the sex question that means `sex` ("M"/"F"), by its value or a label."""
    for choice in definition.get("choice_lists", {}).get(question.get("list") or "", []):
        texts = [choice.get("value"), *(choice.get("label") or {}).values()]
        if any(household.sex_code(text) == sex for text in texts):
            return str(choice["value"])
    return None


def prefill(definition: dict, questions: list[dict], person: dict | None, named: dict) -> dict:
    """{question name: value} offering the selected `person`'s sex and age on this page's
    sex and age questions that are not answered yet (`named`: the answers by name)."""
    if person is None:
        return {}
    offered = {}
    for question in questions:
        name = question.get("name")
        if name in named:
            continue
        if name == SEX_QUESTION and question.get("type") == "select_one":
            value = _sex_value(question, definition, person["sex"])
            if value is not None:
                offered[name] = value
        elif name == AGE_QUESTION and question.get("type") in ("integer", "decimal"):
            offered[name] = person["age"]
    return offered


def recorded(named: dict) -> tuple[str | None, int | None]:
    """(sex "M"/"F", age in years) as the interview's answers record them; None: not yet."""
    sex = household.sex_code(named.get(SEX_QUESTION))
    try:
        age = int(float(named.get(AGE_QUESTION)))
    except (TypeError, ValueError):
        age = None
    return sex, age


def mismatch_warning(person: dict | None, named: dict) -> str:
    """What the interviewer is told when the answers so far describe someone other than the
    selected member (sex different, or age more than household.AGE_TOLERANCE_YEARS apart);
    "" when they agree or are not answered yet."""
    if person is None:
        return ""
    sex, age = recorded(named)
    selected = household.Adult(person["name"], person["sex"], int(person["age"]))
    found = household.differences(selected, sex=sex, age=age)
    if not found:
        return ""
    what = []
    if "sex" in found:
        what.append(_("sex recorded: %(sex)s") % {"sex": _("female") if sex == "F" else _("male")})
    if "age" in found:
        what.append(_("age recorded: %(age)d") % {"age": age})
    return _(
        "This does not match the selected person, %(person)s (%(what)s). Interview the "
        "selected person, or correct the answer; otherwise the interview goes to quality "
        "control."
    ) % {"person": person_text(person), "what": "; ".join(what)}


def person_text(person: dict) -> str:
    """ "王芳 (female, 49)": a listed household member as the interviewer reads them."""
    return _("%(name)s (%(sex)s, %(age)d)") % {
        "name": person["name"],
        "sex": _("female") if person["sex"] == "F" else _("male"),
        "age": int(person["age"]),
    }
