"""Production settings: `check --deploy` is clean, a missing or guessable secret key stops the
start, and the authentication knobs come from the environment."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from config.secret_key import weakness

ROOT = Path(__file__).resolve().parents[1]
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "p7#k2!q9v$w4z8x1c6b3n5m0a-s.d_f+g=h*j@l~e^r&t(y)u[i]o{p}",
    "ALLOWED_HOSTS": "survey.example.org",
    "DATABASE_URL": "sqlite:///:memory:",
    "PERSONAL_DATA_KEYS": "3q2F7wLhVw8cM4yZ8bJ5mY0s9rXo1pN6tK2uE4vA7dI=",
    "PERSONAL_DATA_HASH_KEY": "Yv8r2mQ5kL9xT3nB7cW1zH6pF0dS4gJ8aE2uR5oI9tM",
}


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    ours = {"DEBUG", "SECRET_KEY", "PERSONAL_DATA_KEYS", "PERSONAL_DATA_HASH_KEY"}
    clean = {k: v for k, v in os.environ.items() if k not in ours}
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


@pytest.mark.parametrize(
    ("key", "problem"),
    [
        ("x7" * 30, "different characters"),  # 60 characters, 2 distinct
        ("ourSurveyKey-2026!" * 3, "occurs in it more than once"),  # a word repeated to length
        ("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN", "evenly stepped"),
        ("a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6q7r8s9t0u1v2w3x4y5z6", "evenly stepped"),
        ("django-insecure-" + "Qm3x9LpR2vK8wT5zN1cJ7hF4yB6dG0sA-_eU", "django-insecure-"),
    ],
)
def test_guessable_secret_keys_are_named_for_what_is_wrong(key, problem):
    assert len(key) >= 50
    assert problem in weakness(key)


def test_random_secret_keys_pass():
    from django.core.management.utils import get_random_secret_key

    for _ in range(2000):
        for key in (secrets.token_urlsafe(64), get_random_secret_key(), secrets.token_hex(32)):
            assert weakness(key) is None, key
    assert weakness(PRODUCTION["SECRET_KEY"]) is None


def test_production_refuses_a_long_but_guessable_secret_key():
    result = _manage("check", env={**PRODUCTION, "SECRET_KEY": "ourSurveyKey-2026!" * 3})
    assert result.returncode != 0
    assert "SECRET_KEY looks guessable" in result.stderr
    assert "ourSurveyKey" not in result.stderr  # the key itself is never echoed
    assert "secrets.token_urlsafe(64)" in result.stderr


def _settings(expression: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Import the settings module alone (no app loading: fast) under `env` and print
    `expression` over it (`s`)."""
    ours = {"DEBUG", "SECRET_KEY", "PERSONAL_DATA_KEYS", "PERSONAL_DATA_HASH_KEY"}
    clean = {k: v for k, v in os.environ.items() if k not in ours}
    return subprocess.run(
        [sys.executable, "-c", f"import config.settings as s; print({expression})"],
        cwd=ROOT, env={**clean, **env}, capture_output=True, text=True,
    )  # fmt: skip


def test_a_guessable_key_is_accepted_for_local_use():
    result = _settings("s.SECRET_KEY", {"DEBUG": "1", "SECRET_KEY": "ourSurveyKey-2026!" * 3})
    assert result.returncode == 0, result.stderr


def test_the_authentication_knobs_come_from_the_environment():
    env = {
        **PRODUCTION,
        "SESSION_IDLE_MINUTES": "10",
        "LOGIN_FAILURE_LIMIT": "3",
        "LOGIN_LOCKOUT_MINUTES": "60",
        "OTP_REQUIRED_FOR_ANALYSTS": "0",
    }
    expression = (
        "s.SESSION_COOKIE_AGE, s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME.total_seconds(), "
        "s.OTP_REQUIRED_FOR_ANALYSTS"
    )
    result = _settings(expression, env)
    assert result.stdout.strip() == "600 3 3600.0 False", result.stderr


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"PERSONAL_DATA_KEYS": ""}, "PERSONAL_DATA_KEYS and PERSONAL_DATA_HASH_KEY must be set"),
        ({"PERSONAL_DATA_HASH_KEY": ""}, "PERSONAL_DATA_KEYS and PERSONAL_DATA_HASH_KEY must be"),
        ({"PERSONAL_DATA_KEYS": "change-me"}, "key 1 is not a Fernet key"),
        ({"PERSONAL_DATA_HASH_KEY": "c2hvcnQ"}, "PERSONAL_DATA_HASH_KEY must hold at least 32"),
        (
            {"PERSONAL_DATA_KEYS": "ZGV2LW9ubHktcGVyc29uYWwtZGF0YS1rZXktMDAwMDA="},
            "development personal-data keys must not be used in production",
        ),
    ],
    ids=["no-keys", "no-hash-key", "not-fernet", "short-hash-key", "development-key"],
)
def test_production_refuses_missing_bad_or_development_personal_data_keys(change, message):
    result = _manage("check", env={**PRODUCTION, **change})
    assert result.returncode != 0
    assert message in result.stderr
    for value in change.values():
        assert not value or value not in result.stderr  # a key is never quoted


def test_production_starts_with_real_personal_data_keys():
    result = _manage("check", env=PRODUCTION)
    assert result.returncode == 0, result.stderr
