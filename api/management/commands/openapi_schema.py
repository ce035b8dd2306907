"""Write the API's OpenAPI schema (docs/openapi.json is this command's output, committed, and
tests/api/test_openapi.py checks it is current)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand

from api.api import api


def schema_text() -> str:
    return json.dumps(api.get_openapi_schema(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


class Command(BaseCommand):
    help = "Write the API's OpenAPI schema (default: docs/openapi.json)."

    def add_arguments(self, parser):
        parser.add_argument("--output", default="docs/openapi.json")

    def handle(self, *args, output: str, **options):
        Path(output).write_text(schema_text(), encoding="utf-8")
        self.stdout.write(f"{output} written")
