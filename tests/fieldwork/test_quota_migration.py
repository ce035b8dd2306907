"""The migration that gives quota cells their kept count fills it for existing waves as the
reference counts (loaders.quota_progress), and rolls back cleanly."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from fieldwork import loaders
from fieldwork.models import QuotaTarget, Wave
from qc.models import Review
from tests.qc.conftest import World, varied_answers

BEFORE = [("fieldwork", "0020_interview_revision")]
AFTER = [("fieldwork", "0021_quota_achieved")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_existing_waves_get_the_reference_counts_and_the_migration_reverses(
    interviewer, latest_afterwards
):
    # Given a wave with completed interviews, one finally rejected in QC, and quota cells on
    # an answer, the derived age group and a street, stored with no count
    world = World()
    for consent, age in [("yes", 20), ("yes", 50), ("no", 50), ("yes", 70)]:
        world.interview(interviewer, answers=varied_answers(consent=consent, age=age))
    rejected = world.interview(interviewer, answers=varied_answers(age=50))
    Review.objects.create(interview=rejected, state=Review.State.REJECTED)
    cells = [
        ("", "consent", "yes"),
        ("", "age_group", "45-59"),
        (world.street.code, "age_group", "60+"),
        (world.other_street.code, "consent", "yes"),
    ]
    for stratum, variable, value in cells:
        QuotaTarget.objects.create(
            wave=world.wave, stratum=stratum, variable=variable, value=value, target=3
        )

    # When the migration is rolled back and applied (twice: it reverses cleanly)
    for _ in range(2):
        _migrate(BEFORE)
        _migrate(AFTER)

    # Then every cell holds the reference's count
    progress = loaders.quota_progress(Wave.objects.get(pk=world.wave.pk))
    reference = {
        (s, v, x): n
        for s, v, x, n in zip(
            progress["stratum"], progress["variable"], progress["value"], progress["achieved"],
            strict=True,
        )
    }  # fmt: skip
    kept = {(t.stratum, t.variable, t.value): t.achieved for t in QuotaTarget.objects.all()}
    assert kept == reference == {cells[0]: 3, cells[1]: 2, cells[2]: 1, cells[3]: 0}
