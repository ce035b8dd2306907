"""Interviewer risk pages: a wave's interviewers ranked by qc.signals, and one interviewer's
drill-down. Loads through qc.loaders, computes with qc.signals, returns plain dicts.

The signals use the flags as stored (what supervisors see, back-check discrepancies
included), the wave's completed interviews, the rule settings of the wave (for the time zone
and the signal thresholds) and the wave's case dispositions (completion and refusal rates).
"""

from typing import Any

import pandas as pd
from django.utils.translation import gettext as _

from accounts.models import User
from common.i18n import ui_language
from fieldwork.models import Interview, Wave
from qc import loaders, signals
from qc.models import Flag
from qc.rules import RuleConfig


def _number(value: Any) -> float | None:
    """A float for a template, None for NaN/None (shown as a dash)."""
    if value is None or pd.isna(value):
        return None
    return float(value)


def _reasons(row: pd.Series) -> str:
    return row["reasons"] if ui_language() == "zh" else row["reasons_en"]


def _name(user: User | None, interviewer_id: int) -> str:
    if user is None:
        return f"#{interviewer_id}"
    return user.get_full_name() or user.username


def _wave_signals(wave: Wave, config: RuleConfig) -> tuple[loaders.InterviewsFrame, pd.DataFrame]:
    interviews = Interview.objects.filter(case__wave=wave, status=Interview.Status.COMPLETED)
    frame = loaders.interviews_frame(interviews)
    flags = loaders.stored_flags(interviews)
    found = signals.interviewer_signals(
        frame.df,
        flags,
        items=frame.items,
        outcomes=loaders.wave_outcomes(wave.pk),
        scores=frame.scores,
        config=config,
    )
    return frame, found


def risk_list(wave: Wave, config: RuleConfig) -> list[dict]:
    """One dict per interviewer who completed an interview in the wave, riskiest first."""
    _frame, found = _wave_signals(wave, config)
    users = User.objects.in_bulk([int(i) for i in found.index])
    rows = []
    for interviewer_id, row in found.iterrows():
        rows.append(
            {
                "interviewer_id": int(interviewer_id),
                "name": _name(users.get(int(interviewer_id)), int(interviewer_id)),
                "rank": None if pd.isna(row["rank"]) else int(row["rank"]),
                "risk": _number(row["risk"]),
                "n": int(row["n_interviews"]),
                "median_duration": _number(row["median_duration"]),
                "peer_median_duration": _number(row["peer_median_duration"]),
                "flag_rate": _number(row["flag_rate"]),
                "peer_flag_rate": _number(row["peer_flag_rate"]),
                "straightlining_rate": _number(row["straightlining_rate"]),
                "divergence_p": _number(row["divergence_p"]),
                "interviews_per_hour": _number(row["interviews_per_hour"]),
                "completion_rate": _number(row["completion_rate"]),
                "refusal_rate": _number(row["refusal_rate"]),
                "reasons": _reasons(row),
            }
        )
    return rows


def _shares(shares: dict[str, float]) -> str:
    return " · ".join(f"{code}: {share:.0%}" for code, share in shares.items())


def interviewer_detail(wave: Wave, interviewer: User, config: RuleConfig) -> dict | None:
    """The interviewer's figures against peers, flags and per-item divergence; None when the
    interviewer has no completed interview in the wave."""
    frame, found = _wave_signals(wave, config)
    if interviewer.pk not in found.index:
        return None
    row = found.loc[interviewer.pk]
    figures = [
        (_("Median duration (s)"), "median_duration", "peer_median_duration", "duration_z", ""),
        (_("Flagged interviews"), "flag_rate", "peer_flag_rate", "flags_z", "%"),
        (
            _("Straight-lined interviews"),
            "straightlining_rate",
            "peer_straightlining_rate",
            "straightlining_z",
            "%",
        ),
        (
            _("Positive answers"),
            "acquiescence_share",
            "peer_acquiescence_share",
            "acquiescence_z",
            "%",
        ),
        (
            _("Interviews per hour"),
            "interviews_per_hour",
            "peer_interviews_per_hour",
            "pace_z",
            "",
        ),
        (_("Completion rate"), "completion_rate", "peer_completion_rate", "completion_z", "%"),
        (_("Refusal rate"), "refusal_rate", "peer_refusal_rate", "refusal_z", "%"),
    ]
    items = signals.item_divergence(frame.df, items=frame.items, interviewer_id=interviewer.pk)
    items = items.sort_values("chi2", ascending=False, kind="stable") if len(items) else items
    flags = (
        Flag.objects.filter(
            interview__case__wave=wave,
            interview__interviewer=interviewer,
            interview__status=Interview.Status.COMPLETED,
        )
        .order_by("-interview_id", "rule")
        .values("interview_id", "rule", "severity", "reason")
    )
    return {
        "name": _name(interviewer, interviewer.pk),
        "rank": None if pd.isna(row["rank"]) else int(row["rank"]),
        "risk": _number(row["risk"]),
        "n": int(row["n_interviews"]),
        "n_interviewers": len(found),
        "peers_everywhere": row["peer_scope"] == "all",
        "reasons": _reasons(row),
        "figures": [
            {
                "label": label,
                "own": _number(row[own]),
                "peers": _number(row[peer]),
                "z": _number(row[z]),
                "percent": unit == "%",
            }
            for label, own, peer, z, unit in figures
        ],
        "divergence": {
            "chi2": _number(row["divergence_chi2"]),
            "df": int(row["divergence_df"]) if not pd.isna(row["divergence_df"]) else None,
            "p": _number(row["divergence_p"]),
        },
        "items": [
            {
                "item": item,
                "n": int(detail["n"]),
                "chi2": float(detail["chi2"]),
                "df": int(detail["df"]),
                "p": float(detail["p_value"]),
                "strong": float(detail["p_value"]) < 0.001,
                "observed": _shares(detail["observed"]),
                "expected": _shares(detail["expected"]),
            }
            for item, detail in items.iterrows()
        ],
        "flags": list(flags),
    }
