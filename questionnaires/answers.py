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
    "AmbiguousName",
    "by_name",
    "by_reference",
    "find",
    "carried",
    "drop",
    "elements",
    "duplicate_names",
    "in_version",
    "moved_or_gone",
    "moves",
    "names_by_key",
    "table",
    "values_at",
    "from_names",
    "get",
    "has",
    "key",
    "keys_by_name",
    "put",
    "questions",
    "reader",
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


def table(many: list[dict], keys: list[str]):
    """A wide frame of many interviews' (or repeat rows') answers: one row each, one object
    column per key, None where unanswered; pandas reads the dicts in its C loop (100,000
    interviews × 60 questions in about a second). Unanswered is None or NaN."""
    import pandas as pd  # the wizard's imports of this module need no pandas

    frame = pd.DataFrame(many, columns=keys, dtype=object) if many else None
    if frame is None:
        frame = pd.DataFrame({key: pd.Series(dtype=object) for key in keys})
    return frame


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


def reader(definition: dict, names: list[str]):
    """A function answers → {name: answer or None} for `names`, giving what `scope` gives
    for those names (the first answered question of a name; an answer stored under a bare
    name no question has) without building the whole scope: for reading a few answers of
    many interviews."""
    paths: dict[str, list[str]] = {name: [] for name in names}
    known: set[str] = set()
    for page in definition["groups"]:
        known.add(key(page))
        known.update(key(question) for question in page["questions"])
        if page.get("repeat"):
            continue  # a repeat's rows are not a single answer
        for question in page["questions"]:
            if question["name"] in paths:
                paths[question["name"]].append(key(question))
    bare = {name: name not in known and not name.startswith("/") for name in names}

    def read(answers: dict) -> dict:
        found = {}
        for name, keys in paths.items():
            value = next((answers[k] for k in keys if k in answers), _MISSING)
            if value is _MISSING and bare[name]:
                value = answers.get(name)
            found[name] = None if value is _MISSING else value
        return found

    return read


_MISSING = object()


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


elements = _elements  # every question and repeat, for readers that label them (the changes page)


def _unique_keys(definition: dict) -> dict[str, str]:
    """{name: key} for the names used once in the definition."""
    elements = list(_elements(definition))
    used = Counter(element["name"] for element in elements)
    return {e["name"]: key(e) for e in elements if used[e["name"]] == 1}


class AmbiguousName(ValueError):
    """A name several questions share, given where one question is meant: `paths` are the
    candidates, to name one of them by."""

    def __init__(self, name: str, paths: list[str]) -> None:
        self.name, self.paths = name, paths
        super().__init__(f"{name}: {', '.join(paths)}")


def find(definition: dict, reference: str) -> dict | None:
    """The question (or repeat) a setting refers to: by its path (`/group/q`), or by a name
    only it has. None when the definition has neither; AmbiguousName for a name that two or
    more questions have (a quota variable, QC's overall item, scoring's sex and age)."""
    elements = list(_elements(definition))
    for element in elements:
        if key(element) == reference:
            return element
    named = [element for element in elements if element["name"] == reference]
    if len(named) > 1:
        raise AmbiguousName(reference, [key(element) for element in named])
    return named[0] if named else None


def by_reference(answers: dict, definition: dict) -> dict:
    """The answers readable by path and by a name only one question has (never by a shared
    name, which refers to no one question): what quota variables read."""
    readable = dict(answers)
    for name, found in _unique_keys(definition).items():
        if found in answers:
            readable.setdefault(name, answers[found])
    return readable


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
    """The scope inside one row of a roster: the row's values (by name) over the others. A
    name of the row that the row has not answered reads empty, never another row's value."""
    [inside] = _named_rows(items, [row]) or [{}]
    return {**named, **dict.fromkeys(item["name"] for item in items), **inside}


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
