"""Interviewer risk of a wave: loads its completed interviews (qc.loaders), computes with
qc.risk.statistics, and fetches what the pages name.

The statistics use the flags as stored (what supervisors see, back-check discrepancies
included), the wave's completed interviews, the rule settings of the wave (for the time zone
and the risk thresholds) and the wave's case dispositions (completion and refusal rates).
"""

import hashlib
import json
from dataclasses import asdict

import pandas as pd
from django.core.cache import cache
from django.db.models import Count, Max

from accounts.models import User
from fieldwork.models import Interview, Wave
from jobs.computed import Computed, cached_or_job, remember
from jobs.models import Job
from jobs.runner import Progress
from qc import loaders
from qc.models import Flag, ReviewEvent
from qc.risk import peers, statistics
from qc.risk.results import InterviewerRisk, WaveRisk
from qc.rule_input import InterviewsFrame
from qc.services.settings import rule_config


def _ranking(wave: Wave) -> tuple[InterviewsFrame, pd.DataFrame]:
    interviews = Interview.objects.filter(case__wave=wave, status=Interview.Status.COMPLETED)
    frame = loaders.interviews_frame(interviews)
    ranking = statistics.interviewer_risk(
        frame.df,
        loaders.stored_flags(interviews),
        items=frame.items,
        outcomes=loaders.wave_outcomes(wave.pk),
        scores=frame.scores,
        config=rule_config(wave),
        excluded_codes=frame.excluded_codes,
    )
    return frame, ranking


RISK_JOB = "interviewer_risk"
RISK_CACHE_SECONDS = 3600  # a key names one state of the wave; the hour bounds edits it misses


def risk_cache_key(wave: Wave) -> str:
    """A key that changes with the wave's completed interviews, flags, review decisions and
    QC settings: three queries."""
    interviews = Interview.objects.filter(case__wave=wave, status=Interview.Status.COMPLETED)
    completed = interviews.aggregate(n=Count("id"), last=Max("id"), at=Max("completed_at"))
    flags = Flag.objects.filter(interview__case__wave=wave).aggregate(n=Count("id"), last=Max("id"))
    last_event = ReviewEvent.objects.filter(review__interview__case__wave=wave).aggregate(
        last=Max("id")
    )["last"]
    config = json.dumps(asdict(rule_config(wave)), sort_keys=True, default=str)
    state = [completed, flags, last_event, hashlib.sha256(config.encode()).hexdigest()[:12]]
    digest = hashlib.sha256(json.dumps(state, default=str).encode()).hexdigest()[:16]
    return f"qc:risk:{wave.pk}:{digest}"


def risk_or_job(*, wave: Wave, user: User | None) -> tuple[WaveRisk | None, Computed]:
    """The wave's interviewer ranking from the shared cache (or the newest one computed while
    a job ranks the current state), and what jobs.computed says about it."""
    computed = cached_or_job(
        key=risk_cache_key(wave),
        latest_key=f"qc:risk:latest:{wave.pk}",
        kind=RISK_JOB,
        params={"wave_id": wave.pk},
        subject=str(wave),
        user=user,
    )
    if computed.value is None:
        return None, computed
    ranking = computed.value
    return WaveRisk(ranking, User.objects.in_bulk([int(i) for i in ranking.index])), computed


def compute_risk(job: Job, progress: Progress) -> dict:
    """The interviewer-risk job: rank the wave's interviewers, as they are now, into the cache."""
    wave = Wave.objects.get(pk=job.params["wave_id"])
    key = risk_cache_key(wave)
    if cache.get(key) is None:
        _frame, ranking = _ranking(wave)
        remember(
            key=key,
            latest_key=f"qc:risk:latest:{wave.pk}",
            value=ranking,
            seconds=RISK_CACHE_SECONDS,
        )
    return {"cache_key": key}


def interviewer_risk_detail(*, wave: Wave, interviewer: User) -> InterviewerRisk | None:
    """The interviewer's figures against peers, per-item divergence and flags; None when the
    interviewer has no completed interview in the wave."""
    frame, ranking = _ranking(wave)
    if interviewer.pk not in ranking.index:
        return None
    items = peers.item_divergence(frame.df, items=frame.items, interviewer_id=interviewer.pk)
    items = items.sort_values("chi2", ascending=False, kind="stable") if len(items) else items
    flags = (
        Flag.objects.filter(
            interview__case__wave=wave,
            interview__interviewer=interviewer,
            interview__status=Interview.Status.COMPLETED,
        )
        .order_by("-interview_id", "rule")
        .values("interview_id", "rule", "severity", "reason", "reason_en")
    )
    return InterviewerRisk(ranking.loc[interviewer.pk], len(ranking), items, list(flags))
