"""Interviewer risk pages as plain data: a wave's interviewers ranked
(qc.risk.services.risk_or_job) and one interviewer's drill-down (interviewer_risk_detail).
NaN becomes None (a dash)."""

from typing import Any

import pandas as pd
from django.utils.translation import gettext as _

from accounts.models import User
from common.i18n import ui_language
from common.labels import localized
from qc.presenters.labels import reason_text, rule_label
from qc.risk.results import InterviewerRisk, WaveRisk
from questionnaires import answers


def _number(value: Any) -> float | None:
    """A float for a template, None for NaN/None (shown as a dash)."""
    if value is None or pd.isna(value):
        return None
    return float(value)


def _rank(row: pd.Series) -> int | None:
    return None if pd.isna(row["rank"]) else int(row["rank"])


def _reasons(row: pd.Series) -> str:
    return row["reasons"] if ui_language() == "zh" else row["reasons_en"]


def _name(user: User | None, interviewer_id: int) -> str:
    if user is None:
        return f"#{interviewer_id}"
    return user.get_full_name() or user.username


def risk_rows(risk: WaveRisk) -> list[dict]:
    """One dict per interviewer who completed an interview in the wave, riskiest first."""
    rows = []
    for interviewer_id, row in risk.ranking.iterrows():
        rows.append(
            {
                "interviewer_id": int(interviewer_id),
                "name": _name(risk.users.get(int(interviewer_id)), int(interviewer_id)),
                "rank": _rank(row),
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


def _figures(row: pd.Series) -> list[dict]:
    """The interviewer's own figure, the peers' and the z, one dict per indicator."""
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
    return [
        {
            "label": label,
            "own": _number(row[own]),
            "peers": _number(row[peer]),
            "z": _number(row[z]),
            "percent": unit == "%",
        }
        for label, own, peer, z, unit in figures
    ]


def _shares(shares: dict[str, float], choices: dict[str, str]) -> str:
    return " · ".join(
        f"{choices.get(str(code), code)}: {share:.0%}" for code, share in shares.items()
    )


def item_texts(definition: dict, language: str) -> dict[str, tuple[str, dict[str, str]]]:
    """{item path: (question label, {code: choice label})} in `language`, for the per-item
    table: people read the question and its answers, not paths and codes."""
    lists = definition.get("choice_lists", {})
    texts = {}
    for group in definition.get("groups", []):
        for question in group.get("questions", []):
            choices = {
                str(choice["value"]): localized(choice.get("label"), language)
                or str(choice["value"])
                for choice in lists.get(question.get("list") or "", [])
            }
            label = localized(question.get("label"), language) or question["name"]
            texts[answers.key(question)] = (label, choices)
    return texts


def _items(items: pd.DataFrame, texts: dict[str, tuple[str, dict[str, str]]]) -> list[dict]:
    """Per item, the interviewer's answer distribution against the peers'."""
    return [
        {
            "item": texts.get(item, (item, {}))[0],
            "n": int(detail["n"]),
            "chi2": float(detail["chi2"]),
            "df": int(detail["df"]),
            "p": float(detail["p_value"]),
            "strong": float(detail["p_value"]) < 0.001,
            "observed": _shares(detail["observed"], texts.get(item, (item, {}))[1]),
            "expected": _shares(detail["expected"], texts.get(item, (item, {}))[1]),
        }
        for item, detail in items.iterrows()
    ]


def interviewer_detail(
    risk: InterviewerRisk,
    interviewer: User,
    *,
    flags: list[dict] | None = None,
    definition: dict | None = None,
) -> dict:
    """The interviewer's figures against peers, flags (`flags`: the page of them shown, all
    by default) and per-item divergence, its questions and answers named as `definition`
    (the wave's questionnaire) words them in the reader's language."""
    texts = item_texts(definition or {}, ui_language())
    row = risk.row
    return {
        "name": _name(interviewer, interviewer.pk),
        "rank": _rank(row),
        "risk": _number(row["risk"]),
        "n": int(row["n_interviews"]),
        "n_interviewers": risk.n_interviewers,
        "peers_everywhere": row["peer_scope"] == "all",
        "reasons": _reasons(row),
        "figures": _figures(row),
        "divergence": {
            "chi2": _number(row["divergence_chi2"]),
            "df": int(row["divergence_df"]) if not pd.isna(row["divergence_df"]) else None,
            "p": _number(row["divergence_p"]),
        },
        "items": _items(risk.items, texts),
        "flags": [
            flag
            | {
                "rule_label": rule_label(flag["rule"]),
                "reason": reason_text(flag["reason"], flag["reason_en"]),
            }
            for flag in (risk.flags if flags is None else flags)
        ],
        "n_flags": len(risk.flags),
    }
