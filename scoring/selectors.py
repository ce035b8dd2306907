"""Reads for the results pages beside the long frame (scoring.loaders): which waves have
results, earlier rounds, respondent groups and the facts for the methodology appendix."""

import pandas as pd
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from accounts.models import Role, User
from fieldwork import loaders as fieldwork_loaders
from fieldwork import rates as aapor
from fieldwork.models import Case, Interview, Wave
from qc.models import Flag, Review
from questionnaires import answers as stored
from scoring.cases import RoundOutcomes
from scoring.loaders import (
    approved_interviews,
    each_distinct,
    respondent_age_group,
    respondent_key,
    respondent_question,
)
from scoring.models import WaveTarget


def visible_waves(user: User) -> QuerySet[Wave]:
    """A client reads only the waves its organisation commissioned; firm staff read every wave."""
    waves = Wave.objects.select_related("client")
    if user.role == Role.CLIENT:
        return (
            waves.filter(client_id=user.organisation_id) if user.organisation_id else waves.none()
        )
    return waves


def waves_with_results(user: User) -> list[Wave]:
    """Waves with at least one approved interview, newest first (the default is the first).

    Only the columns the wave picker shows are loaded; the definition is loaded for the
    chosen wave alone.
    """
    return list(
        visible_waves(user)
        .filter(cases__interview__review__state=Review.State.APPROVED)
        .distinct()
        .only("id", "name", "client", "created_at", "questionnaire_version_id")
        .order_by("-created_at", "-id")
    )


def previous_waves(wave: Wave, *, limit: int = 5) -> list[Wave]:
    """Earlier waves of the same client and questionnaire with approved interviews, oldest
    first (at most `limit`): the rounds a trend and a rank change compare against."""
    approved = Review.objects.filter(state=Review.State.APPROVED)
    earlier = (
        Wave.objects.filter(
            client=wave.client,
            questionnaire_version__questionnaire_id=wave.questionnaire_version.questionnaire_id,
        )
        .filter(Q(created_at__lt=wave.created_at) | Q(created_at=wave.created_at, pk__lt=wave.pk))
        # one approved interview is enough: not a join of every case, interview and review
        .filter(Exists(approved.filter(interview__case__wave=OuterRef("pk"))))
        .select_related("questionnaire_version")
        .order_by("-created_at", "-pk")[:limit]
    )
    return list(reversed(earlier))


GROUP_QUESTIONS = ("sex", "hukou")  # select_one questions profiled by their answer labels


def respondent_groups(
    wave: Wave, definition: dict, language: str, *, interviews: list[dict] | None = None
) -> pd.DataFrame:
    """interview_id and the profile groups of each approved respondent: `age_group` (from
    the `age` answer, the bands of the locality population margins) and, when the
    questionnaire asks them, `sex` and `hukou` as answer labels in `language`.
    `interviews` is scoring.loaders.approved_interviews(wave) when already read."""
    lang = "zh" if language.lower().startswith("zh") else "en"
    questions = {name: respondent_question(definition, name) for name in GROUP_QUESTIONS}
    labels = {}
    for name in GROUP_QUESTIONS:
        question = questions.get(name)
        if question and question.get("list"):
            labels[name] = {
                c["value"]: c["label"].get(lang) or next(iter(c["label"].values()), c["value"])
                for c in definition["choice_lists"].get(question["list"], [])
            }
    if interviews is None:
        interviews = approved_interviews(wave)
    age_key = respondent_key(definition, "age")
    saved = [interview["answers"] for interview in interviews]  # keyed as the wave's version
    columns = {
        "interview_id": [interview["pk"] for interview in interviews],
        "age_group": each_distinct([a.get(age_key) for a in saved], respondent_age_group),
    }
    for name, mapping in labels.items():
        key = stored.key(questions[name])

        def label(value, mapping=mapping):
            return mapping.get(str(value)) if value not in (None, "") else None

        columns[name] = each_distinct([a.get(key) for a in saved], label)
    return pd.DataFrame(columns, columns=["interview_id", "age_group", *labels])


def methodology(wave: Wave, outcomes: RoundOutcomes | None = None) -> dict:
    """The facts behind the numbers: sample design, fieldwork outcome rates and QC outcomes;
    `outcomes` is scoring.cases.RoundOutcomes of the wave when already read.

    Returns {"draw": {...} | None, "rates": {"RR3", "COOP3", "REF2", "CON2", "I", "P", "R",
    "NC", "O", "UH", "UO", "NE"} | None, "reviews": {state: count}, "flags": [(rule, count)]}.
    """
    draw = None
    if wave.draw_id:
        d = wave.draw
        draw = {
            "name": d.name,
            "frame_rows": d.frame.n_rows,
            "n_total": d.n_total,
            "allocation": d.get_allocation_display(),
            "strata": " × ".join(d.strata_columns or [d.stratum_column]),
            "n_strata": d.units.values("stratum").distinct().count(),
            "design": _("systematic, sorted by %(columns)s")
            % {"columns": ", ".join(d.sort_columns)}
            if d.sort_columns
            else _("simple random sampling without replacement in each stratum"),
            "seed": d.seed,
        }
    # the wave's overall rates from the dispositions counted (not a frame of every case)
    if outcomes is None:
        outcomes = RoundOutcomes(fieldwork_loaders.disposition_counts(wave), _reviews(wave))
    table = aapor.rate_table(outcomes.dispositions)
    rates = None
    if not table.empty:
        row = table.iloc[0]
        rates = {
            key: (None if pd.isna(row[key]) else float(row[key]))
            for key in ("RR3", "COOP3", "REF2", "CON2", "I", "P", "R", "NC", "O", "UH", "UO", "NE")
        }
    flags = list(
        Flag.objects.filter(interview__case__wave=wave)
        .values_list("rule")
        .annotate(n=Count("id"))
        .order_by("-n", "rule")
        .values_list("rule", "n")
    )
    return {"draw": draw, "rates": rates, "reviews": outcomes.reviews, "flags": flags}


def _reviews(wave: Wave) -> dict[str, int]:
    """{state: the wave's interviews in it}."""
    return dict(
        Review.objects.filter(interview__case__wave=wave)
        .values_list("state")
        .annotate(n=Count("id"))
        .values_list("state", "n")
    )


def interim_status(wave: Wave) -> dict | None:
    """Whether the wave's results are interim, with the counts that make them so: cases still
    in fieldwork (not started, or attempted and awaiting a callback or another try), and
    completed interviews without a final review decision (neither approved nor rejected).
    None when fieldwork and review are done. Two queries, read fresh for every page, export
    and report (never cached with the results)."""
    open_cases = Case.objects.filter(
        wave=wave, status__in=[Case.Status.PENDING, Case.Status.IN_PROGRESS]
    ).count()
    undecided = (
        Interview.objects.filter(case__wave=wave, status=Interview.Status.COMPLETED)
        .exclude(review__state__in=[Review.State.APPROVED, Review.State.REJECTED])
        .count()
    )
    if not open_cases and not undecided:
        return None
    return {"open_cases": open_cases, "undecided": undecided}


def wave_targets(wave: Wave) -> dict[str, float]:
    """{measure: target} of the wave (scoring.models.WaveTarget); one query."""
    return dict(WaveTarget.objects.filter(wave=wave).values_list("measure", "value"))
