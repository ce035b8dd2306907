"""One simulated survey round of the demo: its draw, wave, assignments, simulated fieldwork
and the automatic QC checks.

The draw, the wave, the assignments and the checks go through the product's own services;
only the interviews and contact attempts are simulated (answers and paradata written as the
wizard would have written them, by demo.simulate). The review decisions are demo.reviews'.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from accounts.models import Organisation, User
from demo.simulate import Respondent, Simulated, simulate_interview
from fieldwork.interview import flow
from fieldwork.models import Appointment, Case, ContactAttempt, Interview, Wave
from fieldwork.services import waves as fieldwork
from qc.models import Flag, Review, ReviewEvent
from qc.services.checks import check_interviews
from questionnaires import answers as stored
from questionnaires.models import QuestionnaireVersion
from sampling.models import Draw, Frame, Locality
from sampling.services.draws import draw_sample

CLIENT = "平安市委政法委"
FIRM = "平安市社情民意调查中心"  # the evaluation firm: the demo's staff work for it


def client_organisation() -> Organisation:
    return Organisation.objects.get_or_create(
        name=CLIENT, defaults={"kind": Organisation.Kind.CLIENT}
    )[0]


FIELDWORK_DAYS = 20

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
_OUTCOME_CODES = tuple(NON_INTERVIEW_OUTCOMES)
_OUTCOME_SHARES = np.array(list(NON_INTERVIEW_OUTCOMES.values())) / sum(
    NON_INTERVIEW_OUTCOMES.values()
)


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
    (the reviews are demo.reviews.review_round's). `users`: demo.services.create_users' dict."""
    draw = draw_sample(
        frame=frame, n=spec.sample, seed=spec.seed, name=spec.draw_name, user=users["analyst"]
    )
    wave = fieldwork.create_wave(
        name=spec.wave_name,
        client=client_organisation(),
        questionnaire_version=version,
        draw=draw,
    )
    # A demo round is loaded in one go: date the wave and its draw to when the round began.
    began = spec.fieldwork_end - timedelta(days=FIELDWORK_DAYS + 1)
    # The plan the overview measures against: most of the sample completed, fieldwork
    # running on for another week in the round still in the field, six completes a day each.
    ends = spec.fieldwork_end if spec.finished else spec.fieldwork_end + timedelta(days=7)
    Wave.objects.filter(pk=wave.pk).update(
        created_at=began,
        target_completes=round(0.75 * spec.sample),
        starts_on=timezone.localdate(began),
        ends_on=timezone.localdate(ends),
        daily_target=6,
    )
    Draw.objects.filter(pk=draw.pk).update(created_at=began)
    wave.refresh_from_db(fields=["created_at"])
    interviewers = users["interviewers"]
    per_interviewer = -(-spec.sample // len(interviewers))
    for interviewer in interviewers:
        fieldwork.assign_cases(wave=wave, interviewer=interviewer, count=per_interviewer)
    _simulate_fieldwork(rng, wave, spec, interviewers)
    if not spec.finished:
        _book_callbacks(wave, interviewers)
    check_interviews(interviews=Interview.objects.filter(case__wave=wave))
    # The checks run when an interview is completed: date their flags and events so.
    completed_at = Subquery(
        Interview.objects.filter(pk=OuterRef("interview_id")).values("completed_at")[:1]
    )
    Flag.objects.filter(interview__case__wave=wave).update(created_at=completed_at)
    # each event dated from its review's interview, read once (a correlated UPDATE through
    # review and interview could be planned as nested scans on PostgreSQL without statistics)
    done = dict(
        Review.objects.filter(interview__case__wave=wave).values_list(
            "pk", "interview__completed_at"
        )
    )
    events = list(
        ReviewEvent.objects.filter(review__interview__case__wave=wave, actor=None).only(
            "pk", "review_id"
        )
    )
    for event in events:
        event.at = done[event.review_id]
    ReviewEvent.objects.bulk_update(events, ["at"], batch_size=1000)
    if spec.finished:
        Wave.objects.filter(pk=wave.pk).update(status=Wave.Status.CLOSED)
        wave.refresh_from_db(fields=["status"])
    return wave


def _book_callbacks(wave: Wave, interviewers: list[User]) -> None:
    """Open callbacks in the running round, so the interviewers' day and the calendars show
    some: per interviewer one due now, one this evening (soft), one tomorrow evening."""
    now = timezone.now()
    local = timezone.localtime(now)
    evening = local.replace(hour=19, minute=0, second=0, microsecond=0)
    slots = [
        (now + timedelta(minutes=3), "hard", None),
        (max(evening, now + timedelta(hours=1)), "soft", timedelta(hours=2)),
        (evening + timedelta(days=1), "hard", None),
    ]
    booked = []
    for interviewer in interviewers:
        pending = Case.objects.filter(
            wave=wave, interviewer=interviewer, status=Case.Status.PENDING
        ).order_by("id")[: len(slots)]
        for case, (at, kind, span) in zip(pending, slots, strict=False):
            booked.append(
                Appointment(
                    case=case,
                    at=at,
                    kind=kind,
                    window_end=at + span if span else None,
                    note="晚饭后再打" if kind == "hard" else "",
                    created_by=interviewer,
                )
            )
    Appointment.objects.bulk_create(booked)


@dataclass
class _Fieldwork:
    """What a round's simulated fieldwork writes, gathered to be saved in bulk."""

    interviews: list[Interview] = field(default_factory=list)
    attempts: list[ContactAttempt] = field(default_factory=list)
    touched: list[Case] = field(default_factory=list)  # cases with a new outcome


@transaction.atomic
def _simulate_fieldwork(rng, wave: Wave, spec: Round, interviewers: list[User]) -> None:
    cases = (
        Case.objects.filter(wave=wave)
        .select_related("unit__locality", "street__parent")
        .order_by("interviewer_id", "id")
    )
    by_interviewer: dict[int, list[Case]] = {}
    for case in cases:
        by_interviewer.setdefault(case.interviewer_id, []).append(case)
    localities = {loc.code: loc for loc in Locality.objects.all()}
    version = wave.questionnaire_version
    completed_each = spec.completed // len(interviewers)
    closed_each = spec.closed // len(interviewers)
    work = _Fieldwork()
    for index, interviewer in enumerate(interviewers):
        # One interviewer rushes far more often than the others: the kind of pattern QC hunts.
        rushed_share = 0.25 if index == 6 % len(interviewers) else 0.03
        own = by_interviewer.get(interviewer.pk, [])
        schedule = _working_days(rng, spec.fieldwork_end, completed_each)
        for case in own[:completed_each]:
            style = rng.choice(
                ["normal", "rushed", "straight"], p=[0.97 - rushed_share, rushed_share, 0.03]
            )
            respondent = Respondent(
                district=case.street.parent.code,
                street=case.street.code,
                community=case.unit.locality.code,
                area_type=case.street.area_type,
                street_effect=spec.street_effect[case.street.code],
                style=str(style),
            )
            simulated = simulate_interview(rng, version.definition, respondent, next(schedule))
            _complete(rng, case, interviewer, simulated, version, localities, work)
        # In a finished round every case ends somewhere; in a running one some are still to do.
        done = len(own) if spec.finished else completed_each + closed_each
        for case in own[completed_each:done]:
            _close(rng, case, interviewer, wave.max_attempts, spec.fieldwork_end, work)
    _save(work)


def _complete(
    rng,
    case: Case,
    interviewer: User,
    simulated: Simulated,
    version: QuestionnaireVersion,
    localities: dict[str, Locality],
    work: _Fieldwork,
) -> None:
    """The simulated interview of `case` as the wizard saves it, its one contact attempt and
    the case's outcome."""
    named = stored.by_name(simulated.answers, version.definition)
    interview = Interview(
        case=case,
        questionnaire_version=version,
        interviewer=interviewer,
        mode="phone" if rng.random() < 0.8 else "door",
        status=Interview.Status.COMPLETED,
        started_at=simulated.started_at,
        completed_at=simulated.completed_at,
        duration_seconds=flow.active_seconds(simulated.paradata),
        current_step=version.definition["groups"][-1]["name"],
        answers=simulated.answers,
        paradata=simulated.paradata,
        district=localities.get(named.get("district")),
        street=localities.get(named.get("street")),
        community=localities.get(named.get("community")),
    )
    work.interviews.append(interview)
    work.attempts.append(
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
    work.touched.append(case)


def _close(
    rng, case: Case, interviewer: User, max_attempts: int, today: datetime, work: _Fieldwork
) -> None:
    """A case closed without an interview: its final outcome after one attempt, or after
    every attempt allowed for a no-answer or busy line."""
    code = str(rng.choice(_OUTCOME_CODES, p=_OUTCOME_SHARES))
    tries = 1 if code not in ("3.13", "3.12") else max_attempts
    for attempt in range(tries):
        at = today - timedelta(
            days=int(rng.integers(1, 21)) - attempt, hours=-int(rng.integers(9, 20))
        )
        work.attempts.append(
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
    work.touched.append(case)


def _save(work: _Fieldwork) -> None:
    Interview.objects.bulk_create(work.interviews, batch_size=500)
    ContactAttempt.objects.bulk_create(work.attempts, batch_size=1000)
    # The outcome columns take a few distinct values: one UPDATE per outcome is far cheaper
    # than bulk_update's CASE per row and column; only the time differs case by case.
    outcomes: dict[tuple, list[int]] = {}
    for case in work.touched:
        key = (case.status, case.disposition, case.attempts, case.last_outcome)
        outcomes.setdefault(key, []).append(case.pk)
    for (status, disposition, attempts, last_outcome), ids in outcomes.items():
        for start in range(0, len(ids), 500):
            Case.objects.filter(pk__in=ids[start : start + 500]).update(
                status=status, disposition=disposition, attempts=attempts, last_outcome=last_outcome
            )
    Case.objects.bulk_update(work.touched, ["last_attempt_at"], batch_size=500)


def _working_days(rng, today: datetime, n: int, days: int = FIELDWORK_DAYS):
    """Start times of one interviewer's n interviews over the last `days` days: one after
    another from about 9:00, 15–45 minutes apart, so no two overlap (as in real fieldwork)."""
    per_day = -(-n // days)
    for day in range(days, 0, -1):
        start = today - timedelta(days=day) + timedelta(hours=9, minutes=int(rng.integers(0, 60)))
        for _ in range(per_day):
            yield start
            start += timedelta(minutes=int(rng.integers(15, 46)))
