"""The shipped gunicorn settings (config/gunicorn.conf.py) as gunicorn runs them."""

import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from cryptography.fernet import Fernet

from tests.deploy.processes import free_port, stop, wait_until_ready
from tests.jobs.worker import ROOT, database_url

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _workers(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def _serve(tmp_path, **env) -> tuple[subprocess.Popen, int, Path]:
    port = free_port()
    log = tmp_path / "gunicorn.log"
    process_env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "PERSONAL_DATA_KEYS": Fernet.generate_key().decode(),
        "PERSONAL_DATA_HASH_KEY": secrets.token_urlsafe(32),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": database_url(),
        "STATIC_ROOT": str(tmp_path / "static"),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
        "LOG_LEVEL": "INFO",
        **env,
    }
    process_env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py"],
            cwd=ROOT, env=process_env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    wait_until_ready(port, "127.0.0.1")
    return server, port, log


def _worker(server: subprocess.Popen, other_than: int | None = None) -> int:
    """The worker's pid, once there is one (other than `other_than`, which is exiting)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        workers = [pid for pid in _workers(server.pid) if pid != other_than]
        if workers:
            return workers[0]
        time.sleep(0.1)
    raise AssertionError("gunicorn started no worker")


def _get(port: int) -> None:
    assert requests.get(f"http://127.0.0.1:{port}/healthz", timeout=30).ok


def test_a_worker_above_the_memory_ceiling_is_replaced_after_its_request(tmp_path):
    server, port, log = _serve(tmp_path, GUNICORN_MAX_WORKER_MB="1")
    try:
        first = _worker(server)
        _get(port)  # answered by `first`, which then leaves
        second = _worker(server, other_than=first)
        wait_until_ready(port, "127.0.0.1")  # the new worker serves
    finally:
        stop(server)
        server.wait(timeout=30)
    assert second != first
    assert "above 1 MB: replaced after this request" in log.read_text()


def test_a_worker_under_the_ceiling_keeps_serving(tmp_path):
    server, port, log = _serve(tmp_path)
    try:
        first = _worker(server)
        for _ in range(3):
            _get(port)
        after = _workers(server.pid)
    finally:
        stop(server)
        server.wait(timeout=30)
    assert after == [first]
    assert "replaced after this request" not in log.read_text()
