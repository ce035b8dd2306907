"""Satisfaction targets: set per wave by the analyst, and the short board's "below target"
that tells a significant shortfall (the 95% interval below the target too) from an estimate
below it."""

import pytest
from django.urls import reverse

from scoring.models import WaveTarget
from scoring.targets import below, target_board
from tests.scoring.test_views import login, scored_wave  # noqa: F401  (fixture)

STREETS = [
    {"name": "A", "district": "D", "satisfaction_score": 70.0, "satisfaction_ci_high": 78.0},
    {"name": "B", "district": "D", "satisfaction_score": 79.0, "satisfaction_ci_high": 84.0},
    {"name": "C", "district": "D", "satisfaction_score": 81.0, "satisfaction_ci_high": 85.0},
    {"name": "U", "district": "D", "satisfaction_score": 20.0, "unreliable": True},
    {"name": "N", "district": "D", "satisfaction_score": None},
]


def test_below_tells_a_significant_shortfall_from_an_estimate_below():
    rows = below(STREETS, target=80.0, estimate="satisfaction_score", high="satisfaction_ci_high")
    # A's whole interval (up to 78) is below 80; B's reaches 84; C is above; U is unreliable
    assert [(r["name"], r["significant"]) for r in rows] == [("A", True), ("B", False)]
    assert rows[0] == {
        "name": "A",
        "district": "D",
        "estimate": 70.0,
        "ci_high": 78.0,
        "significant": True,
    }


def test_a_target_equal_to_the_estimate_is_met():
    assert below(STREETS, target=81.0, estimate="satisfaction_score", high="x")[-1]["name"] == "B"


def test_the_board_has_an_entry_per_target_set_in_measure_order():
    dimensions = [
        {"code": "police", "label": "公安工作", "score": 75.0, "ci_high": 79.9},
        {"code": "order", "label": "社会治安", "score": 90.0, "ci_high": 95.0},
    ]
    board = target_board(
        targets={"dimension:police": 80.0, "satisfaction_score": 80.0, "dimension:order": 85.0},
        places=STREETS,
        dimensions=dimensions,
        measure_labels={"satisfaction_score": "满意度得分"},
    )
    assert [(e["measure"], e["label"], e["n_significant"]) for e in board] == [
        ("satisfaction_score", "满意度得分", 1),
        ("dimension:police", "dimension:police", 1),
        ("dimension:order", "dimension:order", 0),
    ]
    assert [r["name"] for r in board[1]["rows"]] == ["公安工作"] and board[2]["rows"] == []


def test_an_analyst_sets_targets_and_the_short_board_uses_them(
    client,
    analyst,
    scored_wave,  # noqa: F811
    english,
):
    # given the results (东华街道 90.0 from one respondent; 西岭镇 40.0)
    login(client, analyst)
    url = reverse("scoring:targets", args=[scored_wave.pk])
    # when: a satisfaction score target of 50 and one for the police dimension
    response = client.post(url, {"satisfaction_score": "50", "dimension:police": "95"})
    # then
    assert response.status_code == 302
    assert dict(WaveTarget.objects.values_list("measure", "value")) == {
        "satisfaction_score": 50.0,
        "dimension:police": 95.0,
    }
    report = client.get(reverse("scoring:results")).context["report"]
    targets = {t["measure"]: t for t in report["lowest"]["targets"]}
    assert targets["satisfaction_score"]["target"] == 50.0
    # two respondents are too few to judge a street or a dimension: none is listed
    police = next(d for d in report["dimensions"] if d["code"] == "police")
    assert police["unreliable"]
    assert targets["satisfaction_score"]["rows"] == targets["dimension:police"]["rows"] == []
    assert targets["dimension:police"]["target"] == 95.0
    # clearing a field removes its target
    client.post(url, {"satisfaction_score": "50"})
    assert list(WaveTarget.objects.values_list("measure", flat=True)) == ["satisfaction_score"]


@pytest.mark.parametrize("value", ["150", "-1", "abc"])
def test_a_target_outside_0_to_100_is_refused_and_nothing_is_saved(
    client,
    analyst,
    scored_wave,  # noqa: F811
    english,
    value,
):
    login(client, analyst)
    url = reverse("scoring:targets", args=[scored_wave.pk])
    response = client.post(url, {"satisfaction_score": value, "safety_score": "80"})
    assert response.status_code == 200 and response.context["form"].errors
    assert not WaveTarget.objects.exists()


def test_a_supervisor_reads_the_targets_but_does_not_set_them(
    client,
    supervisor,
    scored_wave,  # noqa: F811
    english,
):
    WaveTarget.objects.create(wave=scored_wave, measure="satisfaction_score", value=85.0)
    login(client, supervisor)
    url = reverse("scoring:targets", args=[scored_wave.pk])
    assert "85.0" in client.get(url).content.decode()
    client.post(url, {"satisfaction_score": "10"})
    assert WaveTarget.objects.get().value == 85.0
