import os

import pytest

from accounts.models import Role, User

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    # PBKDF2 costs ~0.3 s per user created or logged in; no test here measures hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_user(username: str, role: str) -> User:
    return User.objects.create_user(username=username, password=PASSWORD, role=role)


@pytest.fixture
def analyst(db) -> User:
    return make_user("analyst", Role.ANALYST)


@pytest.fixture
def supervisor(db) -> User:
    return make_user("supervisor", Role.SUPERVISOR)


@pytest.fixture
def interviewer(db) -> User:
    return make_user("interviewer", Role.INTERVIEWER)


@pytest.fixture
def other_interviewer(db) -> User:
    return make_user("interviewer2", Role.INTERVIEWER)


@pytest.fixture
def client_user(db) -> User:
    return make_user("client", Role.CLIENT)


def pytest_sessionfinish(session, exitstatus):
    """In CI a skipped test is a failure: every test must run on every database."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if os.environ.get("CI") and skipped:
        reporter.write_line(f"CI: {len(skipped)} test(s) skipped; failing the run.", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
