"""Kill the server mid-interview: no submitted page may be lost.

Runs the real server as a separate process on its own SQLite file, loads the small demo into
it, answers three pages in Chromium, kills the server with SIGKILL, starts it again, and
resumes in a fresh browser.
"""

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from demo.services import PASSWORD
from tests.e2e.conftest import answer_current_page, log_in

# Starts, kills and restarts a real server: about a minute, so left out of make test-fast.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError(f"server on port {port} did not start")


@pytest.fixture
def server_env(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "DEBUG": "1",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
    subprocess.run(
        [*manage, "load_demo", "--small"], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL
    )
    return env, tmp_path / "db.sqlite3"


def _start(env, port):
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _wait_for(port)
    return process


def _saved_answers(db_path: Path, interview_id: int) -> dict:
    with sqlite3.connect(db_path) as connection:
        row = connection.execute(
            "SELECT answers FROM fieldwork_interview WHERE id = ?", (interview_id,)
        ).fetchone()
    return json.loads(row[0])


def test_killing_the_server_mid_interview_loses_no_submitted_page(new_page, server_env):
    env, db_path = server_env
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = _start(env, port)
    try:
        # An interviewer opens a case and answers three pages
        page = new_page()
        log_in(page, base, "interviewer01", PASSWORD)
        page.click("#my-cases a.button")  # the first case to do
        page.click("#start-interview")  # its phone page
        page.wait_for_url("**/interviews/**")
        interview_url = page.url
        interview_id = int(interview_url.rstrip("/").split("/")[-1])
        headings = []
        for answers in ({}, {"age": "38"}, {}):
            headings.append(answer_current_page(page, answers))
            page.click("#next")
            page.wait_for_load_state()
        fourth = page.inner_text("h1")

        # The server dies without warning
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=10)
        saved = _saved_answers(db_path, interview_id)
        assert saved["/screening/age"] == 38 and saved["/opening/consent"] == "yes"
        assert "/locality/street" in saved  # answers by question path

        # It comes back; the interviewer's browser died too and they log in again
        server = _start(env, port)
        page = new_page()
        log_in(page, base, "interviewer01", PASSWORD)
        page.goto(interview_url)

        # The wizard resumes at the first page not yet submitted
        assert page.inner_text("h1") == fourth
        assert fourth not in headings

        # and the interview finishes with the answers from before the crash
        for _ in range(12):
            if "/interviews/" not in page.url:
                break
            answer_current_page(page)
            page.click("#next")
            page.wait_for_load_state()
        assert "/my-cases/" in page.url
        final = _saved_answers(db_path, interview_id)
        assert final["/screening/age"] == 38
        assert final["/satisfaction/sat_public_order"]
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=10)
