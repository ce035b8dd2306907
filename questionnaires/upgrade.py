"""Definitions and answers stored before paths (schema 1) → by path (schema 2). Pure.

Used once, by the data migrations that move stored versions, interviews and back-checks.
A version's definition is read again from its own spreadsheet, as the importer reads forms
now; when that spreadsheet no longer imports, or imports to other questions, languages, labels
or choices (an untagged form stored as Chinese now reads as "default"), its stored definition
is given paths as it stands (each page a group at the top, each question in its
page). Its content (questions, choices, labels, logic) is what it was either way. Answers keep
their values and move from question names to paths (questionnaires.answers.from_names).
"""

from questionnaires import answers
from questionnaires.xlsform import SCHEMA, XLSFormError, parse_xlsform

__all__ = ["downgrade_keys", "upgrade_answers", "upgrade_definition", "upgrade_keys"]


def _texts(value: object) -> list[tuple[str, str]]:
    return sorted((str(code), str(text)) for code, text in value.items()) if isinstance(
        value, dict
    ) else []  # fmt: skip


def _questions(definition: dict) -> list[tuple]:
    return sorted(
        (q["name"], q.get("list") or "", _texts(q.get("label")))
        for page in definition.get("groups", [])
        for q in page["questions"]
    )


def _options(options: list[dict]) -> list[tuple]:
    return [(str(c.get("value")), _texts(c.get("label"))) for c in options]


def _same_content(fresh: dict, stored: dict) -> bool:
    """Whether the form read again has the stored version's questions, languages, labels and
    choices: only then may its reading replace the stored one (an untagged Chinese form was
    stored under "zh" and now reads as "default"; a migration never changes stored labels)."""
    fresh_lists, stored_lists = fresh.get("choice_lists", {}), stored.get("choice_lists", {})
    return (
        sorted(fresh.get("languages") or []) == sorted(stored.get("languages") or [])
        and _questions(fresh) == _questions(stored)
        and all(
            _options(fresh_lists.get(name, [])) == _options(options)
            for name, options in stored_lists.items()
        )
    )


def upgrade_definition(definition: dict, source: bytes | None, source_name: str) -> dict:
    """The schema-2 definition of a stored version (unchanged when it has one)."""
    if definition.get("schema") == SCHEMA:
        return definition
    try:
        fresh = parse_xlsform(bytes(source or b""), source_name or "form.xlsx").definition
    except (XLSFormError, ValueError):
        fresh = None
    if fresh is not None and _same_content(fresh, definition):
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


def downgrade_keys(keys: list[str], definition: dict) -> list[str]:
    """Question keys (a back-check's key questions) → their names, for rolling the migration
    back; a key no question of the definition has is kept."""
    names = answers.names_by_key(definition)
    return [names.get(found, found) for found in keys]
