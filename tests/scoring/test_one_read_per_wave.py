"""One read of each round for a piece of work that reads it several times
(scoring.states.one_read_per_wave): an edition and the composite index read and weight
each round once, every part of them is computed from the same decisions, and what they
cache is cached under the state they read; outside such a block every call reads afresh."""

from collections import Counter

import pytest
from django.core.cache import cache
from django.utils import translation

from qc.models import Review
from scoring import weighting
from scoring.editions import freeze_edition, index_parts
from scoring.loaders import AnswerError
from scoring.results import results_cache_key
from scoring.states import one_read_per_wave, state_key
from scoring.weighting import weighted_sample
from tests.scoring.factories import answers
from tests.scoring.test_round_tables import two_rounds  # noqa: F401 (a fixture)


@pytest.fixture(autouse=True)
def in_english():
    """These tests read the results in English; the language ends with each test."""
    with translation.override("en"):
        yield


@pytest.fixture
def reads(monkeypatch):
    """Counts the reads of each round (scoring.cases.read_round, through weighting) by wave
    id; the reads themselves are the real ones."""
    counted = Counter()
    real = weighting.read_round

    def read_round(wave, **kwargs):
        counted[wave.pk] += 1
        return real(wave, **kwargs)

    monkeypatch.setattr(weighting, "read_round", read_round)
    return counted


def _approve_one_more(wave, places, make_interview):
    make_interview(wave, places["east_a"], answers(safety="5", order="5"))


def test_outside_a_block_every_call_reads_the_latest_decisions(
    two_rounds,  # noqa: F811
    places,
    make_interview,
    reads,
):
    _earlier, later = two_rounds
    first = weighted_sample(wave=later)
    # when one more interview is approved between two calls
    _approve_one_more(later, places, make_interview)
    second = weighted_sample(wave=later)
    # then the second call read again and sees it
    assert reads[later.pk] == 2
    assert second is not first
    assert second.long["interview_id"].nunique() == first.long["interview_id"].nunique() + 1


def test_inside_a_block_a_round_is_read_once_and_a_later_decision_is_not_mixed_in(
    two_rounds,  # noqa: F811
    places,
    make_interview,
    reads,
):
    earlier, later = two_rounds
    with one_read_per_wave():
        first = weighted_sample(wave=later)
        state = state_key(later)
        _approve_one_more(later, places, make_interview)
        assert state_key(later) == state  # the state the block read the wave in
        with one_read_per_wave():  # a block inside shares the outer block's reads
            again = weighted_sample(wave=later)
        other = weighted_sample(wave=earlier)
        street_level = weighted_sample(wave=later, level="street")
    # then each (wave, level) was read once, and the block's readers share one sample
    assert again is first
    assert other is not first and street_level is not first
    assert reads == Counter({later.pk: 2, earlier.pk: 1})  # district level, street level
    assert first.long["interview_id"].nunique() == 4
    # and after the block the next call reads the decision taken meanwhile, in a new state
    assert weighted_sample(wave=later).long["interview_id"].nunique() == 5
    assert state_key(later) != state


def test_an_edition_reads_each_round_once(two_rounds, analyst, reads):  # noqa: F811
    earlier, later = two_rounds
    # when the later round is frozen with an empty cache (results, index at both levels
    # against the earlier round, the tables later rounds compare with, the inputs' hash)
    edition = freeze_edition(wave=later, user=analyst)
    # then each round was read and weighted once
    assert reads == Counter({later.pk: 1, earlier.pk: 1})
    # and the edition holds the index of both levels and the results of those reads
    assert set(edition.report["index"]) == {"district", "street"}
    assert all("rows" in level for level in edition.report["index"].values())


def test_the_composite_index_reads_each_round_once(two_rounds, reads):  # noqa: F811
    earlier, later = two_rounds
    found = index_parts(later)
    assert reads == Counter({later.pk: 1, earlier.pk: 1})
    # the rank changes are against the earlier round, read in the same block
    assert found["district"]["previous_wave"] == earlier.name


def test_an_interview_rejected_during_an_edition_is_in_none_of_its_parts(
    two_rounds,  # noqa: F811
    analyst,
    monkeypatch,
):
    """Every part of an edition comes from the one read: a decision taken while the edition
    is being computed (here: right after the inputs' hash is taken) is in none of them."""
    _earlier, later = two_rounds
    from scoring import editions

    real = editions.input_hash

    def hash_then_reject(*, wave):
        found = real(wave=wave)
        review = Review.objects.filter(interview__case__wave=later).order_by("pk").first()
        Review.objects.filter(pk=review.pk).update(state=Review.State.REJECTED)
        return found

    monkeypatch.setattr(editions, "input_hash", hash_then_reject)
    before = state_key(later)
    edition = freeze_edition(wave=later, user=analyst)
    # then the results, the index and the hash all count the four interviews of the read
    assert edition.report["n_interviews"] == 4
    assert sum(row["n"] for row in edition.report["index"]["district"]["rows"]) == 4
    assert edition.report["input_hash"] == edition.input_hash
    # and what it computed is cached under the state it read, not under the state after the
    # rejection (whose results must count three interviews)
    assert edition.inputs_state == before != state_key(later)
    assert cache.get(f"{before}:en")["n_interviews"] == 4
    assert cache.get(results_cache_key(later)) is None
    assert cache.get(f"{state_key(later)}:tables") is None


def test_a_decision_landing_during_the_read_is_read_again_in_its_state(
    two_rounds,  # noqa: F811
    places,
    make_interview,
    monkeypatch,
):
    """The block's state is taken before and after the read: a decision committed while the
    round was being read makes it read again, so the state names what the read holds."""
    _earlier, later = two_rounds
    real = weighting.read_round
    calls = []

    def read_then_decide(wave, **kwargs):
        found = real(wave, **kwargs)
        calls.append(wave.pk)
        if len(calls) == 1:  # committed after the first read, before the state is checked
            _approve_one_more(later, places, make_interview)
        return found

    monkeypatch.setattr(weighting, "read_round", read_then_decide)
    with one_read_per_wave():
        first_state = state_key(later)
        sample = weighted_sample(wave=later)
        state = state_key(later)
    assert calls == [later.pk, later.pk]
    assert sample.long["interview_id"].nunique() == 5
    assert state != first_state and state == state_key(later)  # the state of the 5 read


def test_an_error_is_raised_again_in_the_block_and_the_block_ends_with_it(
    two_rounds,  # noqa: F811
    reads,
    monkeypatch,
):
    _earlier, later = two_rounds
    real = weighting._weighted_sample

    def failing(wave, level, trim_bounds):
        raise AnswerError("Interview #1, question 'order_q1': answer '7' is not a choice.")

    monkeypatch.setattr(weighting, "_weighted_sample", failing)
    with pytest.raises(AnswerError), one_read_per_wave():
        for _ in range(3):  # the index asks four times: one failed read is enough
            with pytest.raises(AnswerError):
                weighted_sample(wave=later)
        raise AnswerError("and the block ends with an error")
    monkeypatch.setattr(weighting, "_weighted_sample", real)
    # after it, no block: every call reads afresh
    first, second = weighted_sample(wave=later), weighted_sample(wave=later)
    assert first is not second and reads[later.pk] == 2
