"""The one reader and writer of an interview's answers. Pure: no Django.

Answers (Interview.answers) are keyed by each question's pyxform path, so two questions named
`q1` in different groups are two answers:

    {"/safety/q1": "5", "/victim/q1": "no",
     "/hh": [{"/hh/name": "Li", "/hh/kids": [{"/hh/kids/age": 3}]}]}

A repeat's answer is a list of rows under the repeat's path; a row is keyed the same way and
holds the rows of a repeat nested in it, at any depth. A definition made before paths (a
hand-made one in a test) keys by name. The wizard, QC, scoring and the exports read and write
answers only through this module; expressions (questionnaires.xpath) read `${name}`, so
`scope` gives them the answers by name (pyxform refuses a reference to a name used twice, so
every name an expression uses is one question).
"""

from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

__all__ = [
    "by_name",
    "carried",
    "drop",
    "duplicate_names",
    "in_version",
    "moved_or_gone",
    "moves",
    "names_by_key",
    "values_at",
    "from_names",
    "get",
    "has",
    "key",
    "keys_by_name",
    "put",
    "questions",
    "row_scope",
    "rows",
    "scope",
]


def key(element: dict) -> str:
    """Where a question's (or a repeat's) answer is stored: its path."""
    return element.get("path") or element["name"]


def get(answers: dict, element: dict, default: Any = None) -> Any:
    return answers.get(key(element), default)


def values_at(answers: dict, keys: list[str]) -> dict:
    """{key: answer} for the given keys (None where unanswered): a row of a wide frame."""
    return {name: answers.get(name) for name in keys}


def has(answers: dict, element: dict) -> bool:
    return key(element) in answers


def put(answers: dict, element: dict, value: Any) -> None:
    answers[key(element)] = value


def drop(answers: dict, element: dict) -> None:
    answers.pop(key(element), None)


def rows(answers: dict, repeat: dict) -> list[dict]:
    """A repeat's rows (each a dict of answers keyed like the top level)."""
    found = answers.get(key(repeat))
    return [row for row in found if isinstance(row, dict)] if isinstance(found, list) else []


def questions(definition: dict) -> Iterator[tuple[dict, dict]]:
    """(page, question) for every question on the pages, in order (not inside rosters)."""
    for page in definition["groups"]:
        for question in page["questions"]:
            yield page, question


def _named_rows(items: list[dict], found: list) -> list[dict]:
    named_rows = []
    for row in found:
        if not isinstance(row, dict):
            continue
        named: dict = {}
        for item in items:
            if key(item) not in row:
                continue
            value = row[key(item)]
            if item.get("type") == "repeat" and "questions" in item:
                value = _named_rows(item["questions"], value if isinstance(value, list) else [])
            named.setdefault(item["name"], value)
        named_rows.append(named)
    return named_rows


def scope(answers: dict, definition: dict) -> dict:
    """The answers by question name, as expressions read them: a repeat's answer is its rows
    (each by name). The first question of a name wins where a name is used twice; an answer
    stored under a name no question of the definition has is kept under that name."""
    named: dict = {}
    known: set[str] = set()
    for page in definition["groups"]:
        known.add(key(page))
        known.update(key(question) for question in page["questions"])
        if page.get("repeat"):
            if key(page) in answers:
                found = answers[key(page)]
                named.setdefault(
                    page["name"],
                    _named_rows(
                        page["questions"], found if isinstance(found, list) else []
                    ),  # fmt: skip
                )
            continue
        for question in page["questions"]:
            if key(question) in answers:
                named.setdefault(question["name"], answers[key(question)])
    for question in definition.get("metadata") or ():  # start, end, deviceid ... as recorded
        known.add(key(question))
        if key(question) in answers:
            named.setdefault(question["name"], answers[key(question)])
    for name, value in answers.items():
        if name not in known and not name.startswith("/"):
            named.setdefault(name, value)
    return named


by_name = scope  # quotas, QC and scoring read answers by name where names are unique


def keys_by_name(definition: dict) -> dict[str, str]:
    """{question name: key} for the first question of each name on the pages."""
    found: dict[str, str] = {}
    for page in definition["groups"]:
        if page.get("repeat"):
            found.setdefault(page["name"], key(page))
        for question in page["questions"]:
            found.setdefault(question["name"], key(question))
    return found


def _elements(definition: dict) -> Iterator[dict]:
    """Every question and repeat of the definition, at any depth."""

    def walk(items: list[dict]) -> Iterator[dict]:
        for item in items:
            yield item
            if item.get("type") == "repeat" and "questions" in item:
                yield from walk(item["questions"])

    for page in definition.get("groups", []):
        if page.get("repeat"):
            yield page
        yield from walk(page.get("questions", []))


def _unique_keys(definition: dict) -> dict[str, str]:
    """{name: key} for the names used once in the definition."""
    elements = list(_elements(definition))
    used = Counter(element["name"] for element in elements)
    return {e["name"]: key(e) for e in elements if used[e["name"]] == 1}


def names_by_key(definition: dict) -> dict[str, str]:
    """{key: name} for every question and repeat of the definition, at any depth."""
    return {key(element): element["name"] for element in _elements(definition)}


def duplicate_names(definition: dict) -> list[str]:
    """The names two or more questions (or repeats) of the definition share, sorted."""
    used = Counter(element["name"] for element in _elements(definition))
    return sorted(name for name, n in used.items() if n > 1)


def moves(own: dict, target: dict) -> dict[str, str]:
    """{key in `own`: key in `target`} for each question (or repeat) whose key differs between
    two versions of a form (a group renamed, a question moved) while its name is used once in
    each: what carries answers saved on `own` over to `target`. Computed once per pair of
    versions, not per interview."""
    old, new = _unique_keys(own), _unique_keys(target)
    return {old[name]: new[name] for name in old.keys() & new.keys() if old[name] != new[name]}


def carried(answers: dict, moved: dict[str, str]) -> dict:
    """The answers with each key in `moved` renamed (inside a repeat's rows too); the others
    as saved. Nothing is copied when nothing moved."""
    if not moved:
        return answers

    def carry(found: dict) -> dict:
        out: dict = {}
        for name, value in found.items():
            if isinstance(value, list):
                value = [carry(row) if isinstance(row, dict) else row for row in value]
            out[moved.get(name, name)] = value
        return out

    return carry(answers)


def in_version(
    saved: Iterable[tuple[dict | None, Any]], definitions: dict[Any, dict], target: Any
) -> list[dict]:
    """Each interview's answers, given with the id of the version it was saved on, keyed as
    version `target` keys them: an interview begun before a new version was rolled out keeps
    its answers where a group was renamed. `definitions` holds every version id met (an id
    not in it is taken as saved on `target`). One key map per version."""
    wanted = definitions[target]
    maps = {vid: moves(d, wanted) for vid, d in definitions.items() if vid != target}
    return [carried(answers or {}, maps.get(vid, {})) for answers, vid in saved]


def moved_or_gone(own: dict, target: dict, names: Iterable[str]) -> tuple[list[str], list[str]]:
    """Of the given question names in `own`: (those whose key differs in `target`, those
    `target` no longer has). What a version switch tells the user about scored and quota
    questions."""
    old, new = _unique_keys(own), _unique_keys(target)
    everywhere = {e["name"] for e in _elements(target)}
    wanted = [name for name in dict.fromkeys(names) if name in old or name in everywhere]
    moved = [n for n in wanted if n in old and n in new and old[n] != new[n]]
    gone = [n for n in wanted if n not in everywhere]
    return moved, gone


def row_scope(named: dict, items: list[dict], row: dict) -> dict:
    """The scope inside one row of a roster: the row's values (by name) over the others."""
    [inside] = _named_rows(items, [row]) or [{}]
    return {**named, **inside}


def from_names(old: dict, definition: dict) -> dict:
    """Answers stored by question name (before paths) → by path. What no question of the
    definition has (a question since removed) is kept under its old key."""
    new: dict = {}
    used: set[str] = set()

    def row_by_path(items: list[dict], row: dict) -> dict:
        converted = {}
        for item in items:
            if item["name"] not in row:
                continue
            value = row[item["name"]]
            if item.get("type") == "repeat" and "questions" in item and isinstance(value, list):
                value = [row_by_path(item["questions"], r) for r in value if isinstance(r, dict)]
            converted[key(item)] = value
        return converted

    for page in definition["groups"]:
        if page.get("repeat"):
            if page["name"] in old and page["name"] not in used:
                found = old[page["name"]]
                new[key(page)] = (
                    [row_by_path(page["questions"], r) for r in found if isinstance(r, dict)]
                    if isinstance(found, list)
                    else found
                )
                used.add(page["name"])
            continue
        for question in page["questions"]:
            if question["name"] in old and question["name"] not in used:
                new[key(question)] = old[question["name"]]
                used.add(question["name"])
    for name, value in old.items():
        if name not in used and name not in new:
            new[name] = value
    return new


def from_page(page: dict, asked: list[str], values: dict) -> tuple[list[str], dict]:
    """A submitted page's answers, as the page form gives them (by question name; a roster's
    rows by name under the repeat's name) → (the keys the page asked, the answers by key)."""
    by_name: dict[str, dict] = {}
    for item in page["questions"]:
        by_name.setdefault(item["name"], item)
    if page.get("repeat"):
        by_name.setdefault(page["name"], page)

    def convert(item: dict, value: Any) -> Any:
        if item is page and page.get("repeat") or item.get("type") == "repeat":
            inner = {q["name"]: q for q in item["questions"]}
            return [
                {
                    key(inner[name]): convert(inner[name], cell)
                    for name, cell in row.items()
                    if name in inner
                }  # fmt: skip
                for row in (value if isinstance(value, list) else [])
                if isinstance(row, dict)
            ]
        return value

    keys = [key(by_name[name]) for name in asked if name in by_name]
    keyed = {
        key(by_name[name]): convert(by_name[name], value)
        for name, value in values.items()
        if name in by_name
    }
    return keys, keyed
