"""qc.rules: RuleConfig.from_mapping, and a severity and a threshold for every rule."""

import pytest

from qc import rules


def test_config_from_mapping_overrides_and_accepts_ints_for_floats():
    config = rules.RuleConfig.from_mapping({"floor_seconds": 90, "overall_item": "q1"})
    assert config.floor_seconds == 90.0 and isinstance(config.floor_seconds, float)
    assert config.overall_item == "q1"
    assert config.duplicate_alpha == rules.RuleConfig().duplicate_alpha
    assert rules.RuleConfig(**{"chars_per_second": 4.0}).chars_per_second == 4.0


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"duplicate_share": 0.9}, "wave 3: unknown setting 'duplicate_share'"),
        ({"floor_seconds": "60"}, "'floor_seconds' must be float"),
        ({"straightlining_min_items": 8.5}, "'straightlining_min_items' must be int"),
        ({"straightlining_min_items": True}, "must be int"),
        ({"fast_items_max_share": 1.5}, "'fast_items_max_share' must be between 0 and 1"),
        ({"chars_per_second": -1}, "must not be negative"),
        ({"working_hours_end": "9pm"}, "'working_hours_end' must be a time"),
        ({"timezone": "Mars/Base"}, "unknown zone 'Mars/Base'"),
    ],
)
def test_config_from_mapping_refuses_bad_values(values, message):
    with pytest.raises(ValueError, match=message):
        rules.RuleConfig.from_mapping(values, source="wave 3")


def test_every_rule_has_a_severity_and_a_config_default():
    assert set(rules.SEVERITY) == set(rules.RULES)
    assert set(rules.SEVERITY.values()) <= set(rules.SEVERITIES)
    config = rules.RuleConfig()
    assert (config.rushed_relative_fraction, config.rushed_relative_min_interviews) == (0.5, 20)
    assert (config.working_hours_start, config.working_hours_end) == ("08:00", "21:30")
    assert (config.duplicate_min_share, config.duplicate_min_items) == (0.85, 10)
    assert config.duplicate_alpha == 0.001
    assert config.item_nonresponse_max_share == 0.5
