"""Simulated interviews for the demo: answers and paradata that look like real fieldwork.

Pure (numpy, no Django) and deterministic for a given generator. Works from the questionnaire
definition, so it follows whatever questions, skips and score maps the questionnaire has.
Some interviews are rushed (a few seconds per question) and some straight-lined (one answer
for every scale item), so that quality control has something to find.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from demo.city import AREA_LEVEL, DIMENSION_SHIFT
from questionnaires import answers as stored
from questionnaires.xpath import is_relevant

SUGGESTIONS = [
    "希望晚上多一些巡逻。",
    "小区门口的路灯坏了很久。",
    "反诈宣传要多进社区。",
    "邻里纠纷调解太慢。",
    "停车难，希望规划更多停车位。",
    "派出所办事效率挺高的。",
    "农村道路交通要加强管理。",
    "希望网格员多来走访。",
]


@dataclass(frozen=True)
class Respondent:
    district: str
    street: str
    community: str
    area_type: str
    street_effect: float
    style: str  # "normal", "rushed" or "straight"


@dataclass(frozen=True)
class Simulated:
    answers: dict
    paradata: list[dict]
    started_at: datetime
    completed_at: datetime


def simulate_interview(
    rng: np.random.Generator, definition: dict, respondent: Respondent, started_at: datetime
) -> Simulated:
    answers: dict = {}
    paradata: list[dict] = [{"event": "started", "mode": "phone", "at": started_at.isoformat()}]
    person_effect = rng.normal(0, 8)
    straight_code = None
    at = started_at
    seconds_per_question = {"normal": 14.0, "rushed": 1.8, "straight": 6.0}[respondent.style]
    lists = definition["choice_lists"]
    for group in definition["groups"]:
        if not is_relevant(group, answers):
            continue
        paradata.append({"event": "page_shown", "step": group["name"], "at": at.isoformat()})
        asked = 0
        for question in group["questions"]:
            if question["type"] == "note" or not is_relevant(question, answers):
                continue
            value = _answer(rng, question, lists, respondent, person_effect, answers)
            if question.get("dimension") and question.get("list") in lists:
                if respondent.style == "straight":
                    straight_code = straight_code or _nearest(lists[question["list"]], 80.0)
                    value = straight_code
            if value is not None:
                answers[question["name"]] = value
            asked += 1
        seconds = max(2.0, asked * rng.normal(seconds_per_question, seconds_per_question / 4))
        at = at + timedelta(seconds=float(seconds) + 1.0)
        paradata.append({"event": "page_submitted", "step": group["name"], "at": at.isoformat()})
    paradata.append({"event": "finished", "disposition": "1.1", "at": at.isoformat()})
    return Simulated(
        answers=stored.from_names(answers, definition),
        paradata=paradata,
        started_at=started_at,
        completed_at=at,
    )


def _nearest(choices: list[dict], target: float) -> str:
    scored = [c for c in choices if c.get("score") is not None]
    return min(scored, key=lambda c: abs(c["score"] - target))["value"]


def _answer(rng, question, lists, respondent: Respondent, person_effect: float, answers: dict):
    name, kind = question["name"], question["type"]
    if kind == "locality":
        return getattr(respondent, question["locality_level"])
    if name == "consent" or name.startswith("resident"):
        return "yes"
    if name == "age":
        return int(rng.choice([rng.integers(16, 30), rng.integers(30, 60), rng.integers(60, 86)]))
    if kind == "integer":
        return int(rng.integers(0, 10))
    if kind in ("text",):
        return str(rng.choice(SUGGESTIONS)) if rng.random() < 0.4 else None
    choices = lists.get(question.get("list"), [])
    if not choices:
        return None
    if question.get("dimension") and any(c.get("score") is not None for c in choices):
        if rng.random() < 0.04:
            unscored = [c["value"] for c in choices if c.get("score") is None]
            if unscored:
                return unscored[0]
        latent = (
            AREA_LEVEL[respondent.area_type]
            + DIMENSION_SHIFT.get(question["dimension"], 0.0)
            + respondent.street_effect
            + person_effect
            + rng.normal(0, 10)
        )
        return _nearest(choices, float(np.clip(latent, 0, 100)))
    values = [c["value"] for c in choices]
    if name.startswith("victim_past"):
        return values[0] if rng.random() < 0.08 else values[-1]
    if kind == "select_multiple":
        k = int(rng.integers(1, min(3, len(values)) + 1))
        return [str(v) for v in rng.choice(values, size=k, replace=False)]
    return str(rng.choice(values))
