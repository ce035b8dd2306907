"""A call centre's day in the browser: an interviewer's (the due-now list, a callback made and
kept, a refusal that needs a second yes, a past appointment refused) and a supervisor's
(reassigning 20 cases, reopening a wrongly closed case, reaching interviewer risk in one click,
typing in a form while the live part refreshes)."""

import pytest
from django.utils import timezone

from fieldwork.models import Appointment, Case, CaseEvent, ContactAttempt
from fieldwork.services import assignment, attempts
from sampling.models import SampledUnit
from tests.e2e.conftest import log_in
from tests.factories import PASSWORD, local_input, next_weekday_at

ALL_DAY = "00:00-12:00,12:00-00:00"  # the test may run at any hour: every time is in a window


@pytest.fixture
def all_day_wave(wave):
    wave.weekday_windows = wave.weekend_windows = ALL_DAY
    wave.mode = "phone"
    wave.save(update_fields=["weekday_windows", "weekend_windows", "mode"])
    return wave


def _give(wave, cases, to, supervisor):
    assignment.move_cases(
        wave=wave, case_ids=[c.pk for c in cases], to=to, actor=supervisor, reason="开工"
    )
    for case in cases:
        case.refresh_from_db()


@pytest.mark.django_db(transaction=True)
def test_an_interviewers_day(live_server, new_page, all_day_wave, interviewer, supervisor):
    wave = all_day_wave
    due, fresh, refusing = list(wave.cases.order_by("id")[:3])
    _give(wave, [due, fresh, refusing], interviewer, supervisor)
    # A callback agreed yesterday for now: due now (and today's, at any hour the test runs)
    Appointment.objects.create(
        case=due,
        at=timezone.now(),
        kind="hard",
        created_by=interviewer,
        note="晚饭后",
    )
    page = new_page()
    log_in(page, live_server.url, interviewer.username, PASSWORD)
    page.goto(f"{live_server.url}/fieldwork/my-cases/")
    reminder = page.locator("#due-now .reminder")
    assert f"#{due.pk}" in reminder.inner_text() and "晚饭后" in reminder.inner_text()
    assert page.locator("#today-appointments tr.appointment.due").count() == 1  # due, not later

    # A callback: the time is required, a past time is refused with the reason, a good one kept
    page.goto(f"{live_server.url}/fieldwork/cases/{fresh.pk}/")
    assert page.locator("#attempt-form select[name=disposition]").input_value() == ""
    page.select_option("#attempt-form select[name=disposition]", "2.21")
    page.fill("#attempt-form input[name=appointment_at]", "2020-01-01T03:00")
    page.click("#attempt-form button[type=submit]")
    assert "2020-01-01 03:00" in page.locator("#attempt-form").inner_text()
    assert not Appointment.objects.filter(case=fresh).exists()
    tomorrow = next_weekday_at(19)
    page.select_option("#attempt-form select[name=disposition]", "2.21")
    page.fill("#attempt-form input[name=appointment_at]", local_input(tomorrow))
    page.click("#attempt-form button[type=submit]")
    page.wait_for_selector("#open-appointment")
    assert tomorrow.strftime("%Y-%m-%d %H:%M") in page.inner_text("#open-appointment")
    assert Appointment.objects.get(case=fresh, closed_at=None).at == tomorrow

    # The due callback is kept: starting the interview closes the appointment
    page.goto(f"{live_server.url}/fieldwork/my-cases/")
    page.click(f"#due-now a[href$='/cases/{due.pk}/']")
    page.click("#start-interview")
    page.wait_for_url("**/interviews/**")
    assert Appointment.objects.get(case=due).closed_at is not None

    # A refusal needs a second yes
    page.goto(f"{live_server.url}/fieldwork/cases/{refusing.pk}/")
    page.select_option("#attempt-form select[name=disposition]", "2.112")
    page.click("#attempt-form button[type=submit]")
    page.wait_for_selector("#confirm-final")
    refusing.refresh_from_db()
    assert refusing.status == Case.Status.PENDING and not refusing.contact_attempts.exists()
    page.click("#confirm-close")
    page.wait_for_selector("#history")
    refusing.refresh_from_db()
    assert (refusing.status, refusing.disposition) == (Case.Status.CLOSED, "2.112")


@pytest.mark.django_db(transaction=True)
def test_a_supervisors_day(
    live_server, new_page, settings, all_day_wave, supervisor, interviewer, other_interviewer
):
    settings.WAVE_LIVE_SECONDS = 1
    wave = all_day_wave
    template = SampledUnit.objects.filter(draw=wave.draw).first()
    extra = []
    for i in range(20):
        unit = SampledUnit.objects.create(
            draw=wave.draw,
            unit_id=f"X{i}",
            phone=f"1390000{i:04d}",
            address="",
            stratum="S1",
            locality=template.locality,
            street=template.street,
            replicate=0,
            inclusion_probability=0.06,
            design_weight=1 / 0.06,
        )
        extra.append(Case.objects.create(wave=wave, unit=unit, street=template.street))
    _give(wave, extra, interviewer, supervisor)
    wrong = wave.cases.filter(interviewer=None).first()
    _give(wave, [wrong], other_interviewer, supervisor)
    attempts.record_attempt(
        case=wrong, interviewer=other_interviewer, mode="phone", disposition="2.11"
    )

    page = new_page()
    log_in(page, live_server.url, supervisor.username, PASSWORD)
    base = f"{live_server.url}/fieldwork/waves/{wave.pk}"

    # Interviewer risk is one click from the wave
    page.goto(f"{base}/")
    page.click("#qc-interviewer-risk")
    page.wait_for_url(f"**/qc/waves/{wave.pk}/interviewers/")
    assert page.locator("h1").inner_text().startswith("访员风险")

    # Typing while the live part refreshes: the text and the focus stay
    page.goto(f"{base}/")
    reason = page.locator("#release-reason-1")
    reason.click()
    reason.type("补充样本：")
    first = page.get_attribute("#live", "data-updated")
    page.wait_for_function(
        "before => document.querySelector('#live').dataset.updated !== before",
        arg=first,
        timeout=10_000,
    )
    reason.type("东湖街道")
    assert reason.input_value() == "补充样本：东湖街道"
    assert page.evaluate("document.activeElement.id") == "release-reason-1"

    # Reassign the 20 cases of one interviewer to another
    page.goto(f"{base}/cases/")
    page.select_option("#case-filters select[name=interviewer]", str(interviewer.pk))
    page.click("#case-filters button[type=submit]")
    assert "20" in page.inner_text("#move-form .scope")
    page.check("#move-form input[name=scope][value=all]")
    page.select_option("#move-form select[name=to]", str(other_interviewer.pk))
    page.fill("#move-form input[name=reason]", "张访员请假")
    page.click("#move-submit")
    page.wait_for_selector(".messages li")
    assert page.inner_text(".messages").strip() == "已转交 20 个。"
    assert (
        Case.objects.filter(pk__in=[c.pk for c in extra], interviewer=other_interviewer).count()
        == 20
    )
    assert CaseEvent.objects.filter(kind="transferred", reason="张访员请假").count() == 20

    # Reopen the wrongly closed case, with a reason kept in its history
    page.goto(f"{live_server.url}/fieldwork/cases/{wrong.pk}/")
    page.fill("#reopen input[name=reason]", "误点拒访，访员确认")
    page.click("#reopen button[type=submit]")
    page.wait_for_selector("#history")
    assert "误点拒访，访员确认" in page.inner_text("#history")
    wrong.refresh_from_db()
    assert wrong.status == Case.Status.PENDING
    assert ContactAttempt.objects.get(case=wrong).voided_at is not None
