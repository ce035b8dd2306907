"""A web worker holds what pages need: the libraries that only print, read XLSForms or write
data packages, decode audio, read or write workbooks, draw QR codes or check photos are
imported where they are used, not when the URLconf loads every view."""

import json
import os
import subprocess
import sys
from pathlib import Path

from fieldwork.interview import metadata

ROOT = Path(__file__).resolve().parent.parent
HEAVY = [
    "reportlab",
    "pyxform",
    "pyreadstat",
    "scipy",  # the design-based variance (sparse products) runs in the job worker: ~11 MB
    "av",  # audio audits decode recordings: ~18 MB
    "webrtcvad",
    "openpyxl",  # workbooks read and written: ~10 MB with Pillow
    "python_calamine",
    "PIL",  # photo checks
    "qrcode",  # the authenticator page
]

LOAD_EVERY_VIEW = """
import json, sys
from config.wsgi import application
from django.urls import get_resolver

def walk(patterns):
    for pattern in patterns:
        walk(getattr(pattern, "url_patterns", []))

walk(get_resolver().url_patterns)
print(json.dumps([name for name in %r if name in sys.modules]))
"""


def test_loading_every_view_imports_none_of_the_libraries_only_some_pages_use():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    run = subprocess.run(
        [sys.executable, "-c", LOAD_EVERY_VIEW % HEAVY],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout.strip().splitlines()[-1]) == []


def test_the_metadata_spellings_are_pyxforms():
    from pyxform.question_type_dictionary import QUESTION_TYPE_DICT

    recorded = {
        spelled: entry["bind"]["jr:preloadParams"]
        for spelled, entry in QUESTION_TYPE_DICT.items()
        if (entry.get("bind") or {}).get("jr:preloadParams") in metadata.RECORDED
    }
    assert metadata.SPELLINGS == recorded
