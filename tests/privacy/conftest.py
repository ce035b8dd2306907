"""The privacy tests' fixtures: the scoring tests' wave and, on it, tests/privacy/world.py."""

from tests.fieldwork.conftest import fake_twilio  # noqa: F401  (fixture)
from tests.privacy.world import personal_world, secret_keys  # noqa: F401  (fixtures)
from tests.scoring.conftest import (  # noqa: F401  (fixtures)
    field_interviewer,
    make_interview,
    media_in_tmp,
    places,
    safety_draw,
    safety_version,
    safety_wave,
)
from tests.scoring.test_results_against_r import built  # noqa: F401  (fixture)
