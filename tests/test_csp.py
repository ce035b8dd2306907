"""The Content-Security-Policy: sent on every page, and the templates give it nothing to refuse
(no inline script, event handler or style). tests/e2e/test_csp.py checks the pages in a
browser."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = sorted(ROOT.glob("templates/**/*.html"))


def test_every_page_carries_a_strict_policy(client, db):
    response = client.get(reverse("login"))
    policy = dict(
        (part.split(" ", 1) + [""])[:2] for part in response["Content-Security-Policy"].split("; ")
    )
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    assert "unsafe" not in response["Content-Security-Policy"]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_templates_hold_no_inline_script_or_style(template):
    source = template.read_text()
    scripts = re.findall(r"<script\b([^>]*)>", source)
    assert all("src=" in attributes for attributes in scripts), "inline <script>"
    assert not re.search(r"\son[a-z]+\s*=", source), "inline event handler"
    assert not re.search(r"\sstyle\s*=|<style\b", source), "inline style"
    assert "javascript:" not in source and "hx-on" not in source
