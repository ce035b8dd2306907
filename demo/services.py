"""Loading the demo: a synthetic city run through the same services a real study uses.

Localities, the frame, the draw, the wave and the reviews all go through the product's own
services; only the interviews themselves are simulated (answers and paradata written as the
wizard would have written them).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
from django.conf import settings
from django.db import transaction

from accounts.models import Role, User
from demo.city import build_city
from demo.simulate import Respondent, simulate_interview
from fieldwork import flow
from fieldwork import services as fieldwork
from fieldwork.models import Case, ContactAttempt, Interview, Wave
from qc import services as qc
from qc.models import Review
from questionnaires.services import load_standard_questionnaire
from sampling import services as sampling
from sampling.models import Locality

WAVE_NAME = "2026年第四季度群众安全感满意度调查"
CLIENT = "平安市委政法委"
PASSWORD = "demo-pass-2026"
LOCAL = ZoneInfo("Asia/Shanghai")

# Outcomes of the cases that did not become interviews, with their shares.
NON_INTERVIEW_OUTCOMES = {
    "3.13": 0.35,
    "2.112": 0.25,
    "2.111": 0.10,
    "3.12": 0.10,
    "4.30": 0.12,
    "2.33": 0.03,
    "4.50": 0.05,
}


@dataclass(frozen=True)
class DemoSize:
    households: int
    sample: int
    interviewers: int
    completed: int
    closed: int


FULL = DemoSize(households=200_000, sample=4_800, interviewers=12, completed=3_300, closed=500)
SMALL = DemoSize(households=5_000, sample=300, interviewers=3, completed=150, closed=30)


DEMO_LOGINS = [
    ("analyst", "analyst"),
    ("supervisor", "supervisor"),
    ("interviewer", "interviewer01"),
    ("client", "client"),
]


def demo_loaded() -> bool:
    return Wave.objects.filter(name=WAVE_NAME).exists()


def load_demo(
    *, seed: int = 2026, size: DemoSize = FULL, say: Callable[[str], None] = print
) -> Wave:
    rng = np.random.default_rng(seed)
    users = _users(size.interviewers)
    analyst, supervisor = users["analyst"], users["supervisor"]

    say("questionnaire …")
    version = load_standard_questionnaire(user=analyst)

    say("locality tree …")
    city = build_city(seed, households=size.households)
    sampling.import_localities(rows=city.localities.to_dict("records"))

    say(f"frame of {size.households:,} households …")
    path = Path(settings.MEDIA_ROOT) / "demo" / f"frame-{seed}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    city.frame.to_csv(path, index=False)
    with path.open("rb") as file:
        frame = sampling.import_frame(
            file=file,
            source_name="平安市住户抽样框.csv",
            name="平安市住户抽样框 2026",
            mapping={
                "unit_id": "household_id",
                "phone": "phone",
                "locality_code": "community_code",
                "address": "address",
            },
            user=analyst,
        )
    path.unlink()

    say(f"draw of {size.sample:,} …")
    draw = sampling.draw_sample(
        frame=frame, n=size.sample, seed=seed, name="2026年第四季度 主样本", user=analyst
    )
    wave = fieldwork.create_wave(
        name=WAVE_NAME, client=CLIENT, questionnaire_version=version, draw=draw
    )
    interviewers = users["interviewers"]
    per_interviewer = size.sample // len(interviewers)
    for interviewer in interviewers:
        fieldwork.assign_cases(wave=wave, interviewer=interviewer, count=per_interviewer)

    say(f"{size.completed:,} simulated interviews …")
    _simulate_fieldwork(rng, wave, size, interviewers)

    say("quality control …")
    qc.check_interviews(interviews=Interview.objects.filter(case__wave=wave))
    _review(rng, wave, supervisor)
    return wave


def _users(n_interviewers: int) -> dict:
    def user(username: str, role: str, name: str) -> User:
        # Chinese names are written whole, surname first: keep them in first_name alone so
        # get_full_name() shows them as written.
        return User.objects.create_user(
            username=username,
            password=PASSWORD,
            role=role,
            first_name=name,
            organisation=CLIENT if role == Role.CLIENT else "",
        )

    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭"
    given = [
        "伟",
        "芳",
        "娜",
        "敏",
        "静",
        "磊",
        "洋",
        "艳",
        "勇",
        "军",
        "杰",
        "娟",
        "涛",
        "明",
        "超",
        "霞",
    ]
    return {
        "analyst": user("analyst", Role.ANALYST, "林晓燕"),
        "supervisor": user("supervisor", Role.SUPERVISOR, "何建国"),
        "supervisor2": user("supervisor2", Role.SUPERVISOR, "罗丽"),
        "client": user("client", Role.CLIENT, CLIENT),
        "interviewers": [
            user(f"interviewer{i:02d}", Role.INTERVIEWER, surnames[i % 16] + given[(i * 7) % 16])
            for i in range(1, n_interviewers + 1)
        ],
    }


@transaction.atomic
def _simulate_fieldwork(rng, wave: Wave, size: DemoSize, interviewers: list[User]) -> None:
    definition = wave.questionnaire_version.definition
    localities = {loc.code: loc for loc in Locality.objects.all()}
    street_effect = {
        code: rng.normal(0, 3) for code, loc in localities.items() if loc.level == "street"
    }
    cases = list(
        Case.objects.filter(wave=wave)
        .select_related("unit__locality", "street__parent")
        .order_by("interviewer_id", "id")
    )
    by_interviewer: dict[int, list[Case]] = {}
    for case in cases:
        by_interviewer.setdefault(case.interviewer_id, []).append(case)
    completed_each = size.completed // len(interviewers)
    closed_each = size.closed // len(interviewers)
    today = datetime.now(LOCAL).replace(hour=0, minute=0, second=0, microsecond=0)
    interviews, attempts, touched = [], [], []
    codes, shares = zip(*NON_INTERVIEW_OUTCOMES.items(), strict=True)
    shares = np.array(shares) / sum(shares)
    for index, interviewer in enumerate(interviewers):
        # One interviewer rushes far more often than the others: the kind of pattern QC hunts.
        rushed_share = 0.25 if index == 6 % len(interviewers) else 0.03
        own = by_interviewer.get(interviewer.pk, [])
        schedule = _working_days(rng, today, completed_each)
        for case in own[:completed_each]:
            style = rng.choice(
                ["normal", "rushed", "straight"], p=[0.97 - rushed_share, rushed_share, 0.03]
            )
            community = case.unit.locality
            respondent = Respondent(
                district=case.street.parent.code,
                street=case.street.code,
                community=community.code,
                area_type=case.street.area_type,
                street_effect=street_effect[case.street.code],
                style=str(style),
            )
            started = next(schedule)
            simulated = simulate_interview(rng, definition, respondent, started)
            interview = Interview(
                case=case,
                questionnaire_version=wave.questionnaire_version,
                interviewer=interviewer,
                mode="phone" if rng.random() < 0.8 else "door",
                status=Interview.Status.COMPLETED,
                started_at=simulated.started_at,
                completed_at=simulated.completed_at,
                duration_seconds=flow.active_seconds(simulated.paradata),
                current_step=definition["groups"][-1]["name"],
                answers=simulated.answers,
                paradata=simulated.paradata,
                district=localities.get(simulated.answers.get("district")),
                street=localities.get(simulated.answers.get("street")),
                community=localities.get(simulated.answers.get("community")),
            )
            interviews.append(interview)
            attempts.append(
                ContactAttempt(
                    case=case,
                    interviewer=interviewer,
                    mode=interview.mode,
                    started_at=simulated.started_at,
                    ended_at=simulated.completed_at,
                    disposition="1.1",
                )
            )
            case.status, case.disposition, case.attempts = Case.Status.COMPLETED, "1.1", 1
            case.last_attempt_at, case.last_outcome = simulated.completed_at, "1.1"
            touched.append(case)
        for case in own[completed_each : completed_each + closed_each]:
            code = str(rng.choice(codes, p=shares))
            tries = 1 if code not in ("3.13", "3.12") else wave.max_attempts
            for attempt in range(tries):
                at = today - timedelta(
                    days=int(rng.integers(1, 21)) - attempt, hours=-int(rng.integers(9, 20))
                )
                attempts.append(
                    ContactAttempt(
                        case=case,
                        interviewer=interviewer,
                        mode="phone",
                        started_at=at,
                        ended_at=at + timedelta(seconds=40),
                        disposition=code,
                    )
                )
            case.status, case.disposition, case.attempts = Case.Status.CLOSED, code, tries
            case.last_attempt_at, case.last_outcome = at, code
            touched.append(case)
    Interview.objects.bulk_create(interviews, batch_size=500)
    ContactAttempt.objects.bulk_create(attempts, batch_size=1000)
    Case.objects.bulk_update(
        touched,
        ["status", "disposition", "attempts", "last_attempt_at", "last_outcome"],
        batch_size=1000,
    )


def _working_days(rng, today: datetime, n: int, days: int = 20):
    """Start times of one interviewer's n interviews over the last `days` days: one after
    another from about 9:00, 15–45 minutes apart, so no two overlap (as in real fieldwork)."""
    per_day = -(-n // days)
    for day in range(days, 0, -1):
        start = today - timedelta(days=day) + timedelta(hours=9, minutes=int(rng.integers(0, 60)))
        for _ in range(per_day):
            yield start
            start += timedelta(minutes=int(rng.integers(15, 46)))


def _review(rng, wave: Wave, supervisor: User) -> None:
    """Supervisors have approved the clean interviews and worked through part of the flagged."""
    reviews = Review.objects.filter(interview__case__wave=wave).order_by("id")
    for review in reviews.filter(state=Review.State.CLEAN):
        qc.approve_interview(review=review, user=supervisor)
    for review in reviews.filter(state=Review.State.FLAGGED):
        draw = rng.random()
        if draw < 0.3:
            qc.approve_interview(
                review=review, user=supervisor, reason="回访核实：受访者确认参与了访问。"
            )
        elif draw < 0.5:
            qc.reject_interview(
                review=review, user=supervisor, reason="听录音发现访员未逐题读题，作废。"
            )
