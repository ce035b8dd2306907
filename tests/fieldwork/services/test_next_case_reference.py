"""'Next case' from the database agrees with the pure scheduler on random waves.

fieldwork.scheduling.eligible_cases, over every open case of the wave (loaders.candidate_frame
without a limit), is the reference; assign_next_case reads only the few cases that can win
(fieldwork.queue). Random waves mix fresh cases, callbacks, busy retries, day parts tried,
cases with an outcome but no attempt counted (reopened),
cases held by either interviewer, hard and soft appointments (due, held and missed), a full
stratum, a street's cell full or not by completed interviews (its count kept in the database),
a wave-wide cell full by a frame attribute and stopped interviews whose answers fall
in a full cell. Small batches make the database's partial reads matter.

Who calls matters as well: half the waves ask for cross-region calling, and the interviewers
live in either county and speak some of the languages that cases failed on (2.33, the
language recorded with the outcome).
"""

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from fieldwork import loaders, scheduling
from fieldwork.models import Appointment, Case, Interview, InterviewerProfile, QuotaTarget
from fieldwork.services import next_case, quota_counts, waves
from sampling.models import Draw, Frame, SampledUnit
from tests.factories import make_organisation

SH = ZoneInfo("Asia/Shanghai")
MOMENTS = [
    datetime(2026, 11, 23, 10, 0, tzinfo=SH),  # Monday morning
    datetime(2026, 11, 23, 15, 30, tzinfo=SH),  # Monday afternoon
    datetime(2026, 11, 28, 19, 10, tzinfo=SH),  # Saturday evening
    datetime(2026, 11, 23, 22, 0, tzinfo=SH),  # outside the windows: appointments only
]
N_CASES = 90
LANGUAGES = ["", "", "", "", "cantonese", "minnan", "mandarin"]


def random_callers(rng: random.Random, tree, interviewer, other_interviewer) -> None:
    """Home counties and languages for both interviewers (one may have no profile)."""
    counties = [tree["district"], tree["other_district"], None]
    for who in (interviewer, other_interviewer):
        if rng.random() < 0.15:
            continue
        InterviewerProfile.objects.update_or_create(
            user=who,
            defaults={
                "home_county": rng.choice(counties),
                "dialects": rng.sample(["cantonese", "minnan", "wu"], rng.randint(0, 2)),
            },
        )


def random_wave(rng: random.Random, tree, version, interviewer, other_interviewer, now):
    frame = Frame.objects.create(name="f", path="", source_name="f.csv", n_rows=N_CASES)
    draw = Draw.objects.create(
        frame=frame, name="d", stratum_column="street", n_total=N_CASES, seed=1
    )
    streets = [tree["street"], tree["other_street"]]
    SampledUnit.objects.bulk_create(
        SampledUnit(
            draw=draw,
            unit_id=f"U{i}",
            phone=f"1390000{i:04d}",
            stratum=streets[i % 2].code,
            locality=tree["community"] if i % 2 == 0 else tree["other_community"],
            street=streets[i % 2],
            inclusion_probability=0.1,
            design_weight=10.0,
            attributes={"building_type": rng.choice(["flat", "house", "shop"])},
        )
        for i in range(N_CASES)
    )
    wave = waves.create_wave(
        name="w", client=make_organisation("c"), questionnaire_version=version, draw=draw
    )
    wave.cross_region = rng.random() < 0.5
    wave.save(update_fields=["cross_region"])
    holders = [None, None, None, interviewer, other_interviewer]

    def interview(case, **fields):
        Interview.objects.create(
            case=case,
            questionnaire_version=version,
            interviewer=interviewer,
            mode="phone",
            started_at=now,
            answers={"sex": rng.choice(["1", "2"])},
            **fields,
        )

    for case in wave.cases.all():
        tried = rng.random() < 0.6
        case.interviewer = rng.choice(holders)
        if tried:
            case.attempts = rng.randint(1, 5)
            case.last_attempt_at = now - timedelta(minutes=rng.choice([5, 20, 90, 130, 600]))
            case.last_outcome = rng.choice(["2.21", "3.13", "3.12", "2.221"])
            case.day_parts_tried = rng.randint(1, 7)
            case.language = rng.choice(LANGUAGES)
            if case.language:
                case.last_outcome = "2.33"
        elif rng.random() < 0.1:  # completed: counted in the quota cells, never called again
            case.status = Case.Status.COMPLETED
            interview(case, status=Interview.Status.COMPLETED)
        elif rng.random() < 0.08:  # reopened: an outcome on record, no attempt counted
            case.last_outcome = rng.choice(["2.21", "3.12"])
            case.last_attempt_at = rng.choice([None, now - timedelta(minutes=200)])
        case.save()
        if rng.random() < 0.06:
            kind = rng.choice(["hard", "soft"])
            at = now + timedelta(minutes=rng.choice([-300, -40, -10, 0, 3, 30, 200]))
            end = at + timedelta(minutes=rng.choice([15, 60])) if rng.random() < 0.5 else None
            Appointment.objects.create(
                case=case,
                at=at,
                kind=kind,
                window_end=end if kind == "soft" else None,
                created_by=interviewer,
            )
        if tried and rng.random() < 0.1:
            interview(case)
    QuotaTarget.objects.create(wave=wave, stratum="S2", variable="sex", value="1", target=0)
    QuotaTarget.objects.create(wave=wave, stratum="S1", variable="sex", value="2", target=0)
    # filled by the completes or not, by the seed
    QuotaTarget.objects.create(
        wave=wave, stratum="S1", variable="sex", value="1", target=rng.choice([1, 3, 50])
    )
    QuotaTarget.objects.create(
        wave=wave, stratum="", variable="building_type", value="shop", target=0
    )
    quota_counts.recount_quotas(wave=wave)  # the cells and interviews were stored directly
    return wave


def reference(wave, who, now):
    """The pure scheduler's first choice over every open case, as (case id, reason)."""
    candidates = loaders.candidate_frame(wave=wave, interviewer=who, now=now, limit=10**6)
    rules, caller = loaders.calling_rules(wave), loaders.caller(who)
    ranked = scheduling.eligible_cases(candidates, rules, now, caller)
    if ranked.empty:
        return None
    return int(ranked.loc[0, "case_id"]), ranked.loc[0, "reason"]


@pytest.mark.parametrize("seed", range(6))
def test_next_case_matches_the_pure_scheduler_on_random_waves(
    seed, tree, standard_version, interviewer, other_interviewer
):
    rng = random.Random(seed)
    now = MOMENTS[seed % len(MOMENTS)]
    wave = random_wave(rng, tree, standard_version, interviewer, other_interviewer, now)
    random_callers(rng, tree, interviewer, other_interviewer)
    presses, given = 0, 0
    while presses < 60:
        who = rng.choice([interviewer, other_interviewer])
        expected = reference(wave, who, now)
        taken = next_case.assign_next_case(
            wave=wave, interviewer=who, now=now, batch=rng.choice([1, 2, 3, 8])
        )
        actual = None if taken is None else (taken.case.pk, taken.reason)
        assert actual == expected, (seed, presses)
        presses += 1
        if taken is None:
            break
        given += 1
        given_case = Case.objects.select_related("street").get(pk=taken.case.pk)
        assert given_case.interviewer_id == who.pk
        assert_may_call(wave, who, given_case)
        # The call is made: the case leaves the queue for now (or for good).
        Case.objects.filter(pk=taken.case.pk).update(
            attempts=taken.case.attempts + 1,
            last_attempt_at=now,
            last_outcome=rng.choice(["3.13", "2.21", "4.30"]),
        )
        Appointment.objects.filter(case=taken.case, closed_at=None).update(closed_at=now)
    assert given > 0 or now == MOMENTS[3]


def assert_may_call(wave, who, case) -> None:
    """The two routing rules, stated on their own: no home-county case under cross-region
    calling, and a language case only for a speaker."""
    profile = InterviewerProfile.objects.filter(user=who).first()
    if wave.cross_region and profile is not None and profile.home_county_id is not None:
        assert case.street.parent_id != profile.home_county_id
    if case.language and case.language != "mandarin":
        assert profile is not None and case.language in profile.dialects
