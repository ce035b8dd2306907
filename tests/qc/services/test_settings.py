"""qc.services.settings: a wave's QC settings and the rule thresholds in force."""

import pytest
from django.core.exceptions import ValidationError

from fieldwork.models import Interview
from qc import rules
from qc.models import Flag, QCSettings, Review
from qc.services.checks import check_completed_interview, check_interviews
from qc.services.settings import rule_config, save_qc_settings, wave_settings
from tests.qc.conftest import varied_answers


def test_wave_thresholds_are_used_by_the_checks(world, interviewer, supervisor):
    # 45 s for 13 answers fires "rushed" by default (60 s floor); not with a 30 s floor
    save_qc_settings(
        wave=world.wave, user=supervisor, values={"floor_seconds": 30.0, "seconds_per_item": 2.0}
    )
    interview = world.interview(interviewer, answers=varied_answers(), duration=45)
    assert check_completed_interview(interview).state == Review.State.CLEAN
    other_wave = world.make_wave("2025 Q2")
    other = world.interview(interviewer, answers=varied_answers(), duration=45, wave=other_wave)
    assert check_completed_interview(other).state == Review.State.FLAGGED
    # the batch check uses each wave's own thresholds too
    Review.objects.all().delete()
    Flag.objects.all().delete()
    check_interviews(interviews=Interview.objects.all())
    assert dict(Review.objects.values_list("interview_id", "state")) == {
        interview.pk: Review.State.CLEAN,
        other.pk: Review.State.FLAGGED,
    }


def test_bad_wave_threshold_is_refused_naming_the_setting(world, supervisor):
    with pytest.raises(ValidationError, match="straightlining_max_share"):
        save_qc_settings(wave=world.wave, user=supervisor, values={"straightlining_max_share": 1.5})
    with pytest.raises(ValidationError, match="backcheck_share"):
        save_qc_settings(wave=world.wave, user=supervisor, values={"backcheck_share": 2})
    assert not QCSettings.objects.exists()


def test_settings_store_only_thresholds_that_differ_from_the_default(world, analyst):
    default = rules.RuleConfig()
    saved = save_qc_settings(
        wave=world.wave,
        user=analyst,
        values={"floor_seconds": default.floor_seconds, "seconds_per_item": 5.0},
    )
    assert saved.rules == {"seconds_per_item": 5.0}
    assert rule_config(world.wave) == rules.RuleConfig(seconds_per_item=5.0)


def test_settings_default_when_none_saved(world):
    assert not QCSettings.objects.exists()
    assert wave_settings(world.wave).backcheck_share == 0.3
