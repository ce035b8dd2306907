"""The scale items and batteries of a questionnaire definition, on our forms and anyone's.
Pure: no Django, no I/O.

A scale item is a select_one question of a battery:
- on our forms, a question with a `dimension` whose choice list carries scores;
- on any form, a select_one question whose choice list (of at least BATTERY_MIN_CHOICES
  substantive choices) BATTERY_MIN_ITEMS or more select_one questions share (a satisfaction
  battery asks twelve questions with one list), or a select_one question of a `table-list`
  or `likert` group or with a `likert` appearance.
Our `dimension` and `score` columns refine (dimensions, scores for acquiescence and
contradictions); they are never required. Without scores, the don't-know and refused choices
are recognised by their codes and labels (NON_SUBSTANTIVE_*).

Batteries (what straight-lining judges besides all items together): the scale items of one
page (group), and the items sharing one choice list.
"""

import re
from typing import NamedTuple

from qc.paradata import ITEM_COLUMNS, label_chars
from questionnaires import answers as A

# Columns besides the scale items. A scale item may not share one of these names.
META_COLUMNS = [
    "duration_seconds",
    "n_answered",
    "interviewer_id",
    "wave_id",
    "street_id",
    "mode",
    "started_at",
    "completed_at",
    "sampled_locality",
    "said_locality",
    "sampled_locality_name",
    "said_locality_name",
    "phone_key",
    "household_key",
    "qc_check_failures",
    "selected_sex",
    "selected_age",
    "said_sex",
    "said_age",
    "speech_share",
    "other_answers",
    "other_asked",
    "numbers_rounded",
    "numbers_given",
    *ITEM_COLUMNS,  # per-question paradata (qc.paradata.item_row)
]
OTHER_CODES = frozenset({"other", "others", "96", "97", "996"})
OTHER_LABEL = re.compile(r"^\s*(其他|其它|other\b)", re.IGNORECASE)

BATTERY_MIN_ITEMS = 3
BATTERY_MIN_CHOICES = 3
BATTERY_APPEARANCES = ("table-list", "likert")
# Codes and labels of the choices that are no answer on the scale (don't know, refused, not
# applicable), as survey systems commonly spell them.
NON_SUBSTANTIVE_CODES = frozenset(
    {"8", "9", "88", "97", "98", "99", "888", "998", "999", "-1", "-7", "-8", "-9", "-99"}
    | {"dk", "dont_know", "don_t_know", "refused", "refuse", "rf", "na", "n_a", "nr"}
)
NON_SUBSTANTIVE_LABEL = re.compile(
    r"不知道|不清楚|说不清|不好说|拒绝|拒答|不适用|无法回答|"
    r"don'?t know|do not know|refus|not applicable|no answer|prefer not",
    re.IGNORECASE,
)


class Scale(NamedTuple):
    """The scale items of one questionnaire definition."""

    items: list[str]
    excluded_codes: dict[str, frozenset[str]]
    lists: dict[str, str]  # item -> choice list name
    non_note: frozenset[str]  # every question that is not a note
    scores: dict[str, dict[str, float]] = {}  # item -> {code: score} (substantive codes)
    dimensions: dict[str, str] = {}  # item -> dimension
    open_items: tuple[str, ...] = ()  # text questions
    checks: tuple[dict, ...] = ()  # questions with a qc_check expression
    reading_chars: dict[str, int] = {}  # asked question -> label characters
    batteries: dict[str, list[str]] = {}  # page (group) or choice list -> its scale items
    sex_key: str | None = None  # where the `sex` answer is stored (None: no such question)
    age_key: str | None = None  # where the `age` answer is stored
    other_codes: dict[str, frozenset[str]] = {}  # select question -> its "other" codes
    numbers: tuple[str, ...] = ()  # integer and decimal questions


def other_choice(choice: dict) -> bool:
    """An "other (specify)" choice, by its code or a label starting with 其他 / other."""
    if str(choice.get("value", "")).strip().lower() in OTHER_CODES:
        return True
    labels = choice.get("label") or {}
    texts = labels.values() if isinstance(labels, dict) else [labels]
    return any(OTHER_LABEL.search(str(text or "")) for text in texts)


def non_substantive(choice: dict) -> bool:
    """A choice that is no answer on the scale: by its code or any of its labels."""
    if str(choice.get("value", "")).strip().lower() in NON_SUBSTANTIVE_CODES:
        return True
    labels = choice.get("label") or {}
    texts = labels.values() if isinstance(labels, dict) else [labels]
    return any(NON_SUBSTANTIVE_LABEL.search(str(text or "")) for text in texts)


def _scored(choices: list[dict]) -> bool:
    return any(choice.get("score") is not None for choice in choices)


def _battery_lists(definition: dict) -> set[str]:
    """Choice lists shared by BATTERY_MIN_ITEMS select_one questions with at least
    BATTERY_MIN_CHOICES substantive choices."""
    lists = definition.get("choice_lists", {})
    use: dict[str, int] = {}
    for group in definition.get("groups", []):
        for question in group.get("questions", []):
            if question.get("type") == "select_one" and question.get("list"):
                use[question["list"]] = use.get(question["list"], 0) + 1
    return {
        name
        for name, count in use.items()
        if count >= BATTERY_MIN_ITEMS
        and sum(not non_substantive(c) for c in lists.get(name, [])) >= BATTERY_MIN_CHOICES
    }


def _is_item(question: dict, group: dict, choices: list[dict], shared: set[str]) -> bool:
    if question.get("type") != "select_one" or not choices:
        return False
    if question.get("dimension") and _scored(choices):
        return True  # ours
    appearance = f"{group.get('appearance') or ''} {question.get('appearance') or ''}"
    return question.get("list") in shared or any(a in appearance for a in BATTERY_APPEARANCES)


class _Collected(NamedTuple):
    items: list[str]
    excluded: dict[str, frozenset[str]]
    lists: dict[str, str]
    scores: dict[str, dict[str, float]]
    dimensions: dict[str, str]
    batteries: dict[str, list[str]]


def _add_item(found: _Collected, name: str, question: dict, group: dict, choices: list) -> None:
    found.items.append(name)
    found.lists[name] = question["list"]
    if _scored(choices):
        found.excluded[name] = frozenset(str(c["value"]) for c in choices if c.get("score") is None)
        found.scores[name] = {
            str(c["value"]): float(c["score"]) for c in choices if c.get("score") is not None
        }
    else:
        found.excluded[name] = frozenset(str(c["value"]) for c in choices if non_substantive(c))
    if question.get("dimension"):
        found.dimensions[name] = question["dimension"]
    found.batteries.setdefault(group["name"], []).append(name)


def _reserved(question: dict) -> ValueError:
    return ValueError(
        f"Question '{question['name']}' has a name reserved by quality control "
        f"({', '.join(META_COLUMNS)}); rename it in the questionnaire."
    )


def definition_scale(definition: dict) -> Scale:
    """The scale items and batteries (see the module docstring) and the other questionnaire
    facts the rules read.

    Raises ValueError when a scale item or an open (text) question is named like one of the
    frame's META_COLUMNS.
    """
    lists = definition.get("choice_lists", {})
    language = (definition.get("languages") or [None])[0]
    shared = _battery_lists(definition)
    found = _Collected([], {}, {}, {}, {}, {})
    non_note: set[str] = set()
    open_items: list[str] = []
    checks: list[dict] = []
    reading: dict[str, int] = {}
    for group in definition.get("groups", []):
        for question in group.get("questions", []):
            name = A.key(question)  # the frame's column: the question's path
            kind = question.get("type")
            if kind not in ("note", "calculate"):
                reading[name] = label_chars(question, language)
            if kind != "note":
                non_note.add(name)
            if question.get("qc_check"):
                checks.append(question)
            choices = lists.get(question.get("list") or "", [])
            is_item = _is_item(question, group, choices, shared)
            if (is_item or kind == "text") and name in META_COLUMNS:
                raise _reserved(question)
            if kind == "text":
                open_items.append(name)
            if is_item:
                _add_item(found, name, question, group, choices)
    others, numbers = _others_and_numbers(definition)
    for item in found.items:  # a battery per shared list, when it spans several pages
        if found.lists[item] in shared:
            found.batteries.setdefault(found.lists[item], []).append(item)
    batteries = {
        name: members
        for name, members in found.batteries.items()
        if not (
            name in shared
            and any(members == other for k, other in found.batteries.items() if k != name)
        )
    }
    by_name = A.keys_by_name(definition)
    return Scale(
        found.items,
        found.excluded,
        found.lists,
        frozenset(non_note),
        found.scores,
        found.dimensions,
        tuple(open_items),
        tuple(checks),
        reading,
        batteries,
        by_name.get("sex"),
        by_name.get("age"),
        others,
        numbers,
    )


def _others_and_numbers(definition: dict) -> tuple[dict[str, frozenset[str]], tuple[str, ...]]:
    """Select questions with an "other" choice (their codes), and the number questions."""
    lists = definition.get("choice_lists", {})
    others: dict[str, frozenset[str]] = {}
    numbers: list[str] = []
    for group in definition.get("groups", []):
        for question in group.get("questions", []):
            kind = question.get("type")
            if kind in ("integer", "decimal"):
                numbers.append(A.key(question))
            elif kind in ("select_one", "select_multiple"):
                codes = {
                    str(c["value"])
                    for c in lists.get(question.get("list") or "", [])
                    if other_choice(c)
                }
                if codes:
                    others[A.key(question)] = frozenset(codes)
    return others, tuple(numbers)
