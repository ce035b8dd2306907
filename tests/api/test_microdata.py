"""Approved microdata through the API: the data package's interview file, paged by a cursor
that neither repeats nor skips an interview when others are approved meanwhile, filtered by
locality and date."""

from datetime import UTC, datetime

import pandas as pd
import pytest

from exports.codebook import INTERVIEWS
from exports.microdata import wave_microdata
from fieldwork.models import Interview
from qc.models import Review
from tests.api.conftest import Api
from tests.scoring.factories import answers

STREETS = ("east_a", "east_b", "west_a")


@pytest.fixture
def firm_api(client, firm, token_of):
    return Api(client, token_of(firm)[1])


@pytest.fixture
def interviews(safety_wave, places, make_interview):
    """30 approved interviews over three streets and three days, and 5 awaiting review."""
    made = []
    for i in range(30):
        interview = make_interview(
            safety_wave, places[STREETS[i % 3]], answers(safety=str(1 + i % 5), police1="3")
        )
        day = datetime(2024, 6, 1 + i % 3, 10, 0, tzinfo=UTC)
        Interview.objects.filter(pk=interview.pk).update(completed_at=day, started_at=day)
        made.append(interview)
    for _ in range(5):
        make_interview(safety_wave, places["east_a"], answers(safety="2"), state=None)
    return made


def _walk(api, wave, **params) -> list[dict]:
    rows, cursor = [], None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        page = api.get(f"/waves/{wave.pk}/microdata", **query).json()
        rows += page["results"]
        cursor = page["next_cursor"]
        if cursor is None:
            return rows


def test_pages_hold_every_approved_interview_once_as_the_export_has_it(
    safety_wave, interviews, firm_api
):
    rows = _walk(firm_api, safety_wave, limit=7)
    expected = wave_microdata(wave=safety_wave).frames[INTERVIEWS].sort_values("interview_id")
    assert [row["interview_id"] for row in rows] == expected["interview_id"].tolist()
    assert len(rows) == 30  # the 5 awaiting review are left out
    by_id = expected.set_index("interview_id")
    for row in rows:
        assert row["weight"] == pytest.approx(by_id.loc[row["interview_id"], "weight"], rel=1e-12)
        assert row["street_code"] == by_id.loc[row["interview_id"], "street_code"]
        assert row["review_state"] == Review.State.APPROVED
    assert not any(column.startswith("phone") for column in rows[0])


def test_paging_is_stable_while_interviews_are_approved(
    safety_wave, places, interviews, make_interview, firm_api
):
    first = firm_api.get(f"/waves/{safety_wave.pk}/microdata", limit=10).json()
    seen = [row["interview_id"] for row in first["results"]]
    # meanwhile: an earlier interview is approved (a lower id than the cursor) and new ones come
    waiting = Interview.objects.filter(case__wave=safety_wave, review__isnull=True).first()
    Review.objects.create(interview=waiting, state=Review.State.APPROVED)
    late = [make_interview(safety_wave, places["west_a"], answers(safety="5")) for _ in range(3)]
    rest = _walk_from(firm_api, safety_wave, first["next_cursor"])
    ids = seen + [row["interview_id"] for row in rest]
    assert len(ids) == len(set(ids))  # no interview twice
    assert {i.pk for i in interviews} <= set(ids)  # none skipped
    assert {i.pk for i in late} <= set(ids)  # the new ones, after the cursor, are read too
    assert ids == sorted(ids)


def _walk_from(api, wave, cursor) -> list[dict]:
    rows = []
    while cursor:
        page = api.get(f"/waves/{wave.pk}/microdata", limit=10, cursor=cursor).json()
        rows += page["results"]
        cursor = page["next_cursor"]
    return rows


def test_filters_by_locality_at_any_level_and_by_date(safety_wave, places, interviews, firm_api):
    east_a = _walk(firm_api, safety_wave, locality="C0101")
    assert len(east_a) == 10 and {r["street_code"] for r in east_a} == {"C0101"}
    east = _walk(firm_api, safety_wave, locality="C01", limit=4)
    assert len(east) == 20 and {r["district_code"] for r in east} == {"C01"}
    day_two = _walk(firm_api, safety_wave, date_from="2024-06-02", date_to="2024-06-02")
    assert len(day_two) == 10 and {r["interview_date"] for r in day_two} == {"2024-06-02"}
    from_two = _walk(firm_api, safety_wave, date_from="2024-06-02")
    assert len(from_two) == 20
    frame = pd.DataFrame(from_two)
    assert (frame["interview_date"] >= "2024-06-02").all()
    assert _walk(firm_api, safety_wave, locality="nowhere") == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"limit": 0}, "limit"),
        ({"limit": 1001}, "limit"),
        ({"date_from": "2024-13-01"}, "date_from"),
        ({"date_from": "2024-06-03", "date_to": "2024-06-01"}, "date_from"),
    ],
)
def test_bad_parameters_are_named_in_the_requests_language(
    client, safety_wave, interviews, firm, token_of, params, field
):
    for language in ("en", "zh-hans"):
        api = Api(client, token_of(firm)[1], language=language)
        response = api.get(f"/waves/{safety_wave.pk}/microdata", **params)
        assert response.status_code == 422
        error = response.json()["error"]
        assert error["code"] == "invalid"
        assert [e["field"] for e in error["errors"]] == [field]
        message = error["errors"][0]["message"]
        if language == "zh-hans":
            assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message
        else:
            assert message.isascii(), message


def test_a_cursor_of_another_wave_is_refused(safety_wave, interviews, firm_api, safety_version):
    from fieldwork.models import Wave

    other = Wave.objects.create(
        name="另一批次", client=safety_wave.client, questionnaire_version=safety_version
    )
    cursor = firm_api.get(f"/waves/{safety_wave.pk}/microdata", limit=5).json()["next_cursor"]
    response = firm_api.get(f"/waves/{other.pk}/microdata", cursor=cursor)
    assert response.status_code == 422
    assert response.json()["error"]["errors"][0]["field"] == "cursor"


def test_a_wave_without_approved_interviews_has_an_empty_page(
    safety_wave, places, make_interview, firm_api
):
    make_interview(safety_wave, places["east_a"], answers(safety="2"), state=None)
    page = firm_api.get(f"/waves/{safety_wave.pk}/microdata").json()
    assert page["count"] == 0 and page["results"] == [] and page["next_cursor"] is None
