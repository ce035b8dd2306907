"""What the interviewer's most frequent requests ask of the database: "Next case", the phone
case page and My cases. Every query is a round trip in the worker while the interviewer waits."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fieldwork.models import Case, Interview
from fieldwork.services.interviews import start_interview
from tests.factories import PASSWORD

ALL_DAY = "00:00-12:00,12:00-00:00"  # the second window crosses midnight: any time is open


def _open(wave):
    wave.weekday_windows = wave.weekend_windows = ALL_DAY
    wave.save(update_fields=["weekday_windows", "weekend_windows"])
    return wave


def _signed_in(client, user):
    client.login(username=user.username, password=PASSWORD)
    # the first request after the login moves the session's idle expiry on (one write)
    assert client.get(reverse("fieldwork:my_cases")).status_code == 200
    return client


def _captured(request) -> tuple:
    with CaptureQueriesContext(connection) as captured:
        response = request()
    return response, [q["sql"] for q in captured.captured_queries]


def test_next_case_is_five_queries_and_one_statement_claims_without_a_transaction(
    client, wave, interviewer
):
    wave = _open(wave)
    browser = _signed_in(client, interviewer)

    response, queries = _captured(
        lambda: browser.post(reverse("fieldwork:next_case"), {"wave": wave.pk})
    )

    case = Case.objects.get(interviewer=interviewer)
    assert response.url == reverse("fieldwork:case_detail", args=[case.pk])
    # the session; the user with whether they have a second factor; the wave chosen with the
    # caller's languages and county, whether it has quota targets and how many of its cells
    # are full (it has none); the candidates (one statement); the claim (one)
    assert len(queries) == 5, queries
    assert not [sql for sql in queries if "otp_totp" in sql and "accounts_user" not in sql]
    profile_alone = [q for q in queries if "interviewerprofile" in q and "fieldwork_wave" not in q]
    assert not profile_alone
    table = Case._meta.db_table
    claims = [sql for sql in queries if sql.startswith(f"UPDATE {table}")]
    assert len(claims) == 1 and "RETURNING" in claims[0]
    # autocommit: no transaction or savepoint around the single UPDATE
    assert not [sql for sql in queries if "SAVEPOINT" in sql or sql.startswith("BEGIN")]
    # the case is not read back: the page it leads to reads it
    assert not [sql for sql in queries if sql.startswith("SELECT") and f'FROM "{table}"' in sql]
    # nor is the session written again within the minute
    assert not [sql for sql in queries if 'UPDATE "django_session"' in sql]


def test_the_phone_case_page_reads_no_visits_roster_or_map(client, my_case, interviewer):
    browser = _signed_in(client, interviewer)

    response, queries = _captured(
        lambda: browser.get(reverse("fieldwork:case_detail", args=[my_case.pk]))
    )

    assert response.status_code == 200 and response.context["mode"] == "phone"
    assert 'id="start-interview"' in response.content.decode()
    # door-to-door work is not shown on a phone case page, so it is not read
    for table in ("fieldwork_respondentselection", "sampling_locality"):
        assert not [sql for sql in queries if f'FROM "{table}"' in sql], table
    assert "door_visits" not in response.context and "selection" not in response.context
    # the interview is read once (case_row keeps it for the page); no completed one to check
    reads = [sql for sql in queries if '"fieldwork_interview"."case_id" = ' in sql]
    assert len(reads) == 1, reads


def test_the_door_case_page_still_shows_the_visits_and_the_roster(client, my_case, interviewer):
    my_case.wave.mode = "door"
    my_case.wave.save(update_fields=["mode"])
    browser = _signed_in(client, interviewer)

    response = browser.get(reverse("fieldwork:case_detail", args=[my_case.pk]))

    assert response.status_code == 200 and response.context["mode"] == "door"
    assert response.context["door_visits"] == []
    assert "selection_form" in response.context and "kish_grid" in response.context
    page = response.content.decode()
    assert 'id="door-visit"' in page and 'id="household-roster"' in page


def test_the_interviewer_s_day_is_counted_in_one_query(
    wave, draw, standard_version, interviewer, other_interviewer
):
    from datetime import timedelta

    from django.utils import timezone

    from fieldwork import selectors
    from fieldwork.models import ContactAttempt, Interview, Wave
    from fieldwork.services import waves
    from tests.factories import make_wave

    # Given three waves holding cases of the interviewer: two in fieldwork with daily targets
    # of 10 and 12, one closed with a target of 50
    second, closed = (
        make_wave(draw=draw, version=standard_version),
        make_wave(draw=draw, version=standard_version),
    )
    targets = ((wave, 10, "fieldwork"), (second, 12, "fieldwork"), (closed, 50, "closed"))
    for each, target, status in targets:
        Wave.objects.filter(pk=each.pk).update(status=status, daily_target=target)
        waves.assign_cases(wave=each, interviewer=interviewer, count=2)
    waves.assign_cases(wave=wave, interviewer=other_interviewer, count=2)
    mine = list(Case.objects.filter(interviewer=interviewer).order_by("id"))
    theirs = list(Case.objects.filter(interviewer=other_interviewer).order_by("id"))
    now = timezone.now()
    start, _end = selectors.local_day(now)
    yesterday = start - timedelta(hours=1)
    # and attempts: two of theirs today, one yesterday, one of a colleague today
    for case, who, at in (
        (mine[0], interviewer, start + (now - start) / 3),
        (mine[1], interviewer, now),
        (mine[2], interviewer, yesterday),
        (theirs[0], other_interviewer, now),
    ):
        ContactAttempt.objects.create(case=case, interviewer=who, mode="phone", started_at=at)
    # and interviews: one of theirs completed today, one yesterday, one in progress, one
    # completed today by the colleague
    for case, who, completed in (
        (mine[0], interviewer, now),
        (mine[1], interviewer, yesterday),
        (mine[2], interviewer, None),
        (theirs[0], other_interviewer, now),
    ):
        Interview.objects.create(
            case=case, questionnaire_version=standard_version, interviewer=who, mode="phone",
            started_at=yesterday, completed_at=completed,
            status=Interview.Status.COMPLETED if completed else Interview.Status.IN_PROGRESS,
        )  # fmt: skip

    with CaptureQueriesContext(connection) as captured:
        today = selectors.interviewer_today(interviewer, start, now)

    assert len(captured) == 1
    assert today == {"attempts": 2, "completes": 1, "target": 12, "share": round(100 / 12)}
    # the colleague's, at the very instant: both bounds count
    colleague = selectors.interviewer_today(other_interviewer, now, now)
    assert colleague == {"attempts": 1, "completes": 1, "target": 10, "share": 10}


def test_next_case_on_a_wave_with_quota_targets_none_full_asks_nothing_more(
    client, wave, interviewer
):
    # Given a wave with a quota cell that is not full (its count is kept in the database)
    from fieldwork.services import waves

    wave = _open(wave)
    waves.set_quota_target(wave=wave, stratum="", variable="sex", value="male", target=5)
    browser = _signed_in(client, interviewer)

    # When the interviewer presses "Next case"
    response, queries = _captured(
        lambda: browser.post(reverse("fieldwork:next_case"), {"wave": wave.pk})
    )

    # Then it costs what a wave without targets costs: the statement reading the wave says
    # that no cell is full, and no interview is counted
    assert response.status_code == 302
    assert len(queries) == 5, queries
    assert not [sql for sql in queries if re.search(r"fieldwork_interview\b", sql)]


def test_next_case_on_a_wave_with_a_full_cell_reads_its_cells_in_one_query(
    client, wave, interviewer, tree
):
    # Given a wave whose cell of one street is full, and one case on another street
    from fieldwork.models import QuotaTarget
    from fieldwork.services import waves

    wave = _open(wave)
    waves.set_quota_target(wave=wave, stratum="S1", variable="sex", value="male", target=0)
    other = wave.cases.order_by("-id").first()
    Case.objects.filter(pk=other.pk).update(street=tree["other_street"])
    browser = _signed_in(client, interviewer)

    # When the interviewer presses "Next case"
    response, queries = _captured(
        lambda: browser.post(reverse("fieldwork:next_case"), {"wave": wave.pk})
    )

    # Then the other street's case comes first; the cells are read in one query, and the
    # candidates' known answers and frame attributes in two (the full cell may demote them);
    # no interview is counted
    assert response.url == reverse("fieldwork:case_detail", args=[other.pk])
    cells = [sql for sql in queries if f'FROM "{QuotaTarget._meta.db_table}"' in sql]
    assert len(cells) == 1 and "COUNT" not in cells[0]
    assert len(queries) == 8, queries
    assert not [sql for sql in queries if re.search(r"COUNT.*fieldwork_interview\b", sql)]


def test_my_cases_reads_no_interview_answers_or_paradata(client, my_case, interviewer):
    interview = start_interview(case=my_case, interviewer=interviewer, mode="phone")
    Interview.objects.filter(pk=interview.pk).update(paradata=[{"event": "page", "t": 1}] * 50)
    browser = _signed_in(client, interviewer)

    response, queries = _captured(lambda: browser.get(reverse("fieldwork:my_cases")))

    assert response.status_code == 200
    assert reverse("fieldwork:case_detail", args=[my_case.pk]) in response.content.decode()
    listed = [sql for sql in queries if '"fieldwork_interview"."status"' in sql]
    assert listed  # the case's interview is read with the list, for its state
    for column in Interview.BULKY_FIELDS:  # a list never shows them: each is JSON per row
        assert not [sql for sql in listed if f'"fieldwork_interview"."{column}"' in sql]
