from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from qc.models import Review


def test_check_interviews_command_checks_one_wave(world, interviewer):
    other_wave = world.make_wave("2025 Q2")
    mine = world.interview(interviewer)
    world.interview(interviewer, wave=other_wave)
    out = StringIO()
    call_command("check_interviews", wave=world.wave.pk, stdout=out)
    assert "Checked 1 completed interviews." in out.getvalue()
    assert list(Review.objects.values_list("interview_id", flat=True)) == [mine.pk]


def test_check_interviews_command_names_an_unknown_wave(db):
    with pytest.raises(CommandError, match="No wave with id 999"):
        call_command("check_interviews", wave=999)
