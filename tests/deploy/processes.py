"""Running the shipped deployment (deploy/) on this machine, on the test database."""

import shlex
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

from tests.jobs.worker import ROOT

DEPLOY = ROOT / "deploy"
UNITS = ["survey-web.service", "survey-worker@.service", "survey-schedules.service"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"nothing listens on port {port}")


def wait_until_ready(port: int, host: str, timeout: float = 90) -> None:
    """gunicorn listens before its workers have imported the application: ask until one answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(
                f"http://127.0.0.1:{port}/healthz", headers={"Host": host}, timeout=30
            ).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise AssertionError(f"the application on port {port} did not answer")


def require(*programs: str) -> None:
    missing = [p for p in programs if shutil.which(p) is None]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed (apt-get install nginx systemd openssl)")


def installed_unit(name: str, env_file: Path) -> str:
    """A unit file as installed here: the checkout in place of /opt/survey."""
    text = (DEPLOY / name).read_text()
    return text.replace("/opt/survey", str(ROOT)).replace("/etc/survey/survey.env", str(env_file))


def exec_start(unit_text: str, instance: str = "1") -> list[str]:
    line = next(ln for ln in unit_text.splitlines() if ln.startswith("ExecStart="))
    command = line.removeprefix("ExecStart=").replace("%H", socket.gethostname())
    return shlex.split(command.replace("%i", instance))


def read_env_file(path: Path) -> dict[str, str]:
    env = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            env[key] = value
    return env


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
