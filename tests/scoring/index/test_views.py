"""The index pages: composite table, objective upload, AHP weights; who may see what."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from fieldwork.models import Wave
from jobs.models import Job
from scoring.index.indices import ROOT
from scoring.models import IndexScheme, ObjectiveValue
from scoring.refresh import refresh_results
from tests.factories import PASSWORD, make_organisation
from tests.scoring.factories import answers

RULES = b"indicator,name,direction,bands\nresolution,dispute resolution,higher,95:100 90:80\n"
VALUES = b"locality_code,indicator,value\nC01,resolution,96\nC02,resolution,91\n"


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def wave_in_two_districts(safety_wave, places, make_interview):
    make_interview(safety_wave, places["east_a"], answers("5", "4", "5", "3"))
    make_interview(safety_wave, places["west_a"], answers("3", "2", "1", "9"))
    return safety_wave


@pytest.mark.parametrize("role", ["analyst", "supervisor", "client_user"])
def test_results_readers_see_the_composite_index(
    role, request, client, wave_in_two_districts, signed
):
    signed(wave_in_two_districts)  # a client reads the signed edition's index
    login(client, request.getfixturevalue(role))

    response = client.get(reverse("scoring:index", args=[wave_in_two_districts.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "城东区" in page and "西山县" in page
    assert "86.7" in page  # 城东区: (100 + 80 + 80) / 3
    rows = response.context["rows"]
    assert rows and all(r["low"] <= r["composite"] <= r["high"] for r in rows)
    manage = reverse("scoring:index_weights", args=[wave_in_two_districts.pk])
    assert (manage in page) == (role == "analyst")


def test_street_level_lists_streets(client, analyst, wave_in_two_districts):
    login(client, analyst)
    response = client.get(
        reverse("scoring:index", args=[wave_in_two_districts.pk]) + "?level=street"
    )
    page = response.content.decode()
    assert "东华街道" in page and "西岭镇" in page


def test_client_of_another_organisation_gets_404(client, client_user, wave_in_two_districts):
    Wave.objects.filter(pk=wave_in_two_districts.pk).update(
        client=make_organisation("另一个委托方")
    )
    login(client, client_user)
    assert client.get(reverse("scoring:index", args=[wave_in_two_districts.pk])).status_code == 404


@pytest.mark.parametrize("name", ["objective_upload", "index_weights"])
def test_supervisors_and_clients_cannot_manage_the_index(
    name, client, supervisor, client_user, wave_in_two_districts
):
    for user in (supervisor, client_user):
        login(client, user)
        assert (
            client.get(reverse(f"scoring:{name}", args=[wave_in_two_districts.pk])).status_code
            == 403
        )
        client.logout()


def test_interviewer_is_refused_the_index(client, interviewer, wave_in_two_districts):
    login(client, interviewer)
    assert client.get(reverse("scoring:index", args=[wave_in_two_districts.pk])).status_code == 403


def test_objective_upload_stores_values_and_shows_them_in_the_index(
    client, analyst, wave_in_two_districts
):
    login(client, analyst)
    url = reverse("scoring:objective_upload", args=[wave_in_two_districts.pk])

    response = client.post(
        url,
        {
            "values": SimpleUploadedFile("obj.csv", VALUES),
            "rules": SimpleUploadedFile("rules.csv", RULES),
        },
    )

    assert response.status_code == 302
    assert ObjectiveValue.objects.count() == 2
    page = client.get(reverse("scoring:index", args=[wave_in_two_districts.pk])).content.decode()
    assert "dispute resolution" in page
    # 城东区: 0.7 × 86.67 + 0.3 × 100 = 90.7
    assert "90.7" in page
    # 西山县 resolved 91% against a 95% target: a short board
    assert "未达目标" in page  # below target


def test_index_page_query_count_is_pinned(
    client, analyst, wave_in_two_districts, django_assert_max_num_queries
):
    login(client, analyst)
    url = reverse("scoring:index", args=[wave_in_two_districts.pk])
    client.get(url)  # the job (run at once by the tests' task backend) computes the index
    # the page reads it from the cache: the index's state (the results' state: approvals,
    # approval events, localities, cases and listings, the weighting choice, targets; the
    # scheme, objective indicators and values), the weights and indicators shown, whether
    # the results are interim, the second factor and the session's expiry; nothing that
    # grows with the respondents and no estimation
    with django_assert_max_num_queries(22):
        assert client.get(url).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_the_index_is_computed_by_a_worker_while_the_page_waits(
    client, analyst, wave_in_two_districts, settings
):
    # given a queue that a worker empties (not the immediate backend)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    login(client, analyst)
    url = reverse("scoring:index", args=[wave_in_two_districts.pk])
    # when
    waiting = client.get(url)
    job = waiting.context["job"]
    poll = client.get(url, {"job": job.pk}, HTTP_HX_REQUEST="true")
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
    ready_poll = client.get(url, {"job": job.pk}, HTTP_HX_REQUEST="true")
    page = client.get(url)
    streets = client.get(url + "?level=street")
    # then: a waiting card, no figures computed in the request; both levels from one job
    assert waiting.context["computing"] and waiting.context["rows"] == []
    assert f'"job": "{job.pk}"' in waiting.content.decode()
    assert poll.status_code == 204 and "HX-Refresh" not in poll
    assert ready_poll["HX-Refresh"] == "true"
    assert not page.context["computing"] and "86.7" in page.content.decode()
    assert "东华街道" in streets.content.decode()
    assert Job.objects.filter(kind="wave_index").count() == 1
    assert Job.objects.get(kind="wave_index").status == Job.Status.SUCCEEDED


@pytest.mark.django_db(transaction=True)
def test_new_index_weights_are_computed_while_the_page_shows_the_last_index(
    client, analyst, wave_in_two_districts, settings
):
    # given the index computed, then the survey's share of the composite changed
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    login(client, analyst)
    url = reverse("scoring:index", args=[wave_in_two_districts.pk])
    client.get(url)
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
    scheme, _ = IndexScheme.objects.get_or_create(wave=wave_in_two_districts)
    scheme.survey_share, scheme.objective_share = 0.6, 0.4
    scheme.save()
    # when
    updating = client.get(url)
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
    updated = client.get(url)
    # then: the last index with a note, then the new one
    assert updating.context["updating"] and updating.context["rows"]
    assert updating.context["shares"] == {"survey": 100, "objective": 0}
    assert not updated.context["updating"]
    assert Job.objects.filter(kind="wave_index").count() == 2


def test_objective_upload_errors_are_listed_in_chinese(client, analyst, wave_in_two_districts):
    login(client, analyst)
    url = reverse("scoring:objective_upload", args=[wave_in_two_districts.pk])
    bad = "locality_code,indicator,value\nC01,resolution,很多\n".encode("gb18030")  # as Excel saves

    response = client.post(
        url,
        {
            "values": SimpleUploadedFile("指标.csv", bad),
            "rules": SimpleUploadedFile("rules.csv", RULES),
        },
    )

    problems = [li.strip() for li in response.content.decode().split('class="errorlist">')[1]
                .split("</ul>")[0].replace("</li>", "").split("<li>") if li.strip()]  # fmt: skip
    assert problems == ["指标.csv，第 2 行，value 列：“很多”不是数字"]
    assert not ObjectiveValue.objects.exists()


def test_objective_upload_errors_are_listed_and_nothing_stored(
    client, analyst, wave_in_two_districts, english
):
    login(client, analyst)
    url = reverse("scoring:objective_upload", args=[wave_in_two_districts.pk])
    bad = b"locality_code,indicator,value\nC01,resolution,lots\n"

    response = client.post(
        url,
        {
            "values": SimpleUploadedFile("obj.csv", bad),
            "rules": SimpleUploadedFile("rules.csv", RULES),
        },
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "obj.csv, row 2, column value: “lots” is not a number" in page
    assert "Nothing was imported." in page
    assert not ObjectiveValue.objects.exists()


def test_ahp_matrix_entry_saves_weights_and_shows_cr(client, analyst, wave_in_two_districts):
    login(client, analyst)
    url = reverse("scoring:index_weights", args=[wave_in_two_districts.pk])
    page = client.get(url).content.decode()
    assert 'name="parent" value="overall"' in page

    # children of overall: sense_of_safety, public_order, police (form prefix m0)
    response = client.post(
        url, {"parent": ROOT, "m0-cell_0_1": "3", "m0-cell_0_2": "5", "m0-cell_1_2": "3"}
    )

    assert response.status_code == 302
    scheme = IndexScheme.objects.get(wave=wave_in_two_districts)
    assert scheme.weights[ROOT]["sense_of_safety"] == pytest.approx(0.637, abs=1e-3)
    assert scheme.matrices[ROOT]["matrix"][2] == ["1/5", "1/3", "1"]
    page = client.get(url).content.decode()
    assert "CR = 0.033" in page


def test_inconsistent_matrix_is_refused_on_the_page(
    client, analyst, wave_in_two_districts, english
):
    login(client, analyst)
    url = reverse("scoring:index_weights", args=[wave_in_two_districts.pk])

    response = client.post(
        url, {"parent": ROOT, "m0-cell_0_1": "9", "m0-cell_0_2": "1/9", "m0-cell_1_2": "9"}
    )

    assert response.status_code == 200
    assert "consistency ratio CR = " in response.content.decode()
    assert not IndexScheme.objects.exists()


def test_bad_judgement_is_named_on_its_cell(client, analyst, wave_in_two_districts, english):
    login(client, analyst)
    url = reverse("scoring:index_weights", args=[wave_in_two_districts.pk])
    response = client.post(
        url, {"parent": ROOT, "m0-cell_0_1": "abc", "m0-cell_0_2": "5", "m0-cell_1_2": "3"}
    )
    assert response.status_code == 200
    assert "not a number or a fraction" in response.content.decode()
    assert not IndexScheme.objects.exists()


def test_matrix_problems_are_told_in_chinese_by_the_elements_names(
    client, analyst, wave_in_two_districts
):
    login(client, analyst)
    url = reverse("scoring:index_weights", args=[wave_in_two_districts.pk])
    names = [c["label"] for c in client.get(url).context["levels"][0]["children"]]

    typo = client.post(
        url, {"parent": ROOT, "m0-cell_0_1": "abc", "m0-cell_0_2": "5", "m0-cell_1_2": "3"}
    )
    inconsistent = client.post(
        url, {"parent": ROOT, "m0-cell_0_1": "9", "m0-cell_0_2": "1/9", "m0-cell_1_2": "9"}
    )

    cell = typo.context["levels"][0]["form"].errors["cell_0_1"]
    assert cell == [f"{names[0]} / {names[1]}：“abc”不是数字，也不是 1/3 这样的分数"]
    page = inconsistent.content.decode()
    assert "一致性比率 CR = " in page and "请修改判断值" in page
    assert not IndexScheme.objects.exists()


def test_ahp_matrix_upload(client, analyst, wave_in_two_districts):
    login(client, analyst)
    url = reverse("scoring:index_weights", args=[wave_in_two_districts.pk])
    matrix = b",police_q1,police_q2\npolice_q2,1/2,1\npolice_q1,1,2\n"
    parents = [level["code"] for level in client.get(url).context["levels"]]
    prefix = f"m{parents.index('police')}"

    response = client.post(
        url,
        {"parent": "police", f"{prefix}-matrix_file": SimpleUploadedFile("m.csv", matrix)},
    )

    assert response.status_code == 302
    weights = IndexScheme.objects.get(wave=wave_in_two_districts).weights["police"]
    assert weights == pytest.approx({"police_q1": 2 / 3, "police_q2": 1 / 3})


def test_shares_form_saves(client, analyst, wave_in_two_districts):
    login(client, analyst)
    url = reverse("scoring:index_weights", args=[wave_in_two_districts.pk])
    response = client.post(
        url, {"parent": "_shares", "survey_share": "0.6", "objective_share": "0.4"}
    )
    assert response.status_code == 302
    assert IndexScheme.objects.get(wave=wave_in_two_districts).survey_share == 0.6


def _empty_workbook() -> bytes:
    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("m.xlsx", _empty_workbook(), "m.xlsx, sheet Sheet, row 1: the first row is empty"),
        (
            "m.csv",
            b",police_q1,police_q2\npolice_q1,1,1" + b"0" * 400 + b"\npolice_q2,1/2,1\n",
            "police_q1 vs police_q2: “10000000000000000000…” is too large",
        ),
    ],
)
def test_a_bad_matrix_upload_is_refused_on_the_page(
    client, analyst, wave_in_two_districts, english, name, content, expected
):
    login(client, analyst)
    url = reverse("scoring:index_weights", args=[wave_in_two_districts.pk])
    parents = [level["code"] for level in client.get(url).context["levels"]]
    prefix = f"m{parents.index('police')}"

    response = client.post(
        url, {"parent": "police", f"{prefix}-matrix_file": SimpleUploadedFile(name, content)}
    )

    assert response.status_code == 200
    assert expected in response.content.decode()
    assert not IndexScheme.objects.exists()


def test_a_client_reads_the_signed_editions_index_not_the_live_one(
    client, client_user, analyst, wave_in_two_districts, places, make_interview, signed
):
    # given a signed edition, then a later approval that moves 城东区's index
    edition = signed(wave_in_two_districts)
    make_interview(wave_in_two_districts, places["east_a"], answers("1", "1", "1", "1"))
    url = reverse("scoring:index", args=[wave_in_two_districts.pk])
    login(client, analyst)
    live = {r["name"]: r["composite"] for r in client.get(url).context["rows"]}
    client.logout()
    # when
    login(client, client_user)
    response = client.get(url)
    # then the client reads the frozen figures, with the edition named
    frozen = {r["name"]: r["composite"] for r in response.context["rows"]}
    assert frozen["城东区"] == 86.7 and live["城东区"] != 86.7
    assert response.context["edition"] == edition


def test_a_district_reader_reads_its_districts_index_only(
    client, client_user, wave_in_two_districts, places, signed
):
    from scoring.models import ClientDistrict
    from tests.factories import make_user

    signed(wave_in_two_districts)
    reader = make_user("west_reader", "client", organisation=client_user.organisation)
    ClientDistrict.objects.create(user=reader, district=places["west"])
    login(client, reader)
    url = reverse("scoring:index", args=[wave_in_two_districts.pk])
    assert [r["name"] for r in client.get(url).context["rows"]] == ["西山县"]
    streets = client.get(url + "?level=street").context["rows"]
    assert [r["name"] for r in streets] == ["西岭镇"]


def test_a_client_without_a_signed_edition_reads_no_index(
    client, client_user, wave_in_two_districts
):
    login(client, client_user)
    response = client.get(reverse("scoring:index", args=[wave_in_two_districts.pk]))
    assert response.status_code == 200 and response.context["no_edition"]
    assert "86.7" not in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_change_of_the_inputs_starts_the_index_job_only_where_the_index_is_read(
    client, analyst, wave_in_two_districts, settings
):
    # given a queue a worker empties, and an index nobody has read yet
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    refresh_results(wave_in_two_districts.pk)
    assert not Job.objects.filter(kind="wave_index").exists()
    # when the analyst reads it, then a review decision changes the results' inputs
    login(client, analyst)
    client.get(reverse("scoring:index", args=[wave_in_two_districts.pk]))
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
    refresh_results(wave_in_two_districts.pk)
    # then the index is brought up to date before the next visit
    queued = Job.objects.filter(kind="wave_index", status=Job.Status.QUEUED)
    assert queued.count() == 1 and queued.get().params["wave_id"] == wave_in_two_districts.pk
