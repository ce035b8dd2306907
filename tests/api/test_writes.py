"""Writes through the API: objective indicators and the locality tree, validated row by row
and atomic; a frame import started as a job whose progress the API reports."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from api.models import ApiJob
from jobs.models import Job
from sampling.models import Frame, Locality
from scoring.models import ObjectiveIndicator, ObjectiveValue
from tests.api.conftest import Api
from tests.scoring.factories import answers

RULE = {"direction": "lower", "target": 5, "deduction": 2}


@pytest.fixture
def client_writer(client, safety_wave, token_of):
    return Api(client, token_of(safety_wave.client, scope="write")[1])


@pytest.fixture
def firm_writer(client, firm, token_of):
    return Api(client, token_of(firm, scope="write")[1])


def _indicators(wave, api, payload):
    return api.post(f"/waves/{wave.pk}/objective-indicators", payload)


def test_a_clients_platform_pushes_objective_indicators(safety_wave, places, client_writer):
    payload = {
        "indicators": [{"code": "crime", "name": "刑事案件发案率", "unit": "‰", "rule": RULE}],
        "values": [
            {"locality_code": "C0101", "indicator": "crime", "value": 4.0},
            {"locality_code": "C0102", "indicator": "crime", "value": 7.5},
        ],
    }
    response = _indicators(safety_wave, client_writer, payload)
    assert response.status_code == 200 and response.json() == {"stored": 2}
    indicator = ObjectiveIndicator.objects.get(wave=safety_wave, code="crime")
    assert indicator.rule["direction"] == "lower" and indicator.rule["deduction"] == 2
    values = dict(
        ObjectiveValue.objects.filter(indicator=indicator).values_list("locality__code", "value")
    )
    assert values == {"C0101": 4.0, "C0102": 7.5}
    # values alone replace the indicator's values; its rule is kept
    again = {"values": [{"locality_code": "C0201", "indicator": "crime", "value": 3}]}
    assert _indicators(safety_wave, client_writer, again).json() == {"stored": 1}
    assert list(ObjectiveValue.objects.values_list("locality__code", flat=True)) == ["C0201"]


def test_every_bad_row_is_named_and_nothing_is_written(safety_wave, places, client_writer):
    payload = {
        "indicators": [
            {"code": "crime", "name": "发案率", "rule": RULE},
            {"code": "fire", "name": "火灾", "rule": {"direction": "lower"}},  # no target, bands
        ],
        "values": [
            {"locality_code": "C0101", "indicator": "crime", "value": 4.0},
            {"locality_code": "NOWHERE", "indicator": "crime", "value": 1},
            {"locality_code": "C0102", "indicator": "unruled", "value": 2},
            {"locality_code": "C0101", "indicator": "crime", "value": 5},
        ],
    }
    response = _indicators(safety_wave, client_writer, payload)
    assert response.status_code == 422
    errors = response.json()["error"]["errors"]
    found = {(e["location"][0], e["row"], e["field"]) for e in errors}
    assert found == {
        ("indicators", 2, "rule"),
        ("values", 2, "locality_code"),
        ("values", 3, "indicator"),
        ("values", 4, "indicator"),
    }
    assert not ObjectiveIndicator.objects.exists() and not ObjectiveValue.objects.exists()


def test_a_client_learns_nothing_of_localities_outside_its_survey(
    safety_wave, places, client_writer, make_interview
):
    # given a wave surveyed in 测试市 and a neighbouring city's district in the shared tree
    make_interview(safety_wave, places["east_a"], answers(safety="5"))
    other = Locality.objects.create(code="D", name="邻市", level="city")
    Locality.objects.create(code="D01", name="邻市一区", level="district", parent=other)
    payload = {
        "indicators": [{"code": "crime", "name": "发案率", "rule": RULE}],
        "values": [
            {"locality_code": code, "indicator": "crime", "value": 1}
            for code in ("C0201", "D01", "NOWHERE")
        ],
    }
    # when it pushes values for one place of each kind
    response = _indicators(safety_wave, client_writer, payload)
    # then the neighbour's district is refused in the very words of a code that does not exist
    errors = response.json()["error"]["errors"]
    assert [(e["row"], e["field"]) for e in errors] == [(2, "locality_code"), (3, "locality_code")]
    assert errors[0]["message"].replace("D01", "NOWHERE") == errors[1]["message"]
    assert not ObjectiveValue.objects.exists()


def test_types_are_checked_per_row_and_field_in_chinese(client, safety_wave, places, token_of):
    api = Api(client, token_of(safety_wave.client, scope="write")[1], language="zh-hans")
    payload = {
        "values": [
            {"locality_code": "C0101", "indicator": "crime", "value": "很多"},
            {"locality_code": "C0101", "value": 3},
        ]
    }
    response = _indicators(safety_wave, api, payload)
    assert response.status_code == 422
    errors = response.json()["error"]["errors"]
    assert [(e["row"], e["field"]) for e in errors] == [(1, "value"), (2, "indicator")]
    assert errors[0]["location"] == ["values", 0, "value"]
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in e["message"]) for e in errors)


def test_a_bad_rule_is_explained_in_chinese(client, safety_wave, places, token_of):
    api = Api(client, token_of(safety_wave.client, scope="write")[1], language="zh-hans")
    payload = {
        "indicators": [{"code": "fire", "name": "火灾", "rule": {"floor": 90, "cap": 10}}],
        "values": [{"locality_code": "C0101", "indicator": "fire", "value": 2}],
    }
    errors = _indicators(safety_wave, api, payload).json()["error"]["errors"]
    messages = [e["message"] for e in errors if e["field"] == "rule"]
    assert messages == [
        "指标 fire：下限 90 高于上限 10",
        "指标 fire：需要分档或目标值",
    ]


def test_a_body_that_is_not_json_is_refused_cleanly(safety_wave, client_writer):
    response = client_writer.client.post(
        f"/api/v1/waves/{safety_wave.pk}/objective-indicators",
        "{not json",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {client_writer.secret}",
    )
    assert response.status_code in (400, 422)
    assert response.json()["error"]["code"] in ("invalid", "bad_request")


def test_the_firm_extends_the_locality_tree(places, firm_writer):
    rows = [
        {"code": "C0103", "name": "东风街道", "level": "street", "parent_code": "C01",
         "area_type": "central", "population": {"M|16-29": 1200, "F|16-29": 1100}},
        {"code": "C010301", "name": "东风社区", "level": "community", "parent_code": "C0103",
         "latitude": 30.5, "longitude": 114.3},
        {"code": "C0101", "name": "东华街道（新）", "level": "street", "parent_code": "C01"},
    ]  # fmt: skip
    response = firm_writer.post("/localities", {"rows": rows})
    assert response.status_code == 200 and response.json() == {"stored": 3}
    street = Locality.objects.get(code="C0103")
    assert street.parent.code == "C01" and street.population == {"M|16-29": 1200, "F|16-29": 1100}
    assert Locality.objects.get(code="C010301").latitude == 30.5
    renamed = Locality.objects.get(code="C0101")
    assert renamed.name == "东华街道（新）" and renamed.area_type == "central"  # kept


def test_a_bad_tree_is_refused_row_by_row_and_nothing_is_written(places, firm_writer):
    before = list(Locality.objects.order_by("code").values_list("code", "name", "parent_id"))
    rows = [
        {"code": "C0104", "name": "好街道", "level": "street", "parent_code": "C01"},
        {"code": "C0105", "name": "孤儿街道", "level": "street", "parent_code": "NOPE"},
        {"code": "C01", "name": "城东区", "level": "street", "parent_code": "C"},
        {"code": "C0106", "name": "", "level": "town", "parent_code": "C01", "latitude": 91},
    ]
    response = firm_writer.post("/localities", {"rows": rows})
    assert response.status_code == 422
    first = {(e["row"], e["field"]) for e in response.json()["error"]["errors"]}
    assert first == {(4, "name"), (4, "level"), (4, "latitude")}  # types are checked first
    rows[3] = {"code": "C0106", "name": "新街道", "level": "street", "parent_code": "C01"}
    response = firm_writer.post("/localities", {"rows": rows})
    found = {(e["row"], e["field"]) for e in response.json()["error"]["errors"]}
    assert found == {(3, "level")}  # a stored district cannot become a street
    rows[2] = {"code": "C0107", "name": "新街道二", "level": "street", "parent_code": "C01"}
    response = firm_writer.post("/localities", {"rows": rows})
    errors = response.json()["error"]["errors"]
    assert [(e["row"], e["field"]) for e in errors] == [(2, "parent_code")]
    assert "NOPE" in errors[0]["message"]
    after = list(Locality.objects.order_by("code").values_list("code", "name", "parent_id"))
    assert after == before


def test_a_frame_import_runs_as_a_job_the_api_follows(
    client, places, firm, firm_writer, token_of, safety_wave
):
    rows = "unit_id,phone,locality_code\n" + "".join(
        f"H{i:03d},139{i:08d},{'C0101' if i % 2 else 'C0201'}\n" for i in range(40)
    )
    data = {"file": SimpleUploadedFile("frame.csv", rows.encode()), "name": "API 样本框"}
    response = firm_writer.post("/frames/imports", data=data)
    assert response.status_code == 202
    job = response.json()
    assert job["kind"] == "frame_import" and job["status"] == "succeeded"  # immediate in tests
    frame = Frame.objects.get(name="API 样本框")
    assert frame.n_rows == 40 and job["result"]["frame_id"] == frame.pk
    followed = Api(client, token_of(firm)[1]).get(f"/jobs/{job['id']}").json()
    assert followed["status"] == "succeeded" and followed["progress_done"] > 0
    assert ApiJob.objects.get(job_id=job["id"]).organisation == firm
    # another organisation cannot follow it
    other = Api(client, token_of(safety_wave.client)[1]).get(f"/jobs/{job['id']}")
    assert other.status_code == 404


def test_a_bad_frame_fails_its_job_with_the_problems(places, firm_writer):
    rows = "unit_id,phone,locality_code\nH1,139000000001,NOWHERE\nH1,12,C0101\n"
    data = {"file": SimpleUploadedFile("frame.csv", rows.encode()), "name": "坏样本框"}
    job = firm_writer.post("/frames/imports", data=data).json()
    assert job["status"] == "failed" and job["error"]["message"]
    assert not Frame.objects.filter(name="坏样本框").exists()
    assert Job.objects.get(pk=job["id"]).status == Job.Status.FAILED


def test_a_frame_upload_without_a_file_or_name_names_the_fields(firm_writer):
    response = firm_writer.post("/frames/imports", data={"name": ""})
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["error"]["errors"]}
    assert "file" in fields
