"""'Next case': the scheduler's choice, made atomically, on the real database."""

import contextlib
import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from accounts.models import Role
from fieldwork.models import Appointment, Case, ContactAttempt, Interview, QuotaTarget
from fieldwork.services import attempts, interviews, next_case, waves
from sampling.models import Draw, Frame, SampledUnit
from tests.factories import make_organisation, make_user, next_weekday_at

SH = ZoneInfo("Asia/Shanghai")
MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=SH)
MONDAY_22 = datetime(2026, 11, 23, 22, 0, tzinfo=SH)


def take_and_close(wave, who, now=MONDAY_10):
    """Press 'Next case' and record a final outcome for it (a non-working number)."""
    taken = next_case.assign_next_case(wave=wave, interviewer=who, now=now)
    if taken is not None:
        attempts.record_attempt(case=taken.case, interviewer=who, mode="phone", disposition="4.30")
    return taken


def test_next_case_never_hands_out_the_same_case_twice(wave, interviewer, other_interviewer):
    taken = [take_and_close(wave, who) for who in [interviewer, other_interviewer] * 4]
    handed = [t.case.pk for t in taken if t is not None]
    assert len(handed) == 6 == len(set(handed))
    assert taken[-2:] == [None, None]


def test_a_case_i_hold_is_offered_again_until_i_work_it(wave, interviewer, other_interviewer):
    first = next_case.assign_next_case(wave=wave, interviewer=interviewer, now=MONDAY_10)
    again = next_case.assign_next_case(wave=wave, interviewer=interviewer, now=MONDAY_10)
    theirs = next_case.assign_next_case(wave=wave, interviewer=other_interviewer, now=MONDAY_10)
    assert first.case.pk == again.case.pk != theirs.case.pk
    assert first.reason == "Fresh case"
    assert Case.objects.get(pk=first.case.pk).interviewer == interviewer


def test_outside_calling_hours_no_case_is_given(wave, interviewer):
    assert next_case.assign_next_case(wave=wave, interviewer=interviewer, now=MONDAY_22) is None
    assert not wave.cases.exclude(interviewer=None).exists()


def test_a_no_answer_waits_the_minimum_gap(wave, interviewer, settings):
    wave.cases.exclude(pk=wave.cases.first().pk).delete()
    taken = next_case.assign_next_case(wave=wave, interviewer=interviewer, now=MONDAY_10)
    attempts.record_attempt(
        case=taken.case, interviewer=interviewer, mode="phone", disposition="3.13"
    )
    case = Case.objects.get(pk=taken.case.pk)
    case.last_attempt_at = MONDAY_10  # the attempt was made at 10:00
    case.save(update_fields=["last_attempt_at"])
    soon = MONDAY_10 + timedelta(minutes=90)
    later = MONDAY_10 + timedelta(hours=4)  # 14:00: past the gap and back in a window
    assert next_case.assign_next_case(wave=wave, interviewer=interviewer, now=soon) is None
    assert (
        next_case.assign_next_case(wave=wave, interviewer=interviewer, now=later).reason
        == "Callback"
    )


def test_attempts_keep_the_scheduler_summary_and_the_final_code(my_case, interviewer):
    attempts.record_attempt(
        case=my_case,
        interviewer=interviewer,
        mode="phone",
        disposition="2.21",
        appointment_at=next_weekday_at(19),
    )
    attempts.record_attempt(case=my_case, interviewer=interviewer, mode="phone", disposition="3.13")
    my_case.refresh_from_db()
    assert my_case.attempts == 2 and my_case.last_outcome == "3.13"
    assert my_case.last_attempt_at is not None and my_case.day_parts_tried > 0
    assert my_case.disposition == "2.21"  # a known-eligible non-contact outranks a no-answer


def test_reaching_max_attempts_closes_with_the_final_code(my_case, interviewer):
    for code in ["3.13", "2.221", "3.13", "3.12", "3.13"]:
        attempts.record_attempt(
            case=my_case, interviewer=interviewer, mode="phone", disposition=code
        )
    my_case.refresh_from_db()
    assert (my_case.status, my_case.disposition) == (Case.Status.CLOSED, "2.221")


def test_stopping_an_interview_makes_an_appointment_and_resuming_continues(my_case, interviewer):
    interview = interviews.start_interview(case=my_case, interviewer=interviewer, mode="phone")
    interviews.save_interview_page(
        interview=interview, step="opening", question_names=["consent"], answers={"consent": "yes"}
    )
    appointment_at = MONDAY_10 + timedelta(hours=9)  # 19:00
    interviews.stop_interview(
        interview=interview, at=appointment_at, kind="hard", note="晚上再打", now=MONDAY_10
    )
    my_case.refresh_from_db()
    assert my_case.status == Case.Status.PENDING and my_case.disposition == "2.12"
    attempt = ContactAttempt.objects.get(case=my_case)
    assert attempt.disposition == "2.12" and attempt.ended_at is not None
    appointment = Appointment.objects.get(case=my_case)
    assert (appointment.at, appointment.kind, appointment.closed_at) == (
        appointment_at,
        "hard",
        None,
    )

    # Held until its time, then first in line
    assert (
        next_case.assign_next_case(
            wave=my_case.wave, interviewer=interviewer, now=MONDAY_10 + timedelta(hours=4)
        ).case.pk
        != my_case.pk
    )
    due = next_case.assign_next_case(wave=my_case.wave, interviewer=interviewer, now=appointment_at)
    assert (due.case.pk, due.reason) == (my_case.pk, "Hard appointment")

    # Resuming is a new attempt on the same interview, and keeps the appointment
    resumed = interviews.start_interview(case=my_case, interviewer=interviewer, mode="phone")
    assert resumed.pk == interview.pk and resumed.answers == {"consent": "yes"}
    my_case.refresh_from_db()
    assert my_case.status == Case.Status.IN_PROGRESS and my_case.attempts == 2
    assert Appointment.objects.get(case=my_case).closed_at is not None


def test_a_stopped_interview_closed_by_max_attempts_ends_broken_off(my_case, interviewer):
    interview = interviews.start_interview(case=my_case, interviewer=interviewer, mode="phone")
    interviews.stop_interview(
        interview=interview, at=MONDAY_10 + timedelta(hours=10), now=MONDAY_10
    )
    for _ in range(my_case.wave.max_attempts - 1):
        attempts.record_attempt(
            case=my_case, interviewer=interviewer, mode="phone", disposition="3.13"
        )
    interview.refresh_from_db()
    my_case.refresh_from_db()
    assert interview.status == Interview.Status.BROKEN_OFF
    assert (my_case.status, my_case.disposition) == (Case.Status.CLOSED, "2.12")


def test_an_appointment_window_must_end_after_it_starts(my_case, interviewer):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        attempts.make_appointment(
            case=my_case, interviewer=interviewer, at=MONDAY_22, kind="soft", window_end=MONDAY_10
        )
    assert not Appointment.objects.exists()


def test_cases_of_a_full_stratum_come_last(wave, interviewer, tree):
    # Move one case to another street and fill the first street's only quota cell.
    other = wave.cases.order_by("-id").first()
    other.street = tree["other_street"]
    other.save(update_fields=["street"])
    QuotaTarget.objects.create(wave=wave, stratum="S1", variable="sex", value="male", target=0)
    taken = next_case.assign_next_case(wave=wave, interviewer=interviewer, now=MONDAY_10)
    assert taken.case.pk == other.pk and taken.reason == "Fresh case"


# --- concurrency --------------------------------------------------------------------------

N_INTERVIEWERS = 20
N_CASES = 60


@pytest.fixture
def big_wave(tree, standard_version):
    frame = Frame.objects.create(name="f", path="", source_name="f.csv", n_rows=N_CASES)
    draw = Draw.objects.create(
        frame=frame, name="d", stratum_column="street", n_total=N_CASES, seed=1
    )
    SampledUnit.objects.bulk_create(
        SampledUnit(
            draw=draw,
            unit_id=f"U{i}",
            phone=f"1390000{i:04d}",
            stratum="S1",
            locality=tree["community"],
            street=tree["street"],
            inclusion_probability=0.1,
            design_weight=10.0,
        )
        for i in range(N_CASES)
    )
    return waves.create_wave(
        name="w", client=make_organisation("c"), questionnaire_version=standard_version, draw=draw
    )


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_concurrent_interviewers_never_share_a_case_and_none_is_lost(big_wave):
    # SQLite's in-memory test database shares one cache between connections, where a lock
    # conflict fails at once ("table is locked": the busy timeout does not apply), so on
    # SQLite the threads take turns here. A file database, as deployed, queues writers with
    # IMMEDIATE transactions and the busy timeout: bench/bench_cati.py runs 50 threads on one.
    # On PostgreSQL they really run at once, and SKIP LOCKED is what keeps them apart.
    turns = threading.Lock() if connection.vendor == "sqlite" else contextlib.nullcontext()
    interviewers = [make_user(f"iv{i}", Role.INTERVIEWER) for i in range(N_INTERVIEWERS)]
    handed: dict[int, list[int]] = {who.pk: [] for who in interviewers}
    errors: list[BaseException] = []
    start = threading.Barrier(N_INTERVIEWERS)

    def work(who):
        try:
            start.wait(timeout=30)
            while True:
                with turns:
                    taken = take_and_close(big_wave, who)
                if taken is None:
                    return
                handed[who.pk].append(taken.case.pk)
        except BaseException as error:  # reported below: a thread's failure must fail the test
            errors.append(error)
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=work, args=(who,)) for who in interviewers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung (deadlock?)"
    assert errors == []
    all_handed = [pk for pks in handed.values() for pk in pks]
    assert len(all_handed) == len(set(all_handed)) == N_CASES  # none twice, none lost
    assert set(all_handed) == set(big_wave.cases.values_list("pk", flat=True))
    owners = dict(big_wave.cases.values_list("pk", "interviewer_id"))
    assert all(owners[pk] == who for who, pks in handed.items() for pk in pks)
    assert big_wave.cases.filter(status=Case.Status.CLOSED).count() == N_CASES


def test_through_the_button_cases_of_a_full_stratum_come_last(client, wave, interviewer, tree):
    # The wave read for the press says whether it has quota targets; with one, its full
    # strata are read as before. Calling all day, so the press works at any hour.
    from django.urls import reverse

    from tests.factories import PASSWORD

    all_day = "00:00-12:00,12:00-00:00"
    wave.weekday_windows = wave.weekend_windows = all_day
    wave.save(update_fields=["weekday_windows", "weekend_windows"])
    other = wave.cases.order_by("-id").first()
    other.street = tree["other_street"]
    other.save(update_fields=["street"])
    client.login(username=interviewer.username, password=PASSWORD)

    def press() -> int:
        response = client.post(reverse("fieldwork:next_case"), {"wave": wave.pk})
        taken = Case.objects.get(interviewer=interviewer, status=Case.Status.PENDING)
        assert response.url == reverse("fieldwork:case_detail", args=[taken.pk])
        Case.objects.filter(pk=taken.pk).update(interviewer=None)  # back to the pool
        return taken.pk

    first = wave.cases.order_by("id").first()
    assert press() == first.pk  # no targets: the fresh cases in their order
    QuotaTarget.objects.create(wave=wave, stratum="S1", variable="sex", value="male", target=0)
    assert press() == other.pk  # S1 is full: the other street's case first


def _candidate_statements(wave, interviewer, presses=1):
    """The candidate statements the presses ran, as (SQL with %s placeholders, values)."""
    seen = []

    def keep(execute, sql, params, many, context):
        if " UNION ALL " in sql:
            seen.append((sql, list(params)))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep):
        for _press in range(presses):
            taken = next_case.assign_next_case(wave=wave, interviewer=interviewer, now=MONDAY_10)
            assert taken is not None
    return seen


def _numbered(sql: str) -> str:
    """%s placeholders as PostgreSQL's $1, $2, … (the statement has no other %)."""
    parts = sql.split("%s")
    return "".join(f"{part}${n}" for n, part in enumerate(parts[:-1], 1)) + parts[-1]


def test_the_candidate_statement_is_never_planned_in_parallel(wave, interviewer):
    # The planner takes the conditions of the reopened and untimed cases as independent and
    # expects half a large wave there; a parallel plan's workers then took 12-20 ms to start
    # for no row. Made as cheap as can be, parallel plans would be chosen for any part that
    # can have one: the statement must have none (PostgreSQL, in the generic plan it runs
    # with; SQLite has no parallel plans).
    from django.db import transaction

    from fieldwork import queue

    [(sql, params)] = _candidate_statements(wave, interviewer)
    if connection.vendor != "postgresql":
        assert "set_config" not in sql
        return
    cheap = ("parallel_setup_cost", "parallel_tuple_cost", "min_parallel_table_scan_size",
             "min_parallel_index_scan_size")  # fmt: skip
    values = ", ".join(["%s"] * len(params))
    plans = {}
    with transaction.atomic(), connection.cursor() as cursor:
        for setting in cheap:
            cursor.execute(f"SET LOCAL {setting} = 0")
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 2")
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        assert queue.SERIAL in sql
        for name, text in [("unguarded", sql.replace(queue.SERIAL, "")), ("guarded", sql)]:
            cursor.execute(f"PREPARE {name} AS {_numbered(text)}")
            cursor.execute(f"EXPLAIN EXECUTE {name}({values})", params)
            plans[name] = "\n".join(row[0] for row in cursor.fetchall())
            cursor.execute(f"DEALLOCATE {name}")
    assert "Gather" not in plans["guarded"] and "Parallel" not in plans["guarded"], plans
    assert "Gather" in plans["unguarded"]  # without the guard it would be parallel


def test_the_candidate_statement_is_planned_once_per_connection(wave, interviewer):
    # Planning the statement's parts took 2 ms of every press and running them 0.2 ms: on
    # PostgreSQL it is a prepared statement with a generic plan, planned at the first press
    # only. Both databases keep compiled statements by their text, which presses repeat.
    statements = _candidate_statements(wave, interviewer, presses=3)
    assert len(statements) == 3 and len({sql for sql, _params in statements}) == 1
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements "
            "WHERE statement LIKE %s",
            ["% UNION ALL %"],
        )
        assert cursor.fetchall() == [(3, 0)]
