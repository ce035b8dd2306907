"""Interview answers move from question names to question paths (questionnaires.answers)."""

from django.db import migrations


def _move(apps, convert):
    Interview = apps.get_model("fieldwork", "Interview")
    Version = apps.get_model("questionnaires", "QuestionnaireVersion")
    definitions = dict(Version.objects.values_list("pk", "definition"))
    batch = []
    for interview in Interview.objects.only("pk", "answers", "questionnaire_version_id").iterator(
        chunk_size=500
    ):
        moved = convert(interview.answers or {}, definitions[interview.questionnaire_version_id])
        if moved != interview.answers:
            interview.answers = moved
            batch.append(interview)
        if len(batch) >= 500:
            Interview.objects.bulk_update(batch, ["answers"])
            batch = []
    if batch:
        Interview.objects.bulk_update(batch, ["answers"])


def forward(apps, schema_editor):
    from questionnaires.upgrade import upgrade_answers

    _move(apps, upgrade_answers)


def backward(apps, schema_editor):
    """Paths back to question names. Refused when a questionnaire version interviews use has
    a name used twice (allowed since paths): by name, one of the two answers would be lost."""
    from questionnaires.answers import duplicate_names, scope

    Interview = apps.get_model("fieldwork", "Interview")
    Version = apps.get_model("questionnaires", "QuestionnaireVersion")
    used = Interview.objects.values("questionnaire_version_id")
    for version in Version.objects.filter(pk__in=used).select_related("questionnaire"):
        twice = duplicate_names(version.definition)
        if twice:
            raise RuntimeError(
                f"Cannot roll interview answers back to question names: questionnaire "
                f"{version.questionnaire.code!r} version {version.number} uses the name(s) "
                f"{', '.join(twice)} for more than one question, so answers to them would be "
                f"lost. Delete or re-key those interviews first, or keep this migration."
            )
    _move(apps, lambda answers, definition: scope(answers, definition))


class Migration(migrations.Migration):
    dependencies = [
        ("fieldwork", "0006_phone_reveals_and_bridging"),
        ("questionnaires", "0003_definitions_by_path"),
    ]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
