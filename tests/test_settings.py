"""Production settings: `check --deploy` is clean, and a missing secret key stops the start."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "p7#k2!q9v$w4z8x1c6b3n5m0a-s.d_f+g=h*j@l~e^r&t(y)u[i]o{p}",
    "ALLOWED_HOSTS": "survey.example.org",
    "DATABASE_URL": "sqlite:///:memory:",
}


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    "extra",
    [{}, {"BEHIND_TLS_PROXY": "1"}, {"REDIS_URL": "redis://127.0.0.1:6379/0"}],
    ids=["direct", "behind-proxy", "redis"],
)
def test_production_settings_pass_the_deploy_check_without_a_warning(extra):
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env={**PRODUCTION, **extra})
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNINGS" not in output and "ERRORS" not in output, output
    # Nothing is hidden but the one check named in config/settings.py (django-ratelimit's
    # list of caches it vouches for); no security check is silenced.
    assert "System check identified no issues (1 silenced)." in result.stdout, output


def test_no_security_check_is_silenced(settings):
    assert settings.SILENCED_SYSTEM_CHECKS == ["django_ratelimit.W001"]


def test_production_refuses_to_start_without_a_secret_key():
    env = {**PRODUCTION, "SECRET_KEY": ""}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_a_short_secret_key():
    result = _manage("check", env={**PRODUCTION, "SECRET_KEY": "too-short"})
    assert result.returncode != 0
    assert "at least 50 characters" in result.stderr
