"""The methodology appendix as (item, value) lines, for the results page, the PDF and the
XLSX: the sample, the response rates, the reviews, the weighting (nonresponse adjustment,
household selection, raking, trimming), the score maps, the estimation and the reliability
rule; and the per-stratum fieldwork and weighting table. Only presents: the numbers arrive
computed (scoring.results, scoring.weighting)."""

import pandas as pd
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.labels import localized
from common.translatable import Translatable
from qc.models import Review
from qc.presenters.labels import rule_label
from questionnaires import answers as stored
from questionnaires.presenters import effective_choices
from sampling.presenters import column_label
from scoring.measures import MIN_RESPONDENTS


def methodology_lines(report: dict) -> list[tuple[str, object]]:
    """The methodology appendix as (item, value) pairs, in reading order."""
    method = report.get("methodology") or {}
    lines: list[tuple[str, object]] = []
    draw = method.get("draw")
    if draw:
        lines += [
            (_("Sample"), draw["name"]),
            (_("Frame size"), draw["frame_rows"]),
            (_("Sample size"), draw["n_total"]),
            (_("Strata"), f"{_columns(draw['strata'])} ({draw['n_strata']})"),
            (_("Allocation"), str(draw["allocation"])),
            (_("Selection"), draw["design"]),
            (_("Random seed"), draw["seed"]),
        ]
    rates = method.get("rates")
    if rates:
        for key, label in (
            ("RR3", _("Response rate (AAPOR RR3)")),
            ("COOP3", _("Cooperation rate (AAPOR COOP3)")),
            ("REF2", _("Refusal rate (AAPOR REF2)")),
            ("CON2", _("Contact rate (AAPOR CON2)")),
        ):
            value = rates.get(key)
            lines.append((label, None if value is None else round(100 * value, 1)))
        lines.append((_("Completed interviews (I)"), int(rates.get("I") or 0)))
    reviews = method.get("reviews") or {}
    if reviews:
        lines.append((_("Interviews reviewed"), sum(reviews.values())))
        names = dict(Review.State.choices)
        for state, n in sorted(reviews.items()):
            name = names.get(state, state)
            lines.append((_("Review outcome: %(state)s") % {"state": name}, n))
    for rule, n in method.get("flags") or []:
        lines.append((_("Flags raised: %(rule)s") % {"rule": rule_label(rule)}, n))
    lines += method.get("weighting") or []
    lines += method.get("scoring") or []
    lines += estimation_lines(raked=bool(method.get("raked")))
    lines.append((_("Approved interviews scored"), report["n_interviews"]))
    lines += ranking_lines(bool(report.get("previous_wave")))
    return lines


def _columns(strata: str) -> str:
    """The draw's stratum columns ("street_code × area_type") by what they hold."""
    return " × ".join(column_label(column) for column in strata.split(" × "))


def ranking_lines(compared: bool) -> list[tuple[str, object]]:
    """How ranks, rank intervals, the short board and (when `compared`, a previous round
    exists) rank changes are formed and tested."""
    lines: list[tuple[str, object]] = [
        (
            _("Ranks"),
            _(
                "by satisfaction score among the reliable places only; an unreliable place "
                "is listed with its score but neither ranked nor compared with earlier rounds"
            ),
        ),
        (
            _("Rank intervals"),
            _(
                "the central 95 percent of each place's ranks in 10,000 seeded draws from the "
                "joint normal sampling distribution of the scores, with the covariance between "
                "places that the design and the raking give"
            ),
        ),
        (
            _("Short board"),
            _(
                "the lowest estimates are point estimates, not a finding; a street is "
                "significantly below the overall when its gap to the overall is significant "
                "after Benjamini–Hochberg control of the false discovery rate at 5% across "
                "the streets; below target needs a target"
            ),
        ),
    ]
    if compared:
        lines.append(
            (
                _("Rank change"),
                _(
                    "places among the localities scored in both rounds; a change is marked "
                    "with an arrow only when the score change is significant after "
                    "Benjamini–Hochberg control of the false discovery rate at 5% across the "
                    "localities (two-sample z test, the rounds being independent samples)"
                ),
            )
        )
    return lines


def weighting_lines(report: dict, names: dict[str, str] | None = None) -> list[tuple[str, object]]:
    """The weighting report of scoring.weighting as (item, value) pairs; `names` names the
    strata that are localities."""
    if not report.get("final"):
        return []
    design, final = report["design"], report["final"]
    margins = ", ".join(_margin_name(m) for m in report.get("margins") or []) or _(
        "none (design weights only)"
    )
    lines: list[tuple[str, object]] = [
        (
            _("Weighting: steps"),
            _(
                "base weight of the released sample (frame size / units released in the "
                "stratum once reserves are released, else 1 / the inclusion probability) → "
                "nonresponse adjustment → household selection → raking → trimming"
            ),
        ),
        *nonresponse_lines(report.get("nonresponse") or {}, names or {}),
        (_("Weighting: raked to"), margins),
        *trimming_lines(report),
        (_("Weighting: weights trimmed"), report.get("trimmed", 0)),
        (_("Weighting: largest/smallest weight"), round(final["ratio"], 2)),
        (_("Weighting: design effect (Kish), design weights"), round(design["kish_deff"], 3)),
        (_("Weighting: design effect (Kish), final weights"), round(final["kish_deff"], 3)),
        (_("Weighting: effective sample size"), round(final["n_eff"], 1)),
    ]
    lines += [
        (_("Weighting: note"), _note(note, names or {})) for note in report.get("skipped") or []
    ]
    return lines


def note_places(report: dict) -> list[str]:
    """The locality codes the weighting report's notes name (for `weighting_lines`' names)."""
    codes = []
    for note in report.get("skipped") or []:
        params = getattr(note, "params", {})
        codes += params["places"].split(", ") if "places" in params else []
        codes += params["cell"].split("|")[:1] if "cell" in params else []
    return codes


def _note(note: object, names: dict[str, str]) -> str:
    """A weighting note (common.translatable.Translatable) in the reader's language, its
    localities by name and its margins and cells in words."""
    if not isinstance(note, Translatable):
        return str(note)
    params = dict(note.params)
    if "places" in params:
        params["places"] = ", ".join(names.get(c) or c for c in params["places"].split(", "))
    if "margin" in params:
        params["margin"] = _margin_name(params["margin"])
    if "cell" in params:
        place, *values = params["cell"].split("|")
        sexes = {"M": _("Male"), "F": _("Female")}
        params["cell"] = " · ".join([names.get(place) or place, *(sexes.get(v, v) for v in values)])
    return _(note.template) % params


def _margin_name(margin: str) -> str:
    """ "district × sex" in the reader's language."""
    names = {
        "district": _("District"),
        "street": _("Street"),
        "sex": _("Sex"),
        "age_group": _("Age group"),
    }
    return " × ".join(names.get(part, part) for part in margin.split(" × "))


def nonresponse_lines(nonresponse: dict, names: dict[str, str]) -> list[tuple[str, object]]:
    """The nonresponse adjustment and the household selection factor, as recorded."""
    if not nonresponse:
        return []

    def named(strata: list[str]) -> str:
        return ", ".join(names.get(s) or s for s in strata)

    method = nonresponse["method"]
    if method == "none":
        text = _("none: the base weights stand (chosen by the analyst)")
    elif method == "stratum_attribute":
        text = _(
            "within each stratum split by the frame attribute “%(attribute)s”: each approved "
            "respondent stands for the released units of its class (weight × released / "
            "approved, summed over base weights)"
        ) % {"attribute": nonresponse["attribute"]}
    else:
        text = _(
            "within each stratum: the stratum's frame size / its approved respondents × the "
            "stratum's estimated eligible share of its released units (each approved "
            "respondent stands for the estimated eligible released units of its stratum)"
        )
    lines: list[tuple[str, object]] = [(_("Weighting: nonresponse adjustment"), text)]
    if method != "none":
        lines.append((_("Weighting: eligibility"), str(ELIGIBILITY_TEXT)))
    if nonresponse.get("collapsed"):
        lines.append(
            (
                _("Weighting: classes merged into their stratum (a class had no respondent)"),
                named(nonresponse["collapsed"]),
            )
        )
    if nonresponse.get("unrepresented"):
        lines.append(
            (
                _("Weighting: strata without an approved respondent (left to the raking)"),
                named(nonresponse["unrepresented"]),
            )
        )
    lines.append((_("Weighting: household selection"), _household_text(nonresponse)))
    lines.append(
        (
            _("Weighting: households beyond the Kish tables"),
            _(
                "%(households)s door interviews in households of more than 6 adults chosen by "
                "Kish grid: their %(adults)s adults after line 6 of the listing could not be "
                "chosen, a coverage loss the weights do not correct"
            )
            % {
                "households": nonresponse.get("beyond_table", 0),
                "adults": nonresponse.get("adults_not_covered", 0),
            },
        )
    )
    return lines


ELIGIBILITY_TEXT = gettext_lazy(
    "known ineligible cases (AAPOR 4.x: vacant, non-residential, out of sample, no eligible "
    "respondent, …) are not part of the population and leave the adjustment; cases of unknown "
    "eligibility (3.x: never reached, no answer, address not found, …) count as eligible "
    "with the stratum's estimated eligibility rate e = eligible / (eligible + ineligible) "
    "among its cases whose eligibility is known (AAPOR's e; the wave's where the stratum has "
    "none): estimated eligible released units = I + P + R + NC + O + e × (UH + UO), from "
    "each case's final disposition as in the response rates"
)


def _household_text(nonresponse: dict) -> str:
    return _(
        "a door interview's weight is multiplied by the inverse of the probability that its "
        "respondent was the adult chosen: by Kish grid, the share of the twelve selection "
        "tables that pick that line of the listing (1/n for 1–4 and 6 adults; 1/6 or 1/4 by "
        "the line for 5 adults; 1/6 for 7 or more), by last or next birthday 1/n. In "
        "mixed-mode waves door respondents carry this within-household factor and phone "
        "respondents do not: a phone number is taken to reach the person it belongs to. "
        "%(door)s door interviews, %(missing)s of them without a listing (counted as one "
        "adult)"
    ) % {"door": nonresponse["door"], "missing": nonresponse["door_without_listing"]}


def trimming_lines(report: dict) -> list[tuple[str, object]]:
    bounds = report.get("trim_bounds")
    if not bounds:
        return [(_("Weighting: trimming"), _("none"))]
    return [
        (
            _("Weighting: trimming"),
            _(
                "to %(lower)s–%(upper)s × the mean weight after raking, the trimmed amount "
                "shared equally among the other weights until all are inside (R's "
                "trimWeights, strict), keeping the total"
            )
            % {"lower": f"{bounds[0]:g}", "upper": f"{bounds[1]:g}"},
        )
    ]


def stratum_rows(strata: list[dict], names: dict[str, str]) -> list[dict]:
    """The per-stratum table of the weighting report ("nonresponse" → "strata") for the
    page and the workbook: code, name (the locality's name where the stratum is one), the counts,
    response_rate (% approved of the estimated eligible released units, 1 decimal) and
    weight (the nonresponse-adjusted household weight, one value or "smallest–largest";
    None without respondents), and weight_min and weight_max as numbers (2 decimals)."""
    rows = []
    for row in strata:
        low, high = row.get("weight_min"), row.get("weight_max")
        rate = row.get("response_rate")
        if low is None or pd.isna(low):
            weight = None
        elif abs(high - low) <= 1e-9 * abs(high):
            weight = f"{low:.1f}"
        else:
            weight = f"{low:.1f}–{high:.1f}"
        rows.append(
            {
                "code": row["stratum"],
                "name": names.get(row["stratum"]) or row["stratum"],
                **{key: int(row.get(key) or 0) for key in COUNTS},
                "response_rate": None if pd.isna(rate) else round(float(rate), 1),
                "weight": weight,
                "weight_min": None if weight is None else round(float(low), 2),
                "weight_max": None if weight is None else round(float(high), 2),
            }
        )
    return rows


COUNTS = ("drawn", "released", "attempted", "interviewed", "approved", "ineligible", "unknown")


def _choice_labels(definition: dict, language: str) -> dict[str, dict[str, str]]:
    """{item path: {choice value: label}} of every question, from the question's own list:
    two lists may use the same values with different words (1 = 非常满意 in one, 很安全 in
    another), so a value is named by its item's list, never by a merged table."""
    lists = definition.get("choice_lists", {})
    return {
        stored.key(question): {
            str(c["value"]): localized(c.get("label"), language) or str(c["value"])
            for c in effective_choices(question, lists.get(question.get("list") or "", []))
        }
        for group in definition.get("groups", [])
        for question in group.get("questions", [])
    }


def score_map_lines(
    definition: dict, choices: pd.DataFrame, language: str
) -> list[tuple[str, object]]:
    """How answers become scores, one line per distinct score map of the scale items (the
    same codes, scores and words):
    "非常满意 100 · 满意 80 · … ; counted as satisfied or safe: 非常满意, 满意; not scored: 不知道".
    `choices` is scoring.loaders.scale_items(definition)."""
    labels = _choice_labels(definition, language)
    maps: dict[tuple, list[str]] = {}
    for item, rows in choices.groupby("item", sort=False):
        names = labels.get(item, {})
        words = [names.get(v, v) for v in rows["value"]]
        key = tuple(zip(words, rows["score"].fillna(-1), rows["positive"], strict=True))
        maps.setdefault(key, []).append(item)
    lines = []
    for number, (key, items) in enumerate(maps.items(), start=1):
        scored = " · ".join(f"{w} {s:g}" for w, s, _p in key if s >= 0)
        positive = ", ".join(w for w, s, p in key if s >= 0 and p)
        unscored = ", ".join(w for w, s, _p in key if s < 0)
        text = scored + "; " + _("counted as satisfied or safe: %(codes)s") % {"codes": positive}
        if unscored:
            text += "; " + _("not scored: %(codes)s") % {"codes": unscored}
        label = _("Score map") if len(maps) == 1 else _("Score map %(n)s") % {"n": number}
        lines.append((f"{label} ({len(items)})", text))
    return lines


def estimation_lines(*, raked: bool) -> list[tuple[str, object]]:
    """How the estimates and their uncertainty are computed, and when one is unreliable.
    `raked`: the weights were raked (the SEs then include the raking)."""
    if raked:
        variance = _(
            "Taylor linearisation within the draw's strata, with the finite population "
            "correction where the frame counts are known, including the raking: each "
            "estimate's linearised values are replaced by their residuals on the raking "
            "margins (as R's survey package does for a raked design); weights are trimmed "
            "after raking and the trimmed weights enter the estimates, the raking margins "
            "the residuals (as R's trimWeights keeps a raked design's calibration)"
        )
    else:
        variance = _(
            "Taylor linearisation within the draw's strata, with the finite population "
            "correction where the frame counts are known; no raking, so none enters "
            "the variance"
        )
    return [
        (
            _("Estimates"),
            _("weighted means and shares of the approved interviews (weights above)"),
        ),
        (_("Standard errors"), variance),
        (
            _("Intervals"),
            _(
                "95%, on the scale: a rate is a share and a score a share of 100, each given "
                "the logit interval (R's svyciprop, method logit) with the t quantile on the "
                "design's degrees of freedom (sampling units with an answer minus their "
                "strata), so no interval leaves 0–100 and a small domain gets a wide one; "
                "scores are transformed, not clipped"
            ),
        ),
        (
            _("Reliability"),
            _(
                "fewer than %(n)s respondents, or an effective sample size below %(n)s: "
                "marked unreliable (*)"
            )
            % {"n": MIN_RESPONDENTS},
        ),
    ]
