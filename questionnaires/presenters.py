"""Questionnaire data turned into plain dicts and strings for templates (and other apps).

Expressions (relevance, constraints, calculations, filters, QC checks) are handed to templates as
a list of parts, so the template can print them in monospace with every `${name}` replaced by
the referenced question's label and name, and every choice code compared with a select question
replaced by the choice's label:

    [{"text": "${consent} = "} ...]   →   [{"ref": "consent", "label": "是否同意"},
                                           {"text": " = "},
                                           {"text": "'yes'", "choice": "是"}]
"""

import re
from typing import Any

from django.db.models import Prefetch
from django.urls import NoReverseMatch, reverse
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common.labels import all_languages, localized
from common.translatable import Translatable, translated
from questionnaires.diff import diff_definitions
from questionnaires.models import Questionnaire, QuestionnaireVersion
from questionnaires.outline import (
    labels_by_key,
    page_items,
    page_preview,
    roster_preview,
    tree_outline,
)
from questionnaires.type_names import LOCALITY_LEVELS, question_type_label

# The test-mode wizard lives in fieldwork; we only know its URL name (fieldwork may not have it).
TRIAL_URL_NAME = "fieldwork:trial_start"
REF_LABEL_CHARS = 30
# questionnaires.diff's kinds of change, as shown
CHANGE_KIND_NAMES = {
    "label": _("wording"),
    "logic": _("logic"),
    "type": _("type"),
    "scoring": _("scoring"),
    "other": _("other"),
}

# ---------------------------------------------------------------------------------------------
# Expressions

_EXPRESSION_PART = re.compile(r"\$\{(?P<ref>[^}]*)\}|(?P<string>'[^']*'|\"[^\"]*\")")
# Between a select question's reference and a string literal: the literal is one of its codes.
_CODE_CONTEXT = re.compile(r"^\s*(?:=|!=|,)\s*$")


class ExpressionNames:
    """What a definition's expressions can refer to: question labels and choice labels."""

    def __init__(self, definition: dict, language: str) -> None:
        lists = definition.get("choice_lists", {})
        self.labels: dict[str, str] = {}
        self.choices: dict[str, dict[str, str]] = {}
        for group in definition.get("groups", []):
            self.labels[group["name"]] = localized(group.get("label"), language)
            for question, _depth in page_items(group.get("questions", [])):
                name = question["name"]
                self.labels.setdefault(name, localized(question.get("label"), language))
                if question.get("list") in lists:
                    self.choices[name] = {
                        choice["value"]: localized(choice.get("label"), language)
                        for choice in lists[question["list"]]
                    }

    def parts(self, expression: str | None) -> list[dict]:
        """The expression as parts (see the module docstring); [] for none."""
        if not expression:
            return []
        parts: list[dict] = []
        position = 0
        subject: str | None = None  # the select question a following literal is compared with
        for match in _EXPRESSION_PART.finditer(expression):
            between = expression[position : match.start()]
            if between:
                parts.append({"text": between})
            if match.group("ref") is not None:
                name = match.group("ref")
                label = Truncator(self.labels.get(name, "")).chars(REF_LABEL_CHARS, truncate="…")
                parts.append({"ref": name, "label": label, "known": name in self.labels})
                subject = name
            else:
                literal = match.group("string")
                choice = None
                if subject in self.choices and _CODE_CONTEXT.match(between):
                    choice = self.choices[subject].get(literal[1:-1])
                parts.append({"text": literal, "choice": choice} if choice else {"text": literal})
                subject = None
            position = match.end()
        if position < len(expression):
            parts.append({"text": expression[position:]})
        return parts


def expression_text(parts: list[dict]) -> str:
    """The parts as one line of plain text: `是否同意 (consent) = 是`."""
    out = []
    for part in parts:
        if "ref" in part:
            out.append(f"{part['label']} ({part['ref']})" if part["label"] else part["ref"])
        else:
            out.append(part.get("choice") or part["text"])
    return "".join(out)


# ---------------------------------------------------------------------------------------------
# Pages


def questionnaire_list() -> list[dict]:
    """Every questionnaire with its versions, newest first, and what changed in each version."""
    versions = QuestionnaireVersion.objects.defer("source_xlsx", "xform_xml").select_related(
        "published_by"
    )
    questionnaires = Questionnaire.objects.order_by("code").prefetch_related(
        Prefetch("versions", queryset=versions.order_by("-number"))
    )
    result = []
    for questionnaire in questionnaires:
        rows = list(questionnaire.versions.all())
        result.append(
            {
                "code": questionnaire.code,
                "title": questionnaire.title,
                "versions": [
                    {
                        **_version_row(version),
                        "changes": _change_counts(version, rows[index + 1 :]),
                    }
                    for index, version in enumerate(rows)
                ],
            }
        )
    return result


def _version_row(version: QuestionnaireVersion) -> dict:
    return {
        "pk": version.pk,
        "number": version.number,
        "title": version.title,
        "source_name": version.source_name,
        "published_at": version.published_at,
        "published_by": str(version.published_by or ""),
    }


def _change_counts(version: QuestionnaireVersion, older: list[QuestionnaireVersion]) -> dict | None:
    """Counts of changed questions against the version before (None for the first version)."""
    if not older:
        return None
    diff = diff_definitions(older[0].definition, version.definition)
    return {"unchanged": diff["unchanged"], **diff["counts"]}


def version_links(version_pk: int) -> dict:
    """URLs of the version's other pages: the trial wizard (None while fieldwork does not have
    it) and the XLSForm export."""
    try:
        trial = reverse(TRIAL_URL_NAME, args=[version_pk])
    except NoReverseMatch:
        trial = None
    export = reverse("questionnaires:export", args=[version_pk])
    return {"trial": trial, "export": export}


def version_detail(version: QuestionnaireVersion, language: str) -> dict:
    """A readable preview of a version: every page with its logic, every question with its
    labels in every language, settings and effective score map, and the choice lists."""
    definition = version.definition
    languages = definition.get("languages", [])
    dimensions = definition.get("dimensions", {})
    lists = definition.get("choice_lists", {})
    names = ExpressionNames(definition, language)
    used_by: dict[str, list[str]] = {}
    groups = []
    for group in definition["groups"]:
        questions = []
        for question, depth in page_items(group["questions"]):
            if question.get("list"):
                used_by.setdefault(question["list"], []).append(question["name"])
            if question.get("type") == "repeat":
                questions.append(roster_preview(question, depth, names, languages, language))
                continue
            questions.append(
                {
                    **_question_preview(question, lists, dimensions, names, languages, language),
                    "depth": depth,
                }  # fmt: skip
            )
        groups.append(page_preview(group, questions, names, languages, language))
    choice_lists = [
        _choice_list(name, choices, used_by.get(name, []), languages, language)
        for name, choices in lists.items()
    ]
    return {
        "pk": version.pk,
        "code": version.questionnaire.code,
        "title": version.title,
        "number": version.number,
        "source_name": version.source_name,
        "published_at": version.published_at,
        "published_by": str(version.published_by or ""),
        "form_id": definition.get("form_id"),
        "languages": languages,
        "language_names": [
            (code, definition.get("language_names", {}).get(code) or code) for code in languages
        ],
        "question_count": sum(
            1 for group in groups for question in group["questions"] if question["type"] != "repeat"
        ),
        "tree": tree_outline(
            definition.get("tree", []), definition, language, type_label=question_type_label
        ),
        "dimensions": [
            {"code": code, "label": localized(label, language)}
            for code, label in dimensions.items()
        ],
        "groups": groups,
        "choice_lists": choice_lists,
        "attachments": [
            {"name": a.name, "size": a.size} for a in version.attachments.only("name", "size")
        ],
        "links": version_links(version.pk),
        "printables": _printables(version, languages),
    }


def _printables(version: QuestionnaireVersion, languages: list[str]) -> list[dict]:
    """The printable questionnaire's link in each of the form's languages."""
    names = version.definition.get("language_names") or {}
    return [
        {
            "url": reverse("questionnaires:printable", args=[version.pk, code]),
            "code": code,
            "language": names.get(code, code),
        }
        for code in languages
    ]


def _choice_list(
    name: str, choices: list[dict], used_by: list[str], languages: list[str], language: str
) -> dict:
    extra_columns = sorted({key for choice in choices for key in (choice.get("extra") or {})})
    return {
        "name": name,
        "used_by": used_by,
        "scored": any(choice.get("score") is not None for choice in choices),
        "extra_columns": extra_columns,
        "choices": [
            {
                "value": choice["value"],
                "label": localized(choice.get("label"), language),
                "labels": all_languages(choice.get("label"), languages),
                "score": choice.get("score"),
                "positive": choice.get("positive"),
                "extra": [(choice.get("extra") or {}).get(key, "") for key in extra_columns],
            }
            for choice in choices
        ],
    }


def _question_preview(
    question: dict,
    lists: dict,
    dimensions: dict,
    names: ExpressionNames,
    languages: list[str],
    language: str,
) -> dict:
    dimension = question.get("dimension")
    choices = effective_choices(question, lists.get(question.get("list"), []))
    return {
        "name": question["name"],
        "label": localized(question.get("label"), language),
        "labels": all_languages(question.get("label"), languages),
        "hint": localized(question.get("hint"), language),
        "hints": all_languages(question.get("hint"), languages),
        "type": question["type"],
        "type_label": question_type_label(question["type"]),
        "list": question.get("list"),
        "required": bool(question.get("required")),
        "required_message": localized(question.get("required_message"), language),
        "relevant": names.parts(question.get("relevant")),
        "constraint": names.parts(question.get("constraint")),
        "constraint_message": localized(question.get("constraint_message"), language),
        "choice_filter": names.parts(question.get("choice_filter")),
        "calculation": names.parts(question.get("calculation")),
        "default": question.get("default"),
        "appearance": question.get("appearance"),
        "qc_check": names.parts(question.get("qc_check")),
        "qc_check_message": localized(question.get("qc_check_message"), language),
        "backcheck": bool(question.get("backcheck")),
        "dimension": dimension,
        "dimension_label": localized(dimensions.get(dimension), language),
        "indicator": question.get("indicator"),
        "locality_level": question.get("locality_level"),
        "locality_level_label": LOCALITY_LEVELS.get(
            question.get("locality_level"), question.get("locality_level")
        ),
        "choices": [
            {**choice, "label": localized(choice["label"], language)} for choice in choices
        ],
        "scored": any(choice["score"] is not None for choice in choices),
        "score_override": question.get("score_map") is not None,
        "positive_override": question.get("positive_values") is not None,
    }


def effective_choices(question: dict, choices: list[dict]) -> list[dict]:
    """A question's choices with the score and positive flag that apply to it.

    The question's `score_map` ({value: score|None}) and `positive_values` ([value, ...])
    override the list's `score`/`positive` where given: a value missing from the score_map keeps
    the list's score; with positive_values, a scored value not named is not positive and an
    excluded value (score None) stays None. Returns [{"value", "label" (the label dict),
    "score", "positive", "overridden"}].
    """
    score_map = question.get("score_map")
    positive_values = question.get("positive_values")
    result = []
    for choice in choices:
        value = choice["value"]
        score, positive = choice.get("score"), choice.get("positive")
        overridden = False
        if score_map is not None and value in score_map:
            overridden = overridden or score_map[value] != score
            score = score_map[value]
        if positive_values is not None:
            new_positive = None if score is None else value in positive_values
            overridden = overridden or new_positive != positive
            positive = new_positive
        result.append(
            {
                "value": value,
                "label": choice.get("label"),
                "score": score,
                "positive": positive,
                "overridden": overridden,
            }
        )
    return result


def version_history(version: QuestionnaireVersion) -> list[dict]:
    """Every version of `version`'s questionnaire, newest first (one query, no heavy columns)."""
    siblings = (
        QuestionnaireVersion.objects.filter(questionnaire_id=version.questionnaire_id)
        .defer("definition", "source_xlsx", "xform_xml")
        .select_related("published_by")
        .order_by("-number")
    )
    return [{**_version_row(other), "current": other.pk == version.pk} for other in siblings]


def version_changes(version: QuestionnaireVersion, language: str) -> dict:
    """What changed in `version` against the version before it, with readable labels."""
    previous = (
        QuestionnaireVersion.objects.filter(
            questionnaire_id=version.questionnaire_id, number__lt=version.number
        )
        .defer("source_xlsx", "xform_xml")
        .select_related("published_by")
        .order_by("-number")
        .first()
    )
    result = {
        "version": _version_row(version),
        "code": version.questionnaire.code,
        "previous": _version_row(previous) if previous else None,
    }
    if previous is None:
        return {**result, "diff": None}
    diff = diff_definitions(previous.definition, version.definition)
    new_names = ExpressionNames(version.definition, language)
    old_names = ExpressionNames(previous.definition, language)

    new_labels = {**new_names.labels, **labels_by_key(version.definition, language)}
    old_labels = {**old_names.labels, **labels_by_key(previous.definition, language)}

    def named(change: dict) -> dict:
        return {
            "label": new_labels.get(change["name"], ""),
            "kind_names": _kind_names(change["kinds"]),
        }

    def labelled(names: list[str], labels: dict) -> list[dict]:
        return [{"name": name, "label": labels.get(name, "")} for name in names]

    return {
        **result,
        "diff": {
            **diff,
            "questions_added": labelled(diff["questions_added"], new_labels),
            "questions_removed": labelled(diff["questions_removed"], old_labels),
            "questions_changed": [
                {**change, **named(change)} for change in diff["questions_changed"]
            ],
            "pages_added": labelled(diff["pages_added"], new_labels),
            "pages_removed": labelled(diff["pages_removed"], old_labels),
            "pages_changed": [{**change, **named(change)} for change in diff["pages_changed"]],
            "groups_added": labelled(diff["groups_added"], new_labels),
            "groups_removed": labelled(diff["groups_removed"], old_labels),
            "groups_changed": [{**change, **named(change)} for change in diff["groups_changed"]],
            "lists_changed": [
                {**change, "kind_names": _kind_names(change["kinds"])}
                for change in diff["lists_changed"]
            ],
        },
    }


def _kind_names(kinds: list[str]) -> list[str]:
    return [str(CHANGE_KIND_NAMES.get(kind, kind)) for kind in kinds]


# An error of questionnaires.xlsform: "survey sheet, row 3, column dimension: unknown …"
_SHEET_ERROR = re.compile(
    r"^(?P<sheet>\w+) sheet(?:, row (?P<row>\d+))?(?:, column (?P<column>.+?))?: (?P<problem>.*)$",
    re.S,
)


def import_errors(messages: list[str]) -> list[dict[str, Any]]:
    """XLSFormError messages as table rows {"sheet", "row", "column", "problem"}.

    Messages about the whole file (not readable, not a workbook) have no sheet, row or column.
    """
    rows = []
    for message in messages:
        if isinstance(message, Translatable) and "sheet" in message.params:
            # Located by questionnaires.xlsform, in the reader's language.
            params = message.params
            rows.append(
                {
                    "sheet": params["sheet"],
                    "row": params["row"],
                    "column": params["column"],
                    "problem": translated(params["problem"], gettext),
                }
            )
            continue
        match = _SHEET_ERROR.match(message)
        if match:
            row = match.group("row")
            rows.append(
                {
                    "sheet": match.group("sheet"),
                    "row": int(row) if row else None,
                    "column": match.group("column") or "",
                    "problem": match.group("problem"),
                }
            )
        else:
            rows.append(
                {"sheet": "", "row": None, "column": "", "problem": translated(message, gettext)}
            )
    return rows
