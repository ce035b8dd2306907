"""The scoring tests' safety survey and its R-checked wave, shared with the exports' tests."""

from tests.scoring.conftest import (  # noqa: F401  (fixtures)
    field_interviewer,
    make_interview,
    places,
    safety_draw,
    safety_version,
    safety_wave,
)
from tests.scoring.test_results_against_r import built  # noqa: F401  (fixture)
