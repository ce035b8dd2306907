"""Definitions and answers stored before paths (schema 1) → by path (schema 2). Pure.

Used once, by the data migrations that move stored versions, interviews and back-checks.
A version's definition is read again from its own spreadsheet, as the importer reads forms
now; when that spreadsheet no longer imports, or imports to other questions, its stored
definition is given paths as it stands (each page a group at the top, each question in its
page). Its content (questions, choices, labels, logic) is what it was either way. Answers keep
their values and move from question names to paths (questionnaires.answers.from_names).
"""

from questionnaires import answers
from questionnaires.xlsform import SCHEMA, XLSFormError, parse_xlsform

__all__ = ["upgrade_answers", "upgrade_definition", "upgrade_keys"]


def _names(definition: dict) -> list[str]:
    return [q["name"] for page in definition.get("groups", []) for q in page["questions"]]


def upgrade_definition(definition: dict, source: bytes | None, source_name: str) -> dict:
    """The schema-2 definition of a stored version (unchanged when it has one)."""
    if definition.get("schema") == SCHEMA:
        return definition
    try:
        fresh = parse_xlsform(bytes(source or b""), source_name or "form.xlsx").definition
    except (XLSFormError, ValueError):
        fresh = None
    if fresh is not None and sorted(_names(fresh)) == sorted(_names(definition)):
        return fresh
    return _with_paths(definition)


def _with_paths(definition: dict) -> dict:
    pages, tree = [], []
    for page in definition.get("groups", []):
        path = f"/{page['name']}"
        repeat = path if page.get("repeat") else None
        questions = [
            {
                **question,
                "path": f"{path}/{question['name']}",
                "repeat": repeat,
                "xlsform_type": question.get("type"),
                "kind": "asked",
            }
            for question in page["questions"]
        ]
        pages.append(
            {
                **page,
                "path": path,
                "breadcrumbs": [{"path": path, "label": page.get("label") or {}}],
                "questions": questions,
            }
        )
        tree.append(
            {
                "kind": "repeat" if repeat else "group",
                "name": page["name"],
                "path": path,
                "label": page.get("label") or {},
                "relevant": page.get("relevant"),
                "appearance": page.get("appearance"),
                "repeat": page.get("repeat"),
                "children": [{"question": q["path"]} for q in questions],
            }
        )
    languages = definition.get("languages") or []
    return {
        **definition,
        "schema": SCHEMA,
        "groups": pages,
        "tree": tree,
        "metadata": [],
        "consent": None,
        "language_names": {code: code for code in languages},
        "translation_gaps": {},
    }


def upgrade_answers(stored: dict, definition: dict) -> dict:
    """Answers by question name → by path, against the version's schema-2 definition."""
    return answers.from_names(stored or {}, definition)


def upgrade_keys(names: list[str], definition: dict) -> list[str]:
    """Question names (a back-check's key questions) → their keys."""
    keys = answers.keys_by_name(definition)
    return [keys.get(name, name) for name in names]
