"""The index pages: composite table, objective upload, AHP weights; who may see what."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fieldwork.models import Wave
from scoring.index.indices import ROOT
from scoring.models import IndexScheme, ObjectiveValue
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
    # the index, its short boards and the weighting the results page uses (respondents,
    # stratum counts, released reserves, population margins, localities; the cases, units
    # drawn, household listings and the nonresponse choice), whether the results are
    # interim (2), the second factor and the session's expiry, however many respondents
    # there are
    with django_assert_max_num_queries(45):
        assert client.get(url).status_code == 200


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
    assert "obj.csv row 2, column &#x27;value&#x27;: &#x27;lots&#x27; is not a number." in page
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
            "police_q1 vs police_q2: &#x27;10000000000000000000…&#x27; is too large",
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
