"""Draws from stored frames and from files: seeds, allocation, stored units."""

import pandas as pd
import pytest
from django.db.models import Count

from sampling.allocation import proportional
from sampling.errors import SamplingInputError
from sampling.models import Draw, SampledUnit
from sampling.selectors import sample_table
from sampling.services.attributes import make_plain
from sampling.services.draws import draw_file_sample, draw_sample
from sampling.services.plans import Plan, allocation_preview
from tests.sampling.conftest import FRAME_SIZES, frame_rows
from tests.sampling.services.test_frames import import_csv


def test_draw_stores_the_proportional_sample_with_its_seed(frame):
    draw = draw_sample(frame=frame, n=10, seed=123)

    assert (draw.seed, draw.n_total, draw.stratum_column) == (123, 10, "street_code")
    per_street = pd.Series(
        list(SampledUnit.objects.filter(draw=draw).values_list("stratum", flat=True))
    ).value_counts()
    # 40/20/40 of 100 → 4/2/4
    assert per_street.to_dict() == {"320102001": 4, "320104001": 4, "320102002": 2}
    unit = SampledUnit.objects.filter(draw=draw, stratum="320104001").first()
    assert unit.inclusion_probability == 0.1 and unit.design_weight == 10.0
    assert unit.locality.code == "320104001001" and unit.street.code == "320104001"
    assert len(unit.phone) == 11


def test_same_seed_draws_the_same_units(frame):
    first = draw_sample(frame=frame, n=15, seed=7)
    second = draw_sample(frame=frame, n=15, seed=7)
    other = draw_sample(frame=frame, n=15, seed=8)

    def units(draw: Draw) -> set[str]:
        return set(draw.units.values_list("unit_id", flat=True))

    assert units(first) == units(second)
    assert units(first) != units(other)


def test_draw_without_seed_records_one_that_reproduces_it(frame):
    draw = draw_sample(frame=frame, n=15)

    again = draw_sample(frame=frame, n=15, seed=draw.seed)

    assert set(draw.units.values_list("unit_id", flat=True)) == set(
        again.units.values_list("unit_id", flat=True)
    )


def test_minimum_per_stratum_is_honoured(frame):
    draw = draw_sample(frame=frame, n=10, seed=1, minimum_per_stratum=3)

    counts = dict(draw.units.values_list("stratum").annotate(n=Count("pk")))
    assert counts == {"320102001": 4, "320102002": 3, "320104001": 3}


def test_impossible_draw_writes_nothing(frame):
    with pytest.raises(SamplingInputError, match="larger than the frame"):
        draw_sample(frame=frame, n=101, seed=1)
    with pytest.raises(SamplingInputError, match="minimum of 5 per stratum needs 15 units"):
        draw_sample(frame=frame, n=10, seed=1, minimum_per_stratum=5)

    assert Draw.objects.count() == 0 and SampledUnit.objects.count() == 0


def test_allocation_preview_lists_streets_with_margins(frame):
    rows = allocation_preview(frame=frame, n=30)

    assert [(r["name"], r["population"], r["sample_size"]) for r in rows] == [
        ("梅园新村街道", 40, 12),
        ("新街口街道", 20, 6),
        ("夫子庙街道", 40, 12),
    ]
    # 1.96·√(0.25/12 · (1 − 12/40))
    assert rows[0]["margin_of_error"] == pytest.approx(1.96 * (0.25 / 12 * 0.7) ** 0.5)
    assert rows[0]["fraction"] == pytest.approx(0.3)


def test_allocation_preview_matches_the_draw(frame):
    rows = allocation_preview(frame=frame, n=17, minimum_per_stratum=2)
    sizes = pd.Series({r["stratum"]: r["population"] for r in rows})

    assert [r["sample_size"] for r in rows] == proportional(sizes, 17, minimum=2).tolist()


def test_sample_table_keeps_frame_columns_and_design_figures(frame):
    draw = draw_sample(frame=frame, n=10, seed=3)

    table = sample_table(draw)

    assert len(table) == 10
    assert set(frame.columns) | {"stratum", "inclusion_probability", "design_weight"} <= set(
        table.columns
    )
    assert (table["stratum"] == table["street_code"]).all()
    assert table["phone"].str.fullmatch(r"1[3-9]\d{9}").all()


def test_draw_keeps_the_frames_extra_columns_on_each_unit_sealed(localities, tmp_path):
    rows = frame_rows(FRAME_SIZES)
    rows["building_type"] = ["平房" if i % 3 else "楼房" for i in range(len(rows))]
    path = tmp_path / "frame.csv"
    rows.to_csv(path, index=False)
    frame = import_csv(path)

    draw = draw_sample(frame=frame, n=10, seed=5)

    expected = {
        row["hh"]: {"note": "", "building_type": row["building_type"]}
        for row in rows.fillna("").to_dict("records")
    }
    units = list(draw.units.values_list("unit_id", "attributes", "sealed_attributes"))
    assert len(units) == 10
    # none is a stratum or sort column: all sealed, none in clear
    assert all(plain == {} and sealed == expected[u] for u, plain, sealed in units)
    assert sorted(draw.sealed_columns) == ["building_type", "note"]
    # once something queries one (a quota cell, the nonresponse adjustment), it moves to clear
    assert make_plain(draw_id=draw.pk, names=["building_type", "not_a_column"]) == 10
    units = list(draw.units.values_list("unit_id", "attributes", "sealed_attributes"))
    assert all(
        plain == {"building_type": expected[u]["building_type"]} and sealed == {"note": ""}
        for u, plain, sealed in units
    )
    draw.refresh_from_db()
    assert draw.sealed_columns == ["note"]
    assert make_plain(draw_id=draw.pk, names=["building_type"]) == 0


def test_a_stratum_or_sort_column_of_the_frame_stays_in_clear(localities, tmp_path):
    rows = frame_rows(FRAME_SIZES)
    rows["building_type"] = ["平房" if i % 3 else "楼房" for i in range(len(rows))]
    rows["householder"] = [f"户主{i}" for i in range(len(rows))]
    path = tmp_path / "frame.csv"
    rows.to_csv(path, index=False)
    frame = import_csv(path)

    draw = draw_sample(frame=frame, plan=Plan(n=10, sort_columns=("building_type",)), seed=5)

    by_id = rows.set_index("hh")
    for unit_id, plain, sealed in draw.units.values_list(
        "unit_id", "attributes", "sealed_attributes"
    ):
        assert plain == {"building_type": by_id.loc[unit_id, "building_type"]}
        assert sealed == {"note": "", "householder": by_id.loc[unit_id, "householder"]}


# --- plans on files ------------------------------------------------------------------------------


def file_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "hh": [f"h{i:03d}" for i in range(60)],
            "district": ["east"] * 40 + ["west"] * 20,
            "area": (["rural", "central"] * 30),
            "phone": [f"139{i:08d}" for i in range(60)],
        }
    )


def test_file_draw_keeps_columns_and_adds_the_design(db):
    sample, table, seed = draw_file_sample(
        table=file_frame(),
        plan=Plan(n=12, strata=("district", "area"), reserves=1),
        seed=4,
        unit_column="hh",
        where="f.csv",
    )

    assert seed == 4
    assert list(sample.columns) == [
        "hh", "district", "area", "phone", "stratum",
        "inclusion_probability", "design_weight", "replicate",
    ]  # fmt: skip
    assert sample[sample["replicate"] == 0]["stratum"].value_counts().to_dict() == {
        "east|central": 4, "east|rural": 4, "west|central": 2, "west|rural": 2,
    }  # fmt: skip
    assert table.columns.tolist() == ["stratum", "N_h", "n_h", "fraction", "moe", "reserve_h"]
    assert table["n_h"].sum() == 12 and table["N_h"].sum() == 60


def test_file_draw_without_unit_column_uses_row_numbers(db):
    first, _, _ = draw_file_sample(table=file_frame(), plan=Plan(n=5, strata=("area",)), seed=1)
    again, _, _ = draw_file_sample(table=file_frame(), plan=Plan(n=5, strata=("area",)), seed=1)

    assert first.equals(again) and len(first) == 5


def test_file_draw_errors_are_named(db):
    with pytest.raises(SamplingInputError, match="f.csv has no column sex"):
        draw_file_sample(table=file_frame(), plan=Plan(n=5, strata=("sex",)), seed=1, where="f.csv")
    duplicated = file_frame()
    duplicated.loc[5, "hh"] = "h000"
    with pytest.raises(SamplingInputError, match="unit id h000 is repeated \\(row 7\\)"):
        draw_file_sample(
            table=duplicated, plan=Plan(n=5, strata=("area",)), seed=1, unit_column="hh",
            where="f.csv",
        )  # fmt: skip
    with pytest.raises(SamplingInputError, match="The seed must be"):
        draw_file_sample(table=file_frame(), plan=Plan(n=5, strata=("area",)), seed=-1)
    with pytest.raises(SamplingInputError, match="Unknown allocation method"):
        draw_file_sample(table=file_frame(), plan=Plan(n=5, strata=("area",), method="x"), seed=1)
    with pytest.raises(SamplingInputError, match="The file has no column street_code"):
        draw_file_sample(table=file_frame(), plan=Plan(n=5), seed=1)
