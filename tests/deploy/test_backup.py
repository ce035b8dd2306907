"""The runbook's backup and restore (docs/runbook.md), done for real: a database with the demo
and its files is backed up with the database's own tool (pg_dump, or sqlite3's .backup),
restored into a fresh database, and the restored system shows the same results page."""

import os
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
import requests
from django.db import connection

from demo.services import ANALYST_BACKUP_CODES, PASSWORD
from tests.deploy.processes import ROOT, free_port, require, stop, wait_until_ready

pytestmark = pytest.mark.slow
MANAGE = [sys.executable, str(ROOT / "manage.py")]


class Databases:
    """Fresh databases of the engine the tests run on, as DATABASE_URLs."""

    def __init__(self, tmp_path: Path):
        self.tmp_path = tmp_path
        self.settings = connection.settings_dict
        self.postgres = connection.vendor == "postgresql"
        self.created: list[str] = []

    def _admin(self):
        s = self.settings
        return psycopg.connect(
            dbname="postgres", user=s["USER"], password=s["PASSWORD"],
            host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432, autocommit=True,
        )  # fmt: skip

    def url(self, name: str) -> str:
        if not self.postgres:
            return f"sqlite:///{self.tmp_path / name}.sqlite3"
        s = self.settings
        host, port = s["HOST"] or "127.0.0.1", s["PORT"] or 5432
        return f"postgres://{s['USER']}:{s['PASSWORD']}@{host}:{port}/{name}"

    def create(self, name: str) -> str:
        if self.postgres:
            with self._admin() as admin:
                admin.execute(f'CREATE DATABASE "{name}"')
            self.created.append(name)
        return self.url(name)

    def drop_all(self) -> None:
        with self._admin() as admin:
            for name in self.created:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def backup(self, name: str, dump: Path) -> None:
        if self.postgres:
            command = ["pg_dump", "--format=custom", f"--file={dump}", self.url(name)]
        else:
            command = ["sqlite3", str(self.tmp_path / f"{name}.sqlite3"), f".backup '{dump}'"]
        subprocess.run(command, check=True, capture_output=True)

    def restore(self, dump: Path, name: str) -> str:
        url = self.create(name)
        if self.postgres:
            command = ["pg_restore", "--no-owner", f"--dbname={url}", str(dump)]
            subprocess.run(command, check=True, capture_output=True)
        else:
            shutil.copyfile(dump, self.tmp_path / f"{name}.sqlite3")
        return url


@pytest.fixture
def databases(tmp_path):
    dbs = Databases(tmp_path)
    require(*(("pg_dump", "pg_restore") if dbs.postgres else ("sqlite3",)))
    yield dbs
    if dbs.postgres:
        dbs.drop_all()


def _env(url: str, media: Path) -> dict:
    env = {**os.environ, "DATABASE_URL": url, "MEDIA_ROOT": str(media), "DEBUG": "1"}
    # Results are computed in the request (no worker runs here).
    env["TASKS_BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def _results_page(env: dict, *, backup_code: str) -> str:
    port = free_port()
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "-c", "config/gunicorn.conf.py", "--workers", "1",
         "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_until_ready(port, "127.0.0.1")
        session = requests.Session()
        base = f"http://127.0.0.1:{port}"
        session.get(f"{base}/login/", timeout=30)
        session.post(
            f"{base}/login/",
            data={"username": "analyst", "password": PASSWORD,
                  "csrfmiddlewaretoken": session.cookies["csrftoken"]},
            timeout=30,
        )  # fmt: skip
        session.post(  # the analyst's second factor: a backup code the demo prints
            f"{base}/account/two-step/verify/",
            data={"code": backup_code, "csrfmiddlewaretoken": session.cookies["csrftoken"]},
            timeout=30,
        )  # fmt: skip
        response = session.get(f"{base}/results/", timeout=120)
    finally:
        stop(server)
    page = response.text
    assert response.status_code == 200 and 'name="password"' not in page  # logged in
    return re.sub(r'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+', r"\1", page)


def test_a_restored_backup_shows_the_same_results(databases, tmp_path):
    source = f"survey_backup_{uuid.uuid4().hex[:8]}"
    media, restored_media = tmp_path / "media", tmp_path / "restored-media"
    env = _env(databases.create(source), media)
    subprocess.run([*MANAGE, "migrate", "--noinput", "-v0"], env=env, cwd=ROOT, check=True)
    subprocess.run(
        [*MANAGE, "load_demo", "--small"], env=env, cwd=ROOT, check=True,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    original = _results_page(env, backup_code=ANALYST_BACKUP_CODES[0])

    dump = tmp_path / "survey.dump"
    databases.backup(source, dump)
    shutil.copytree(media, restored_media)  # the runbook's rsync of the file storage
    restored_env = _env(databases.restore(dump, f"{source}_restored"), restored_media)
    subprocess.run([*MANAGE, "migrate", "--noinput", "-v0"], env=restored_env, cwd=ROOT, check=True)
    # the first code was spent before the backup
    restored = _results_page(restored_env, backup_code=ANALYST_BACKUP_CODES[1])

    assert "平安市" in original and original.count("<tr") > 20
    assert restored == original
