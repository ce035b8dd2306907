"""pyxform's survey JSON → our definition: the tree of groups and repeats, and its questions.
Pure: no Django.

Every element keeps its pyxform path (`/group/sub/q`, without the form's root), so two
questions named `q1` in different groups are two questions. The tree is stored as it is
(groups and repeats at any depth, each question by its path); pages are made from it in
questionnaires.xlsform.pages.
"""

from typing import Any

from questionnaires.xlsform.languages import Languages
from questionnaires.xlsform.scores import parse_score_map
from questionnaires.xlsform.types import ASKED, kind_of, our_type

__all__ = ["DIMENSIONS_LIST", "REPEAT_MAX", "Tree", "build_tree", "choice", "is_true"]

DIMENSIONS_LIST = "dimensions"
REPEAT_MAX = 20  # rows a roster takes when its begin repeat row gives no repeat_max
_TRUE = {"yes", "true", "true()", "1", "y"}
_CONSENT_CODES = ("yes", "y", "1", "true", "agree", "consent")
# pyxform's own rows for a table-list's header; the author wrote a table-list
TABLE_LIST_LABELS = ("reserved_name_for_field_list_labels_", "generated_table_list_label_")
_CHOICE_KEYS = ("name", "label", "score", "positive", "media")


def is_true(value: Any) -> bool:
    return str(value if value is not None else "").strip().lower() in _TRUE


def _text(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


class Tree:
    """The walk over pyxform's JSON: questions by path, the nodes of the tree."""

    def __init__(self, form_json: dict, languages: Languages) -> None:
        self.languages = languages
        self.choice_lists: dict[str, list[dict]] = {}
        self.dimensions: dict[str, dict] = {}
        for list_name, options in (form_json.get("choices") or {}).items():
            if list_name == DIMENSIONS_LIST:
                for option in options:
                    where = f"choices/{list_name}/{option['name']}"
                    self.dimensions[option["name"]] = (
                        languages.text(option.get("label"), where=where) or {}
                    )
            else:
                self.choice_lists[list_name] = [
                    choice(option, languages, f"choices/{list_name}") for option in options
                ]
        self.questions: dict[str, dict] = {}  # path → question
        self.nodes = self.children(form_json.get("children", []), "", [])

    def children(self, elements: list[dict], parent: str, scopes: list[str]) -> list[dict]:
        nodes = []
        for element in elements:
            kind = element.get("type")
            if kind == "group" and (element.get("control") or {}).get("bodyless"):
                # pyxform's meta block: instanceID is ours to give; the audit log is recorded
                # (fieldwork.interview.metadata) at its path, /meta/audit
                for child in element.get("children") or []:
                    if child.get("type") == "audit":
                        path = f"{parent}/{element['name']}/{child['name']}"
                        self.questions[path] = self.question(child, path, scopes)
                continue
            path = f"{parent}/{element['name']}"
            if kind in ("group", "repeat"):
                nodes.append(self.group(element, path, scopes))
            else:
                question = self.question(element, path, scopes)
                self.questions[path] = question
                nodes.append({"question": path})
        return nodes

    def group(self, element: dict, path: str, scopes: list[str]) -> dict:
        control = element.get("control") or {}
        repeat = None
        inner = scopes
        if element.get("type") == "repeat":
            most = element.get("repeat_max")
            repeat = {
                "count": control.get("jr:count") or None,
                "max": int(float(most)) if most not in (None, "") else REPEAT_MAX,
            }
            inner = [*scopes, path]
        children = element.get("children", [])
        appearance = control.get("appearance") or None
        if any(str(child.get("name", "")).startswith(TABLE_LIST_LABELS) for child in children):
            appearance = "table-list"  # pyxform rewrote the author's table-list
            children = [
                child
                for child in children
                if not str(child.get("name", "")).startswith(TABLE_LIST_LABELS)
            ]
            for child in children:
                if (child.get("control") or {}).get("appearance") == "list-nolabel":
                    child["control"].pop("appearance")
        return {
            "kind": "repeat" if repeat else "group",
            "name": element["name"],
            "path": path,
            "label": self.languages.text(element.get("label"), where=path) or {},
            "relevant": (element.get("bind") or {}).get("relevant") or None,
            "appearance": appearance,
            "repeat": repeat,
            "children": self.children(children, path, inner),
        }

    def question(self, element: dict, path: str, scopes: list[str]) -> dict:
        text = self.languages.text
        bind = element.get("bind") or {}
        control = element.get("control") or {}
        level = _text(element.get("locality_level"))
        spelled = str(element.get("type", ""))
        question_type = our_type(element)
        kind = kind_of(question_type)
        if kind != ASKED:
            question_type = spelled
        elif level:
            question_type = "locality"
        is_select = question_type.startswith("select")
        itemset = _text(element.get("itemset"))
        list_name = element.get("list_name") or (itemset if is_select else None)
        if question_type.endswith("_from_file"):
            list_name = None
        score_map = element.get("score_map")
        satisfied = element.get("satisfied")
        required = str(bind.get("required", "")).strip()
        where = path if kind == ASKED and question_type != "calculate" else ""
        return {
            "name": element["name"],
            "path": path,
            "repeat": scopes[-1] if scopes else None,  # the innermost repeat it belongs to
            "type": question_type,
            "xlsform_type": spelled,
            "kind": kind,
            "list": list_name if is_select else None,
            "file": itemset if question_type.endswith("_from_file") else None,
            "label": text(element.get("label"), where=where) or {},
            "hint": text(element.get("hint")),
            "required": required.lower() in _TRUE,
            "required_if": required
            if required and required.lower() not in _TRUE | {"no", "false", "false()", "0"}
            else None,  # fmt: skip
            "required_message": text(bind.get("jr:requiredMsg")),
            "relevant": bind.get("relevant") or None,
            "constraint": bind.get("constraint") or None,
            "constraint_message": text(bind.get("jr:constraintMsg")),
            "appearance": control.get("appearance") or None,
            "parameters": _parameters(element.get("parameters")),
            "calculation": bind.get("calculate") or None,
            "read_only": is_true(bind.get("readonly")),
            "trigger": _text(element.get("trigger")),
            "default": _text(element.get("default")),
            "choice_filter": _text(element.get("choice_filter")) if is_select else None,
            "media": element.get("media") or None,
            "qc_check": _text(element.get("qc_check")),
            "qc_check_message": text(element.get("qc_check_message")),
            "backcheck": is_true(element.get("backcheck")),
            "score_map": parse_score_map(score_map) if score_map else None,
            "positive_values": str(satisfied).split() if satisfied else None,
            "dimension": _text(element.get("dimension")),
            "indicator": _text(element.get("indicator")),
            "locality_level": level,
            "consent": self.consent_code(element, question_type, list_name),
            "or_other": False,
            "other_of": None,
        }

    def consent_code(self, element: dict, question_type: str, list_name: str | None):
        """The answer that gives consent, for the question marked in the `consent` column."""
        value = _text(element.get("consent"))
        if not value or value.lower() in ("no", "false", "0"):
            return None
        if question_type == "acknowledge":
            return "OK"
        codes = [option["value"] for option in self.choice_lists.get(list_name or "", [])]
        if value in codes:
            return value
        for code in codes:
            if code.lower() in _CONSENT_CODES:
                return code
        return None  # reported by the column checks


def _parameters(value: Any) -> dict | None:
    """A question's parameters as {key: text}; pyxform gives a dict, or text it left alone."""
    if isinstance(value, dict):
        return {str(key): str(text) for key, text in value.items()} or None
    text = _text(value)
    if not text:
        return None
    pairs = [item.partition("=") for item in text.split()]
    if all(equals for _, equals, _ in pairs):
        return {key: text for key, _, text in pairs}
    return {"text": text}


def choice(option: dict, languages: Languages, where: str) -> dict:
    score = option.get("score")
    positive = option.get("positive")
    return {
        "value": option["name"],
        "label": languages.text(option.get("label"), where=f"{where}/{option['name']}") or {},
        "score": float(score) if score not in (None, "") else None,
        "positive": str(positive) == "1" if positive not in (None, "") else None,
        "media": option.get("media") or None,
        "extra": {
            key: str(value)
            for key, value in option.items()
            if key not in _CHOICE_KEYS and not key.startswith("__")
        },
    }


def build_tree(form_json: dict, languages: Languages) -> Tree:
    tree = Tree(form_json, languages)
    _mark_or_other(tree)
    return tree


def _mark_or_other(tree: Tree) -> None:
    """pyxform writes `select_one LIST or_other` as the select plus a text question
    `<name>_other` relevant when 'other' is selected; we keep both and say so."""
    for path, question in tree.questions.items():
        if not question["type"].startswith("select") or not path:
            continue
        other = tree.questions.get(f"{path}_other")
        if other is None or other["type"] != "text":
            continue
        relevant = other.get("relevant") or ""
        if f"../{question['name']}" in relevant and "'other'" in relevant:
            question["or_other"] = True
            other["other_of"] = path
            other["relevant"] = f"selected(${{{question['name']}}}, 'other')"
