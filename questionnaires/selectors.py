"""Reads other apps make of questionnaire versions."""

from typing import Any

from questionnaires import answers as stored
from questionnaires.definitions import definition_of
from questionnaires.models import QuestionnaireVersion


def answers_in_version(
    saved: list[tuple[dict | None, int | None]], version: QuestionnaireVersion
) -> list[dict]:
    """Interviews' answers, each given with the id of the version it was saved on, keyed as
    `version` keys them (questionnaires.answers.in_version): what every reader of a wave's
    answers uses, since interviews begun before a version switch keep their own version.
    One query for the older versions' definitions (none when all are on `version`)."""
    others = {vid for _, vid in saved if vid is not None and vid != version.pk}
    definitions: dict[Any, dict] = dict(
        QuestionnaireVersion.objects.filter(pk__in=others).values_list("pk", "definition")
    ) if others else {}  # fmt: skip
    definitions[version.pk] = definition_of(version)  # may be deferred: read once
    return stored.in_version(saved, definitions, version.pk)
