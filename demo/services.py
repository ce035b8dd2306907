"""Loading the demo: a synthetic city run through the same services a real study uses.

Two rounds for one client, so results show a trend and rank changes: a finished earlier
round (2026 Q3: a smaller draw from the same frame, every interview decided) and the current
round in fieldwork (2026 Q4). Localities, the frame, the draws, the waves, the automatic QC
checks and the decisions on flagged interviews go through the product's own services. Only
the interviews are simulated (answers and paradata written as the wizard would have written
them), and the routine review decisions are written as history in bulk, with the same state
changes and audit events the review services write (see _decide_in_bulk).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from accounts.models import Role, User
from demo.city import build_city
from demo.simulate import Respondent, simulate_interview
from fieldwork.interview import flow
from fieldwork.models import Case, ContactAttempt, Interview, Wave
from fieldwork.services import waves as fieldwork
from qc import workflow
from qc.models import Flag, Review, ReviewEvent
from qc.services import reviews as qc
from qc.services.checks import check_interviews
from questionnaires.models import QuestionnaireVersion
from questionnaires.services import load_standard_questionnaire
from sampling.models import Draw, Frame, Locality
from sampling.services.draws import draw_sample
from sampling.services.frames import import_frame
from sampling.services.localities import import_localities

WAVE_NAME = "2026年第四季度群众安全感满意度调查"
# The round before, for trends and rank changes: same client, questionnaire and frame.
EARLIER_WAVE_NAME = "2026年第三季度群众安全感满意度调查"
QUARTER = timedelta(days=91)
FIELDWORK_DAYS = 20
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
    # The earlier round is finished: each case of its draw was completed or closed.
    earlier_sample: int
    earlier_completed: int


FULL = DemoSize(
    households=200_000,
    sample=4_800,
    interviewers=12,
    completed=3_300,
    closed=500,
    earlier_sample=1_800,
    earlier_completed=1_500,
)
SMALL = DemoSize(
    households=5_000,
    sample=300,
    interviewers=3,
    completed=150,
    closed=30,
    earlier_sample=105,
    earlier_completed=90,
)


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
    """Load the demo into an empty database; return the current wave (WAVE_NAME)."""
    rng = np.random.default_rng(seed)
    users = create_users(size.interviewers)
    analyst = users["analyst"]

    say("questionnaire …")
    version = load_standard_questionnaire(user=analyst)

    say("locality tree …")
    city = build_city(seed, households=size.households)
    import_localities(rows=city.localities.to_dict("records"))

    say(f"frame of {size.households:,} households …")
    path = Path(settings.MEDIA_ROOT) / "demo" / f"frame-{seed}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    city.frame.to_csv(path, index=False)
    with path.open("rb") as file:
        frame = import_frame(
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

    effects = street_effects(rng, city.localities)
    fieldwork_end = datetime.now(LOCAL).replace(hour=0, minute=0, second=0, microsecond=0)

    say(f"earlier round: {size.earlier_completed:,} simulated interviews …")
    earlier = simulate_round(
        rng=rng,
        spec=Round(
            wave_name=EARLIER_WAVE_NAME,
            draw_name="2026年第三季度 主样本",
            seed=seed + 1,
            sample=size.earlier_sample,
            completed=size.earlier_completed,
            closed=size.earlier_sample - size.earlier_completed,
            street_effect=effects.earlier,
            fieldwork_end=fieldwork_end - QUARTER,
            finished=True,
        ),
        frame=frame,
        version=version,
        users=users,
    )
    review_round(rng=rng, wave=earlier, users=users, finished=True, at=fieldwork_end - QUARTER)

    say(f"draw of {size.sample:,} and {size.completed:,} simulated interviews …")
    wave = simulate_round(
        rng=rng,
        spec=Round(
            wave_name=WAVE_NAME,
            draw_name="2026年第四季度 主样本",
            seed=seed,
            sample=size.sample,
            completed=size.completed,
            closed=size.closed,
            street_effect=effects.current,
            fieldwork_end=fieldwork_end,
            finished=False,
        ),
        frame=frame,
        version=version,
        users=users,
    )
    say("quality control …")
    review_round(rng=rng, wave=wave, users=users, finished=False, at=timezone.now())
    return wave


@dataclass(frozen=True)
class Round:
    """One simulated survey round: its draw, how far fieldwork got and the true scores."""

    wave_name: str
    draw_name: str
    seed: int
    sample: int
    completed: int
    closed: int
    street_effect: dict[str, float]  # street code -> points added to every scale answer
    fieldwork_end: datetime  # fieldwork ran over the FIELDWORK_DAYS days before this
    finished: bool  # a past round: every case done, every interview decided, wave closed


@dataclass(frozen=True)
class StreetEffects:
    current: dict[str, float]
    earlier: dict[str, float]


def street_effects(rng: np.random.Generator, localities: pd.DataFrame) -> StreetEffects:
    """True street effects (score points) of this round and the one before. `localities`:
    demo.city.City.localities (code, parent_code, level, …).

    Between rounds the city improves by about a point on average, each district moves a
    little and each street more, so some streets rise in the ranking and others fall.
    """
    streets = localities[localities["level"] == "street"]
    district_change = {
        code: rng.normal(1.0, 1.5)
        for code in localities.loc[localities["level"] == "district", "code"]
    }
    current, earlier = {}, {}
    for code, district in zip(streets["code"], streets["parent_code"], strict=True):
        current[code] = rng.normal(0, 3)
        earlier[code] = current[code] - district_change[district] - rng.normal(0, 3)
    return StreetEffects(current=current, earlier=earlier)


def simulate_round(
    *,
    rng: np.random.Generator,
    spec: Round,
    frame: Frame,
    version: QuestionnaireVersion,
    users: dict,
) -> Wave:
    """Draw, wave, assignments, simulated fieldwork and the automatic QC checks of one round
    (the reviews are review_round's). `users`: create_users' dict."""
    draw = draw_sample(
        frame=frame, n=spec.sample, seed=spec.seed, name=spec.draw_name, user=users["analyst"]
    )
    wave = fieldwork.create_wave(
        name=spec.wave_name, client=CLIENT, questionnaire_version=version, draw=draw
    )
    # A demo round is loaded in one go: date the wave and its draw to when the round began.
    began = spec.fieldwork_end - timedelta(days=FIELDWORK_DAYS + 1)
    Wave.objects.filter(pk=wave.pk).update(created_at=began)
    Draw.objects.filter(pk=draw.pk).update(created_at=began)
    wave.refresh_from_db(fields=["created_at"])
    interviewers = users["interviewers"]
    per_interviewer = -(-spec.sample // len(interviewers))
    for interviewer in interviewers:
        fieldwork.assign_cases(wave=wave, interviewer=interviewer, count=per_interviewer)
    _simulate_fieldwork(rng, wave, spec, interviewers)
    check_interviews(interviews=Interview.objects.filter(case__wave=wave))
    # The checks run when an interview is completed: date their flags and events so.
    completed_at = Subquery(
        Interview.objects.filter(pk=OuterRef("interview_id")).values("completed_at")[:1]
    )
    Flag.objects.filter(interview__case__wave=wave).update(created_at=completed_at)
    ReviewEvent.objects.filter(review__interview__case__wave=wave, actor=None).update(
        at=Subquery(
            Interview.objects.filter(review=OuterRef("review_id")).values("completed_at")[:1]
        )
    )
    if spec.finished:
        Wave.objects.filter(pk=wave.pk).update(status=Wave.Status.CLOSED)
        wave.refresh_from_db(fields=["status"])
    return wave


def create_users(n_interviewers: int) -> dict:
    """The demo's people, all with PASSWORD: {"analyst", "supervisor", "supervisor2",
    "client": User, "interviewers": [User, ...]}."""
    # Hashing a password is slow on purpose; everyone here shares the one published demo
    # password, so hash it once.
    password = make_password(PASSWORD)

    def user(username: str, role: str, name: str) -> User:
        # Chinese names are written whole, surname first: keep them in first_name alone so
        # get_full_name() shows them as written.
        return User.objects.create(
            username=username,
            password=password,
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
def _simulate_fieldwork(rng, wave: Wave, spec: Round, interviewers: list[User]) -> None:
    definition = wave.questionnaire_version.definition
    localities = {loc.code: loc for loc in Locality.objects.all()}
    street_effect = spec.street_effect
    cases = list(
        Case.objects.filter(wave=wave)
        .select_related("unit__locality", "street__parent")
        .order_by("interviewer_id", "id")
    )
    by_interviewer: dict[int, list[Case]] = {}
    for case in cases:
        by_interviewer.setdefault(case.interviewer_id, []).append(case)
    completed_each = spec.completed // len(interviewers)
    closed_each = spec.closed // len(interviewers)
    today = spec.fieldwork_end
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
        # In a finished round every case ends somewhere; in a running one some are still to do.
        done = len(own) if spec.finished else completed_each + closed_each
        for case in own[completed_each:done]:
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
    # The outcome columns take a few distinct values: one UPDATE per outcome is far cheaper
    # than bulk_update's CASE per row and column; only the time differs case by case.
    outcomes: dict[tuple, list[int]] = {}
    for case in touched:
        key = (case.status, case.disposition, case.attempts, case.last_outcome)
        outcomes.setdefault(key, []).append(case.pk)
    for (status, disposition, attempts, last_outcome), ids in outcomes.items():
        for start in range(0, len(ids), 500):
            Case.objects.filter(pk__in=ids[start : start + 500]).update(
                status=status, disposition=disposition, attempts=attempts, last_outcome=last_outcome
            )
    Case.objects.bulk_update(touched, ["last_attempt_at"], batch_size=500)


def _working_days(rng, today: datetime, n: int, days: int = FIELDWORK_DAYS):
    """Start times of one interviewer's n interviews over the last `days` days: one after
    another from about 9:00, 15–45 minutes apart, so no two overlap (as in real fieldwork)."""
    per_day = -(-n // days)
    for day in range(days, 0, -1):
        start = today - timedelta(days=day) + timedelta(hours=9, minutes=int(rng.integers(0, 60)))
        for _ in range(per_day):
            yield start
            start += timedelta(minutes=int(rng.integers(15, 46)))


CONFIRMED = "回访核实：受访者确认参与了访问。"
VOIDED = "听录音发现访员未逐题读题，作废。"
AGREED = "同意作废。"
WAITING_SHARE = 0.05  # of a running round's clean interviews: proposals the lead has not reached


def review_round(
    *, rng: np.random.Generator, wave: Wave, users: dict, finished: bool, at: datetime
) -> None:
    """Both review steps, as the people would have taken them by `at`: the supervisor
    proposes approval of the clean interviews and decides on flagged ones; the QC lead (an
    analyst) confirms. In a finished round every interview is decided; in a running one half
    the flagged are still undecided and the newest proposals wait for the lead.

    The routine decisions (every clean interview; all of a finished round) are written as
    history in a few queries each (_decide_in_bulk); a running round's decisions on flagged
    interviews go through qc.services one by one, as a supervisor's would.
    """
    supervisor, lead = users["supervisor"], users["analyst"]
    reviews = Review.objects.filter(interview__case__wave=wave).order_by("id")
    clean = list(reviews.filter(state=Review.State.CLEAN))
    flagged = list(reviews.filter(state=Review.State.FLAGGED))
    draws = rng.random(len(flagged))
    if finished:
        confirmed = [r for r, d in zip(flagged, draws, strict=True) if d < 0.6]
        voided = [r for r, d in zip(flagged, draws, strict=True) if d >= 0.6]
        waiting = 0
    else:
        confirmed, voided = [], []
        waiting = int(len(clean) * WAITING_SHARE)
    with transaction.atomic():
        for group, to_state, reason in (
            (clean, Review.State.PROPOSED_APPROVE, ""),
            (confirmed, Review.State.PROPOSED_APPROVE, CONFIRMED),
            (voided, Review.State.PROPOSED_REJECT, VOIDED),
        ):
            _decide_in_bulk(group, to_state=to_state, user=supervisor, reason=reason, at=at)
        for group, to_state, reason in (
            (clean[: len(clean) - waiting] + confirmed, Review.State.APPROVED, ""),
            (voided, Review.State.REJECTED, AGREED),
        ):
            _decide_in_bulk(group, to_state=to_state, user=lead, reason=reason, at=at)
        if finished:
            return
        for review, draw in zip(flagged, draws, strict=True):
            if draw < 0.3:
                qc.approve_interview(review=review, user=supervisor, reason=CONFIRMED)
                qc.approve_interview(review=review, user=lead)
            elif draw < 0.5:
                qc.reject_interview(review=review, user=supervisor, reason=VOIDED)
                qc.reject_interview(review=review, user=lead, reason=AGREED)


def _decide_in_bulk(
    reviews: list[Review], *, to_state: str, user: User, reason: str, at: datetime
) -> None:
    """Move many reviews to `to_state` by `user` at `at`, with the state, who/when columns
    and audit events qc.services would write, in a few queries per 500 reviews.

    For loading a demo's past decisions fast (a decision through qc.services takes about
    eight queries). Every move is checked against qc.workflow; `user` is never one of the
    interviewers, and the lead never confirms their own proposal (different people).
    """
    if not reviews:
        return
    # One step for all: the supervisor's on undecided reviews, or the lead's on proposals.
    actor = workflow.REVIEWER if reviews[0].state in workflow.UNDECIDED else workflow.LEAD
    for start in range(0, len(reviews), 500):
        chunk = reviews[start : start + 500]
        rules: dict[int, list[dict]] = {}
        flags = Flag.objects.filter(interview_id__in=[r.interview_id for r in chunk])
        for flag in flags.order_by("created_at", "id"):
            rules.setdefault(flag.interview_id, []).append(
                {
                    "rule": flag.rule,
                    "severity": flag.severity,
                    "reason": flag.reason,
                    "details": flag.details,
                }
            )
        events = []
        for review in chunk:
            if not workflow.allowed(review.state, to_state, actor):
                raise ValueError(f"demo review {review.pk}: {review.state} → {to_state}")
            events.append(
                ReviewEvent(
                    review=review,
                    from_state=review.state,
                    to_state=to_state,
                    actor=user,
                    reason=reason,
                    rules=rules.get(review.interview_id, []),
                )
            )
            review.state, review.reason = to_state, reason
        who = (
            {"proposed_by": user, "proposed_at": at}
            if actor == workflow.REVIEWER
            else {"decided_by": user, "decided_at": at}
        )
        Review.objects.filter(pk__in=[review.pk for review in chunk]).update(
            state=to_state, reason=reason, **who
        )
        created = ReviewEvent.objects.bulk_create(events)
        # `at` is set on creation; these decisions were taken at `at`.
        ReviewEvent.objects.filter(pk__in=[event.pk for event in created]).update(at=at)
