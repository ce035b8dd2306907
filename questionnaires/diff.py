"""What changed between two questionnaire definitions. Pure: no Django.

Input: two definitions as stored on QuestionnaireVersion.definition (see questionnaires.xlsform).
Output of `diff_definitions(old, new)`, plain data for a template or a report:

    {
      "questions_added":   ["q9", ...],                 # in the new version's order
      "questions_removed": ["q4", ...],                 # in the old version's order
      "questions_changed": [
          {"name": "q1", "kinds": ["label", "logic"],  # in KINDS order
           "fields": ["label", "relevant"],             # changed definition keys, sorted
           "moved": {"from": "page1", "to": "page2"} | None},
          ...],                                         # in the new version's order
      "pages_added": [...], "pages_removed": [...],
      "pages_changed": [{"name": "page1", "kinds": [...], "fields": [...]}],
      "lists_added": [...], "lists_removed": [...],
      "lists_changed": [{"name": "sat5", "kinds": [...], "values_added": [...],
                         "values_removed": [...], "values_changed": [...]}],
      "counts": {"added": int, "removed": int, "label": int, "logic": int, "type": int,
                 "scoring": int, "other": int},     # questions per kind of change
      "unchanged": bool,
    }

A question is matched by its name. A key that only one side has (a definition written before the
parser learnt a new column) counts as changed only when the other side's value is not empty, so
that upgrading the parser does not make every question look changed.
"""

from collections import Counter
from typing import Any

from questionnaires import answers

KINDS = ("label", "logic", "type", "scoring", "other")

# Which kind of change each definition key is; keys not named here are "other".
QUESTION_FIELD_KINDS = {
    "label": "label",
    "hint": "label",
    "constraint_message": "label",
    "required_message": "label",
    "qc_check_message": "label",
    "relevant": "logic",
    "constraint": "logic",
    "required": "logic",
    "calculation": "logic",
    "default": "logic",
    "choice_filter": "logic",
    "qc_check": "logic",
    "type": "type",
    "list": "type",
    "locality_level": "type",
    "dimension": "scoring",
    "indicator": "scoring",
    "score_map": "scoring",
    "positive_values": "scoring",
}
GROUP_FIELD_KINDS = {"label": "label", "relevant": "logic", "repeat": "logic"}
CHOICE_FIELD_KINDS = {"label": "label", "score": "scoring", "positive": "scoring"}


def diff_definitions(old: dict, new: dict) -> dict[str, Any]:
    """Summarise how `new` differs from `old` (shape in the module docstring)."""
    old_pages = {group["name"]: group for group in old.get("groups", [])}
    new_pages = {group["name"]: group for group in new.get("groups", [])}
    old_questions = _questions_by_name(old)
    new_questions = _questions_by_name(new)

    questions_changed = []
    for name, (page, question) in new_questions.items():
        if name not in old_questions:
            continue
        old_page, old_question = old_questions[name]
        fields = _changed_fields(old_question, question, exclude={"name"})
        moved = None if old_page == page else {"from": old_page, "to": page}
        if fields or moved:
            kinds = {QUESTION_FIELD_KINDS.get(field, "other") for field in fields}
            if moved:
                kinds.add("other")
            questions_changed.append(
                {"name": name, "kinds": _ordered(kinds), "fields": fields, "moved": moved}
            )

    pages_changed = []
    for name, group in new_pages.items():
        if name in old_pages:
            fields = _changed_fields(old_pages[name], group, exclude={"name", "questions"})
            if fields:
                kinds = {GROUP_FIELD_KINDS.get(field, "other") for field in fields}
                pages_changed.append({"name": name, "kinds": _ordered(kinds), "fields": fields})

    old_lists, new_lists = old.get("choice_lists", {}), new.get("choice_lists", {})
    lists_changed = []
    for name, choices in new_lists.items():
        if name in old_lists:
            change = _list_change(old_lists[name], choices)
            if change:
                lists_changed.append({"name": name, **change})

    questions_added = [name for name in new_questions if name not in old_questions]
    questions_removed = [name for name in old_questions if name not in new_questions]
    counts = {"added": len(questions_added), "removed": len(questions_removed)}
    for kind in KINDS:
        counts[kind] = sum(kind in change["kinds"] for change in questions_changed)
    result = {
        "questions_added": questions_added,
        "questions_removed": questions_removed,
        "questions_changed": questions_changed,
        "pages_added": [name for name in new_pages if name not in old_pages],
        "pages_removed": [name for name in old_pages if name not in new_pages],
        "pages_changed": pages_changed,
        "lists_added": [name for name in new_lists if name not in old_lists],
        "lists_removed": [name for name in old_lists if name not in new_lists],
        "lists_changed": lists_changed,
        "counts": counts,
    }
    result["unchanged"] = not any(value for key, value in result.items() if key != "counts")
    return result


def _questions_by_name(definition: dict) -> dict[str, tuple[str, dict]]:
    """{question name: (page name, question)} in questionnaire order; a name used by two
    questions (in different groups) is told apart by the question's path."""
    pairs = [
        (question, group["name"])
        for group in definition.get("groups", [])
        for question in group.get("questions", [])
    ]
    names = Counter(question["name"] for question, _page in pairs)
    return {
        (answers.key(question) if names[question["name"]] > 1 else question["name"]): (
            page,
            question,
        )
        for question, page in pairs
    }


def _changed_fields(old: dict, new: dict, *, exclude: set[str]) -> list[str]:
    return sorted(
        key
        for key in (set(old) | set(new)) - exclude
        if _normalised(old.get(key)) != _normalised(new.get(key))
    )


def _normalised(value: Any) -> Any:
    """Empty values compare equal, so a key that is new to the definition is no change."""
    if value in (None, "", False, [], {}):
        return None
    return value


def _list_change(old: list[dict], new: list[dict]) -> dict | None:
    old_choices = {choice["value"]: choice for choice in old}
    new_choices = {choice["value"]: choice for choice in new}
    kinds: set[str] = set()
    values_changed = []
    for value, choice in new_choices.items():
        if value in old_choices:
            fields = _changed_fields(old_choices[value], choice, exclude={"value"})
            if fields:
                values_changed.append(value)
                kinds.update(CHOICE_FIELD_KINDS.get(field, "other") for field in fields)
    values_added = [value for value in new_choices if value not in old_choices]
    values_removed = [value for value in old_choices if value not in new_choices]
    if values_added or values_removed:
        kinds.add("type")
    reordered = [v for v in new_choices if v in old_choices] != [
        v for v in old_choices if v in new_choices
    ]
    if reordered:
        kinds.add("other")
    if not kinds:
        return None
    return {
        "kinds": _ordered(kinds),
        "values_added": values_added,
        "values_removed": values_removed,
        "values_changed": values_changed,
    }


def _ordered(kinds: set[str]) -> list[str]:
    return [kind for kind in KINDS if kind in kinds]
