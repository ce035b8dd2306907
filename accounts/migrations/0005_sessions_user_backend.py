"""Sessions signed in through Django's model backend name accounts.backends.UserBackend
instead, which replaces it (the same checks; the user is read with whether they have an
authenticator). Django keeps a session only while the backend it names is configured, so
without this every signed-in person would be signed out once, mid-shift, by the upgrade."""

from django.contrib.sessions.backends.db import SessionStore
from django.db import migrations

KEY = "_auth_user_backend"
OLD = "django.contrib.auth.backends.ModelBackend"
NEW = "accounts.backends.UserBackend"


def _rename(apps, old: str, new: str) -> None:
    Session = apps.get_model("sessions", "Session")
    store = SessionStore()
    for session in Session.objects.iterator(chunk_size=2000):
        data = store.decode(session.session_data)
        if data.get(KEY) == old:
            data[KEY] = new
            session.session_data = store.encode(data)
            session.save(update_fields=["session_data"])


def forwards(apps, schema_editor):
    _rename(apps, OLD, NEW)


def backwards(apps, schema_editor):
    _rename(apps, NEW, OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_organisations_and_teams"),
        ("sessions", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
