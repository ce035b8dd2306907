"""Minimal object graphs for qc tests: localities, a draw, a wave with a literal definition.

The definition follows questionnaires.xlsform's documented shape, so these tests do not
depend on the XLSForm parser.
"""

from datetime import UTC, datetime, timedelta
from itertools import count
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from fieldwork.models import Case, Interview, Mode, Wave
from qc.services.checks import check_completed_interview
from questionnaires.models import Questionnaire, QuestionnaireVersion
from sampling.models import Draw, Frame, Level, Locality, SampledUnit
from tests.factories import choice, make_organisation, question, question_group

ITEMS = [f"sat_{i}" for i in range(1, 11)]


DEFINITION = {
    "form_id": "qc_test",
    "title": {"zh": "满意度调查", "en": "Satisfaction survey"},
    "languages": ["zh", "en"],
    "dimensions": {"police": {"zh": "公安工作", "en": "Police work"}},
    "choice_lists": {
        "yesno": [choice("yes", "是", "Yes"), choice("no", "否", "No")],
        "sat5": [
            choice("5", "非常满意", "Very satisfied", 100.0),
            choice("4", "满意", "Satisfied", 80.0),
            choice("3", "一般", "Neutral", 60.0),
            choice("2", "不满意", "Dissatisfied", 40.0),
            choice("1", "非常不满意", "Very dissatisfied", 0.0),
            choice("9", "说不清", "Don't know"),
        ],
    },
    "groups": [
        question_group(
            "screen",
            [
                question("intro", "note", label={"zh": "您好", "en": "Hello"}, required=True),
                question(
                    "consent",
                    "select_one",
                    "yesno",
                    label={"zh": "是否同意受访", "en": "Do you agree?"},
                    required=True,
                ),
                question(
                    "age", "integer", label={"zh": "您的年龄", "en": "Your age"}, required=True
                ),
            ],
            label={"zh": "甄别", "en": "Screening"},
        ),
        question_group(
            "satisfaction",
            [
                question(
                    f"sat_{i}",
                    "select_one",
                    "sat5",
                    label={"zh": f"满意度第{i}题", "en": f"Satisfaction {i}"},
                    required=True,
                    dimension="police",
                )
                for i in range(1, 11)
            ]
            + [
                question(
                    "comment", "text", label={"zh": "意见建议", "en": "Comments"}, required=True
                ),
            ],
            label={"zh": "满意度", "en": "Satisfaction"},
        ),
    ],
}


def varied_answers(**overrides) -> dict:
    """Consent, age, ten differentiated satisfaction answers and a comment (13 answered)."""
    answers = {"consent": "yes", "age": 45, "comment": "路灯太少"}
    answers |= {item: str(1 + i % 5) for i, item in enumerate(ITEMS)}
    return answers | overrides


def straight_answers(code: str = "4", **overrides) -> dict:
    return varied_answers(**{item: code for item in ITEMS}) | overrides


def _last_evening() -> datetime:
    """The latest 20:00 in Shanghai that has passed."""
    now = timezone.now().astimezone(ZoneInfo("Asia/Shanghai"))
    evening = now.replace(hour=20, minute=0, second=0, microsecond=0)
    return evening if evening <= now else evening - timedelta(days=1)


_LAST_EVENING = _last_evening()


class World:
    """A city → district → street → community tree, a draw, a questionnaire and a wave."""

    def __init__(self) -> None:
        self._numbers = count(1)
        self.city = Locality.objects.create(code="4306", name="岳阳市", level=Level.CITY)
        self.district = Locality.objects.create(
            code="430602", name="岳阳楼区", level=Level.DISTRICT, parent=self.city
        )
        self.street = Locality.objects.create(
            code="430602001", name="洞庭街道", level=Level.STREET, parent=self.district
        )
        self.other_street = Locality.objects.create(
            code="430602002", name="岳阳楼街道", level=Level.STREET, parent=self.district
        )
        self.community = Locality.objects.create(
            code="430602001001", name="洞庭社区", level=Level.COMMUNITY, parent=self.street
        )
        frame = Frame.objects.create(
            name="frame", path="frame.parquet", source_name="f.csv", n_rows=100
        )
        self.draw = Draw.objects.create(
            frame=frame, name="draw", stratum_column="street", n_total=50, seed=42
        )
        questionnaire = Questionnaire.objects.create(code="qc-test", title="满意度调查")
        self.version = QuestionnaireVersion.objects.create(
            questionnaire=questionnaire,
            number=1,
            title="满意度调查",
            definition=DEFINITION,
            source_name="qc_test.xlsx",
            source_xlsx=b"",
            published_at=datetime(2024, 5, 1, tzinfo=UTC),
            xform_xml="",
        )
        self.wave = self.make_wave("2025 Q1")

    def make_wave(self, name: str) -> Wave:
        return Wave.objects.create(
            name=name,
            client=make_organisation("岳阳市公安局"),
            questionnaire_version=self.version,
            draw=self.draw,
        )

    def interview(
        self,
        interviewer,
        *,
        answers: dict | None = None,
        duration: int | None = 420,
        status: str = Interview.Status.COMPLETED,
        street: Locality | None = None,
        wave: Wave | None = None,
        phone: str | None = None,
        paradata: list | None = None,
        mode: str = Mode.PHONE,
    ) -> Interview:
        n = next(self._numbers)
        phone = phone or f"1381234{n:04d}"  # each its own number: a shared one is a duplicate
        street = street or self.street
        unit = SampledUnit.objects.create(
            draw=self.draw,
            unit_id=f"u{n}",
            phone=phone,
            stratum=street.code,
            locality=self.community,
            street=street,
            inclusion_probability=0.01,
            design_weight=100.0,
        )
        case = Case.objects.create(
            wave=wave or self.wave,
            unit=unit,
            street=street,
            interviewer=interviewer,
            status=Case.Status.COMPLETED,
        )
        # Working hours (off_hours stays quiet) and 11 minutes apart, so that interviews of
        # up to 11 minutes by one interviewer never overlap; 60 a day, going back in time.
        completed = _LAST_EVENING - timedelta(days=n // 60, minutes=(n % 60) * 11)
        return Interview.objects.create(
            case=case,
            questionnaire_version=self.version,
            interviewer=interviewer,
            mode=mode,
            status=status,
            started_at=completed - timedelta(seconds=duration or 0),
            completed_at=completed if status == Interview.Status.COMPLETED else None,
            duration_seconds=duration,
            answers=varied_answers() if answers is None else answers,
            paradata=paradata or [],
            district=self.district,
            street=street,
            community=self.community,
        )


@pytest.fixture
def world(db) -> World:
    return World()


@pytest.fixture
def flagged(world, interviewer):
    """A straight-lined 45-second interview, checked: flagged for review."""
    interview = world.interview(interviewer, answers=straight_answers("4"), duration=45)
    check_completed_interview(interview)
    return interview
