"""The interview file's own columns: ids, localities at every level, mode, the pseudonymous
interviewer, dates, durations, review state, the final weight and its components, the
raking cells, the respondent's scores, and QC flags. Pure: no Django.

Localities are resolved as scoring resolves them (scoring.loaders): the street the
respondent named, else the sampled street unless the respondent named a district it is not
in; the district named, else the street's; the community named; the city above the district.
Weights exist for approved interviews only (the others are not in the estimates): `weight`
is the final weight, the product of w_design (base weight of the released sample),
w_nonresponse, w_household (1 / the chance the respondent was the household's selected
adult), w_raking and w_trimming; w_prerake = w_design × w_nonresponse × w_household is what
raking starts from.
"""

import numpy as np
import pandas as pd

from common.translatable import gettext_noop
from exports.codebook import CATEGORICAL, DATE, DATETIME, INDICATOR, NUMERIC, STRING, Variable
from exports.shaping import as_text

__all__ = ["OWN", "own_frame", "own_variables", "respondent_scores"]

# name: (kind, source, label msgid)
OWN = {
    "interview_id": (NUMERIC, "key", gettext_noop("Interview id")),
    "case_id": (NUMERIC, "interview", gettext_noop("Case id")),
    "city_code": (STRING, "locality", gettext_noop("City code")),
    "city_name": (STRING, "locality", gettext_noop("City")),
    "district_code": (STRING, "locality", gettext_noop("District code")),
    "district_name": (STRING, "locality", gettext_noop("District")),
    "street_code": (STRING, "locality", gettext_noop("Street or township code")),
    "street_name": (STRING, "locality", gettext_noop("Street or township")),
    "community_code": (STRING, "locality", gettext_noop("Community or village code")),
    "community_name": (STRING, "locality", gettext_noop("Community or village")),
    "area_type": (CATEGORICAL, "locality", gettext_noop("Area type")),
    "stratum": (STRING, "weight", gettext_noop("Stratum of the draw")),
    "fpc": (NUMERIC, "weight", gettext_noop("Units in the stratum's frame")),
    "mode": (CATEGORICAL, "interview", gettext_noop("Mode")),
    "interviewer": (STRING, "interview", gettext_noop("Interviewer (code for this wave)")),
    "started_at": (DATETIME, "interview", gettext_noop("Started at")),
    "completed_at": (DATETIME, "interview", gettext_noop("Completed at")),
    "interview_date": (DATE, "interview", gettext_noop("Interview date")),
    "duration_seconds": (NUMERIC, "interview", gettext_noop("Duration (seconds)")),
    "duration_minutes": (NUMERIC, "interview", gettext_noop("Duration (minutes)")),
    "status": (CATEGORICAL, "interview", gettext_noop("Interview status")),
    "review_state": (CATEGORICAL, "interview", gettext_noop("Review state")),
    "decided_at": (DATETIME, "interview", gettext_noop("Review decided at")),
    "weight": (NUMERIC, "weight", gettext_noop("Final weight")),
    "w_design": (NUMERIC, "weight", gettext_noop("Weight: base weight of the released sample")),
    "w_nonresponse": (NUMERIC, "weight", gettext_noop("Weight: nonresponse adjustment factor")),
    "w_household": (NUMERIC, "weight", gettext_noop("Weight: household selection factor")),
    "w_raking": (NUMERIC, "weight", gettext_noop("Weight: raking factor")),
    "w_trimming": (NUMERIC, "weight", gettext_noop("Weight: trimming factor")),
    "w_prerake": (NUMERIC, "weight", gettext_noop("Weight before raking")),
    "rake_locality": (STRING, "weight", gettext_noop("Raking: locality")),
    "rake_sex": (STRING, "weight", gettext_noop("Raking: sex (M/F)")),
    "rake_age_group": (STRING, "weight", gettext_noop("Raking: age group")),
    "score_satisfaction": (NUMERIC, "derived", gettext_noop("Satisfaction score (0-100)")),
    "rate_satisfaction": (NUMERIC, "derived", gettext_noop("Share of satisfied answers (%)")),
    "score_safety": (NUMERIC, "derived", gettext_noop("Sense of safety score (0-100)")),
    "rate_safety": (NUMERIC, "derived", gettext_noop("Share of safe answers (%)")),
    "qc_flags": (NUMERIC, "qc", gettext_noop("QC flags raised")),
}
WEIGHT_COMPONENTS = {
    "w_design": "design",
    "w_nonresponse": "nonresponse",
    "w_household": "household",
    "w_raking": "raking",
    "w_trimming": "trimming",
    "weight": "final",
}


def _resolve(interviews: pd.DataFrame, places: pd.DataFrame) -> dict[str, pd.Series]:
    parent = places["parent_id"].astype("Int64")
    named_district = interviews["district_id"].astype("Int64")
    named_street = interviews["street_id"].astype("Int64")
    case_street = interviews["case__street_id"].astype("Int64")
    inside = (case_street.map(parent) == named_district).fillna(False).astype(bool)
    fallback = named_district.isna().to_numpy() | inside.to_numpy()
    street = named_street.where(named_street.notna(), case_street.where(fallback))
    district = named_district.where(named_district.notna(), street.map(parent))
    community = interviews["community_id"].astype("Int64")
    city = district.map(parent)
    return {"city": city, "district": district, "street": street, "community": community}


def _locality_columns(interviews: pd.DataFrame, places: pd.DataFrame) -> dict[str, pd.Series]:
    columns = {}
    resolved = _resolve(interviews, places)
    for level, ids in resolved.items():
        columns[f"{level}_code"] = ids.map(places["code"]).astype(object)
        columns[f"{level}_name"] = ids.map(places["name"]).astype(object)
    area = resolved["street"].map(places["area_type"]).replace("", np.nan)
    district_area = resolved["district"].map(places["area_type"]).replace("", np.nan)
    columns["area_type"] = area.fillna(district_area).astype(object)
    return {name: values.where(values.notna(), None) for name, values in columns.items()}


def respondent_scores(answers: list[dict], items: pd.DataFrame, safety: str) -> pd.DataFrame:
    """Each respondent's score and positive share (×100) over their valid scale items, by
    scope, as scoring.score_tables forms them: columns score_satisfaction,
    rate_satisfaction, score_safety, rate_safety (NaN without a valid item). `items` is
    scoring.loaders.scale_items (item, dimension, value, score, positive); `safety` the
    safety dimension's code."""
    out = {}
    for scope, in_scope in (("satisfaction", items["dimension"] != safety), ("safety", None)):
        chosen = items[in_scope] if in_scope is not None else items[items["dimension"] == safety]
        scores, positives = [], []
        for item, choices in chosen.groupby("item", sort=False):
            values = pd.Series([as_text(a.get(item)) for a in answers], dtype=object)
            score = dict(zip(choices["value"], choices["score"], strict=True))
            scores.append(values.map(score).astype(float))
            positive = dict(zip(choices["value"], choices["positive"], strict=True))
            valid = scores[-1].notna()
            positives.append(values.map(positive).where(valid).astype(float))
        if scores:
            score = pd.concat(scores, axis=1)
            positive = pd.concat(positives, axis=1)
            out[f"score_{scope}"] = score.mean(axis=1).to_numpy()
            out[f"rate_{scope}"] = (100.0 * positive.mean(axis=1)).to_numpy()
        else:
            out[f"score_{scope}"] = np.full(len(answers), np.nan)
            out[f"rate_{scope}"] = np.full(len(answers), np.nan)
    return pd.DataFrame(out)


def own_frame(
    interviews: pd.DataFrame,
    places: pd.DataFrame,
    *,
    codes: dict[int, str],
    components: pd.DataFrame,
    raking: pd.DataFrame,
    fpc: dict[str, int],
    scores: pd.DataFrame,
    flags: pd.DataFrame,
    rules: list[str],
    tz: str,
) -> pd.DataFrame:
    """One row per interview (in `interviews` order) with OWN's columns and one 0/1 column
    qc_<rule> per rule in `rules`. `components` and `raking` are indexed by interview_id
    (scoring.weighting's components; its respondents' locality, sex, age_group)."""
    ids = interviews["pk"].astype("int64")
    started = pd.to_datetime(interviews["started_at"], utc=True).dt.tz_convert(tz)
    completed = pd.to_datetime(interviews["completed_at"], utc=True).dt.tz_convert(tz)
    decided = pd.to_datetime(interviews["review__decided_at"], utc=True).dt.tz_convert(tz)
    duration = interviews["duration_seconds"].astype(float)
    stratum = interviews["case__unit__stratum"].astype(object)
    columns = {
        "interview_id": ids,
        "case_id": interviews["case_id"].astype("int64"),
        **_locality_columns(interviews, places),
        "stratum": stratum,
        "fpc": stratum.map(fpc).astype(float),
        "mode": interviews["mode"].astype(object),
        "interviewer": interviews["interviewer_id"].map(codes).astype(object),
        "started_at": started.dt.tz_localize(None),
        "completed_at": completed.dt.tz_localize(None),
        "interview_date": completed.dt.tz_localize(None).dt.normalize(),
        "duration_seconds": duration,
        "duration_minutes": (duration / 60).round(2),
        "status": interviews["status"].astype(object),
        "review_state": interviews["review__state"].astype(object),
        "decided_at": decided.dt.tz_localize(None),
    }
    for name, component in WEIGHT_COMPONENTS.items():
        columns[name] = ids.map(components[component]).astype(float) if len(components) else np.nan
    columns["w_prerake"] = columns["w_design"] * columns["w_nonresponse"] * columns["w_household"]
    for name, source in (("rake_locality", "locality"), ("rake_sex", "sex")):
        columns[name] = ids.map(raking[source]).astype(object) if len(raking) else None
    columns["rake_age_group"] = ids.map(raking["age_group"]).astype(object) if len(raking) else None
    frame = pd.DataFrame(columns).reset_index(drop=True)
    frame = pd.concat([frame, scores.reset_index(drop=True)], axis=1)
    by_rule = flags.pivot_table(index="interview_id", columns="rule", values="n", aggfunc="sum")
    frame["qc_flags"] = ids.map(by_rule.sum(axis=1)).fillna(0).astype(float).to_numpy()
    for rule in rules:
        found = by_rule[rule] if rule in by_rule else pd.Series(dtype=float)
        frame[f"qc_{rule}"] = (ids.map(found).fillna(0) > 0).astype(float).to_numpy()
    for name in ("stratum", "mode", "interviewer", "status", "review_state"):
        frame[name] = frame[name].where(frame[name].notna(), None)
    return frame


def own_variables(
    rules: list[str], *, texts: dict[str, dict], categories: dict[str, list[dict]]
) -> list[Variable]:
    """The Variables of own_frame's columns: `texts` {msgid: {language: text}} (every label
    msgid translated), `categories` {column: [{"code", "value", "label"}]} for the
    categorical ones (area_type, mode, status, review_state) and "qc" (0/1 of a flag);
    qc_<rule> labelled by texts["rule:<rule>"]."""
    variables = [
        Variable(
            name=name,
            label=texts[msgid],
            kind=kind,
            source=source,
            values=list(categories.get(name, [])),
        )
        for name, (kind, source, msgid) in OWN.items()
    ]
    variables += [
        Variable(
            name=f"qc_{rule}",
            label=texts[f"rule:{rule}"],
            kind=INDICATOR,
            source="qc",
            values=list(categories.get("qc", [])),
        )
        for rule in rules
    ]
    return variables
