"""Fixtures every test folder shares, and the suite's rules: markers by folder and by need,
tools that are skipped locally when missing, and no skip in CI.

The objects themselves are built by tests/factories.py; a fixture name is defined once in the
whole suite (a folder's variant of a world gets a name of its own).
"""

import os
import shutil
import subprocess
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.contrib.auth.signals import user_logged_in
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.access import second_factor_required
from accounts.models import Role, User
from fieldwork.services import waves as services
from questionnaires import definitions
from questionnaires.services import STANDARD_XLSX
from questionnaires.xlsform import ParsedForm, parse_xlsform
from sampling.models import Draw, Locality
from tests.factories import (
    CLIENT_ORGANISATION,
    make_draw,
    make_locality_tree,
    make_standard_version,
    make_user,
    make_wave,
)

TESTS = Path(__file__).resolve().parent
SECOND_FACTOR_AT_LOGIN = "tests: second factor verified at login"


def xlsform_corpus() -> Path:
    """The folder of public XLSForms (tests/questionnaires/corpus/SOURCES.md lists them): data
    from other projects' repositories, kept outside this repository, where XLSFORM_CORPUS says
    or in `shared/xlsform-corpus` beside the checkout."""
    if os.environ.get("XLSFORM_CORPUS"):
        return Path(os.environ["XLSFORM_CORPUS"])
    return TESTS.parent.parent / "shared" / "xlsform-corpus"


def pytest_collection_modifyitems(config, items):
    """Mark tests by where they live and what they need, so new tests get the marks too:
    everything under tests/e2e is `e2e` (a real browser); a test using Rscript is `r`.

    Tests over the public XLSForm corpus are deselected where the corpus is absent, and the
    summary says so: the forms are other projects' files, not part of this repository."""
    for item in items:
        if (TESTS / "e2e") in item.path.parents:
            item.add_marker(pytest.mark.e2e)
        if "rscript" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.r)
    if any(xlsform_corpus().glob("*.xls*")):
        return
    absent = [item for item in items if item.get_closest_marker("public_forms")]
    if absent:
        config.hook.pytest_deselected(items=absent)
        items[:] = [item for item in items if not item.get_closest_marker("public_forms")]
        config.public_forms_absent = len(absent)


def pytest_terminal_summary(terminalreporter, config):
    if getattr(config, "public_forms_absent", 0):
        terminalreporter.write_line(
            f"{config.public_forms_absent} test(s) over the public XLSForm corpus not run: no forms"
            f" at {xlsform_corpus()} (set XLSFORM_CORPUS; tests/questionnaires/corpus/SOURCES.md"
            " lists the files and where to get them)",
            yellow=True,
        )


def pytest_sessionfinish(session, exitstatus):
    """In CI a skipped test is a failure: every test must run on every database."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if os.environ.get("CI") and skipped:
        reporter.write_line(f"CI: {len(skipped)} test(s) skipped; failing the run.", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(autouse=True)
def _fresh_definition_cache():
    """Each test reads questionnaire definitions afresh (see questionnaires.definitions)."""
    definitions.forget()


@pytest.fixture(scope="session")
def rscript() -> str:
    """R with the survey package, for the estimates checked against R. Skipped (a failure in
    CI) where either is missing."""
    path = shutil.which("Rscript")
    has_survey = path is not None and (
        subprocess.run(
            [path, "-e", "quit(status = !requireNamespace('survey', quietly = TRUE))"],
            capture_output=True,
            check=False,
        ).returncode
        == 0
    )
    if not has_survey:
        pytest.skip(
            "Rscript with R's survey package not found: apt-get install r-base-core r-cran-survey"
        )
    return path


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """SQLite tests use a database file, not memory, so that the job tests' worker processes
    can open it."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        name = tmp_path_factory.mktemp("database") / "test.sqlite3"
        database.setdefault("TEST", {})["NAME"] = str(name)


@pytest.fixture(autouse=True)
def jobs_run_at_once(settings):
    """Jobs run inside the call that starts them (django-tasks' immediate backend), so a test
    sees their outcome at once; the tests marked slow run them in real worker processes."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    # PBKDF2 costs ~0.3 s per user created or logged in; no test here measures hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def rate_limits(settings, monkeypatch):
    """rate_limits(login="3/m"): these rates for the test, with django-ratelimit's clock held
    still. Its count is kept per window, which ends at a second of every minute (or hour) set
    by the key: a window ending between two of the test's requests would start the count
    again. (The cache's expiry keeps the real clock.)"""
    from django_ratelimit import core

    held = time.time()
    monkeypatch.setattr(core, "time", SimpleNamespace(time=lambda: held))

    def set_rates(**rates: str) -> None:
        settings.RATE_LIMITS = {**settings.RATE_LIMITS, **rates}

    return set_rates


@pytest.fixture(autouse=True)
def empty_cache(request):
    # Row ids repeat after a rolled-back test, so cached results must not outlive a test, nor
    # rate-limit counts (login attempts from 127.0.0.1 add up across the browser tests). The
    # cache is a database table (as in production), so only tests with a database have one.
    database = next(
        (
            name
            for name in ("transactional_db", "live_server", "django_db_reset_sequences", "db")
            if name in request.fixturenames
        ),
        None,
    )
    if database is None:
        yield
        return
    request.getfixturevalue(database)
    from django.core.cache import caches

    for cache in caches.all():  # the results cache and the rate limiter's counts
        cache.clear()
    yield
    for cache in caches.all():
        cache.clear()


def _verify_second_factor_at_login(sender, request, user, **kwargs):
    """What a user who needs a second factor does after typing the password: confirm the login
    with their authenticator (added now if they have none yet)."""
    if request is None or not hasattr(request, "session") or not second_factor_required(user):
        return
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    request.session[DEVICE_ID_SESSION_KEY] = device.persistent_id


@pytest.fixture(autouse=True)
def second_factor_verified_at_login():
    """Logins in tests (client.login, force_login, the browser's login page) come with the
    second factor confirmed, as a user's would after the code page, so that tests of other
    pages need not type codes. The requirement itself stays on: tests of it use
    `second_factor_not_verified_at_login`, and the demo's analyst has a real authenticator."""
    user_logged_in.connect(_verify_second_factor_at_login, dispatch_uid=SECOND_FACTOR_AT_LOGIN)
    yield
    user_logged_in.disconnect(dispatch_uid=SECOND_FACTOR_AT_LOGIN)


@pytest.fixture
def second_factor_not_verified_at_login(second_factor_verified_at_login):
    """Logins stop at the second factor, as in production."""
    user_logged_in.disconnect(dispatch_uid=SECOND_FACTOR_AT_LOGIN)


@pytest.fixture
def english(settings):
    """Run a test in English: for tests that check the wording of messages."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


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
    return make_user("client", Role.CLIENT, organisation=CLIENT_ORGANISATION)


# A small world: the standard questionnaire, two districts, a drawn sample and a wave.


@pytest.fixture(scope="session")
def standard_form() -> tuple[bytes, ParsedForm]:
    """The shipped standard questionnaire and its parse, once per session: the workbook is
    immutable in the repository and parsing it takes about 0.1 s, for some 160 tests."""
    data = STANDARD_XLSX.read_bytes()
    return data, parse_xlsform(data, STANDARD_XLSX.name)


@pytest.fixture
def standard_version(db, standard_form):
    data, parsed = standard_form
    return make_standard_version(parsed=parsed, data=data)


@pytest.fixture
def tree(db) -> dict[str, Locality]:
    return make_locality_tree()


@pytest.fixture
def draw(tree) -> Draw:
    return make_draw(tree)


@pytest.fixture
def wave(draw, standard_version):
    return make_wave(draw=draw, version=standard_version)


@pytest.fixture
def my_case(wave, interviewer):
    services.assign_cases(wave=wave, interviewer=interviewer, count=1)
    return wave.cases.get(interviewer=interviewer)


def _transactional(request) -> bool:
    names = ("transactional_db", "live_server", "django_db_reset_sequences")
    if any(name in request.fixturenames for name in names):
        return True
    marker = request.node.get_closest_marker("django_db")
    return marker is not None and bool(
        marker.kwargs.get("transaction") or (marker.args and marker.args[0])
    )


@pytest.fixture(autouse=True)
def audit_log_wiped_before_flush(request):
    """Django empties the database after a transactional test; on SQLite it deletes row by
    row, which the audit log's trigger refuses (audit.pruning): the log is emptied first, the
    way a whole-database wipe does it. (PostgreSQL's flush truncates: nothing to do.)"""
    if not _transactional(request):
        yield
        return
    request.getfixturevalue("_django_db_helper")  # set up first, so torn down after this
    yield
    from django.db import connections

    from audit.pruning import wiping_the_database

    for db in connections.all():
        if db.vendor == "sqlite" and "audit_auditevent" in db.introspection.table_names():
            with wiping_the_database(db.alias), db.cursor() as cursor:
                cursor.execute("DELETE FROM audit_auditevent")


@pytest.fixture
def latest_afterwards():
    """Every app back at its latest migration when the test ends, whatever happened (later
    migrations, e.g. fieldwork 0008, are unapplied by migrating back)."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
