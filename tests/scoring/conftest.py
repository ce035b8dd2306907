"""Object graphs for scoring tests: localities, a draw, the safety survey (a literal
definition), a wave on it and interviews with reviews. Named safety_* apart from the root
conftest's draw and wave on the standard questionnaire."""

import itertools
from datetime import UTC, datetime

import pytest

from accounts.models import Role, User
from fieldwork.models import Case, Interview, Mode, Wave
from qc.models import Review
from questionnaires.models import Questionnaire, QuestionnaireVersion
from sampling.models import AreaType, Draw, Frame, Level, Locality, SampledUnit
from scoring.editions import freeze_edition, sign_off
from tests.factories import make_organisation
from tests.scoring.factories import DEFINITION

_counter = itertools.count(1)


@pytest.fixture
def places(db) -> dict[str, Locality]:
    """城东区 (central) with 东华街道 and 东兴街道; 西山县 (rural) with 西岭镇."""

    def make(code, name, level, parent=None, area_type=""):
        return Locality.objects.create(
            code=code, name=name, level=level, parent=parent, area_type=area_type
        )

    city = make("C", "测试市", Level.CITY)
    east = make("C01", "城东区", Level.DISTRICT, city, AreaType.CENTRAL)
    west = make("C02", "西山县", Level.DISTRICT, city, AreaType.RURAL)
    east_a = make("C0101", "东华街道", Level.STREET, east, AreaType.CENTRAL)
    east_b = make("C0102", "东兴街道", Level.STREET, east, AreaType.PERI_URBAN)
    west_a = make("C0201", "西岭镇", Level.STREET, west, AreaType.RURAL)
    make("C010101", "东华社区", Level.COMMUNITY, east_a)
    return {
        "city": city,
        "east": east,
        "west": west,
        "east_a": east_a,
        "east_b": east_b,
        "west_a": west_a,
    }


@pytest.fixture
def field_interviewer(db) -> User:
    return User.objects.create(username="field", role=Role.INTERVIEWER)


@pytest.fixture
def safety_draw(db) -> Draw:
    """A draw with no units of its own: make_interview adds one per interview."""
    frame = Frame.objects.create(
        name="住户框", path="frames/test.parquet", source_name="test.csv", n_rows=1000
    )
    return Draw.objects.create(
        frame=frame, name="主样本", stratum_column="street", n_total=100, seed=20240601
    )


@pytest.fixture
def safety_version(db) -> QuestionnaireVersion:
    """The safety survey (tests/scoring/factories.py), stored without the XLSForm parser."""
    questionnaire = Questionnaire.objects.create(code="safety", title="群众安全感满意度调查")
    return QuestionnaireVersion.objects.create(
        questionnaire=questionnaire,
        number=1,
        title="群众安全感满意度调查",
        definition=DEFINITION,
        source_name="safety.xlsx",
        source_xlsx=b"",
        published_at=datetime(2024, 5, 1, tzinfo=UTC),
        xform_xml="<h:html/>",
    )


@pytest.fixture
def safety_wave(safety_version, safety_draw) -> Wave:
    return Wave.objects.create(
        name="2024年第二季度",
        client=make_organisation("平安市委政法委"),
        questionnaire_version=safety_version,
        draw=safety_draw,
    )


@pytest.fixture
def make_interview(safety_draw, field_interviewer):
    """make_interview(wave, sampled_street, answers, weight=1.0, state="approved",
    district=None, street=None): a completed interview with its review in `state`
    (None: no review yet). district/street are what the respondent named."""

    def make(
        wave: Wave,
        sampled_street: Locality,
        answers: dict,
        *,
        weight: float = 1.0,
        state: str | None = Review.State.APPROVED,
        district: Locality | None = None,
        street: Locality | None = None,
    ) -> Interview:
        n = next(_counter)
        unit = SampledUnit.objects.create(
            draw=safety_draw,
            unit_id=f"U{n:05d}",
            phone=f"138{n:08d}",
            stratum=sampled_street.code,
            locality=sampled_street,
            street=sampled_street,
            inclusion_probability=1 / weight,
            design_weight=weight,
        )
        case = Case.objects.create(
            wave=wave, unit=unit, street=sampled_street, status=Case.Status.COMPLETED
        )
        started = datetime(2024, 6, 1, 9, 0, tzinfo=UTC)
        interview = Interview.objects.create(
            case=case,
            questionnaire_version=wave.questionnaire_version,
            interviewer=field_interviewer,
            mode=Mode.PHONE,
            status=Interview.Status.COMPLETED,
            started_at=started,
            completed_at=started,
            duration_seconds=420,
            answers=answers,
            district=district,
            street=street,
        )
        if state is not None:
            Review.objects.create(interview=interview, state=state)
        return interview

    return make


@pytest.fixture
def signed(analyst, supervisor):
    """signed(wave): freeze the wave's results (the analyst) and sign them off (a
    supervisor), so that its client can read them."""

    def publish(wave):
        return sign_off(edition=freeze_edition(wave=wave, user=analyst), user=supervisor)

    return publish


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Editions store each district's files in the file storage: a directory per test."""
    settings.MEDIA_ROOT = tmp_path / "media"
