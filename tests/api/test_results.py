"""Results through the API as the pages give them: a client's token reads the latest signed
edition only (never a draft, nothing before the first sign-off); the firm's reads the current
results, and is told when they cannot be computed."""

import pytest

from scoring.editions import freeze_edition
from tests.api.conftest import Api
from tests.scoring.factories import answers


@pytest.fixture
def scored_wave(safety_wave, places, make_interview):
    for i in range(12):
        street = places[("east_a", "east_b", "west_a")[i % 3]]
        make_interview(safety_wave, street, answers(safety=str(1 + i % 5), police1="4"))
    return safety_wave


def test_a_client_reads_signed_editions_only(
    client, scored_wave, places, make_interview, token_of, signed, analyst
):
    api = Api(client, token_of(scored_wave.client)[1])
    wave = scored_wave.pk
    # nothing signed yet: no results, no editions
    assert api.get(f"/waves/{wave}/rankings").status_code == 404
    first = signed(scored_wave)
    make_interview(scored_wave, places["west_a"], answers(safety="1", police1="1"))
    draft = freeze_edition(wave=scored_wave, user=analyst, job_id=None)
    assert draft.state == "draft"
    listed = api.get(f"/waves/{wave}/editions").json()
    assert [e["number"] for e in listed] == [first.number]
    assert api.get(f"/waves/{wave}/editions/{draft.number}").status_code == 404
    assert api.get(f"/waves/{wave}/editions/{draft.number}/files/pdf").status_code == 404
    pdf = api.get(f"/waves/{wave}/editions/{first.number}/files/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    rankings = api.get(f"/waves/{wave}/rankings").json()
    assert rankings["status"] == {
        "source": "edition", "edition": first.number, "interim": False, "interim_note": ""
    }  # fmt: skip
    frozen = {d["code"]: d["satisfaction_score"] for d in first.report["districts"]}
    assert {r["code"]: r["satisfaction_score"] for r in rankings["rows"]} == frozen


def test_the_firm_reads_the_current_results_with_ranks(client, scored_wave, firm, token_of):
    api = Api(client, token_of(firm)[1])
    tables = api.get(f"/waves/{scored_wave.pk}/results/tables").json()
    assert tables["status"]["source"] == "current"
    keys = [t["key"] for t in tables["tables"]]
    assert {"headline", "districts", "streets"} <= set(keys)
    one = api.get(f"/waves/{scored_wave.pk}/results/tables", key="districts").json()
    assert [t["key"] for t in one["tables"]] == ["districts"]
    assert api.get(f"/waves/{scored_wave.pk}/results/tables", key="nope").status_code == 404
    streets = api.get(f"/waves/{scored_wave.pk}/rankings", level="street").json()["rows"]
    assert {row["code"] for row in streets} == {"C0101", "C0102", "C0201"}
    bad_level = api.get(f"/waves/{scored_wave.pk}/rankings", level="county")
    assert bad_level.status_code == 422
    assert bad_level.json()["error"]["errors"][0]["field"] == "level"


def test_results_that_cannot_be_computed_are_an_error_not_a_crash(
    client, safety_wave, places, make_interview, firm, token_of
):
    make_interview(safety_wave, places["east_a"], answers(order="7"))  # not on the scale
    api = Api(client, token_of(firm)[1])
    response = api.get(f"/waves/{safety_wave.pk}/rankings")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "results_failed" and "order_q1" in error["message"]
