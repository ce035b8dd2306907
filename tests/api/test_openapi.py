"""The OpenAPI schema: served, and the committed docs/openapi.json is the current one."""

import json
from pathlib import Path

from django.utils import translation

from api.management.commands.openapi_schema import schema_text

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def test_the_committed_schema_is_the_generated_one():
    with translation.override("en"):
        generated = schema_text()
    assert COMMITTED.read_text(encoding="utf-8") == generated, (
        "docs/openapi.json is out of date: run manage.py openapi_schema"
    )


def test_the_schema_is_served_without_a_token_and_documents_every_endpoint(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema == json.loads(COMMITTED.read_text(encoding="utf-8"))
    assert "/api/v1/waves/{wave_id}/microdata" in schema["paths"]
    security = schema["components"]["securitySchemes"]
    assert security["TokenAuth"]["scheme"] == "bearer"
    error = schema["components"]["schemas"]["ErrorOut"]
    assert error["properties"]["error"]["$ref"].endswith("ErrorBody")


def test_the_root_says_where_the_schema_is(client, db):
    response = client.get("/api/v1/")
    assert response.status_code == 200
    assert response.json()["openapi"] == "/api/v1/openapi.json"
