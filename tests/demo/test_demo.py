from base64 import b32decode
from io import StringIO

import numpy as np
import pandas as pd
import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from demo.city import build_city
from demo.services import (
    ANALYST_AUTHENTICATOR_SECRET,
    ANALYST_BACKUP_CODES,
    EARLIER_WAVE_NAME,
    FULL,
    PASSWORD,
    SMALL,
    load_demo,
)
from fieldwork.models import Case, Interview, Wave
from qc.models import Flag, Review, ReviewEvent
from sampling.models import Frame, Level, Locality
from scoring.results import wave_results
from tests.factories import authenticator_code


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


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The small demo, loaded once for this module's tests and rolled back after them."""
    with (
        django_db_blocker.unblock(),
        override_settings(
            MEDIA_ROOT=tmp_path_factory.mktemp("media"),
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        ),
        transaction.atomic(),
    ):
        yield load_demo(seed=3, size=SMALL, say=lambda line: None)
        transaction.set_rollback(True)


@pytest.mark.slow
def test_load_demo_runs_the_whole_pipeline(demo, db):
    wave = demo

    assert Locality.objects.filter(level=Level.STREET).count() >= 60
    assert Frame.objects.get().n_rows == SMALL.households
    assert wave.cases.count() == SMALL.sample
    completed = Interview.objects.filter(case__wave=wave, status=Interview.Status.COMPLETED)
    assert completed.count() == SMALL.completed
    # every completed interview went through QC; some were caught
    reviews = Review.objects.filter(interview__case__wave=wave)
    assert reviews.count() == SMALL.completed
    assert Flag.objects.filter(interview__case__wave=wave).exists()
    # both review steps were taken, and some decisions still wait for the QC lead
    assert reviews.filter(state=Review.State.APPROVED).exists()
    assert reviews.filter(state=Review.State.PROPOSED_APPROVE).exists()
    assert reviews.filter(state=Review.State.FLAGGED).exists()
    # and the results have content
    results = wave_results(wave)
    assert results["n_interviews"] == reviews.filter(state=Review.State.APPROVED).count()
    durations = np.array(completed.values_list("duration_seconds", flat=True))
    assert 240 < np.median(durations) < 600  # about seven minutes, as in the field


@pytest.mark.slow
def test_every_demo_decision_has_its_two_steps_by_two_people(demo, db):
    decided = Review.objects.filter(state__in=[Review.State.APPROVED, Review.State.REJECTED])
    assert decided.count() > SMALL.earlier_completed  # both rounds

    for review in decided.select_related("proposed_by", "decided_by"):
        steps = list(review.events.order_by("at", "id").values_list("to_state", "actor__username"))
        proposal = (
            Review.State.PROPOSED_APPROVE
            if review.state == Review.State.APPROVED
            else Review.State.PROPOSED_REJECT
        )
        assert steps[-2:] == [(proposal, "supervisor"), (review.state, "analyst")], review.pk
        assert (review.proposed_by.username, review.decided_by.username) == (
            "supervisor",
            "analyst",
        )
        assert review.proposed_at is not None and review.decided_at is not None
    # flags standing at a decision are recorded with it
    flagged_decision = ReviewEvent.objects.filter(
        review__interview__flags__isnull=False, actor__username="supervisor"
    ).first()
    assert flagged_decision.rules and {"rule", "severity", "reason"} <= set(
        flagged_decision.rules[0]
    )


@pytest.mark.slow
def test_load_demo_adds_a_finished_earlier_round_with_changes_both_ways(demo, db):
    wave = demo
    earlier = Wave.objects.get(name=EARLIER_WAVE_NAME)

    assert earlier.created_at < wave.created_at
    assert (earlier.client, earlier.questionnaire_version) == (
        wave.client,
        wave.questionnaire_version,
    )
    assert earlier.draw.frame_id == wave.draw.frame_id and earlier.draw.seed != wave.draw.seed
    # a finished round: every case done, every completed interview finally decided
    assert earlier.status == Wave.Status.CLOSED
    assert not Case.objects.filter(wave=earlier, status=Case.Status.PENDING).exists()
    reviews = Review.objects.filter(interview__case__wave=earlier)
    assert reviews.count() == SMALL.earlier_completed
    assert set(reviews.values_list("state", flat=True)) <= {
        Review.State.APPROVED,
        Review.State.REJECTED,
    }
    assert reviews.filter(state=Review.State.APPROVED).count() > SMALL.earlier_completed // 2
    # its interviews and decisions came before the current wave was set up
    last_interview = max(
        Interview.objects.filter(case__wave=earlier).values_list("completed_at", flat=True)
    )
    last_decision = max(ReviewEvent.objects.filter(review__in=reviews).values_list("at", flat=True))
    assert last_interview < wave.created_at and last_decision < wave.created_at

    results = wave_results(wave)
    assert results["previous_wave"] == EARLIER_WAVE_NAME
    assert results["trend"]["waves"] == [EARLIER_WAVE_NAME, wave.name]
    # the trend moves both ways between the rounds (the small demo has too few respondents per
    # place for ranks: unreliable places are listed but neither ranked nor compared)
    changes = [d["scores"][1] - d["scores"][0] for d in results["trend"]["dimensions"]]
    assert any(c > 0 for c in changes)
    assert any(c < 0 for c in changes)


@pytest.mark.slow
def test_the_demos_analyst_confirms_the_login_with_a_printed_code(
    demo, db, client, second_factor_not_verified_at_login
):
    verify, results = reverse("accounts:second_factor_verify"), reverse("scoring:results")
    client.post("/login/", {"username": "analyst", "password": PASSWORD})
    assert client.get(results).url.startswith(verify)
    assert client.post(verify, {"code": ANALYST_BACKUP_CODES[0]}).status_code == 302
    assert client.get(results).status_code == 200
    # or the six digits of an app set up with the printed key
    client.logout()
    client.post("/login/", {"username": "analyst", "password": PASSWORD})
    app = TOTPDevice(key=b32decode(ANALYST_AUTHENTICATOR_SECRET).hex())
    assert client.post(verify, {"code": authenticator_code(app)}).status_code == 302
    assert client.get(results).status_code == 200

    # running load_demo again prints the codes and restores the spent one
    output = StringIO()
    call_command("load_demo", stdout=output)
    assert ANALYST_BACKUP_CODES[0] in output.getvalue()
    assert ANALYST_AUTHENTICATOR_SECRET in output.getvalue()
    client.logout()
    client.post("/login/", {"username": "analyst", "password": PASSWORD})
    assert client.post(verify, {"code": ANALYST_BACKUP_CODES[0]}).status_code == 302
