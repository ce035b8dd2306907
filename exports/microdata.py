"""A wave's respondent-level data: loaded (exports.loaders), weighted (scoring.weighting,
the same weights and design as the results page), shaped (exports.shaping) and described
(exports.codebook), ready for the writers (exports.writers)."""

from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd
from django.conf import settings
from django.utils import translation

from common.translatable import gettext_noop
from exports import loaders
from exports.codebook import INTERVIEWS, Level, Variable, build_levels, choice_codes
from exports.columns import OWN, own_frame, own_variables, respondent_scores
from exports.pseudonyms import interviewer_codes
from exports.shaping import level_frames, unlisted_values
from fieldwork.models import Interview, Mode, Wave
from qc import rules as qc_rules
from qc.backchecks import BACKCHECK_RULE
from qc.models import Review
from qc.presenters.labels import RULE_LABELS
from sampling.models import AreaType
from scoring.loaders import scale_items
from scoring.measures import SAFETY_DIMENSION
from scoring.weighting import DEFAULT_TRIM, wave_weights

RULES = [*qc_rules.RULES, BACKCHECK_RULE]
DEFAULT_STATES = [Review.State.APPROVED.value]


def site_language(form_language: str) -> str:
    """The site language whose catalogue labels a form language's files."""
    return "zh-hans" if form_language.lower().startswith("zh") else "en"


def form_languages(definition: dict) -> list[str]:
    return list(definition.get("languages") or ["zh"])


@dataclass
class Microdata:
    """frames {file: DataFrame}; levels (the interviews first); own the interview file's own
    variables; design what the analysis scripts need (exports.formats.snippets); margins
    [(name, {label: count})] the raking used; strata the weighting's per-stratum table."""

    wave: Wave
    states: list[str]
    languages: list[str]
    frames: dict[str, pd.DataFrame]
    levels: list[Level]
    own: list[Variable]
    design: dict
    margins: list
    report: dict = field(default_factory=dict)
    as_of: datetime | None = None

    def variables(self, level: Level) -> list[Variable]:
        return (self.own if level.path is None else []) + level.variables


def _texts(languages: list[str]) -> dict[str, dict]:
    msgids = {msgid for _, _, msgid in OWN.values()}
    texts: dict[str, dict] = {}
    for language in languages:
        with translation.override(site_language(language)):
            for msgid in msgids:
                texts.setdefault(msgid, {})[language] = translation.gettext(msgid)
            for rule in RULES:
                label = RULE_LABELS.get(rule, rule)
                texts.setdefault(f"rule:{rule}", {})[language] = str(label)
    return texts


def _categories(languages: list[str]) -> dict[str, list[dict]]:
    """The own categorical columns' choices, coded as codebook.choice_codes codes them."""
    out = {}
    for name, choices in (
        ("area_type", AreaType.choices),
        ("mode", Mode.choices),
        ("status", Interview.Status.choices),
        ("review_state", Review.State.choices),
        ("qc", [(0, gettext_noop("Not raised")), (1, gettext_noop("Raised"))]),
    ):
        entries = []
        for value, label in choices:
            texts = {}
            for language in languages:
                with translation.override(site_language(language)):
                    texts[language] = translation.gettext(str(label))
            entries.append({"value": str(value), "label": texts})
        out[name] = choice_codes(entries)
    return out


def _scale(definition: dict, levels: list[Level]) -> tuple[pd.DataFrame, dict]:
    """The scale items and {scope: {variable name: {value: score}}} for the R script."""
    items = scale_items(definition)
    names = {v.path: v.name for v in levels[0].variables}
    scopes: dict[str, dict] = {"satisfaction": {}, "safety": {}}
    for item, rows in items.groupby("item", sort=False):
        scope = "safety" if rows["dimension"].iloc[0] == SAFETY_DIMENSION else "satisfaction"
        scored = rows[rows["score"].notna()]
        scopes[scope][names[item]] = dict(zip(scored["value"], scored["score"], strict=True))
    return items, {scope: found for scope, found in scopes.items() if found}


def wave_microdata(*, wave: Wave, states: list[str] | None = None) -> Microdata:
    """Everything the exports of `wave` hold (interviews whose review is in `states`, the
    approved ones by default)."""
    states = list(states or DEFAULT_STATES)
    definition = wave.questionnaire_version.definition
    languages = form_languages(definition)
    own_names = [*OWN, *(f"qc_{rule}" for rule in RULES)]
    levels = build_levels(definition, own_names)
    interviews, answers = loaders.interviews(wave, states)
    weighting = wave_weights(wave=wave, trim_bounds=DEFAULT_TRIM)
    respondents = (
        weighting.respondents.set_index("interview_id")
        if len(weighting.respondents)
        else pd.DataFrame(columns=["district", "sex", "age_group"])
    )
    level = weighting.report.get("level", "district")
    raking = pd.DataFrame(
        {
            "locality": respondents.get(level, pd.Series(dtype=object)),
            "sex": respondents.get("sex", pd.Series(dtype=object)),
            "age_group": respondents.get("age_group", pd.Series(dtype=object)),
        }
    )
    items, scored = _scale(definition, levels)
    codes = interviewer_codes(
        wave.pk, interviews["interviewer_id"].dropna().astype(int).tolist(), settings.SECRET_KEY
    )
    sizes = loaders.stratum_sizes(wave)
    own = own_frame(
        interviews,
        loaders.localities(),
        codes=codes,
        components=weighting.components,
        raking=raking,
        fpc=sizes,
        scores=respondent_scores(answers, items, SAFETY_DIMENSION),
        flags=loaders.flag_counts(wave, states),
        rules=RULES,
        tz=settings.TIME_ZONE,
    )
    frames = level_frames(levels, own, answers, tz=settings.TIME_ZONE)
    unlisted_values(levels, frames)
    variables = own_variables(RULES, texts=_texts(languages), categories=_categories(languages))
    approved = frames[INTERVIEWS][frames[INTERVIEWS]["review_state"] == Review.State.APPROVED]
    design = {
        "level": level,
        "margins": weighting.report.get("margins", []),
        "fpc": bool(len(approved)) and bool(approved["fpc"].notna().all()),
        "trim": list(DEFAULT_TRIM),
        "items": scored,
    }
    return Microdata(
        wave=wave,
        states=states,
        languages=languages,
        frames=frames,
        levels=levels,
        own=variables,
        design=design,
        margins=weighting.margins,
        report=weighting.report,
        as_of=loaders.data_as_of(wave, interviews),
    )
