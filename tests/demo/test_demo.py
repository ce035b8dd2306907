import numpy as np
import pandas as pd
import pytest

from demo.city import build_city
from demo.services import FULL, SMALL, load_demo
from fieldwork.models import Interview
from qc.models import Flag, Review
from sampling.models import Frame, Level, Locality
from scoring.presenters import wave_results


def test_the_full_demo_is_as_large_as_promised():
    assert FULL.households >= 200_000 and FULL.completed >= 3_000


def test_the_city_has_the_promised_shape_and_valid_phones():
    city = build_city(11, households=3_000)
    levels = city.localities["level"].value_counts()
    assert (
        levels["district"] >= 6
        and levels["street"] >= 60
        and levels["community"] > levels["street"]
    )
    streets = city.localities[city.localities["level"] == "street"]
    assert set(streets["area_type"]) == {"central", "peri_urban", "rural"}
    assert city.frame["phone"].str.fullmatch(r"1[3-9]\d{9}").all()
    assert city.frame["phone"].is_unique and city.frame["household_id"].is_unique
    assert len(city.frame) == 3_000


def test_the_city_is_the_same_for_the_same_seed():
    a, b = build_city(5, households=2_000), build_city(5, households=2_000)
    pd.testing.assert_frame_equal(a.frame, b.frame)
    assert not build_city(6, households=2_000).frame["phone"].equals(a.frame["phone"])


def test_population_rolls_up_from_communities_to_the_city():
    localities = build_city(3, households=1_000).localities

    def total(level: str) -> int:
        populations = localities[localities["level"] == level]["population"]
        return sum(sum(p.values()) for p in populations)

    assert total("community") == total("street") == total("district") == total("city")


@pytest.mark.django_db
def test_load_demo_runs_the_whole_pipeline(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    wave = load_demo(seed=3, size=SMALL, say=lambda line: None)

    assert Locality.objects.filter(level=Level.STREET).count() >= 60
    assert Frame.objects.get().n_rows == SMALL.households
    assert wave.cases.count() == SMALL.sample
    completed = Interview.objects.filter(status=Interview.Status.COMPLETED)
    assert completed.count() == SMALL.completed
    # every completed interview went through QC; some were caught
    assert Review.objects.count() == SMALL.completed
    assert Flag.objects.exists()
    assert Review.objects.filter(state=Review.State.APPROVED).exists()
    # and the results have content
    results = wave_results(wave)
    assert results is not None
    durations = np.array(completed.values_list("duration_seconds", flat=True))
    assert 240 < np.median(durations) < 600  # about seven minutes, as in the field
