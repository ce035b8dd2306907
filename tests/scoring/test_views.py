import csv
import io

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from fieldwork.models import Wave
from jobs.models import Job
from qc.models import Review
from tests.factories import PASSWORD, make_organisation, make_user
from tests.scoring.factories import answers
from tests.scoring.report.test_pdf import pdf_text


@pytest.fixture
def scored_wave(safety_wave, places, make_interview):
    """Two approved interviews in 东华街道 and 西岭镇, a rejected one in 东兴街道."""
    make_interview(safety_wave, places["east_a"], answers(safety="5", order="4", police1="5"))
    make_interview(
        safety_wave, places["west_a"], answers(safety="3", order="2", police1="9"), weight=3
    )
    make_interview(
        safety_wave, places["east_b"], answers(safety="1", order="1"), state=Review.State.REJECTED
    )
    return safety_wave


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.mark.parametrize("role", ["analyst", "supervisor", "client_user"])
def test_results_readers_see_the_results_page(role, request, client, scored_wave, signed):
    # given: a client reads a signed edition
    signed(scored_wave)
    login(client, request.getfixturevalue(role))
    # when
    response = client.get(reverse("scoring:results"))
    # then
    assert response.status_code == 200
    page = response.content.decode()
    assert "东华街道" in page and "西岭镇" in page
    results, strata = page.split('id="strata"')
    assert "东兴街道" not in results  # only its rejected interview was there
    assert "东兴街道" in strata  # a stratum released, interviewed, none approved
    assert 'class="unreliable"' in page  # two respondents are far below 30
    assert reverse("scoring:report_pdf", args=[scored_wave.pk]) in page


def test_interviewer_is_refused_the_results(client, interviewer, scored_wave):
    # given
    login(client, interviewer)
    # when / then
    assert client.get(reverse("scoring:results")).status_code == 403
    pdf_url = reverse("scoring:report_pdf", args=[scored_wave.pk])
    assert client.get(pdf_url).status_code == 403


def test_anonymous_visitor_is_sent_to_login(client, scored_wave):
    # when
    response = client.get(reverse("scoring:results"))
    # then
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_results_page_shows_no_interview_level_data(client, client_user, scored_wave):
    # given the respondents' phones are 138…, the interviewer is "field"
    login(client, client_user)
    # when
    page = client.get(reverse("scoring:results")).content.decode()
    # then
    assert "138000" not in page
    assert "field" not in page


def test_results_show_the_weighted_scores(client, analyst, scored_wave):
    # given satisfaction: 东华 (w 1) order 80, police 100 → 90; 西岭 (w 3) order 40,
    # police don't know → 40; so (90 + 3·40) / 4 = 52.5; rate (1·1 + 3·0) / 4 = 25 %
    login(client, analyst)
    # when
    report = client.get(reverse("scoring:results")).context["report"]
    # then
    assert report["headline"]["satisfaction_score"] == 52.5
    assert report["headline"]["satisfaction_rate"] == 25.0
    assert report["headline"]["safety_score"] == (100 + 3 * 60) / 4
    assert report["n_interviews"] == 2


def test_default_wave_is_the_newest_with_approved_interviews(
    client, analyst, scored_wave, safety_version
):
    # given a newer wave with only a flagged interview
    Wave.objects.create(
        name="2024年第三季度", client=make_organisation("x"), questionnaire_version=safety_version
    )
    login(client, analyst)
    # when
    response = client.get(reverse("scoring:results"))
    # then
    assert response.context["wave"].pk == scored_wave.pk


def test_a_wave_without_results_is_not_found(client, analyst, scored_wave, safety_version):
    # given
    empty = Wave.objects.create(
        name="空", client=make_organisation("x"), questionnaire_version=safety_version
    )
    login(client, analyst)
    # when / then
    assert client.get(reverse("scoring:results"), {"wave": empty.pk}).status_code == 404
    assert client.get(reverse("scoring:results"), {"wave": "abc"}).status_code == 404


def test_no_approved_interviews_shows_an_empty_state(client, analyst, db):
    # given
    login(client, analyst)
    # when
    response = client.get(reverse("scoring:results"))
    # then
    assert response.status_code == 200 and response.context["report"] is None


def test_unscorable_answer_is_reported_on_the_page(
    client, analyst, safety_wave, places, make_interview
):
    # given
    interview = make_interview(safety_wave, places["east_a"], answers(order="7"))
    login(client, analyst)
    # when
    response = client.get(reverse("scoring:results"))
    # then
    assert response.status_code == 200
    assert f"#{interview.pk}" in response.content.decode()
    pdf = client.get(reverse("scoring:report_pdf", args=[safety_wave.pk]))
    assert pdf.status_code == 302


def test_results_page_query_count(client, analyst, scored_wave, django_assert_num_queries):
    # given
    login(client, analyst)
    client.get(reverse("scoring:results"))  # warm caches (content types, sessions)
    cache.clear()
    # when / then: the page: session, user, waves, review state (2), the locality tree, the
    # cache (a miss); the job computing the results: the wave's last job, an open one with the
    # same key (each key: also the cases and listings, the nonresponse choice and the
    # targets), the job's row (insert, claim, outcome, read back, with their savepoints); in
    # the job: the wave (2), review state (2), the locality tree, the cache, definition,
    # interviews (read once for the answers, the weights and the respondent groups),
    # localities (once, for the answers and the weights), weighting (population margins,
    # the nonresponse choice, the cases, their frames' stratum counts and released reserves
    # (once, for the cases and the weights), units drawn, listings, the strata's names),
    # earlier rounds, the targets,
    # the methodology (draw, frame, strata, flags: the dispositions and reviews are counted
    # from the cases read for the weights), the cache writes (this state and the latest),
    # the state's key once more (has it moved on during the computation?) and the wave's last
    # edition (an automatic draft?); then the page reads the cache and
    # whether the results are interim (2) — a fixed number however many interviews there
    # are; and the second factor (the session's idle expiry was moved on by the warming
    # request: not written again within the minute)
    with django_assert_num_queries(70):
        response = client.get(reverse("scoring:results"))
    assert response.status_code == 200 and response.context["report"]["n_interviews"] == 2
    # computed results are reused until a review changes: session, user, second factor, waves,
    # review state (2), the locality tree, the cases and listings, the nonresponse choice, the
    # targets, the cache, interim (2)
    with django_assert_num_queries(13):
        assert client.get(reverse("scoring:results")).status_code == 200


def test_a_new_decision_refreshes_cached_results(client, analyst, supervisor, scored_wave):
    # given the results were computed with 2 approved interviews
    login(client, analyst)
    assert client.get(reverse("scoring:results")).context["report"]["n_interviews"] == 2
    rejected = Review.objects.get(interview__case__wave=scored_wave, state=Review.State.REJECTED)
    # when the rejected interview is approved after all
    rejected.state = Review.State.APPROVED
    rejected.save()
    # then
    assert client.get(reverse("scoring:results")).context["report"]["n_interviews"] == 3


@pytest.mark.parametrize("role", ["analyst", "supervisor", "client_user"])
def test_report_pdf_is_an_attachment(role, request, client, scored_wave, signed):
    # given: a client reads a signed edition
    signed(scored_wave)
    login(client, request.getfixturevalue(role))
    # when
    response = client.get(reverse("scoring:report_pdf", args=[scored_wave.pk]))
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition == f'attachment; filename="results-wave-{scored_wave.pk}.pdf"'
    assert response.content.startswith(b"%PDF")


def test_report_pdf_lists_the_streets_in_chinese(client, analyst, scored_wave, tmp_path):
    # given
    login(client, analyst)
    # when
    with translation.override("zh-hans"):
        response = client.get(reverse("scoring:report_pdf", args=[scored_wave.pk]))
    # then
    text = pdf_text(response.content, tmp_path)
    assert "东华街道" in text and "西岭镇" in text and "2024年第二季度" in text


def test_report_pdf_of_a_missing_wave_is_not_found(client, analyst, db):
    login(client, analyst)
    assert client.get(reverse("scoring:report_pdf", args=[999])).status_code == 404


def test_a_client_reads_only_the_waves_it_commissioned(client, django_user_model, scored_wave):
    # given a client of another commissioning body
    other = make_user("other-client", "client", organisation="别的市委政法委")
    login(client, other)
    # when / then: no wave to pick and no report to download
    response = client.get(reverse("scoring:results"))
    assert response.status_code == 200
    assert response.context["waves"] == []
    assert "东华街道" not in response.content.decode()
    for name, extra in [("report_pdf", []), ("report_xlsx", []), ("report_csv", ["districts"])]:
        url = reverse(f"scoring:{name}", args=[scored_wave.pk, *extra])
        assert client.get(url).status_code == 404, name


@pytest.mark.parametrize("page", ["scoring:results", "scoring:index"])
def test_a_client_cannot_tell_which_jobs_run(page, client, client_user, analyst, scored_wave):
    # given a job of the firm's, still queued, and one that has ended
    running = Job.objects.create(kind="frame_import", status=Job.Status.QUEUED, created_by=analyst)
    ended = Job.objects.create(kind="frame_import", status=Job.Status.FAILED, created_by=analyst)
    args = [scored_wave.pk] if page == "scoring:index" else []

    def poll(job):
        return client.get(reverse(page, args=args), {"job": job.pk}, HTTP_HX_REQUEST="true")

    # when staff poll them they hear which is running; a client hears the same of both
    login(client, analyst)
    assert "HX-Refresh" not in poll(running) and poll(ended)["HX-Refresh"] == "true"
    login(client, client_user)
    assert [poll(job)["HX-Refresh"] for job in (running, ended)] == ["true", "true"]


def test_dashboard_ranks_districts_and_drills_into_streets(client, analyst, scored_wave):
    # given satisfaction 东华街道 90 (城东区), 西岭镇 40 (西山县)
    login(client, analyst)
    # when
    view = client.get(reverse("scoring:results")).context["view"]
    # then
    assert view["level"] == "district"
    # one respondent each: unreliable, so listed in score order but not ranked
    assert [(r["name"], r["score"], r["rank"]) for r in view["rows"]] == [
        ("城东区", 90.0, None),
        ("西山县", 40.0, None),
    ]
    assert all(r["unreliable"] and r["rank_low"] is None for r in view["rows"])
    drill = view["rows"][1]["href"]
    assert "district=C02" in drill and "level=street" in drill
    # when following the drill-down link
    response = client.get(reverse("scoring:results") + drill)
    view = response.context["view"]
    # then only 西山县's streets are listed
    assert view["level"] == "street" and view["district"] == "C02"
    assert [r["name"] for r in view["rows"]] == ["西岭镇"]
    assert "西岭镇" in str(view["bars_svg"]) and "东华街道" not in str(view["bars_svg"])


def test_dashboard_dimension_filter_shows_that_dimension(client, analyst, scored_wave):
    # given public order: 东华 80, 西岭 40; police: 东华 100, 西岭 don't know
    login(client, analyst)
    # when
    url = reverse("scoring:results")
    order = client.get(url, {"dimension": "public_order", "level": "street"}).context["view"]
    police = client.get(url, {"dimension": "police", "level": "street"}).context["view"]
    bogus = client.get(url, {"dimension": "nope", "level": "nope"}).context["view"]
    # then
    assert [(r["name"], r["score"]) for r in order["rows"]] == [
        ("东华街道", 80.0),
        ("西岭镇", 40.0),
    ]
    assert [(r["name"], r["score"], r["rank"]) for r in police["rows"]] == [
        ("东华街道", 100.0, None),  # one respondent: unreliable, not ranked
        ("西岭镇", None, None),  # nobody answered: no score, no rank, listed last
    ]
    assert bogus["dimension"] is None and bogus["level"] == "district"


def test_xlsx_workbook_holds_every_table(client, client_user, scored_wave, signed):
    # given
    signed(scored_wave)
    login(client, client_user)
    # when
    response = client.get(reverse("scoring:report_xlsx", args=[scored_wave.pk]))
    # then
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'results-wave-{scored_wave.pk}.xlsx"')
    book = load_workbook(io.BytesIO(response.content))
    assert len(book.sheetnames) >= 6
    districts = book[book.sheetnames[2]]
    rows = {r[1]: r for r in districts.iter_rows(min_row=2, values_only=True)}
    assert rows["城东区"][3] == 90.0 and rows["西山县"][3] == 40.0
    headline = book[book.sheetnames[0]]
    assert headline["B2"].value == 52.5  # the weighted satisfaction score


def test_csv_download_of_one_table(client, analyst, scored_wave):
    # given
    login(client, analyst)
    # when
    response = client.get(reverse("scoring:report_csv", args=[scored_wave.pk, "streets"]))
    missing = client.get(reverse("scoring:report_csv", args=[scored_wave.pk, "nothing"]))
    # then
    assert response.status_code == 200 and missing.status_code == 404
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {row[2] for row in rows[1:]} == {"东华街道", "西岭镇"}


def test_a_later_round_shows_the_trend_and_rank_changes(
    client, analyst, scored_wave, places, make_interview
):
    # given a later round of the same client and questionnaire where the districts swap
    later = Wave.objects.create(
        name="2024年第三季度",
        client=scored_wave.client,
        questionnaire_version=scored_wave.questionnaire_version,
        draw=scored_wave.draw,
    )
    make_interview(later, places["east_a"], answers(safety="3", order="2"))  # 城东区 40
    make_interview(later, places["west_a"], answers(safety="5", order="5"))  # 西山县 100
    login(client, analyst)
    # when
    report = client.get(reverse("scoring:results"), {"wave": later.pk}).context["report"]
    # then
    assert report["previous_wave"] == "2024年第二季度"
    assert report["trend"]["waves"] == ["2024年第二季度", "2024年第三季度"]
    assert report["trend"]["satisfaction"] == [52.5, 70.0]
    assert report["trend"]["safety"] == [(100 + 3 * 60) / 4, 80.0]
    districts = {d["name"]: d for d in report["districts"]}
    east, west = districts["城东区"], districts["西山县"]
    # one respondent per district in each round: unreliable, so neither ranked nor trended
    for place in (east, west):
        assert (place["rank"], place["previous_rank"], place["rank_change"]) == (None,) * 3
        assert place["change"] is None and not place["change_significant"]
    # and the earlier round has no trend before it
    first = client.get(reverse("scoring:results"), {"wave": scored_wave.pk}).context["report"]
    assert first["previous_wave"] is None and first["trend"]["waves"] == ["2024年第二季度"]


def test_group_profiles_and_methodology(client, analyst, scored_wave):
    # given both approved respondents are 40 (30-44); 东华 is central, 西岭 rural
    login(client, analyst)
    # when
    report = client.get(reverse("scoring:results")).context["report"]
    # then
    groups = {(g["group"], g["value"]): g for g in report["groups"]}
    assert groups[("age_group", "30-44")]["n"] == 2
    assert groups[("age_group", "30-44")]["satisfaction_score"] == 52.5
    area = {value: g for (group, value), g in groups.items() if group == "area_type"}
    assert {k: v["satisfaction_score"] for k, v in area.items()} == {"中心城区": 90.0, "农村": 40.0}
    method = report["methodology"]
    assert method["draw"]["n_total"] == 100 and method["draw"]["seed"] == 20240601
    assert method["reviews"] == {"approved": 2, "rejected": 1}
    lines = dict(report["methodology_lines"])
    # weights 1 and 3: Kish deff = n·Σw² / (Σw)² = 2·10/16; no population margins to rake to
    assert lines["加权：设计效应（Kish），最终权数"] == 1.25
    assert lines["加权：有效样本量"] == 1.6


def test_a_street_named_under_another_district_does_not_break_rank_change(
    client, analyst, scored_wave, places, make_interview
):
    # given a later round where one respondent puts 东华街道 (城东区) under 西山县
    later = Wave.objects.create(
        name="2024年第三季度",
        client=scored_wave.client,
        questionnaire_version=scored_wave.questionnaire_version,
        draw=scored_wave.draw,
    )
    make_interview(later, places["east_a"], answers(safety="5", order="5"))
    make_interview(
        later,
        places["east_a"],
        answers(safety="3", order="2"),
        district=places["west"],
        street=places["east_a"],
    )
    login(client, analyst)
    # when
    response = client.get(reverse("scoring:results"), {"wave": later.pk, "level": "street"})
    # then: each (district, street) pair is its own row, matched to its own past
    assert response.status_code == 200
    streets = {(s["district_code"], s["code"]): s for s in response.context["report"]["streets"]}
    assert streets[("C01", "C0101")]["satisfaction_score"] == 100.0
    assert streets[("C02", "C0101")]["satisfaction_score"] == 40.0
    # single respondents: unreliable, so no rank to compare
    assert streets[("C01", "C0101")]["previous_rank"] is None


@pytest.mark.django_db(transaction=True)
def test_results_not_yet_computed_are_computed_by_a_worker_while_the_page_waits(
    client, analyst, scored_wave, settings
):
    # given a queue that a worker empties (not the immediate backend)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    login(client, analyst)
    # when
    waiting = client.get(reverse("scoring:results"))
    job = waiting.context["job"]
    poll = client.get(reverse("scoring:results"), {"job": job.pk}, HTTP_HX_REQUEST="true")
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
    ready_poll = client.get(reverse("scoring:results"), {"job": job.pk}, HTTP_HX_REQUEST="true")
    page = client.get(reverse("scoring:results"))
    # then
    assert waiting.context["computing"] and waiting.context["report"] is None
    assert 'hx-trigger="every 2s"' in waiting.content.decode()
    assert f'"job": "{job.pk}"' in waiting.content.decode()
    assert poll.status_code == 204 and "HX-Refresh" not in poll
    assert ready_poll.status_code == 204 and ready_poll["HX-Refresh"] == "true"
    assert page.context["report"]["n_interviews"] == 2 and not page.context["computing"]
    assert Job.objects.get().status == Job.Status.SUCCEEDED


@pytest.mark.django_db(transaction=True)
def test_while_new_decisions_are_computed_the_page_shows_the_last_results(
    client, analyst, scored_wave, settings
):
    # given results computed, then a decision the worker has not yet taken into account
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    login(client, analyst)
    client.get(reverse("scoring:results"))
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
    rejected = Review.objects.get(interview__case__wave=scored_wave, state=Review.State.REJECTED)
    rejected.state = Review.State.APPROVED
    rejected.save()
    # when
    updating = client.get(reverse("scoring:results"))
    again = client.get(reverse("scoring:results"))
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
    updated = client.get(reverse("scoring:results"))
    # then: the last results with a note, one job however often the page is opened, then the new
    assert updating.context["updating"] and updating.context["report"]["n_interviews"] == 2
    assert again.context["job"].pk == updating.context["job"].pk
    assert updated.context["report"]["n_interviews"] == 3 and not updated.context["updating"]
    assert Job.objects.count() == 2


def test_a_failed_computation_is_shown_and_not_started_again_at_once(
    client, analyst, safety_wave, places, make_interview
):
    # given an approved answer outside its choice list, which cannot be scored
    make_interview(safety_wave, places["east_a"], answers(order="7"))
    login(client, analyst)
    # when
    first = client.get(reverse("scoring:results"))
    second = client.get(reverse("scoring:results"))
    # then
    assert first.context["report"] is None and "order_q1" in first.context["error"]
    assert "order_q1" in second.content.decode()
    assert Job.objects.count() == 1 and Job.objects.get().status == Job.Status.FAILED


def test_interim_results_say_so_on_the_page_in_the_exports_and_on_every_pdf_page(
    client, analyst, scored_wave, places, make_interview, tmp_path
):
    # given an interview still awaiting its review decision
    make_interview(scored_wave, places["east_a"], answers(safety="4"), state=Review.State.FLAGGED)
    login(client, analyst)
    client.cookies["django_language"] = "en"
    # when
    page = client.get(reverse("scoring:results")).content.decode()
    book = load_workbook(
        io.BytesIO(client.get(reverse("scoring:report_xlsx", args=[scored_wave.pk])).content)
    )
    csv_file = client.get(reverse("scoring:report_csv", args=[scored_wave.pk, "districts"]))
    pages = pdf_text(
        client.get(reverse("scoring:report_pdf", args=[scored_wave.pk])).content, tmp_path
    )
    # then
    note = "0 cases still in fieldwork and 1 interviews awaiting a final review decision"
    assert note in page
    assert book.sheetnames[0] == "Interim results" and note in book.worksheets[0]["A2"].value
    assert csv_file["Content-Disposition"].endswith('-districts-interim.csv"')
    rows = list(csv.reader(io.StringIO(csv_file.content.decode("utf-8-sig"))))
    assert rows[0][-1] == "Results status" and len({len(row) for row in rows}) == 1
    assert len(rows) > 1 and all(note in row[-1] for row in rows[1:])
    index = client.get(reverse("scoring:index", args=[scored_wave.pk])).content.decode()
    assert note in index
    per_page = pages.split("\f")
    assert len([p for p in per_page if p.strip()]) > 1
    assert all("Interim results" in p for p in per_page if p.strip())


def test_final_results_carry_no_interim_note(client, analyst, scored_wave):
    login(client, analyst)
    client.cookies["django_language"] = "en"

    page = client.get(reverse("scoring:results")).content.decode()
    book = load_workbook(
        io.BytesIO(client.get(reverse("scoring:report_xlsx", args=[scored_wave.pk])).content)
    )

    assert "Interim results" not in page and "Interim results" not in book.sheetnames
    csv_file = client.get(reverse("scoring:report_csv", args=[scored_wave.pk, "districts"]))
    rows = list(csv.reader(io.StringIO(csv_file.content.decode("utf-8-sig"))))
    assert {row[-1] for row in rows[1:]} == {"Final results"}
    index = client.get(reverse("scoring:index", args=[scored_wave.pk])).content.decode()
    assert "Interim results" not in index


def test_result_downloads_are_never_cached(client, analyst, scored_wave):
    # A stale copy in a browser or proxy cache would not match the latest review decisions.
    login(client, analyst)
    for name, extra in [("report_pdf", []), ("report_xlsx", []), ("report_csv", ["districts"])]:
        response = client.get(reverse(f"scoring:{name}", args=[scored_wave.pk, *extra]))
        assert response.status_code == 200, name
        assert "no-store" in response["Cache-Control"], name


def test_a_renamed_street_shows_its_new_name_at_once_on_the_page_and_in_the_csv(
    client, analyst, scored_wave
):
    # given results computed and cached
    from sampling.services.localities import import_localities

    login(client, analyst)
    assert (
        "东华街道" in client.get(reverse("scoring:results"), {"level": "street"}).content.decode()
    )
    # when the locality file renames the street
    import_localities(
        rows=[{"code": "C0101", "name": "东华新区街道", "parent_code": "C01", "level": "street"}]
    )
    page = client.get(reverse("scoring:results"), {"level": "street"}).content.decode()
    csv_text = client.get(
        reverse("scoring:report_csv", args=[scored_wave.pk, "streets"])
    ).content.decode("utf-8-sig")
    # then
    assert "东华新区街道" in page and "东华新区街道" in csv_text
    assert "东华街道" not in csv_text


def test_a_wave_with_cases_awaiting_a_callback_is_interim(client, analyst, scored_wave):
    # given every case attempted, one awaiting another try
    from fieldwork.models import Case

    case = Case.objects.filter(wave=scored_wave).first()
    Case.objects.filter(pk=case.pk).update(status=Case.Status.IN_PROGRESS, attempts=2)
    login(client, analyst)
    client.cookies["django_language"] = "en"

    page = client.get(reverse("scoring:results")).content.decode()

    assert "1 cases still in fieldwork and 0 interviews awaiting" in page
