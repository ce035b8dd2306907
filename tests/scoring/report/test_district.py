"""A district's report from the wave's: its own rows only, its streets ranked within it."""

from scoring.report.district import district_report, districts_of


def _place(code, name, score, rank, low, high, **extra):
    return {
        "code": code,
        "name": name,
        "n": 40,
        "satisfaction_score": score,
        "satisfaction_rate": score,
        "safety_score": score,
        "safety_rate": score,
        "satisfaction_ci_high": score + 2,
        "rank": rank,
        "rank_low": low,
        "rank_high": high,
        "unreliable": rank is None,
        **extra,
    }


def _street(district, code, name, score, city, within):
    return _place(
        code,
        name,
        score,
        city,
        city,
        city,
        district=district[1],
        district_code=district[0],
        district_rank=within,
        district_rank_low=within,
        district_rank_high=within + 1,
        previous_rank=7,
        rank_change=2,
    )


EAST, WEST = ("E", "东区"), ("W", "西区")
REPORT = {
    "wave": {"id": 1, "name": "一季度", "client": "市委", "generated_on": "2026-01-01"},
    "headline": {"satisfaction_score": 75.0},
    "districts": [_place("E", "东区", 80.0, 1, 1, 2), _place("W", "西区", 70.0, 2, 1, 2)],
    "streets": [
        _street(EAST, "E1", "东一", 82.0, 1, 1),
        _street(EAST, "E2", "东二", 78.0, 3, 2),
        _street(WEST, "W1", "西一", 79.0, 2, 1),
    ],
    "dimensions": [{"code": "police", "label": "公安", "score": 77.0}],
    "locality_dimension": {
        "district": {
            "E": {"police": {"score": 81.0, "n": 40, "unreliable": False}},
            "W": {"police": {"score": 70.0, "n": 40, "unreliable": False}},
        },
        "street": {
            "E1": {"police": {"score": 83.0, "n": 20, "unreliable": True}},
            "W1": {"police": {"score": 68.0, "n": 20, "unreliable": True}},
        },
    },
    "lowest": {
        "below_overall": [
            {"name": "西一", "district": "西区"},
            {"name": "东二", "district": "东区"},
        ],
        "targets": [{"measure": "satisfaction_score", "label": "满意度得分", "target": 80.0}],
    },
    "strata": [{"code": "E1", "name": "东一"}, {"code": "W1", "name": "西一"}],
    "index": {
        "district": {"rows": [{"code": "E"}, {"code": "W"}], "short_boards": [{"code": "W"}]},
        "street": {"rows": [{"code": "E1"}, {"code": "W1"}], "short_boards": []},
    },
    "labels": {"title": "结果"},
}


def test_a_district_report_holds_its_own_places_only():
    # when
    east = district_report(REPORT, "E", {"title": "区县报告"})
    # then
    assert districts_of(REPORT) == [("E", "东区"), ("W", "西区")]
    assert [d["code"] for d in east["districts"]] == ["E"]
    assert [s["code"] for s in east["streets"]] == ["E1", "E2"]
    assert east["wave"]["name"] == "一季度 · 东区" and east["labels"]["title"] == "区县报告"
    assert east["district"] == {
        "code": "E",
        "name": "东区",
        "rank": 1,
        "rank_low": 1,
        "rank_high": 2,
        "n_ranked": 2,
        "city_satisfaction_score": 75.0,
    }
    assert east["headline"]["satisfaction_score"] == 80.0 and east["n_interviews"] == 40
    assert [r["name"] for r in east["lowest"]["below_overall"]] == ["东二"]
    assert [r["code"] for r in east["strata"]] == ["E1"]
    assert [r["code"] for r in east["index"]["district"]["rows"]] == ["E"]
    assert east["index"]["district"]["short_boards"] == []
    assert [r["code"] for r in east["index"]["street"]["rows"]] == ["E1"]
    cells = east["locality_dimension"]
    assert (list(cells["district"]), list(cells["street"])) == (["E"], ["E1"])


def test_its_streets_are_ranked_within_the_district():
    east = district_report(REPORT, "E", {})
    second = east["streets"][1]
    assert (second["rank"], second["rank_low"], second["rank_high"]) == (2, 2, 3)
    assert second["city_rank"] == 3
    # the city-wide rank change would read as a change of the rank shown: left out
    assert second["previous_rank"] is None and second["rank_change"] is None


def test_its_short_board_and_dimensions_are_its_own():
    east = district_report(REPORT, "E", {})
    assert [(d["code"], d["score"]) for d in east["dimensions"]] == [("police", 81.0)]
    assert [s["name"] for s in east["lowest"]["streets"]] == ["东二", "东一"]
    (target,) = east["lowest"]["targets"]
    # 东二 78 < 80, its interval up to 80 reaches the target: an estimate below, no more
    assert [(r["name"], r["significant"]) for r in target["rows"]] == [("东二", False)]
    assert east["heat"]["rows"][0]["cells"] == [{"score": 83.0, "unreliable": True}]
