"""Builders of test data shared by every test folder; the conftests wrap them in fixtures.

People, a small locality tree with a drawn sample and a wave on the standard questionnaire,
and the pieces of a questionnaire definition. Definitions follow questionnaires.xlsform's
documented shape, so tests of the other apps do not depend on the XLSForm parser.
"""

import copy
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Organisation, User
from fieldwork.models import Interview, Wave
from fieldwork.services import interviews
from fieldwork.services import waves as fieldwork
from questionnaires.models import Questionnaire, QuestionnaireVersion
from questionnaires.services import STANDARD_CODE, STANDARD_XLSX
from questionnaires.xlsform import ParsedForm
from sampling.models import Draw, Frame, Level, Locality, SampledUnit

PASSWORD = "correct-horse-battery"
CLIENT_ORGANISATION = "平安市委政法委"


def make_organisation(name: str, kind: str = Organisation.Kind.CLIENT) -> Organisation:
    return Organisation.objects.get_or_create(name=name, defaults={"kind": kind})[0]


def make_user(username: str, role: str, organisation: str = "", **fields) -> User:
    """A user; `organisation` names a client body, created when new."""
    return User.objects.create_user(
        username=username,
        password=PASSWORD,
        role=role,
        organisation=make_organisation(organisation) if organisation else None,
        **fields,
    )


def authenticator_code(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The six digits the user's authenticator app shows (or will show `steps_ahead` periods
    on: a code is accepted once, and one period either side is tolerated).

    As a user does with a code about to change, waits for the next when fewer than 3 s of
    its period are left: a code checked a period late is accepted, but the server then
    keeps the period as the app's drift and expects every later code a period behind."""
    left = device.step - (time.time() - device.t0) % device.step
    if left < 3:
        time.sleep(left)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


# A small world: the standard questionnaire, two districts, a drawn sample and a wave.


def make_standard_version(*, parsed: ParsedForm, data: bytes) -> QuestionnaireVersion:
    """The rows load_standard_questionnaire writes on first use, from a parse of the shipped
    workbook done once per test session (tests/test_factories.py checks they match)."""
    definition = parsed.definition
    title = definition["title"].get(definition["languages"][0]) or STANDARD_CODE
    questionnaire = Questionnaire.objects.create(code=STANDARD_CODE, title=title)
    return QuestionnaireVersion.objects.create(
        questionnaire=questionnaire,
        number=1,
        title=title,
        definition=copy.deepcopy(definition),  # a test may change its copy
        source_name=STANDARD_XLSX.name,
        source_xlsx=data,
        xform_xml=parsed.xform_xml,
        published_at=timezone.now(),
    )


def make_locality_tree() -> dict[str, Locality]:
    """平安市 with two districts, each with one street and one community under it."""
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


def make_draw(tree: dict[str, Locality]) -> Draw:
    """A draw of six households in the tree's community, and two reserves (replicate 1)."""
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


def make_wave(*, draw: Draw, version: QuestionnaireVersion) -> Wave:
    return fieldwork.create_wave(
        name="2026年第四季度",
        client=make_organisation(CLIENT_ORGANISATION),
        questionnaire_version=version,
        draw=draw,
    )


def start_first_interview(*, wave: Wave, interviewer: User, mode: str) -> Interview:
    """One case of `wave` assigned to `interviewer`, and its interview started."""
    fieldwork.assign_cases(wave=wave, interviewer=interviewer, count=1)
    case = wave.cases.get(interviewer=interviewer)
    return interviews.start_interview(case=case, interviewer=interviewer, mode=mode)


# The pieces of a questionnaire definition (questionnaires.xlsform's shape).


def choice(value: str, zh: str, en: str, score: float | None = None, *, positive=None, **extra):
    """One option of a choice list; `extra` holds the choices sheet's other columns."""
    return {
        "value": value,
        "label": {"zh": zh, "en": en},
        "score": score,
        "positive": positive,
        "extra": extra,
    }


def question(name: str, type_: str = "select_one", list_: str | None = None, **fields) -> dict:
    """One question: optional (required=False) and unlabelled ("<name>（中）") unless `fields`
    say otherwise; every other key empty as the parser leaves it."""
    return {
        "name": name,
        "type": type_,
        "list": list_,
        "label": {"zh": f"{name}（中）", "en": f"{name} (en)"},
        "hint": None,
        "required": False,
        "relevant": None,
        "constraint": None,
        "constraint_message": None,
        "required_message": None,
        "appearance": None,
        "calculation": None,
        "default": None,
        "choice_filter": None,
        "dimension": None,
        "indicator": None,
        "locality_level": None,
    } | fields


def question_group(
    name: str,
    questions: list[dict],
    relevant: str | None = None,
    appearance: str | None = None,
    repeat: dict | None = None,
    *,
    label: dict | None = None,
) -> dict:
    """One group (a page of the wizard), labelled "<name>页" unless `label` is given."""
    return {
        "name": name,
        "label": label or {"zh": f"{name}页", "en": f"{name} page"},
        "relevant": relevant,
        "appearance": appearance,
        "repeat": repeat,
        "questions": questions,
    }


def next_weekday_at(
    hour: int, minute: int = 0, *, days: int = 1, after: datetime | None = None
) -> datetime:
    """A Shanghai weekday at hour:minute, at least `days` days after `after` (now by default):
    an appointment time inside the default weekday calling windows that stays in the future
    whenever tests run. Two times that must follow each other are the second `after` the
    first (a weekend between can put two days from now on the same Monday as one)."""
    start = after.astimezone(ZoneInfo("Asia/Shanghai")) if after else None
    day = (start or datetime.now(ZoneInfo("Asia/Shanghai"))) + timedelta(days=days)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day.replace(hour=hour, minute=minute, second=0, microsecond=0)


def local_input(at: datetime) -> str:
    """The value a datetime-local input posts for `at` (local time, no zone)."""
    return at.strftime("%Y-%m-%dT%H:%M")
