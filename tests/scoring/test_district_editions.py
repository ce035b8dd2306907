"""Editions per district, frozen by a job: the wave's report and one per district in the
file storage, with progress; a client user limited to a district reads that district's part
of the signed edition only; a later approval makes an automatic draft beside the signed
edition; pages and downloads never compute the results themselves."""

import pytest
from django.urls import reverse

from jobs.models import Job
from jobs.runner import Progress
from qc.models import Review
from qc.services.reviews import approve_interview
from scoring import edition_jobs
from scoring.editions import EditionError, sign_off
from scoring.models import ClientDistrict, DistrictEdition, Edition
from tests.factories import make_user
from tests.scoring.factories import answers
from tests.scoring.test_views import login, scored_wave  # noqa: F401  (fixture)


@pytest.fixture
def east_reader(client_user, places):
    reader = make_user("east_reader", "client", organisation=client_user.organisation)
    ClientDistrict.objects.create(user=reader, district=places["east"])
    return reader


def test_one_job_freezes_the_wave_and_every_district_with_progress(
    scored_wave,  # noqa: F811
    analyst,
    english,
):
    # when
    job = edition_jobs.start_freeze(wave=scored_wave, user=analyst)
    # then: the job ran (at once in tests) and counted one step per district and the wave
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.result == {"edition": 1, "districts": 2}
    assert (job.progress_done, job.progress_total) == (3, 3)
    edition = Edition.objects.get(wave=scored_wave)
    parts = {part.code: part for part in edition.districts.all()}
    assert set(parts) == {"C01", "C02"}
    east = parts["C01"]
    with east.pdf.open("rb") as pdf, east.xlsx.open("rb") as xlsx:
        assert pdf.read(4) == b"%PDF" and xlsx.read(2) == b"PK"
    assert east.pdf.name.startswith(f"editions/wave-{scored_wave.pk}/edition-1/")
    # its report: its own row among the districts, its streets only, ranked among themselves
    report = east.report
    assert [d["name"] for d in report["districts"]] == ["城东区"]
    assert {s["name"] for s in report["streets"]} == {"东华街道"}
    assert report["district"]["name"] == "城东区" and report["n_interviews"] == 1
    assert report["headline"]["satisfaction_score"] == 90.0
    assert "西岭镇" not in str(report["streets"]) and "西山县" not in str(report["lowest"])


def test_a_job_run_again_finds_the_edition_it_froze(scored_wave, analyst, english):  # noqa: F811
    # given a job that froze edition 1 (as if its worker died before recording the outcome)
    job = edition_jobs.start_freeze(wave=scored_wave, user=analyst)
    # when it runs again
    outcome = edition_jobs.freeze_body(job, Progress(job))
    # then nothing new is frozen
    assert outcome == {"edition": 1}
    assert Edition.objects.count() == 1 and DistrictEdition.objects.count() == 2


def test_only_an_analyst_starts_a_freeze(client, scored_wave, supervisor, english):  # noqa: F811
    with pytest.raises(EditionError):
        edition_jobs.start_freeze(wave=scored_wave, user=supervisor)
    login(client, supervisor)
    url = reverse("scoring:editions", args=[scored_wave.pk])
    response = client.post(url, {"action": "freeze"}, follow=True)
    assert "Only an analyst can freeze an edition." in response.content.decode()
    assert not Edition.objects.exists() and not Job.objects.filter(kind="edition_freeze")


def test_a_district_reader_sees_its_district_only(
    client,
    scored_wave,  # noqa: F811
    east_reader,
    signed,
    english,
):
    # given a signed edition
    edition = signed(scored_wave)
    login(client, east_reader)
    # when / then: the page shows the district's part
    page = client.get(reverse("scoring:results"), {"wave": scored_wave.pk, "level": "street"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "城东区" in body and "东华街道" in body
    assert "西山县" not in body and "西岭镇" not in body
    # the downloads are the district's frozen files
    part = edition.districts.get(code="C01")
    pdf = client.get(reverse("scoring:report_pdf", args=[scored_wave.pk]))
    with part.pdf.open("rb") as stored:
        assert pdf.content == stored.read()
    csv = client.get(reverse("scoring:report_csv", args=[scored_wave.pk, "streets"]))
    text = csv.content.decode("utf-8-sig")
    assert "东华街道" in text and "西岭镇" not in text
    # and never another district's file
    other = reverse("scoring:district_file", args=[scored_wave.pk, 1, "C02", "pdf"])
    assert client.get(other).status_code == 403


def test_a_district_without_a_part_in_the_signed_edition_reads_nothing(
    client,
    scored_wave,  # noqa: F811
    client_user,
    places,
    signed,
    english,
):
    # given a reader of 西山县's neighbour with no respondents (no part in the edition)
    signed(scored_wave)
    places["city"].children.create(code="C03", name="北岭区", level="district")
    reader = make_user("north_reader", "client", organisation=client_user.organisation)
    ClientDistrict.objects.create(user=reader, district=places["city"].children.get(code="C03"))
    login(client, reader)
    # when / then
    page = client.get(reverse("scoring:results"), {"wave": scored_wave.pk})
    assert "No signed edition of these results yet." in page.content.decode()
    assert client.get(reverse("scoring:report_pdf", args=[scored_wave.pk])).status_code == 404


def _approve_one_more(wave, places, make_interview, supervisor, analyst, django_capture):
    interview = make_interview(
        wave, places["east_a"], answers(safety="1", order="1"), state=Review.State.CLEAN
    )
    review = Review.objects.get(interview=interview)
    approve_interview(review=review, user=supervisor)  # proposes
    with django_capture(execute=True):
        approve_interview(review=review, user=analyst)  # the QC lead approves


def test_a_later_approval_makes_an_automatic_draft_and_leaves_the_signed_edition(
    client,
    scored_wave,  # noqa: F811
    places,
    make_interview,
    analyst,
    supervisor,
    signed,
    english,
    django_capture_on_commit_callbacks,
):
    # given a signed edition whose results an analyst has read
    first = signed(scored_wave)
    login(client, analyst)
    client.get(reverse("scoring:results"), {"wave": scored_wave.pk})
    frozen = (first.report, first.input_hash, bytes(first.pdf))
    # when a later decision approves one more interview (its commit starts the results job)
    _approve_one_more(
        scored_wave, places, make_interview, supervisor, analyst, django_capture_on_commit_callbacks
    )
    # then a draft was frozen by itself, and the signed edition is as it was
    draft = Edition.objects.get(wave=scored_wave, number=2)
    assert (draft.state, draft.frozen_by) == ("draft", None)
    assert draft.report["n_interviews"] == 3 and draft.districts.count() == 2
    first.refresh_from_db()
    assert (first.report, first.input_hash, bytes(first.pdf)) == frozen
    assert first.state == "signed"
    # the draft records what caused it: the approval and who decided it
    decision = {"from": "proposed_approve", "to": "approved", "by": analyst.pk}
    assert [{k: d[k] for k in decision} for d in draft.cause["decisions"]] == [decision]
    assert draft.cause["n_decisions"] == 1 and not draft.cause["other"]
    assert draft.cause["weighting"] is None and draft.cause["targets"] is None
    # the editions page compares the draft with the signed edition and names its cause
    page = client.get(reverse("scoring:editions", args=[scored_wave.pk]))
    comparison = page.context["comparison"]
    assert (comparison["a"].number, comparison["b"].number) == (1, 2)
    assert [row["name"] for row in comparison["districts"]] == ["城东区"]
    interview = draft.cause["decisions"][0]["interview"]
    reviewer = analyst.get_full_name() or analyst.username
    cause = f"Interview #{interview}: Approval proposed → Approved, by {reviewer}"
    assert cause in page.content.decode()
    assert reverse("qc:review_detail", args=[interview]) in page.content.decode()
    # another decision replaces the unsigned automatic draft rather than adding one
    _approve_one_more(
        scored_wave, places, make_interview, supervisor, analyst, django_capture_on_commit_callbacks
    )
    assert list(scored_wave.editions.values_list("number", "state")) == [
        (2, "draft"),
        (1, "signed"),
    ]
    replaced = Edition.objects.get(wave=scored_wave, number=2)
    assert replaced.report["n_interviews"] == 4
    # its cause: every decision since the signed edition, newest first
    assert replaced.cause["n_decisions"] == 2
    assert replaced.cause["decisions"][1]["interview"] == interview
    # the automatic draft is signed like any other, by someone
    sign_off(edition=Edition.objects.get(wave=scored_wave, number=2), user=supervisor)


def test_pages_and_downloads_do_not_compute_results(
    client,
    scored_wave,  # noqa: F811
    places,
    make_interview,
    analyst,
    supervisor,
    settings,
    english,
):
    # given results computed for the current decisions
    login(client, analyst)
    assert client.get(reverse("scoring:results")).context["report"]["n_interviews"] == 2
    # and a worker that runs nothing (jobs stay queued)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    make_interview(scored_wave, places["east_a"], answers(safety="1", order="1"))
    # when / then: the page shows the last results computed, marked as being updated
    page = client.get(reverse("scoring:results"))
    assert page.context["report"]["n_interviews"] == 2 and page.context["updating"]
    # the download does not compute either: it sends the reader to the page
    pdf = client.get(reverse("scoring:report_pdf", args=[scored_wave.pk]))
    assert pdf.status_code == 302 and reverse("scoring:results") in pdf["Location"]
    assert Job.objects.filter(kind="wave_results", status=Job.Status.QUEUED).count() == 1
