"""Setting a wave up: cases from the draw, reserves and assignment."""

import pytest
from django.core.exceptions import ValidationError

from fieldwork.services import waves


def test_create_wave_turns_the_main_sample_into_cases(wave, draw):
    # The draw has 6 main units and 2 reserve units (replicate 1)
    assert wave.cases.count() == 6
    assert set(wave.cases.values_list("unit__replicate", flat=True)) == {0}


def test_releasing_a_reserve_replicate_adds_its_cases_once(wave):
    assert waves.release_replicate(wave=wave, replicate=1) == 2
    assert waves.release_replicate(wave=wave, replicate=1) == 0
    assert wave.cases.count() == 8


def test_assign_cases_gives_only_unassigned_pending_cases(wave, interviewer, other_interviewer):
    assert waves.assign_cases(wave=wave, interviewer=interviewer, count=4) == 4
    assert waves.assign_cases(wave=wave, interviewer=other_interviewer, count=4) == 2
    mine = set(wave.cases.filter(interviewer=interviewer).values_list("id", flat=True))
    theirs = set(wave.cases.filter(interviewer=other_interviewer).values_list("id", flat=True))
    assert len(mine) == 4 and len(theirs) == 2 and not mine & theirs


def test_assign_cases_refuses_a_non_interviewer(wave, supervisor):
    with pytest.raises(ValidationError):
        waves.assign_cases(wave=wave, interviewer=supervisor, count=1)
