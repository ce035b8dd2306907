"""Plans on stored frames: any strata columns, every method, reserves and their release,
exclusion of recent draws, and per-stratum values typed in as text."""

import pandas as pd
import pytest

from sampling.errors import SamplingInputError
from sampling.models import Draw, Frame, Locality, ReplicateRelease, SampledUnit
from sampling.selectors import sample_table
from sampling.services.draws import draw_sample
from sampling.services.frames import import_frame
from sampling.services.plans import Plan, allocation_preview, read_stratum_values
from sampling.services.releases import next_reserve, record_release
from tests.sampling.conftest import MAPPING

STREETS = ["320102001", "320102002", "320104001"]


@pytest.fixture
def frame_with_area_types(localities, frame_file) -> Frame:
    # Area types: the two 玄武区 streets are central, 夫子庙街道's community is rural.
    Locality.objects.filter(code="320102").update(area_type="central")
    Locality.objects.filter(code="320104001001").update(area_type="rural")
    with frame_file.open("rb") as file:
        return import_frame(file=file, source_name="frame.csv", name="f", mapping=MAPPING)


def per_stratum(draw: Draw, replicate: int = 0) -> dict[str, int]:
    strata = draw.units.filter(replicate=replicate).values_list("stratum", flat=True)
    return pd.Series(list(strata), dtype=str).value_counts().to_dict()


def test_strata_can_be_area_type_derived_from_the_tree(frame_with_area_types):
    rows = allocation_preview(frame=frame_with_area_types, plan=Plan(n=10, strata=("area_type",)))

    # 60 central (streets 1 and 2 inherit 玄武区's type), 40 rural.
    assert [(r["stratum"], r["name"], r["population"], r["sample_size"]) for r in rows] == [
        ("central", "Central urban", 60, 6),
        ("rural", "Rural", 40, 4),
    ]


def test_strata_can_combine_columns(frame_with_area_types):
    draw = draw_sample(
        frame=frame_with_area_types,
        plan=Plan(n=12, strata=("district_code", "area_type"), method="equal"),
        seed=1,
    )

    assert per_stratum(draw) == {"320102|central": 6, "320104|rural": 6}
    assert draw.strata_columns == ["district_code", "area_type"]
    assert draw.stratum_column == "district_code+area_type"
    assert draw.allocation == "equal"


def test_preview_names_locality_strata(frame_with_area_types):
    rows = allocation_preview(
        frame=frame_with_area_types, plan=Plan(n=10, strata=("district_code",))
    )

    assert [r["name"] for r in rows] == ["玄武区", "秦淮区"]


def test_unknown_strata_column_is_named(frame_with_area_types):
    with pytest.raises(SamplingInputError, match="no column sex"):
        allocation_preview(frame=frame_with_area_types, plan=Plan(n=10, strata=("sex",)))


def test_empty_strata_value_is_reported_with_rows(frame_with_area_types):
    # The frame's `note` column is empty everywhere.
    with pytest.raises(SamplingInputError, match=r"Column note is empty on 100 rows \(rows 2, 3"):
        allocation_preview(frame=frame_with_area_types, plan=Plan(n=10, strata=("note",)))


def test_neyman_power_and_fixed_plans_are_recorded(frame_with_area_types):
    sds = {"320102001": 1.0, "320102002": 4.0, "320104001": 1.0}
    neyman = draw_sample(
        frame=frame_with_area_types, plan=Plan(n=12, method="neyman", sds=sds), seed=1
    )
    power = draw_sample(
        frame=frame_with_area_types, plan=Plan(n=10, method="power", exponent=0.0), seed=1
    )
    fixed = draw_sample(
        frame=frame_with_area_types,
        plan=Plan(n=None, method="fixed", fixed_sizes={"320104001": 7}),
        seed=1,
    )

    # Weights 40, 80, 40: 3, 6, 3.
    assert per_stratum(neyman) == {"320102001": 3, "320102002": 6, "320104001": 3}
    assert neyman.allocation_params == {"sds": sds}
    assert per_stratum(power) == {"320102001": 4, "320102002": 3, "320104001": 3}
    assert power.allocation_params == {"exponent": 0.0}
    assert per_stratum(fixed) == {"320104001": 7} and fixed.n_total == 7


def test_reserves_are_stored_as_replicates(frame_with_area_types):
    draw = draw_sample(
        frame=frame_with_area_types, plan=Plan(n=10, reserves=2, reserve_fraction=0.5), seed=3
    )

    assert per_stratum(draw, 0) == {"320102001": 4, "320104001": 4, "320102002": 2}
    assert per_stratum(draw, 1) == {"320102001": 2, "320104001": 2, "320102002": 1}
    assert per_stratum(draw, 2) == per_stratum(draw, 1)
    unit = draw.units.filter(replicate=2, stratum="320102001").first()
    assert unit.inclusion_probability == pytest.approx(8 / 40)  # 4 + 2 + 2 of 40
    assert (draw.reserve_replicates, draw.reserve_fraction, draw.n_total) == (2, 0.5, 10)


def test_systematic_plan_is_recorded_and_reproducible(frame_with_area_types):
    plan = Plan(n=10, sort_columns=("locality_code", "address"))

    first = draw_sample(frame=frame_with_area_types, plan=plan, seed=5)
    again = draw_sample(frame=frame_with_area_types, plan=plan, seed=5)

    units = lambda d: sorted(d.units.values_list("unit_id", flat=True))  # noqa: E731
    assert units(first) == units(again)
    assert first.sort_columns == ["locality_code", "address"]


def test_units_of_recent_draws_are_excluded(frame_with_area_types):
    earlier = draw_sample(frame=frame_with_area_types, plan=Plan(n=50), seed=1)
    used = set(earlier.units.values_list("unit_id", flat=True))

    later = draw_sample(
        frame=frame_with_area_types, plan=Plan(n=50, exclude_recent_draws=1), seed=1
    )

    assert used.isdisjoint(later.units.values_list("unit_id", flat=True))
    assert (later.n_excluded, later.excluded_draw_ids) == (50, [earlier.pk])
    # π is over what was left: 40 − 20 = 20 units in the first street, 20 drawn.
    unit = later.units.filter(stratum="320102001").first()
    assert unit.inclusion_probability == 1.0
    with pytest.raises(SamplingInputError, match="larger than the frame \\(50 units\\)"):
        draw_sample(frame=frame_with_area_types, plan=Plan(n=51, exclude_recent_draws=1), seed=1)


def test_phone_of_a_recent_draw_excludes_a_unit_with_another_id(frame_with_area_types):
    earlier = draw_sample(
        frame=frame_with_area_types, plan=Plan(n=1, strata=("district_code",)), seed=1
    )
    unit = earlier.units.get()
    SampledUnit.objects.filter(pk=unit.pk).update(unit_id="OTHER")  # same phone, new id

    later = draw_sample(
        frame=frame_with_area_types, plan=Plan(n=99, exclude_recent_draws=1), seed=1
    )

    assert unit.phone not in set(later.units.values_list("phone", flat=True))


# --- release of reserves -----------------------------------------------------------------------


def test_release_is_recorded_in_order(frame_with_area_types, supervisor):
    draw = draw_sample(frame=frame_with_area_types, plan=Plan(n=10, reserves=2), seed=3)
    assert next_reserve(draw) == 1

    release = record_release(draw=draw, replicate=1, user=supervisor, reason=" 应答率低 ")

    assert (release.released_by, release.reason, release.n_units) == (supervisor, "应答率低", 10)
    assert release.released_at is not None
    assert next_reserve(draw) == 2


@pytest.mark.parametrize(
    ("replicate", "reason", "message"),
    [
        (2, "low", "Release replicate 1 first"),
        (0, "low", "replicates 1 to 2; 0 is not one of them"),
        (3, "low", "3 is not one of them"),
        (1, " ", "Say why"),
    ],
)
def test_bad_releases_are_refused(frame_with_area_types, supervisor, replicate, reason, message):
    draw = draw_sample(frame=frame_with_area_types, plan=Plan(n=10, reserves=2), seed=3)

    with pytest.raises(SamplingInputError, match=message):
        record_release(draw=draw, replicate=replicate, user=supervisor, reason=reason)
    assert ReplicateRelease.objects.count() == 0


def test_a_replicate_is_released_once(frame_with_area_types, supervisor):
    draw = draw_sample(frame=frame_with_area_types, plan=Plan(n=10, reserves=1), seed=3)
    record_release(draw=draw, replicate=1, user=supervisor, reason="low")

    with pytest.raises(SamplingInputError, match="already released"):
        record_release(draw=draw, replicate=1, user=supervisor, reason="again")
    assert next_reserve(draw) is None
    plain = draw_sample(frame=frame_with_area_types, plan=Plan(n=10), seed=3)
    with pytest.raises(SamplingInputError, match="no reserve replicates"):
        record_release(draw=plain, replicate=1, user=supervisor, reason="low")


def test_sample_table_shows_replicates(frame_with_area_types):
    draw = draw_sample(frame=frame_with_area_types, plan=Plan(n=10, reserves=1), seed=3)

    table = sample_table(draw)

    assert table["replicate"].value_counts().to_dict() == {0: 10, 1: 10}


def test_stratum_values_parse_with_or_without_a_header():
    assert read_stratum_values(text="stratum,n\na,3\nb,4\n", what="n", integer=True) == {
        "a": 3,
        "b": 4,
    }
    assert read_stratum_values(text="a\t0.5", what="sd", integer=False) == {"a": 0.5}


def test_stratum_value_errors_name_lines():
    with pytest.raises(SamplingInputError) as raised:
        read_stratum_values(text="a,3\nb,x\nc,1.5\nd\na,2\ne,-1", what="n", integer=True)

    assert raised.value.errors == [
        "Line 2: 'x' is not a number.",
        "Line 3: the n must be a whole number of 0 or more.",
        "Line 4: expected stratum,n.",
        "Line 5: stratum a is listed twice.",
        "Line 6: the n must be a whole number of 0 or more.",
    ]
