"""The results of a wave: computed once, cached, and shared by the results page, the PDF and
the XLSX/CSV downloads.

`wave_results` loads the weighted answers and the raked design (scoring.weighting),
estimates the score tables (scoring.score_tables), profiles the respondent groups, scores
the earlier rounds of the same client and questionnaire for the trend, tests the rank
changes against the previous round (scoring.compare), and has scoring.presenters turn it
all into one plain dict.
`cached_results` keeps that dict per state of the wave's reviews and the reader's language;
`dashboard_view` ranks the rows the page's filters pick.
"""

from collections.abc import Callable

import numpy as np
import pandas as pd
from django.core.cache import cache
from django.utils import timezone, translation

from accounts.models import User
from common.i18n import ui_language_code
from fieldwork.models import Wave
from jobs.computed import Computed, cached_or_job, remember
from jobs.models import Job
from jobs.runner import JobFailed, Progress
from sampling.models import AreaType
from scoring import compare, dashboard, methodology, presenters, ranking, selectors
from scoring.answer_cube import AnswerCube
from scoring.frozen_tables import tables_from_json
from scoring.loaders import AnswerError, gc_paused, scale_items, stratum_names
from scoring.measures import SATISFACTION
from scoring.models import Edition
from scoring.score_tables import (
    SampleDesign,
    domain_tables,
    scope_tables,
    summarize,
    with_scope,
)
from scoring.states import CACHE_VERSION, state_key
from scoring.targets import target_board
from scoring.weighting import inputs_digest, weighted_sample

# An entry names one state of the wave's decisions, so it is never wrong for that state; the
# hour bounds what the key does not name (earlier rounds' decisions for the trend, a new
# locality file's population margins).
RESULTS_CACHE_SECONDS = 3600
RESULTS_JOB = "wave_results"
LOWEST_COUNT = 3  # dimensions and streets in the lowest lists


def results_cache_key(wave: Wave) -> str:
    """`state_key(wave)` and the reader's language: the cached results of that state."""
    return f"{state_key(wave)}:{ui_language_code()}"


def latest_results_key(wave: Wave, language: str) -> str:
    return f"scoring:results:latest:{CACHE_VERSION}:{wave.pk}:{language}"


def cached_results(wave: Wave) -> dict:
    """`wave_results(wave)` for the current state of the wave's decisions, computed in the
    request when not cached (the downloads: a delivered report must match the decisions taken).
    Raises AnswerError when an approved answer cannot be scored."""
    key = results_cache_key(wave)
    report = cache.get(key)
    return report if report is not None else _compute(wave, key)


def _compute(wave: Wave, key: str) -> dict:
    report = wave_results(wave)
    latest_key = latest_results_key(wave, ui_language_code())
    remember(key=key, latest_key=latest_key, value=report, seconds=RESULTS_CACHE_SECONDS)
    return report


def results_or_job(*, wave: Wave, user: User | None) -> Computed:
    """The page's results: cached, or being computed by a job (jobs.computed)."""
    language = ui_language_code()
    return cached_or_job(
        key=results_cache_key(wave),
        latest_key=latest_results_key(wave, language),
        kind=RESULTS_JOB,
        params={"wave_id": wave.pk, "language": language},
        subject=str(wave),
        user=user,
    )


def compute_results(job: Job, progress: Progress) -> dict:
    """The results job: the wave's results for the state its decisions are in now, in the
    reader's language, into the cache (a no-op when another run has put them there)."""
    wave = Wave.objects.select_related("client").get(pk=job.params["wave_id"])
    with translation.override(job.params["language"]):
        key = results_cache_key(wave)
        if cache.get(key) is None:
            try:
                _compute(wave, key)
            except AnswerError as error:
                raise JobFailed(str(error)) from error
    return {"cache_key": key}


def wave_results(wave: Wave) -> dict:
    """Everything the results page and the report show for `wave`: scoring.presenters'
    `present_results` dict plus "lowest" (the lowest dimensions and streets), "groups"
    (profiles by age group, sex, hukou, area type), "trend" (this and earlier rounds of the
    same client and questionnaire), "previous_wave" and rank changes against it on every
    district and street, "strata" (fieldwork and weights by stratum,
    scoring.methodology.stratum_rows), "methodology" and "methodology_lines".

    Computed with the cyclic collector paused (scoring.loaders.gc_paused): the computation
    makes hundreds of thousands of short-lived objects that reference counting frees, and
    a collection during it would walk them and every object of the process for nothing
    (a full one, in a process whose start-up heap is not frozen, costs ~0.1 s). Whatever
    cyclic garbage it leaves is collected once the collector runs again."""
    with gc_paused():
        return _wave_results(wave)


def _wave_results(wave: Wave) -> dict:
    sample = weighted_sample(wave=wave)
    cube = sample.cube()  # every table below is formed from its per-respondent sums
    long, meta, design = cube.long, sample.meta, sample.design
    tables = summarize(long, design=design, cube=cube)
    for table, by, within in (
        ("by_district", ["district"], None),
        ("by_street", ["district", "street"], "district"),
    ):
        unranked = tables[table].drop(columns="rank")
        tables[table] = ranking.ranked_table(
            unranked, long, by, design=design, within=within, cube=cube
        )
    # the street × dimension cells show the score with its interval, never the rate's
    tables["by_street_dimension"] = domain_tables(
        long, [["street", "dimension"]], design=design, cube=cube, rate_free=[0]
    )[0]
    language = ui_language_code()
    report = presenters.present_results(
        wave=wave, tables=tables, meta=meta, language=language, generated_on=timezone.localdate()
    )
    report["lowest"] = lowest_lists(report)
    report["lowest"].update(short_board(report, tables))
    report["lowest"]["targets"] = target_board(
        targets=selectors.wave_targets(wave),
        places=report["streets"],
        dimensions=report["dimensions"],
        measure_labels=presenters.measure_labels(report["dimensions"]),
    )
    groups = selectors.respondent_groups(
        wave, meta.definition, language, interviews=sample.interviews
    )
    report["groups"] = presenters.group_rows(group_tables(long, groups, design=design, cube=cube))
    history = earlier_rounds(wave)
    report["trend"] = presenters.trend(report, [(w.name, t) for w, t in history])
    report["previous_wave"] = history[-1][0].name if history else None
    if history:
        previous = history[-1][1]
        for rows, table, key in (
            (report["districts"], "by_district", "district"),
            (report["streets"], "by_street", ["district", "street"]),
        ):
            changes = satisfaction_rank_change(tables[table], previous[table], key=key)
            presenters.add_rank_changes(rows, changes)
    report["methodology"] = selectors.methodology(wave, sample.outcomes)
    strata = (sample.report.get("nonresponse") or {}).get("strata") or []
    names = stratum_names(
        [row["stratum"] for row in strata] + methodology.note_places(sample.report)
    )
    report["strata"] = methodology.stratum_rows(strata, names)
    report["methodology"]["weighting"] = methodology.weighting_lines(sample.report, names)
    report["methodology"]["raked"] = bool(sample.report.get("margins"))
    report["methodology"]["scoring"] = methodology.score_map_lines(
        meta.definition, scale_items(meta.definition), language
    )
    report["methodology_lines"] = methodology.methodology_lines(report)
    report["input_hash"] = inputs_digest(sample)[0]  # what an edition of them holds
    return report


def earlier_rounds(wave: Wave) -> list[tuple[Wave, dict]]:
    """(wave, summarize tables) of the earlier rounds (scoring.selectors.previous_waves),
    oldest first, weighted the same way as this round so a change is not a change of method.
    A round that cannot be scored is left out of the trend."""
    history = []
    for earlier in selectors.previous_waves(wave):
        try:
            history.append((earlier, round_tables(earlier)))
        except AnswerError:
            continue
    return history


def round_tables(wave: Wave) -> dict:
    """summarize's tables of a round, cached under the round's state (`state_key`): an
    earlier round's decisions rarely change while a later round is being reviewed, so the
    later round's results do not weight and estimate it again each time. Not cached, they
    are read from the round's latest edition frozen in that same state (the same inputs,
    so the same figures: scoring.editions keeps them), else computed."""
    state = state_key(wave)
    key = f"{state}:tables"
    tables = cache.get(key)
    if tables is None:
        tables = frozen_round_tables(wave, state)
        if tables is None:
            sample = weighted_sample(wave=wave)
            # the trend reads the overall and dimension scores, the rank changes the place
            # tables' satisfaction scores, SEs and flags: nothing else is estimated
            cube = sample.cube()
            tables = summarize(cube.long, design=sample.design, heat=False, trend=True, cube=cube)
        cache.set(key, tables, RESULTS_CACHE_SECONDS)
    return tables


def frozen_round_tables(wave: Wave, state: str) -> dict | None:
    """The round's tables as its latest edition frozen in `state` keeps them; None without
    such an edition. One query."""
    kept = (
        Edition.objects.filter(wave=wave, inputs_state=state)
        .exclude(tables={})
        .order_by("-number")
        .values_list("tables", flat=True)
        .first()
    )
    return tables_from_json(kept) if kept else None


def satisfaction_rank_change(
    current: pd.DataFrame, previous: pd.DataFrame, *, key: str | list[str]
) -> pd.DataFrame:
    """scoring.compare.rank_change of the satisfaction score of one locality table against
    the previous round's, indexed by `key`: the change is tested with a two-sample z test,
    the rounds being independent samples, and called significant only when its
    Benjamini–Hochberg adjusted p (`q`, across the table's localities) is below 5%.
    An unreliable locality (in either round) is neither ranked nor trended: no rank, no
    change. A street is keyed by (district, street)."""
    se = "satisfaction_se" if "satisfaction_se" in current.columns else None
    changes = compare.rank_change(
        _reliable_only(current),
        _reliable_only(previous),
        key=key,
        score="satisfaction_score",
        se=se,
    )
    changes["q"] = ranking.benjamini_hochberg(changes["p"])
    changes["significant"] = np.nan_to_num(changes["q"], nan=1.0) < compare.ALPHA
    return changes.set_index(key)


def _reliable_only(table: pd.DataFrame) -> pd.DataFrame:
    """The table with the satisfaction score of unreliable rows taken away."""
    if "satisfaction_unreliable" not in table.columns:
        return table
    flagged = table["satisfaction_unreliable"].astype(bool)
    return table.assign(satisfaction_score=table["satisfaction_score"].where(~flagged))


def group_tables(
    long: pd.DataFrame,
    groups: pd.DataFrame,
    *,
    design: SampleDesign | None = None,
    cube: AnswerCube | None = None,
) -> list[tuple[str, pd.DataFrame]]:
    """(group, scope_table by [group] under `design`) for each respondent group of
    scoring.presenters.GROUP_LABELS that anyone answered; `groups` is
    scoring.selectors.respondent_groups. Area types are estimated by their label. The
    groups are respondent columns of one scoring.answer_cube (`cube` over `long`, or one
    made here), so every table shares its per-respondent sums."""
    if long.empty:
        return []
    cube = cube if cube is not None else AnswerCube(with_scope(long))
    # plain str labels: lazy translation objects would be hashed (translated) on every row
    area_types = {code: str(label) for code, label in AreaType.choices}
    respondents = pd.DataFrame(
        {
            "interview_id": cube.ids,
            "area_type": cube.respondent_column("area_type").map(area_types).to_numpy(),
        }
    )
    if not groups.empty:
        found = groups.drop(columns=["area_type"], errors="ignore")
        respondents = respondents.merge(found, on="interview_id", how="left")
    cube = cube.with_columns(respondents)
    present = [
        group
        for group in presenters.GROUP_LABELS
        if group in respondents.columns and not respondents[group].isna().all()
    ]
    found = scope_tables(long, [[group] for group in present], design=design, cube=cube)
    return list(zip(present, found, strict=True))


def lowest_lists(report: dict) -> dict:
    """The LOWEST_COUNT lowest dimensions and ranked (reliable) streets
    (scoring.compare.lowest) of the presented report, as scoring.presenters.lowest_lists:
    the lowest point estimates, not a test. Picked from the rounded scores, ties
    in questionnaire order (dimensions) and by district and street name (streets)."""
    ranked_streets = [s for s in report["streets"] if s["rank"] is not None]
    by_name = sorted(ranked_streets, key=lambda s: (s["district"], s["name"]))
    columns = ["name", "district", "satisfaction_score", "unreliable", "rank_low", "rank_high"]
    streets = compare.lowest(
        pd.DataFrame(by_name, columns=columns),
        score="satisfaction_score",
        n=LOWEST_COUNT,
    )
    dimensions = compare.lowest(
        pd.DataFrame(report["dimensions"], columns=["label", "score", "unreliable"]),
        n=LOWEST_COUNT,
    )
    return presenters.lowest_lists(dimensions, streets)


def dashboard_view(
    report: dict,
    *,
    level: str | None,
    dimension: str | None,
    district: str | None,
    link: Callable[[dict], str],
) -> dict:
    """What the results page shows for the chosen filters (scoring.dashboard.view): the rows
    the filters pick, sorted by score, highest first, and ranked among themselves."""
    choice = dashboard.choose(report, level=level, dimension=dimension, district=district)
    return dashboard.view(report, choice, ranked(dashboard.rows(report, choice, link)))


def ranked(rows: list[dict]) -> list[dict]:
    """`rows` sorted by "score", highest first (no score last, then by name), each with its
    "rank": scoring.compare.competition_rank among the reliable rows (ties share the best
    rank); an unreliable row is listed without a rank."""
    rows = sorted(rows, key=lambda r: (r["score"] is None, -(r["score"] or 0.0), r["name"]))
    scores = [None if r["unreliable"] else r["score"] for r in rows]
    ranks = compare.competition_rank(pd.Series(scores, dtype=float))
    for row, rank in zip(rows, ranks, strict=True):
        row["rank"] = None if pd.isna(rank) else int(rank)
    return rows


def short_board(report: dict, tables: dict) -> dict:
    """What the short board adds to the lowest estimates: "below_overall", the ranked
    streets whose satisfaction score is significantly below the overall after
    Benjamini–Hochberg control across the streets (scoring.ranking.below_overall; worst gap
    first: {"name", "district", "score", "gap", "q"}); "could_be_bottom", how many ranked
    streets have a rank interval that reaches the LOWEST_COUNT lowest places; "n_ranked";
    (the board below target is scoring.targets.target_board, beside it)."""
    overall = tables["overall"].set_index("scope")
    streets = {(s["district_code"], s["code"]): s for s in report["streets"]}
    ranked_streets = [s for s in report["streets"] if s["rank"] is not None]
    n_ranked = len(ranked_streets)
    board = {"below_overall": [], "n_ranked": n_ranked}
    board["could_be_bottom"] = sum(
        1 for s in ranked_streets if (s["rank_high"] or s["rank"]) > n_ranked - LOWEST_COUNT
    )
    if SATISFACTION not in overall.index or tables["by_street"].empty:
        return board
    tested = ranking.below_overall(tables["by_street"], overall.loc[SATISFACTION])
    tested = tested[tested["below_overall"]].sort_values("gap", kind="stable")
    for row in tested.to_dict("records"):
        street = streets.get((row["district"], row["street"]))
        if street is not None:
            board["below_overall"].append(
                {
                    "name": street["name"],
                    "district": street["district"],
                    "score": street["satisfaction_score"],
                    "gap": presenters.number(row["gap"]),
                    "q": round(float(row["q"]), 3),
                }
            )
    return board
