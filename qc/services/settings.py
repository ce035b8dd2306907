"""A wave's QC settings: the back-check shares and discrepancy handling, and the rule
thresholds (RuleConfig) in force for its checks."""

from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from fieldwork.models import Wave
from qc.access import DECIDERS
from qc.models import QCSettings
from qc.rules import RuleConfig
from questionnaires import answers
from questionnaires.definitions import definition_of


def wave_settings(wave: Wave) -> QCSettings:
    """The wave's QC settings; unsaved defaults when none were saved."""
    try:
        return QCSettings.objects.get(wave=wave)
    except QCSettings.DoesNotExist:
        return QCSettings(wave=wave)


def default_config() -> RuleConfig:
    """The rule thresholds of a wave without settings of its own."""
    return RuleConfig()


def rule_config(wave: Wave) -> RuleConfig:
    """The rule thresholds in force for a wave: its overrides over the defaults."""
    overrides = wave_settings(wave).rules or {}
    return RuleConfig.from_mapping(overrides, source=str(wave)) if overrides else (default_config())


def _check_overall_item(wave: Wave, item: str) -> None:
    """The overall item names one question of the wave's questionnaire, by its path or by a
    name only it has: a name several questions share is refused with their paths."""
    definition = definition_of(wave.questionnaire_version)
    try:
        found = answers.find(definition, item)
    except answers.AmbiguousName as error:
        raise ValidationError(
            _("Several questions are named %(name)s: %(paths)s. Give the path of the one meant.")
            % {"name": item, "paths": ", ".join(error.paths)},
            code="invalid",
        ) from error
    if found is None and item.startswith("/"):
        raise ValidationError(
            _("The questionnaire has no question at %(path)s.") % {"path": item}, code="invalid"
        )


@transaction.atomic
def save_qc_settings(*, wave: Wave, user: User, values: Mapping[str, Any]) -> QCSettings:
    """Store a wave's thresholds. `values`: QCSettings fields and RuleConfig fields.

    Rule thresholds equal to the default are not stored, so a later change of a default
    reaches the wave. Raises ValidationError naming the setting for a bad value.
    """
    if user.role not in DECIDERS:
        raise PermissionDenied(_("Only supervisors and analysts may change QC settings."))
    defaults = asdict(default_config())
    overrides = {
        key: value
        for key, value in values.items()
        if key in defaults and value is not None and value != defaults[key]
    }
    try:
        config = RuleConfig.from_mapping(overrides, source=str(wave))
    except ValueError as error:
        raise ValidationError(str(error), code="invalid") from error
    _check_overall_item(wave, config.overall_item)
    qc_settings = wave_settings(wave)
    for name in (
        "backcheck_share",
        "backcheck_share_high_risk",
        "backcheck_share_new",
        "high_risk_flag_rate",
        "discrepancy_threshold",
    ):
        if name in values:
            value = float(values[name])
            if not 0.0 <= value <= 1.0:
                raise ValidationError(
                    _("%(name)s must be between 0 and 1.") % {"name": name}, code="invalid"
                )
            setattr(qc_settings, name, value)
    if "new_interviewer_completes" in values:
        qc_settings.new_interviewer_completes = int(values["new_interviewer_completes"])
    if "discrepancy_action" in values:
        if values["discrepancy_action"] not in QCSettings.Action.values:
            raise ValidationError(_("Unknown action above the threshold."), code="invalid")
        qc_settings.discrepancy_action = values["discrepancy_action"]
    qc_settings.rules = overrides
    qc_settings.updated_by = user
    qc_settings.save()
    return qc_settings
