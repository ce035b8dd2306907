"""Every API endpoint × every kind of token: the API's access matrix, beside the pages'
(tests/test_access.py). A client body's token reads what its users' pages show; the firm's
read as an analyst; writes need the write scope; another organisation's wave is not found."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from api.api import urls
from api.models import ApiJob
from jobs.services import start_job
from sampling.models import Locality
from sampling.services.import_jobs import FRAME_IMPORT
from scoring.models import DistrictEdition
from tests.api.conftest import Api

FR, FW, CR, CW = "firm_read", "firm_write", "client_read", "client_write"
ALL = (FR, FW, CR, CW)
FIRM = {FR, FW}


def ok_for(admitted: set[str], ok: int = 200, refused: int = 403) -> dict[str, int]:
    return {kind: ok if kind in admitted else refused for kind in ALL}


# url name: (method, path, {token kind: status}); {w} the wave, {d} a district of edition 1,
# {j} a job the firm started through the API (another organisation's job is not found)
MATRIX = {
    "waves": ("get", "/waves", ok_for(set(ALL))),
    "wave": ("get", "/waves/{w}", ok_for(set(ALL))),
    "progress": ("get", "/waves/{w}/progress", ok_for(FIRM)),
    "dispositions": ("get", "/waves/{w}/dispositions", ok_for(FIRM)),
    "tables": ("get", "/waves/{w}/results/tables", ok_for(set(ALL))),
    "rankings": ("get", "/waves/{w}/rankings?level=street", ok_for(set(ALL))),
    "editions": ("get", "/waves/{w}/editions", ok_for(set(ALL))),
    "edition": ("get", "/waves/{w}/editions/1", ok_for(set(ALL))),
    "edition_file": ("get", "/waves/{w}/editions/1/files/pdf", ok_for(set(ALL))),
    "district_file": ("get", "/waves/{w}/editions/1/districts/{d}/files/xlsx", ok_for(set(ALL))),
    "microdata": ("get", "/waves/{w}/microdata?limit=5", ok_for(FIRM)),
    "objective_indicators": ("post", "/waves/{w}/objective-indicators", ok_for({FW, CW})),
    "localities": ("post", "/localities", ok_for({FW})),
    "frame_import": ("post", "/frames/imports", ok_for({FW}, ok=202)),
    "job": ("get", "/jobs/{j}", ok_for(FIRM, refused=404)),
}
PUBLIC = {"openapi-json", "api-root"}
WAVE_ENDPOINTS = [name for name, (_m, path, _s) in MATRIX.items() if "{w}" in path]


def test_every_endpoint_is_in_the_matrix():
    names = {pattern.name for pattern in urls()[0] if pattern.name}
    assert names == set(MATRIX) | PUBLIC


def _body(name: str, world: dict):
    street = Locality.objects.filter(level="street").order_by("code").first()
    if name == "objective_indicators":
        return {
            "indicators": [
                {
                    "code": "case_rate",
                    "name": "刑事案件发案率",
                    "rule": {"target": 5, "deduction": 2},
                }
            ],
            "values": [{"locality_code": street.code, "indicator": "case_rate", "value": 4.2}],
        }
    if name == "localities":
        return {
            "rows": [
                {
                    "code": street.code,
                    "name": street.name,
                    "level": "street",
                    "parent_code": street.parent.code,
                }
            ]
        }
    if name == "frame_import":
        rows = "unit_id,phone,locality_code\n" + "".join(
            f"H{i},1390000{i:04d},{street.code}\n" for i in range(20)
        )
        return {"file": SimpleUploadedFile("frame.csv", rows.encode()), "name": "API 样本框"}
    return None


@pytest.fixture
def paths(api_world) -> dict:
    wave = api_world["wave"]
    job = start_job(kind=FRAME_IMPORT, params={"upload_path": "none"}, subject="frame.csv")
    ApiJob.objects.create(job=job, organisation=api_world["firm"])
    code = DistrictEdition.objects.filter(edition__wave=wave, edition__number=1).first().code
    return {"w": wave.pk, "d": code, "j": job.pk}


def _call(api, method: str, path: str, name: str, world: dict):
    body = _body(name, world)
    if method == "get":
        return api.get(path)
    if name == "frame_import":
        return api.post(path, data=body)
    return api.post(path, body)


def test_every_token_kind_gets_exactly_what_it_may(api_world, api_for, paths):
    for kind in ALL:
        api = api_for(kind)
        for name, (method, template, statuses) in MATRIX.items():
            response = _call(api, method, template.format(**paths), name, api_world)
            assert response.status_code == statuses[kind], (kind, name, response.content[:300])
            if response.status_code >= 400:
                error = response.json()["error"]
                assert error["status"] == statuses[kind] and error["message"], name
                if method == "post" and kind.endswith("read"):
                    assert error["code"] == "insufficient_scope", name
            elif response["Content-Type"].startswith("application/json"):
                assert response.json() is not None
    # a client's token reads the signed edition; the firm's, the current results
    wave = paths["w"]
    assert api_for(CR).get(f"/waves/{wave}/rankings").json()["status"]["source"] == "edition"
    assert api_for(FR).get(f"/waves/{wave}/rankings").json()["status"]["source"] == "current"


def test_another_organisations_token_gets_404_on_every_wave_endpoint(api_world, api_for, paths):
    for scope in ("read", "write"):
        api = api_for(f"other_{scope}")
        assert api.get("/waves").json() == []
        for name in WAVE_ENDPOINTS:
            method, template, _statuses = MATRIX[name]
            response = _call(api, method, template.format(**paths), name, api_world)
            expected = 403 if method == "post" and scope == "read" else 404  # scope first
            assert response.status_code == expected, (scope, name, response.status_code)
            if expected == 404:
                assert response.json()["error"]["code"] == "not_found"
        assert api.get(f"/jobs/{paths['j']}").status_code == 404


def test_no_token_or_a_wrong_one_is_refused_everywhere(client, api_world, paths):
    for name, (method, template, _statuses) in MATRIX.items():
        url = "/api/v1" + template.format(**paths)
        for headers in ({}, {"HTTP_AUTHORIZATION": "Bearer sst_000000000000_nope"}):
            response = getattr(client, method)(url, **headers)
            assert response.status_code == 401, (name, response.status_code)
            assert response.json()["error"]["code"] == "unauthenticated"
            assert response["WWW-Authenticate"] == "Bearer"


def test_ids_too_large_and_unknown_paths_answer_in_the_apis_shape(client, db, firm, token_of):
    api = Api(client, token_of(firm)[1], language="zh-hans")
    too_large = api.get("/waves/99999999999999999999999")
    assert too_large.status_code == 422
    assert too_large.json()["error"]["errors"][0]["field"] == "wave_id"
    for path in ("/nowhere", "/waves/1/nothing"):
        response = api.get(path)
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
        assert "接口" in response.json()["error"]["message"]
