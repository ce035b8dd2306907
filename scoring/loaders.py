"""The one loading layer of scoring: approved interviews → the long frame of item answers.

Only interviews whose QC review is approved are scored (DESIGN.md §5). Computation lives in
`scoring.score_tables` and `scoring.weighting`; this module only queries and reshapes.
"""

import gc
import json
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

import numpy as np
import orjson
import pandas as pd
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils.translation import gettext as _

from fieldwork.models import Interview, Wave
from fieldwork.quotas import age_group
from qc.models import Review
from questionnaires import answers as stored
from questionnaires.presenters import effective_choices
from questionnaires.selectors import answers_in_version
from questionnaires.xlsform import dimension_order
from sampling.models import FrameStratumCount, Locality, ReplicateRelease, SampledUnit
from scoring.answer_frame import AnswerError, scored_items

# The long frame's columns, documented in scoring.score_tables, which estimates from it.
LONG_COLUMNS = [
    "interview_id",
    "weight",
    "district",
    "street",
    "area_type",
    "item",
    "dimension",
    "score",
    "positive",
]


def empty_long_frame() -> pd.DataFrame:
    """A long frame with no rows and the documented columns and dtypes."""
    numbers = {"interview_id": "int64", "weight": "float64", "score": "float64"}
    return pd.DataFrame({c: pd.Series(dtype=numbers.get(c, "object")) for c in LONG_COLUMNS})


def respondent_question(definition: dict, name: str) -> dict | None:
    """The question the weighting margins and profiles read as `name` (sex, age, hukou): the
    one question of that name; None when there is none. AnswerError, naming the candidate
    paths, when several questions share the name: which one is the respondent's is not
    guessed."""
    try:
        return stored.find(definition, name)
    except stored.AmbiguousName as error:
        raise AnswerError(
            _(
                "Several questions are named %(name)s (%(paths)s): the respondent's %(name)s "
                "cannot be told apart. Rename the others in the questionnaire."
            )  # fmt: skip
            % {"name": name, "paths": ", ".join(error.paths)}
        ) from error


def respondent_key(definition: dict, name: str) -> str:
    """Where the answer respondent_question finds is stored; an answer kept under the bare
    name (a hand-made definition without that question) is read there."""
    question = respondent_question(definition, name)
    return stored.key(question) if question else name


@dataclass(frozen=True)
class AnswersMeta:
    """What the long frame's codes mean.

    definition   the wave's questionnaire definition (questionnaires.xlsform's shape)
    dimensions   {dimension code: {language: label}}, in the definition's order
    items        {question name: {"label": {language: label}, "dimension": code}}
    localities   {locality code: {"name": str, "level": str, "parent": code | None}} for
                 every district and street in the frame (parent: None where not loaded)
    n_interviews approved interviews loaded (including any with no scale answer)
    """

    definition: dict
    dimensions: dict[str, dict] = field(default_factory=dict)
    items: dict[str, dict] = field(default_factory=dict)
    localities: dict[str, dict] = field(default_factory=dict)
    n_interviews: int = 0


def scale_items(definition: dict) -> pd.DataFrame:
    """The scored choices of every scale item in a questionnaire definition.

    A scale item is a select_one question with a `dimension` whose choice list gives at least
    one choice a score. The question's `score_map` and `positive_values` (the XLSForm
    columns score_map and satisfied) take precedence over the list's score and positive.
    Returns one row per (item, choice), columns
        item, dimension, value (str), score (float, NaN = don't know/refused),
        positive (bool, or None where the score is NaN)
    in questionnaire order.
    """
    lists = definition.get("choice_lists", {})
    rows = []
    for group in definition.get("groups", []):
        for question in group.get("questions", []):
            # a question's own score_map / satisfied codes override its list's (regions differ)
            choices = effective_choices(question, lists.get(question.get("list") or "", []))
            if (
                question.get("type") != "select_one"
                or not question.get("dimension")
                or not any(c.get("score") is not None for c in choices)
            ):
                continue
            for choice in choices:
                score = choice.get("score")
                rows.append(
                    {
                        "item": stored.key(question),  # the question's path
                        "dimension": question["dimension"],
                        "value": str(choice["value"]),
                        "score": float(score) if score is not None else float("nan"),
                        "positive": bool(choice.get("positive")) if score is not None else None,
                    }
                )
    columns = ["item", "dimension", "value", "score", "positive"]
    return pd.DataFrame(rows, columns=columns).astype({"score": "float64", "positive": object})


def approved_interviews(wave: Wave) -> list[dict]:
    """The wave's approved interviews, one dict each, in id order: pk, answers (keyed as the
    wave's current version keys them: interviews begun before a version switch are read with
    their own version's paths), district_id, street_id, case__street_id, stratum, frame_id
    and weight (the sampled unit's design weight). The one read of the answers that
    `approved_answers`, `respondent_frame` and scoring.selectors.respondent_groups share: one
    query (two when some interview is on an older version)."""
    # approval probed per interview of the wave (a join starts from every wave's reviews)
    approved = Review.objects.filter(interview=OuterRef("pk"), state=Review.State.APPROVED)
    rows = (
        Interview.objects.filter(Exists(approved), case__wave=wave)
        .order_by()  # sorted below: SQLite would sort the answers' texts with the ids
        # the answers as their JSON text (Interview.answers_text), parsed below by orjson
        # (several times faster than the json module the field would use on every row)
        .values_list(
            "pk",
            "answers_text",
            *RECORD_FIELDS[2:6],
            F("case__unit__stratum"),
            F("case__unit__draw__frame_id"),
            F("case__unit__design_weight"),
        )
    )
    return interview_records(rows, wave)


def interview_records(rows, wave: Wave) -> list[dict]:
    """`approved_interviews` records from rows of RECORD_FIELDS (the answers as JSON text)."""
    with gc_paused():  # tens of thousands of new dicts: no collection passes over them
        records = [dict(zip(RECORD_FIELDS, row, strict=True)) for row in sorted(rows)]
        for record in records:
            record["answers"] = json_value(record["answers"])
    current = (wave.questionnaire_version_id, None)
    if all(record["questionnaire_version_id"] in current for record in records):
        for record in records:  # all saved on the wave's version: keyed as it keys them
            record["answers"] = record["answers"] or {}
        return records
    for record, answers in zip(records, _in_wave_version(records, wave), strict=True):
        record["answers"] = answers
    return records


RECORD_FIELDS = (
    "pk",
    "answers",
    "district_id",
    "street_id",
    "case__street_id",
    "questionnaire_version_id",
    "stratum",
    "frame_id",
    "weight",
)


@contextmanager
def gc_paused():
    """No cyclic garbage collection inside the block (it is restored after): building many
    acyclic objects at once otherwise triggers collections that walk every live object of
    the process, half the cost of reading a wave's answers."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def json_value(text: str | None):
    """A stored JSON value from its text: orjson, or the json module for what orjson refuses
    (NaN, integers beyond 64 bits), as the model field would read it."""
    if text is None:
        return None
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def approved_answers(
    wave: Wave, *, interviews: list[dict] | None = None, places: tuple | None = None
) -> tuple[pd.DataFrame, AnswersMeta]:
    """The long frame (see scoring.score_tables) of the wave's approved interviews, and its meta.

    `interviews` is `approved_interviews(wave)` when the caller has read it already; else it
    is read here. Then one query: the localities.
    Locality: the district/street the respondent named (属地信息) wins; an interview with no
    named street falls back to its case's sampled street, unless the respondent named a
    district that street is not in (then the street is unknown); with no named district the
    district is the street's parent. Unanswered items (skipped by logic) are not rows; don't
    know/refused are rows with a NaN score.

    Raises AnswerError naming the interview, question and value when an answer is not one of
    the item's choices.
    """
    definition = wave.questionnaire_version.definition
    choices = scale_items(definition)
    item_names = list(dict.fromkeys(choices["item"]))
    if interviews is None:
        interviews = approved_interviews(wave)
    meta = AnswersMeta(
        definition=definition,
        dimensions={
            code: definition.get("dimensions", {}).get(code, {})
            for code in dimension_order(definition)
        },
        items=_item_meta(definition, item_names),
        n_interviews=len(interviews),
    )
    if not interviews or not item_names:
        return empty_long_frame(), meta

    located, localities = places if places is not None else locate(interviews)
    ids = np.fromiter((record["pk"] for record in interviews), dtype="int64", count=len(interviews))
    long = scored_items(ids, [record["answers"] for record in interviews], choices, item_names)
    rows = long.pop("row").to_numpy()
    for column in ("weight", "district", "street", "area_type"):
        values = located[column]  # taken in its own dtype (text stays in Arrow: no str per row)
        long[column] = pd.Series(values.array.take(rows), index=long.index, dtype=values.dtype)
    return long[LONG_COLUMNS], replace(meta, localities=localities)


def _in_wave_version(records: list[dict], wave: Wave) -> list[dict]:
    """The records' answers keyed as the wave's current version keys them."""
    saved = [(r["answers"], r["questionnaire_version_id"]) for r in records]
    return answers_in_version(saved, wave.questionnaire_version)


def _item_meta(definition: dict, item_names: list[str]) -> dict[str, dict]:
    wanted = set(item_names)
    return {
        stored.key(q): {"label": q.get("label") or {}, "dimension": q.get("dimension")}
        for group in definition.get("groups", [])
        for q in group.get("questions", [])
        if stored.key(q) in wanted
    }


def locate(interviews: list[dict]) -> tuple[pd.DataFrame, dict[str, dict]]:
    """(located, localities) of `approved_interviews` records: what `approved_answers` and
    `respondent_frame` both resolve (given to them as `places`, it is resolved once)."""
    columns = ["pk", "district_id", "street_id", "case__street_id", "weight"]
    return _locate(*([record[name] for record in interviews] for name in columns))


def _locate(pks, districts, streets, case_streets, weights) -> tuple[pd.DataFrame, dict]:
    """Resolve each interview's district and street codes and area type (one query), from
    its named district and street and its case's street (locality ids or None), interview
    by interview on the few localities met."""
    places = _places(
        {i for ids in (districts, streets, case_streets) for i in ids if i is not None}
    )
    parent_of = {pk: place[4] for pk, place in places.items()}
    district_ids, street_ids = [], []
    for named_district, named_street, case_street in zip(
        districts, streets, case_streets, strict=True
    ):
        # The sampled street stands in for an unnamed street only if it is inside the named
        # district (or no district was named).
        street = named_street
        if street is None and (
            named_district is None or parent_of.get(case_street) == named_district
        ):
            street = case_street
        district_ids.append(named_district if named_district is not None else parent_of.get(street))
        street_ids.append(street)
    located = pd.DataFrame(
        {
            "interview_id": np.asarray(pks, dtype="int64"),
            "weight": np.asarray([np.nan if w is None else w for w in weights], dtype=float),
            "district": _objects([places[i][0] if i in places else None for i in district_ids]),
            "street": _objects([places[i][0] if i in places else None for i in street_ids]),
            "area_type": _objects(
                [
                    _area_type(places.get(street)) or _area_type(places.get(district))
                    for street, district in zip(street_ids, district_ids, strict=True)
                ]
            ),
        }
    )
    used = {i for i in district_ids if i is not None} | {i for i in street_ids if i is not None}
    localities = {}
    for pk in sorted(used):
        code, name, level, _area, parent = places[pk]
        parent_code = places[parent][0] if parent in places else None
        localities[code] = {"name": name, "level": level, "parent": parent_code}
    return located, localities


def _places(ids: set) -> dict[int, tuple]:
    """{locality id: (code, name, level, area type, parent id)} of the localities `ids` and
    their parents (a district derived from a street's parent comes with the street's row)."""
    fields = ["pk", "code", "name", "level", "area_type", "parent_id"]
    parent_fields = [f"parent__{name}" for name in ["id", "code", "name", "level", "area_type"]]
    rows = list(Locality.objects.filter(pk__in=ids).values_list(*fields, *parent_fields))
    places = {row[0]: row[1:6] for row in rows}
    for row in rows:
        if row[6] is not None and row[6] not in places:
            places[row[6]] = (*row[7:11], None)
    return places


def _area_type(place: tuple | None) -> str | None:
    """The place's area type; None when unknown or blank."""
    area = place[3] if place is not None else None
    return area if area is not None and str(area) != "" else None


# ---------------------------------------------------------------------------- weighting inputs

RESPONDENT_COLUMNS = [
    "interview_id",
    "weight",
    "stratum",
    "fpc",
    "district",
    "street",
    "sex",
    "age_group",
]
SEX_CODES = {
    "m": "M",
    "male": "M",
    "男": "M",
    "1": "M",
    "f": "F",
    "female": "F",
    "女": "F",
    "2": "F",
}


def respondent_frame(
    wave: Wave,
    *,
    interviews: list[dict] | None = None,
    places: tuple | None = None,
    strata: tuple[dict, dict] | None = None,
) -> pd.DataFrame:
    """One row per approved interview of the wave: what weighting and SEs need.

    Columns (RESPONDENT_COLUMNS):
        interview_id  int
        weight        the sampled unit's design weight (1 / inclusion probability)
        stratum       the unit's stratum in the draw (str)
        fpc           the stratum's frame size (number of units), NaN where the draw has no
                      count for it
        district, street  locality codes, resolved as in `approved_answers`
        sex           "M" / "F" from the `sex` answer (male/female, 男/女, M/F), NaN if unknown
        age_group     16-29 / 30-44 / 45-59 / 60+ from the `age` answer, NaN if unknown
    `interviews` is `approved_interviews(wave)` when the caller has read it already, `strata`
    ({stratum: frame count}, released_per_stratum(wave)) when read with the round's cases
    (scoring.cases.read_round). Four queries: interviews and localities (unless given), the
    frame's stratum counts and the released reserves (unless given).
    """
    records = approved_interviews(wave) if interviews is None else interviews
    if not records:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in RESPONDENT_COLUMNS})
    counts, released = strata if strata is not None else _sizes(wave, records)
    strata = [record["stratum"] for record in records]
    definition = wave.questionnaire_version.definition
    sex_key, age_key = (respondent_key(definition, name) for name in ("sex", "age"))
    saved = [record["answers"] for record in records]  # keyed as the wave's version keys them
    sex = each_distinct([a.get(sex_key) for a in saved], _sex_code)
    ages = each_distinct([a.get(age_key) for a in saved], respondent_age_group)
    fpc = np.array([counts.get(stratum, np.nan) for stratum in strata], dtype=float)
    # Once reserve replicates are released, every released unit of a stratum is one SRSWOR of
    # n_released units from N_h: π = n_released / N_h for all of them, whatever replicate the
    # stored weight was computed for (else 20 main units at 15 and 10 reserves at 10 would
    # stand for 400 of 300 households). Without a release the stored design weight stands.
    n_released = np.array([released.get(stratum, np.nan) for stratum in strata], dtype=float)
    located, _ = places if places is not None else locate(records)
    recomputed = ~np.isnan(fpc) & (n_released > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        weight = np.where(recomputed, fpc / n_released, located["weight"].to_numpy(dtype=float))
    return pd.DataFrame(
        {
            "interview_id": located["interview_id"],
            "weight": weight,
            "stratum": _objects(strata),
            "fpc": fpc,
            "district": located["district"],
            "street": located["street"],
            "sex": _objects(sex),
            "age_group": _objects(ages),
        }
    )[RESPONDENT_COLUMNS]


def _sizes(wave: Wave, records: list[dict]) -> tuple[dict, dict]:
    """({stratum: frame count} of the records' frames, released_per_stratum(wave))."""
    frames = {record["frame_id"] for record in records if record["frame_id"] is not None}
    counts = FrameStratumCount.objects.filter(frame_id__in=frames)
    return dict(counts.values_list("stratum", "n_units")), released_per_stratum(wave)


def _objects(values: list) -> np.ndarray:
    """The values as an object array, None as NaN (what a text column gives back)."""
    return np.array([np.nan if value is None else value for value in values], dtype=object)


def each_distinct(values: list, function) -> list:
    """[function(value) for value in values], called once per distinct value (by type and
    value: 1 and True stay apart): a wave's few sexes and ages over thousands of answers."""
    done: dict = {}
    out = []
    for value in values:
        try:
            key = (type(value), value)
            out.append(done[key] if key in done else done.setdefault(key, function(value)))
        except TypeError:  # an unhashable answer (a list): as it is
            out.append(function(value))
    return out


def _sex_code(value: object) -> str | None:
    return SEX_CODES.get(str(value or "").strip().lower())


def respondent_age_group(value: object) -> str | None:
    """The population margins' age band of an `age` answer; None when unknown."""
    return age_group(value) or None


def released_per_stratum(wave: Wave) -> dict[str, int]:
    """{stratum: units in the draw's main sample and released reserve replicates}; empty when
    no reserve has been released. One query (none without a draw)."""
    if wave.draw_id is None:
        return {}
    releases = ReplicateRelease.objects.filter(draw_id=wave.draw_id).values("replicate")
    return dict(
        SampledUnit.objects.filter(draw_id=wave.draw_id)
        .filter(Exists(releases))
        .filter(Q(replicate=0) | Q(replicate__in=releases))
        .values_list("stratum")
        .annotate(n=Count("id"))
        .values_list("stratum", "n")
    )


def stratum_names(codes: list[str]) -> dict[str, str]:
    """{code: name} of the strata that are localities (a draw by street); one query."""
    return dict(Locality.objects.filter(code__in=codes).values_list("code", "name"))


def population_cells(codes: list[str]) -> pd.DataFrame:
    """Residents by sex × age group of the given localities (Locality.population).

    Returns one row per (locality, sex, age group) with a count, columns
        locality (code), sex ("M"/"F"), age_group ("16-29" …), Freq (float)
    sorted by locality, sex and age group (PostgreSQL's jsonb keeps its keys in its own
    order). Localities without population data have no rows. One query.
    """
    rows = []
    for code, population in Locality.objects.filter(code__in=codes).values_list(
        "code", "population"
    ):
        for cell, count in (population or {}).items():
            sex, _, group = str(cell).partition("|")
            rows.append((code, sex, group, float(count or 0)))
    return pd.DataFrame(sorted(rows), columns=["locality", "sex", "age_group", "Freq"])
