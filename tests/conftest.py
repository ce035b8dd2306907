import os

import pytest
from django.utils import translation

from accounts.models import Role, User
from fieldwork.services import waves as services
from questionnaires.services import load_standard_questionnaire
from sampling.models import Draw, Frame, Level, Locality, SampledUnit

PASSWORD = "correct-horse-battery"


@pytest.fixture
def english(settings):
    """Run a test in English: for tests that check the wording of messages."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


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
    sees their outcome at once; tests/jobs runs them in real worker processes."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    # PBKDF2 costs ~0.3 s per user created or logged in; no test here measures hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def empty_cache(request):
    # Row ids repeat after a rolled-back test, so cached results must not outlive a test. The
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
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


CLIENT_ORGANISATION = "平安市委政法委"


def make_user(username: str, role: str, organisation: str = "") -> User:
    return User.objects.create_user(
        username=username, password=PASSWORD, role=role, organisation=organisation
    )


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


@pytest.fixture
def standard_version(db):
    return load_standard_questionnaire()


@pytest.fixture
def tree(db) -> dict[str, Locality]:
    city = Locality.objects.create(code="C", name="平安市", level=Level.CITY)
    district = Locality.objects.create(code="D1", name="城东区", parent=city, level=Level.DISTRICT)
    other_district = Locality.objects.create(
        code="D2", name="临湖县", parent=city, level=Level.DISTRICT
    )
    street = Locality.objects.create(
        code="S1", name="东湖街道", parent=district, level=Level.STREET, area_type="central"
    )
    other_street = Locality.objects.create(
        code="S2", name="青山镇", parent=other_district, level=Level.STREET, area_type="rural"
    )
    community = Locality.objects.create(
        code="S1C1", name="东湖第一社区", parent=street, level=Level.COMMUNITY, area_type="central"
    )
    other_community = Locality.objects.create(
        code="S2C1", name="青山村", parent=other_street, level=Level.COMMUNITY, area_type="rural"
    )
    return {
        "district": district,
        "street": street,
        "community": community,
        "other_district": other_district,
        "other_street": other_street,
        "other_community": other_community,
    }


@pytest.fixture
def draw(tree) -> Draw:
    frame = Frame.objects.create(name="frame", path="", source_name="frame.csv", n_rows=100)
    draw = Draw.objects.create(
        frame=frame, name="draw", stratum_column="street", n_total=6, seed=1, reserve_replicates=1
    )
    units = [
        SampledUnit(
            draw=draw,
            unit_id=f"H{i}",
            phone=f"1380000{i:04d}",
            address=f"东湖第一社区{i}栋",
            stratum="S1",
            locality=tree["community"],
            street=tree["street"],
            replicate=0 if i < 6 else 1,
            inclusion_probability=0.06,
            design_weight=1 / 0.06,
        )
        for i in range(8)
    ]
    SampledUnit.objects.bulk_create(units)
    return draw


@pytest.fixture
def wave(draw, standard_version):
    return services.create_wave(
        name="2026年第四季度",
        client=CLIENT_ORGANISATION,
        questionnaire_version=standard_version,
        draw=draw,
    )


@pytest.fixture
def my_case(wave, interviewer):
    services.assign_cases(wave=wave, interviewer=interviewer, count=1)
    return wave.cases.get(interviewer=interviewer)


def pytest_sessionfinish(session, exitstatus):
    """In CI a skipped test is a failure: every test must run on every database."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if os.environ.get("CI") and skipped:
        reporter.write_line(f"CI: {len(skipped)} test(s) skipped; failing the run.", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
