"""The wave's weighting settings page, and the nonresponse choice in the results."""

import io
import subprocess

import pandas as pd
import pytest
from django.urls import reverse
from openpyxl import load_workbook

from fieldwork import loaders as fieldwork_loaders
from fieldwork.models import Case, Interview, Mode, RespondentSelection
from qc.models import Review
from sampling.models import SampledUnit
from scoring import selectors
from scoring.cases import case_frame, read_round
from scoring.loaders import approved_interviews, respondent_frame
from scoring.models import WaveWeighting
from scoring.results import wave_results
from scoring.weighting import wave_weights
from tests.scoring.factories import answers
from tests.scoring.test_views import login


@pytest.fixture
def wave_with_nonresponse(safety_wave, places, make_interview):
    """东华街道: three approved interviews (design weight 10) of four released cases, the
    fourth never reached; buildings high, high, low and low (the unreached one)."""
    for building in ("high", "high", "low"):
        interview = make_interview(
            safety_wave, places["east_a"], answers(safety="4", order="5"), weight=10.0
        )
        SampledUnit.objects.filter(cases__interview=interview).update(
            attributes={"building": building}
        )
    unit = _unit_without_interview(safety_wave, places["east_a"], "UNREACHED", building="low")
    Case.objects.create(wave=safety_wave, unit=unit, street=places["east_a"], attempts=2)
    return safety_wave


def _unit_without_interview(wave, street, unit_id: str, **attributes) -> SampledUnit:
    """A unit of the wave's draw in `street`'s stratum, design weight 10."""
    return SampledUnit.objects.create(
        draw=wave.draw,
        unit_id=unit_id,
        stratum=street.code,
        locality=street,
        street=street,
        inclusion_probability=0.1,
        design_weight=10.0,
        attributes=attributes,
    )


def test_by_default_each_respondent_stands_for_the_unreached_of_its_stratum(
    wave_with_nonresponse,
):
    # when
    weights = wave_weights(wave=wave_with_nonresponse, trim_bounds=None).weights
    # then: 40 released weight over 30 approved
    assert list(weights) == pytest.approx([40 / 3] * 3)


def test_an_analyst_chooses_classes_by_a_frame_attribute(client, analyst, wave_with_nonresponse):
    # given
    login(client, analyst)
    url = reverse("scoring:weighting", args=[wave_with_nonresponse.pk])
    page = client.get(url).content.decode()
    assert 'value="building"' in page  # the frame's attributes are offered
    # when
    response = client.post(url, {"nonresponse": "stratum_attribute", "attribute": "building"})
    # then: recorded with who chose it; the low building's respondent carries the unreached
    assert response.status_code == 302
    choice = WaveWeighting.objects.get(wave=wave_with_nonresponse)
    assert (choice.nonresponse, choice.attribute, choice.updated_by) == (
        "stratum_attribute",
        "building",
        analyst,
    )
    weights = wave_weights(wave=wave_with_nonresponse, trim_bounds=None).weights
    assert list(weights) == pytest.approx([10.0, 10.0, 20.0])


def test_classes_without_an_attribute_are_refused_in_the_readers_language(
    client, analyst, wave_with_nonresponse
):
    # given
    login(client, analyst)
    url = reverse("scoring:weighting", args=[wave_with_nonresponse.pk])
    # when
    missing = client.post(
        url, {"nonresponse": "stratum_attribute", "attribute": ""}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    unknown = client.post(url, {"nonresponse": "stratum_attribute", "attribute": "floor"})
    # then: the page again, with the reason; nothing recorded
    assert missing.status_code == 200 and unknown.status_code == 200
    assert "选择" in missing.content.decode()
    assert "floor" in unknown.content.decode()
    assert not WaveWeighting.objects.exists()


def test_the_results_state_the_choice_and_show_the_stratum_table(
    client, analyst, wave_with_nonresponse, english
):
    # given
    WaveWeighting.objects.create(wave=wave_with_nonresponse, nonresponse="none")
    # when
    report = wave_results(wave_with_nonresponse)
    lines = dict(report["methodology_lines"])
    # then
    assert lines["Weighting: nonresponse adjustment"].startswith("none")
    assert "door interviews" in lines["Weighting: household selection"]
    assert "0.25–4 × the mean weight" in lines["Weighting: trimming"]
    (row,) = report["strata"]
    assert (row["name"], row["released"], row["attempted"], row["approved"]) == (
        "东华街道",
        4,
        4,
        3,
    )
    assert row["response_rate"] == 75.0 and row["weight"] == "10.0"  # no adjustment chosen


def test_the_workbook_has_the_stratum_sheet(client, analyst, wave_with_nonresponse):
    # given
    login(client, analyst)
    # when
    response = client.get(reverse("scoring:report_xlsx", args=[wave_with_nonresponse.pk]))
    # then: N_h / m_h, here 40 / 3
    book = load_workbook(io.BytesIO(response.content))
    sheet = next(book[name] for name in book.sheetnames if "层" in name or "strat" in name)
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    # the unreached case: eligibility unknown (never resolved), counted with e = 1
    assert rows == [("东华街道", 4, 4, 4, 3, 3, 0, 1, 75.0, 13.33, 13.33)]


def test_only_analysts_open_the_weighting_page(client, supervisor, wave_with_nonresponse):
    login(client, supervisor)
    url = reverse("scoring:weighting", args=[wave_with_nonresponse.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"nonresponse": "none"}).status_code == 403
    assert not WaveWeighting.objects.exists()


def test_a_new_choice_or_a_released_case_refreshes_the_cached_results(
    analyst, wave_with_nonresponse, places, english
):
    # given results computed and cached under the default
    from scoring.results import cached_results
    from scoring.services import set_nonresponse

    before = dict(cached_results(wave_with_nonresponse)["methodology_lines"])
    assert before["Weighting: nonresponse adjustment"].startswith("within each stratum")
    # when the analyst turns the adjustment off
    set_nonresponse(wave=wave_with_nonresponse, user=analyst, method="none")
    after = dict(cached_results(wave_with_nonresponse)["methodology_lines"])
    # then
    assert after["Weighting: nonresponse adjustment"].startswith("none")
    # and a case released later counts at once
    unit = SampledUnit.objects.create(
        draw=wave_with_nonresponse.draw,
        unit_id="LATE",
        stratum=places["east_a"].code,
        locality=places["east_a"],
        street=places["east_a"],
        inclusion_probability=0.1,
        design_weight=10.0,
    )
    Case.objects.create(wave=wave_with_nonresponse, unit=unit, street=places["east_a"])
    (row,) = cached_results(wave_with_nonresponse)["strata"]
    assert row["released"] == 5


def test_the_case_frame_loads_dispositions_and_the_selection_method(
    wave_with_nonresponse, places, make_interview, field_interviewer, english
):
    # given: the unreached case found vacant; a rejected interview (a voided complete, 2.36);
    # a door interview chosen by Kish among five adults listed women first
    Case.objects.filter(unit__unit_id="UNREACHED").update(disposition="4.60")
    make_interview(
        wave_with_nonresponse,
        places["east_a"],
        answers(safety="4"),
        weight=10.0,
        state=Review.State.REJECTED,
    )
    door = make_interview(wave_with_nonresponse, places["east_a"], answers(safety="4"), weight=10.0)
    Interview.objects.filter(pk=door.pk).update(mode=Mode.DOOR)
    listing = [
        {"name": "W1", "sex": "F", "age": 70, "birthday": ""},
        {"name": "W2", "sex": "F", "age": 30, "birthday": ""},
        {"name": "M1", "sex": "M", "age": 50, "birthday": ""},
        {"name": "M2", "sex": "M", "age": 60, "birthday": ""},
        {"name": "M3", "sex": "M", "age": 20, "birthday": ""},
    ]
    RespondentSelection.objects.create(
        case=door.case,
        interviewer=field_interviewer,
        method=RespondentSelection.Method.KISH,
        adults=listing,
        selected_index=1,  # W1: Kish's order is M2, M1, M3, W1, W2, so line 4
        selected_label="W1",
    )
    # when
    cases = case_frame(wave_with_nonresponse).set_index("case_id")
    # then
    vacant = cases.loc[Case.objects.get(unit__unit_id="UNREACHED").pk]
    assert vacant["eligibility"] == "ineligible"
    assert set(cases["eligibility"]) == {"eligible", "ineligible"}
    chosen = cases.loc[door.case_id]
    assert (chosen["adults"], chosen["selection"], chosen["line"]) == (5, "kish", 4)
    # Kish line 4 of 5 adults: table D only (2 of 12), so the household factor is 6
    weights = wave_weights(wave=wave_with_nonresponse, trim_bounds=None)
    report = weights.report["nonresponse"]
    row = next(r for r in report["strata"] if r["stratum"] == places["east_a"].code)
    assert (row["ineligible"], row["unknown"], row["approved"]) == (1, 0, 4)
    base = weights.respondents.set_index("interview_id")["weight"]
    assert base[door.pk] / base.drop(door.pk).iloc[0] == pytest.approx(6.0)
    # and the page's table and the appendix say how eligibility and the household factor enter
    results = wave_results(wave_with_nonresponse)
    (shown,) = results["strata"]
    # 4 approved of 5 eligible (the vacant one out)
    assert (shown["ineligible"], shown["unknown"], shown["response_rate"]) == (1, 0, 80.0)
    lines = dict(results["methodology_lines"])
    assert "leave the adjustment" in lines["Weighting: eligibility"]
    assert "phone respondents do not" in lines["Weighting: household selection"]
    assert lines["Weighting: households beyond the Kish tables"].startswith("0 door interviews")


def test_the_pdf_has_the_stratum_table_with_its_eligibility_columns(
    client, analyst, wave_with_nonresponse, tmp_path
):
    # given
    login(client, analyst)
    # when
    response = client.get(reverse("scoring:report_pdf", args=[wave_with_nonresponse.pk]))
    # then
    path = tmp_path / "report.pdf"
    path.write_bytes(
        b"".join(response.streaming_content) if response.streaming else response.content
    )
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-layout", str(path), "-"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    # the stratum's row: drawn, released, attempted, interviewed, approved, known ineligible,
    # unknown eligibility, rate, weights (the headers wrap in their narrow columns)
    (row,) = [line.split() for line in text.splitlines() if line.startswith("东华街道")]
    assert row == ["东华街道", "4", "4", "4", "3", "3", "0", "1", "75.0", "13.3", "13.3"]


def test_the_round_read_counts_the_outcomes_the_methodology_counts_by_itself(
    wave_with_nonresponse, places, make_interview
):
    # given: besides the approved interviews, one finally rejected after its case was coded
    # a complete, one awaiting review, and a refusal
    rejected, pending = (
        make_interview(wave_with_nonresponse, places["east_a"], answers(safety="2"), state=state)
        for state in (Review.State.REJECTED, Review.State.FLAGGED)
    )
    Case.objects.filter(interview__in=[rejected, pending]).update(disposition="1.1")
    unit = _unit_without_interview(wave_with_nonresponse, places["east_a"], "REFUSED")
    Case.objects.create(
        wave=wave_with_nonresponse, unit=unit, street=places["east_a"], disposition="2.11"
    )
    # when
    outcomes = read_round(wave_with_nonresponse).outcomes
    # then: the voided complete is 2.36, and every count is what the queries of
    # fieldwork.loaders and the methodology give
    counted = outcomes.dispositions.set_index("disposition")["count"].to_dict()
    assert counted == {"3.11": 4, "1.1": 1, "2.36": 1, "2.11": 1}
    queried = fieldwork_loaders.disposition_counts(wave_with_nonresponse)
    assert queried.set_index("disposition")["count"].to_dict() == counted
    assert outcomes.reviews == {"approved": 3, "rejected": 1, "flagged": 1}
    assert selectors.methodology(wave_with_nonresponse) == selectors.methodology(
        wave_with_nonresponse, outcomes
    )


@pytest.mark.parametrize("attribute", ["", "building"])
def test_one_read_of_the_round_gives_the_approved_interviews_and_the_case_frame(
    wave_with_nonresponse, places, make_interview, attribute
):
    # given: besides three approved interviews and an unreached case, a rejected interview
    make_interview(
        wave_with_nonresponse,
        places["east_a"],
        answers(safety="2"),
        weight=10.0,
        state=Review.State.REJECTED,
    )
    # when
    interviews, cases, _strata, _outcomes = read_round(wave_with_nonresponse, attribute=attribute)
    # then: what the two separate reads give, the rejected interview left out of the first
    assert interviews == approved_interviews(wave_with_nonresponse)
    assert len(interviews) == 3 and len(cases) == 5
    pd.testing.assert_frame_equal(cases, case_frame(wave_with_nonresponse, attribute=attribute))
    # and the stratum sizes it read are what the respondents' weights read by themselves
    pd.testing.assert_frame_equal(
        respondent_frame(wave_with_nonresponse, interviews=interviews, strata=_strata),
        respondent_frame(wave_with_nonresponse),
    )
    if attribute:
        assert cases["attribute"].value_counts()[["high", "low"]].tolist() == [2, 2]
