"""A drawn frame's extra columns rest sealed on its units: a householder's name and a second
address are in no column of any table in clear (searched raw, as the privacy tests search),
the key opens them, and a column a quota comes to count moves into clear for the queue and the
quota progress, leaving the names sealed."""

import pytest
from django.utils import timezone

from common.personal import keyring
from fieldwork import loaders
from fieldwork.models import Interview
from fieldwork.services.waves import set_quota_target
from sampling.services.draws import draw_sample
from scoring.models import WaveWeighting
from scoring.services import WeightingInputError, frame_attributes, set_nonresponse
from tests.factories import make_wave
from tests.privacy.scan import decrypted_tokens, every_stored_text, found_in
from tests.sampling.conftest import FRAME_SIZES, frame_rows
from tests.sampling.services.test_frames import import_csv


@pytest.fixture
def drawn(localities, media_root, tmp_path):
    rows = frame_rows(FRAME_SIZES)
    rows["householder"] = [f"框户主测试{i}号" for i in range(len(rows))]
    rows["home_address"] = [f"户籍地址测试路{i}号" for i in range(len(rows))]
    rows["building_type"] = ["平房" if i % 3 else "楼房" for i in range(len(rows))]
    path = tmp_path / "frame.csv"
    rows.to_csv(path, index=False)
    draw = draw_sample(frame=import_csv(path), n=10, seed=5)
    units = rows.set_index("hh").loc[list(draw.units.values_list("unit_id", flat=True))]
    return draw, units


def test_names_and_addresses_of_a_drawn_frame_are_in_no_table_in_clear(drawn):
    draw, units = drawn
    personal = [*units["householder"], *units["home_address"]]
    stored = every_stored_text()
    assert not found_in(personal, stored)
    assert found_in(personal, decrypted_tokens(stored, keyring())) == personal
    assert sorted(draw.sealed_columns) == ["building_type", "home_address", "householder", "note"]


def test_a_quota_on_a_frame_column_makes_it_plain_and_counts_by_it(
    drawn, standard_version, interviewer
):
    draw, units = drawn
    wave = make_wave(draw=draw, version=standard_version)
    set_quota_target(wave=wave, stratum="", variable="building_type", value="平房", target=5)
    set_quota_target(wave=wave, stratum="", variable="building_type", value="楼房", target=5)

    for unit_id, plain, sealed in draw.units.values_list(
        "unit_id", "attributes", "sealed_attributes"
    ):
        assert plain == {"building_type": units.loc[unit_id, "building_type"]}
        assert set(sealed) == {"householder", "home_address", "note"}
    draw.refresh_from_db()
    assert sorted(draw.sealed_columns) == ["home_address", "householder", "note"]
    personal = [*units["householder"], *units["home_address"]]
    assert not found_in(personal, every_stored_text())
    # the quota progress counts completes by the unit's building type, now in clear
    for case in wave.cases.select_related("unit"):
        Interview.objects.create(
            case=case, questionnaire_version=standard_version, interviewer=interviewer,
            mode="door", status="completed", started_at=timezone.now(), answers={},
        )  # fmt: skip
    progress = loaders.quota_progress(wave).set_index("value")["achieved"]
    expected = units["building_type"].value_counts()
    assert progress.to_dict() == expected.to_dict()


def test_the_nonresponse_adjustment_may_split_by_a_sealed_column_which_becomes_plain(
    drawn, standard_version, analyst
):
    draw, units = drawn
    wave = make_wave(draw=draw, version=standard_version)
    assert "building_type" in frame_attributes(wave)  # offered though sealed
    set_nonresponse(
        wave=wave, user=analyst, method=WaveWeighting.Nonresponse.STRATUM_ATTRIBUTE,
        attribute="building_type",
    )  # fmt: skip
    plain = dict(draw.units.values_list("unit_id", "attributes"))
    assert plain == {u: {"building_type": units.loc[u, "building_type"]} for u in plain}
    with pytest.raises(WeightingInputError):
        set_nonresponse(wave=wave, user=analyst, method="stratum_attribute", attribute="nope")
