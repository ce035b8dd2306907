"""The registry of personal-data holders: every field whose name looks personal is either
registered (and so counted and purged) or declared not personal with a reason."""

import re

from django.apps import apps

from common.personal import EncryptedJSONField, EncryptedTextField, SealedJSONField
from common.personal.registry import declared_not_personal, holders, registered_fields

LOOKS_PERSONAL = re.compile(
    r"phone|mobile|address|name|label|latitude|longitude|accuracy|geo|gps|(^|_)position|"
    r"(^|_)location|"
    r"recording|audio|photo|image|media|roster|adults|answers|snapshot|params|note|birthday|"
    r"id_card|email|wechat|attributes",
    re.IGNORECASE,
)
# Ours: the apps whose models hold respondents' data. Django's own and the libraries' (users,
# sessions, admin log, tasks) hold staff accounts and the work queue, not respondents.
OURS = {"accounts", "jobs", "questionnaires", "sampling", "fieldwork", "qc", "scoring", "exports",
        "privacy", "demo"}  # fmt: skip
STAFF_AND_PLACES = {
    # what is named like personal data but belongs to staff, places, forms, jobs or the firm
    "accounts.User.username", "accounts.User.first_name", "accounts.User.last_name",
    "accounts.User.email", "accounts.Organisation.name", "accounts.Team.name",
    "sampling.Locality.name", "sampling.Locality.latitude", "sampling.Locality.longitude",
    "sampling.Frame.name", "sampling.Frame.source_name", "sampling.Draw.name",
    "scoring.ObjectiveIndicator.name", "scoring.ObjectiveIndicator.source_name",
    "scoring.DistrictEdition.name", "questionnaires.QuestionnaireVersion.source_name",
    "questionnaires.QuestionnaireAttachment.name", "jobs.Job.params", "jobs.ScheduleRun.name",
    "jobs.Worker.hostname", "privacy.Purge.wave_name", "sampling.Draw.allocation_params",
}  # fmt: skip


def _looking_personal() -> set[str]:
    found = set()
    for model in apps.get_models():
        if model._meta.app_label not in OURS:
            continue
        for field in model._meta.concrete_fields:
            if LOOKS_PERSONAL.search(field.name) and not field.is_relation:
                found.add(f"{model._meta.label}.{field.name}")
    return found


def test_every_field_that_looks_personal_is_registered_or_declared_not_personal():
    declared = set(declared_not_personal())
    unknown = _looking_personal() - registered_fields() - declared - STAFF_AND_PLACES
    assert not unknown, f"register these in the app's personal_data.py: {sorted(unknown)}"


def test_what_is_registered_or_declared_exists():
    fields = {
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.concrete_fields
    }
    assert registered_fields() <= fields
    assert set(declared_not_personal()) <= fields
    assert STAFF_AND_PLACES <= fields
    assert not registered_fields() & set(declared_not_personal())


def test_every_encrypted_field_is_registered():
    encrypted = {
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedTextField | EncryptedJSONField | SealedJSONField)
    }
    assert encrypted == {
        "sampling.SampledUnit.phone",
        "sampling.SampledUnit.address",
        "fieldwork.RespondentSelection.roster",
        "fieldwork.RespondentSelection.adults",
        "fieldwork.RespondentSelection.selected_label",
        "fieldwork.ContactAttempt.latitude",
        "fieldwork.ContactAttempt.longitude",
        "sampling.SampledUnit.sealed_attributes",
        "fieldwork.Interview.answers",
        "qc.ReviewEvent.snapshot",
    }
    assert encrypted <= registered_fields()


def test_every_holder_has_a_unique_key_and_words_in_both_languages():
    keys = [holder.key for holder in holders()]
    assert len(keys) == len(set(keys)) >= 10
    for holder in holders():
        assert str(holder.what) and str(holder.where)
