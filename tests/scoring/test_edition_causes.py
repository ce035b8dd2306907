"""What caused an automatic draft: the review decisions, weighting and target changes since
the edition before it, with who made them (scoring.edition_causes)."""

from django.utils import timezone

from qc.models import Review
from qc.services.reviews import approve_interview
from scoring.edition_causes import draft_cause
from scoring.models import WaveWeighting
from scoring.presenters import cause_lines
from scoring.services import set_nonresponse, set_targets
from tests.scoring.factories import answers
from tests.scoring.test_views import scored_wave  # noqa: F401  (fixture)


def test_a_weighting_and_a_target_change_are_named_with_who_made_them(
    scored_wave,  # noqa: F811
    analyst,
    english,
):
    # given the time of the last edition, then the analyst changes the weighting and targets
    since = timezone.now()
    set_nonresponse(wave=scored_wave, user=analyst, method=WaveWeighting.Nonresponse.NONE)
    set_targets(wave=scored_wave, user=analyst, targets={"satisfaction_score": 80.0})
    # when
    cause = draft_cause(wave=scored_wave, since=since)
    # then: no decision since; both changes, by the analyst
    name = analyst.get_full_name() or analyst.username
    assert cause["decisions"] == [] and cause["n_decisions"] == 0 and not cause["other"]
    assert (cause["weighting"]["by"], cause["weighting"]["by_name"]) == (analyst.pk, name)
    assert (cause["targets"]["by"], cause["targets"]["by_name"]) == (analyst.pk, name)
    texts = [line["text"] for line in cause_lines(cause)]
    assert texts == [f"Weighting changed by {name}", f"Targets changed by {name}"]


def test_decisions_before_the_edition_are_not_its_cause_and_an_unrecorded_change_is_other(
    scored_wave,  # noqa: F811
    places,
    make_interview,
    supervisor,
    analyst,
    english,
):
    # given an approval before the edition's time
    interview = make_interview(
        scored_wave, places["east_a"], answers(safety="1"), state=Review.State.CLEAN
    )
    review = Review.objects.get(interview=interview)
    approve_interview(review=review, user=supervisor)
    approve_interview(review=review, user=analyst)
    since = timezone.now()
    # when nothing the cause records has changed since
    cause = draft_cause(wave=scored_wave, since=since)
    every = draft_cause(wave=scored_wave, since=None)
    # then
    assert cause["decisions"] == [] and cause["other"]
    texts = [line["text"] for line in cause_lines(cause)]
    assert texts == ["A change of the frame, the released reserves or the localities"]
    assert [d["interview"] for d in every["decisions"]][:1] == [interview.pk]
    assert every["decisions"][0]["by"] == analyst.pk
