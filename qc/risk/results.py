"""What the interviewer-risk service returns to the pages (plain containers, no computing)."""

from typing import NamedTuple

import pandas as pd

from accounts.models import User


class WaveRisk(NamedTuple):
    """A wave's interviewers ranked by risk."""

    ranking: pd.DataFrame  # statistics.interviewer_risk: one row per interviewer, in rank order
    users: dict[int, User]  # the ranked interviewers by id, to name them


class InterviewerRisk(NamedTuple):
    """One interviewer's risk figures and what lies behind them."""

    row: pd.Series  # the interviewer's row of the ranking (statistics.RISK_COLUMNS)
    n_interviewers: int  # how many interviewers the wave's ranking holds
    items: pd.DataFrame  # peers.item_divergence, the most divergent (largest χ²) first
    flags: list[dict]  # the flags of the interviewer's completed interviews, newest first
