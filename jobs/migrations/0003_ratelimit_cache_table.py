"""The rate limiter's cache table (settings.CACHES["ratelimit"]); createcachetable makes only
the tables missing. A no-op when the caches are Redis."""

from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("jobs", "0002_cache_table")]

    operations = [migrations.RunPython(create_cache_tables, migrations.RunPython.noop)]
