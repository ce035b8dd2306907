"""Questionnaire data turned into plain dicts and strings for templates (and other apps)."""

from django.db.models import Prefetch

from questionnaires.models import Questionnaire, QuestionnaireVersion


def localized(label: dict | str | None, language: str) -> str:
    """The text of a translatable label ({"zh": ..., "en": ...}) in `language`.

    `language` is a Django language code ("zh-hans", "en"): matched on its primary subtag, so
    "zh-hans" finds "zh". Falls back to English, then to whatever language the label has.
    """
    if not label:
        return ""
    if isinstance(label, str):
        return label
    primary = _primary(language)
    for wanted in (primary, "en"):
        for key, text in label.items():
            if _primary(key) == wanted and text:
                return text
    return next((text for text in label.values() if text), "")


def _primary(language: str | None) -> str:
    return (language or "").lower().replace("_", "-").split("-")[0]


def questionnaire_list() -> list[dict]:
    """Every questionnaire with its versions, newest first (without the heavy columns)."""
    versions = QuestionnaireVersion.objects.defer(
        "definition", "source_xlsx", "xform_xml"
    ).select_related("published_by")
    questionnaires = Questionnaire.objects.order_by("code").prefetch_related(
        Prefetch("versions", queryset=versions.order_by("-number"))
    )
    return [
        {
            "code": questionnaire.code,
            "title": questionnaire.title,
            "versions": [
                {
                    "pk": version.pk,
                    "number": version.number,
                    "title": version.title,
                    "source_name": version.source_name,
                    "published_at": version.published_at,
                    "published_by": str(version.published_by or ""),
                }
                for version in questionnaire.versions.all()
            ],
        }
        for questionnaire in questionnaires
    ]


def version_detail(version: QuestionnaireVersion, language: str) -> dict:
    """A version's pages, questions and choice lists with their score maps, for reading."""
    definition = version.definition
    dimensions = definition.get("dimensions", {})
    lists = definition.get("choice_lists", {})
    used_by: dict[str, list[str]] = {}
    groups = []
    for group in definition["groups"]:
        questions = []
        for question in group["questions"]:
            if question.get("list"):
                used_by.setdefault(question["list"], []).append(question["name"])
            dimension = question.get("dimension")
            questions.append(
                {
                    "name": question["name"],
                    "label": localized(question["label"], language),
                    "hint": localized(question.get("hint"), language),
                    "type": question["type"],
                    "list": question.get("list"),
                    "required": question.get("required", False),
                    "relevant": question.get("relevant"),
                    "constraint": question.get("constraint"),
                    "dimension": dimension,
                    "dimension_label": localized(dimensions.get(dimension), language),
                    "indicator": question.get("indicator"),
                    "locality_level": question.get("locality_level"),
                }
            )
        groups.append(
            {
                "name": group["name"],
                "label": localized(group.get("label"), language),
                "relevant": group.get("relevant"),
                "questions": questions,
            }
        )
    choice_lists = [
        {
            "name": name,
            "used_by": used_by.get(name, []),
            "scored": any(choice.get("score") is not None for choice in choices),
            "choices": [
                {
                    "value": choice["value"],
                    "label": localized(choice.get("label"), language),
                    "score": choice.get("score"),
                    "positive": choice.get("positive"),
                }
                for choice in choices
            ],
        }
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
        "languages": definition.get("languages", []),
        "question_count": sum(len(group["questions"]) for group in groups),
        "dimensions": [
            {"code": code, "label": localized(label, language)}
            for code, label in dimensions.items()
        ],
        "groups": groups,
        "choice_lists": choice_lists,
    }
