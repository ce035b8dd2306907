"""XLSForm → questionnaire definition, through pyxform. Pure: no Django.

Any form pyxform accepts becomes a definition; pyxform's survey JSON is the source of truth
(questionnaires.xlsform.reading). The definition (QuestionnaireVersion.definition) has this
shape (schema 2):

    {
      "schema": 2,
      "form_id": "safety_standard",
      "title": {"zh": "..."},
      "languages": ["zh", "en"],          # codes, the default first (languages.py)
      "language_names": {"zh": "中文 (zh)", "en": "English (en)"},
      "dimensions": {"public_order": {"zh": "社会治安", ...}, ...},
      "choice_lists": {"sat5": [{"value": "5", "label": {...}, "score": 100.0,
                                 "positive": true, "media": null, "extra": {}}, ...]},
      "consent": "/opening/consent" | null, # the question whose "yes" allows recording
      "metadata": [question, ...],          # filled by a device (start, deviceid), never asked
      "tree": [                             # groups and repeats at any depth
        {"kind": "group" | "repeat", "name", "path": "/hh", "label", "relevant",
         "appearance", "repeat": null | {"count": str | null, "max": 20},
         "children": [{"question": "/hh/q1"}, {"kind": "repeat", ...}]},
        {"question": "/q_outside"}
      ],
      "groups": [                           # the wizard's pages (pages.py), in order
        {"name": "hh", "path": "/hh", "label", "relevant", "appearance", "repeat",
         "breadcrumbs": [{"path": "/hh", "label": {...}}],
         "questions": [question, ...,       # a nested repeat in a roster:
                       {"type": "repeat", "name", "path", "label", "relevant",
                        "repeat", "questions": [...]}]}
      ]
    }

A question (tree.py): name, path, repeat (its innermost repeat's path or null), type (ours:
select_one, select_multiple, select_one_external, select_one_from_file,
select_multiple_from_file, text, integer, decimal, date, time, datetime, range, acknowledge,
trigger, note, calculate, locality; pyxform's spelling for metadata and deferred types),
xlsform_type (as pyxform's JSON has it), kind (asked / deferred / metadata), list, file,
label, hint, required, required_if, required_message, relevant, constraint,
constraint_message, appearance, parameters (range: start, end, step), calculation, read_only,
trigger, default, choice_filter, media, our columns (qc_check, qc_check_message, backcheck,
score_map, positive_values, dimension, indicator, locality_level, consent) and or_other /
other_of (pyxform's `<name>_other` text box for `select_one LIST or_other`).

"locality" questions take their choices from the locality tree at run time (cascading); the
answer is a locality code. Our own columns: see columns.py; the choices sheet's `score` (0–100,
blank for don't know) and `positive` (1, 0, blank); the `dimensions` list names the dimensions.
"""

from questionnaires.xlsform.columns import LOCALITY_FILE, LOCALITY_LEVELS
from questionnaires.xlsform.reading import (
    SCHEMA,
    ParsedForm,
    XLSFormError,
    build_definition,
    parse_xlsform,
)
from questionnaires.xlsform.scores import parse_score_map
from questionnaires.xlsform.tree import REPEAT_MAX

__all__ = [
    "LOCALITY_FILE",
    "LOCALITY_LEVELS",
    "REPEAT_MAX",
    "SCHEMA",
    "ParsedForm",
    "XLSFormError",
    "build_definition",
    "dimension_order",
    "parse_score_map",
    "parse_xlsform",
]


def dimension_order(definition: dict) -> list[str]:
    """Dimension codes in questionnaire order: by first use in a question, then those no
    question uses. Stored definitions lose the key order of definition["dimensions"] on
    PostgreSQL (jsonb sorts keys), so order is taken from the questions, which are lists."""
    order: list[str] = []
    for group in definition.get("groups", []):
        for question in group.get("questions", []):
            dimension = question.get("dimension")
            if dimension and dimension not in order:
                order.append(dimension)
    return order + sorted(set(definition.get("dimensions", {})) - set(order))
