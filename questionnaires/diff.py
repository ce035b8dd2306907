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
      "groups_added": ["/hh/kids", ...], "groups_removed": [...],   # the tree's groups and
      "groups_changed": [{"name": "/hh", "kinds": [...], "fields": [...]}],  # repeats, by path
      "lists_added": [...], "lists_removed": [...],
      "lists_changed": [{"name": "sat5", "kinds": [...], "values_added": [...],
                         "values_removed": [...], "values_changed": [...]}],
      "counts": {"added": int, "removed": int, "label": int, "logic": int, "type": int,
                 "scoring": int, "other": int},     # questions per kind of change
      "unchanged": bool,
    }

A question is matched by its path (its name in a definition without paths), at any depth: the
questions of rosters nested in roster rows too; a question whose path changed while its name
is used once on each side is the same question, moved. A key that only one side has (a
definition written before the parser learnt a new column) counts as changed only when the
other side's value is not empty, so that upgrading the parser does not make every question
look changed.
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
GROUP_FIELD_KINDS = {"label": "label", "relevant": "logic", "repeat": "logic", "kind": "type"}
CHOICE_FIELD_KINDS = {"label": "label", "score": "scoring", "positive": "scoring"}


def diff_definitions(old: dict, new: dict) -> dict[str, Any]:
    """Summarise how `new` differs from `old` (shape in the module docstring)."""
    old_pages = {group["name"]: group for group in old.get("groups", [])}
    new_pages = {group["name"]: group for group in new.get("groups", [])}
    old_questions = _questions_by_key(old)
    new_questions = _questions_by_key(new)
    moved_keys = _moved(old_questions, new_questions)  # new key → old key

    questions_changed = []
    for name, (page, question) in new_questions.items():
        before = name if name in old_questions else moved_keys.get(name)
        if before is None:
            continue
        old_page, old_question = old_questions[before]
        fields = _changed_fields(old_question, question, exclude={"name", "path", "repeat"})
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

    matched_old = set(moved_keys.values())
    questions_added = [
        name for name in new_questions if name not in old_questions and name not in moved_keys
    ]
    questions_removed = [
        name for name in old_questions if name not in new_questions and name not in matched_old
    ]
    groups_added, groups_removed, groups_changed = _tree_changes(old, new)
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
        "groups_added": groups_added,
        "groups_removed": groups_removed,
        "groups_changed": groups_changed,
        "lists_added": [name for name in new_lists if name not in old_lists],
        "lists_removed": [name for name in old_lists if name not in new_lists],
        "lists_changed": lists_changed,
        "counts": counts,
    }
    result["unchanged"] = not any(value for key, value in result.items() if key != "counts")
    return result


def _questions_by_key(definition: dict) -> dict[str, tuple[str, dict]]:
    """{question key (its path; its name in a definition without paths): (where, question)}
    in questionnaire order, the questions of rosters nested in roster rows included; `where`
    is the page, or for a nested roster's question the page and the roster's path."""
    found: dict[str, tuple[str, dict]] = {}

    def walk(items: list[dict], where: str) -> None:
        for item in items:
            if item.get("type") == "repeat" and "questions" in item:
                walk(item["questions"], f"{where} › {answers.key(item)}")
            else:
                found[answers.key(item)] = (where, item)

    for group in definition.get("groups", []):
        walk(group.get("questions", []), group["name"])
    return found


def _moved(old: dict[str, tuple], new: dict[str, tuple]) -> dict[str, str]:
    """{new key: old key} for a question whose path changed (a group renamed, the question
    moved) while its name is used once on each side."""
    gone = [key for key in old if key not in new]
    came = [key for key in new if key not in old]
    old_names = Counter(question["name"] for _where, question in old.values())
    new_names = Counter(question["name"] for _where, question in new.values())
    by_name = {old[key][1]["name"]: key for key in gone if old_names[old[key][1]["name"]] == 1}
    return {
        key: by_name[new[key][1]["name"]]
        for key in came
        if new_names[new[key][1]["name"]] == 1 and new[key][1]["name"] in by_name
    }


def _tree_nodes(definition: dict) -> dict[str, dict]:
    """{path: group or repeat} of the definition's tree, at any depth, in order."""
    nodes: dict[str, dict] = {}

    def walk(children: list[dict]) -> None:
        for node in children:
            if "question" not in node:
                nodes[node["path"]] = node
                walk(node.get("children", []))

    walk(definition.get("tree", []))
    return nodes


def _tree_changes(old: dict, new: dict) -> tuple[list[str], list[str], list[dict]]:
    """Groups and repeats of the tree added, removed and changed (by path)."""
    before, after = _tree_nodes(old), _tree_nodes(new)
    changed = []
    for path, node in after.items():
        if path in before:
            fields = _changed_fields(before[path], node, exclude={"name", "path", "children"})
            if fields:
                kinds = {GROUP_FIELD_KINDS.get(field, "other") for field in fields}
                changed.append({"name": path, "kinds": _ordered(kinds), "fields": fields})
    return (
        [path for path in after if path not in before],
        [path for path in before if path not in after],
        changed,
    )


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
