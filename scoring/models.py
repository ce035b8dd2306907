"""Scoring state: the index scheme (weights, AHP judgements, composite shares) and the
objective indicators of a wave. Computation lives in scoring.index.indices/ahp/objective;
writes go through scoring.index.services."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fieldwork.models import Wave
from questionnaires.models import Questionnaire
from sampling.models import Locality


class IndexScheme(models.Model):
    """How a wave's index is built (指标体系): weights per parent node of the index tree
    (scoring.index.indices), the AHP matrices they came from, and the composite shares.

    A scheme belongs to one wave, or to a questionnaire as the default for its waves.
    """

    wave = models.OneToOneField(
        Wave, null=True, blank=True, on_delete=models.CASCADE, related_name="index_scheme"
    )
    questionnaire = models.OneToOneField(
        Questionnaire,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="index_scheme",
    )
    # {parent node: {child node: weight}}; parents absent here weigh their children equally.
    weights = models.JSONField(_("weights"), default=dict, blank=True)
    # {parent node: {"labels", "matrix" (as entered), "weights", "lambda_max", "ci", "ri",
    # "cr"}}: the judgements behind an AHP-derived entry of `weights`.
    matrices = models.JSONField(_("AHP matrices"), default=dict, blank=True)
    survey_share = models.FloatField(_("survey share"), default=0.7)
    objective_share = models.FloatField(_("objective share"), default=0.3)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = _("index scheme")
        verbose_name_plural = _("index schemes")
        constraints = [
            models.CheckConstraint(
                condition=Q(wave__isnull=False, questionnaire__isnull=True)
                | Q(wave__isnull=True, questionnaire__isnull=False),
                name="index_scheme_wave_xor_questionnaire",
            )
        ]

    def __str__(self) -> str:
        return f"{self.wave or self.questionnaire}"


class ObjectiveIndicator(models.Model):
    """An administrative figure scored by a piecewise rule (客观指标), for one wave."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="objective_indicators")
    code = models.CharField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    weight = models.FloatField(_("weight"), default=1.0)
    # scoring.index.objective.Rule.as_dict()
    rule = models.JSONField(_("rule"), default=dict)
    source_name = models.CharField(_("source file"), max_length=255, blank=True)
    imported_at = models.DateTimeField(_("imported at"), auto_now=True)

    class Meta:
        verbose_name = _("objective indicator")
        verbose_name_plural = _("objective indicators")
        ordering = ["wave", "code"]
        constraints = [
            models.UniqueConstraint(fields=["wave", "code"], name="objective_indicator_code")
        ]

    def __str__(self) -> str:
        return self.name


class ObjectiveValue(models.Model):
    """One locality's figure for one objective indicator."""

    indicator = models.ForeignKey(
        ObjectiveIndicator, on_delete=models.CASCADE, related_name="values"
    )
    locality = models.ForeignKey(Locality, on_delete=models.PROTECT, related_name="+")
    value = models.FloatField(_("value"))

    class Meta:
        verbose_name = _("objective value")
        verbose_name_plural = _("objective values")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "locality"], name="objective_value_locality"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}/{self.locality_id}={self.value}"


class WaveWeighting(models.Model):
    """How a wave's weights are adjusted for nonresponse before raking (scoring.nonresponse):
    the analyst's recorded choice. A wave without a record uses the default, within each
    stratum."""

    class Nonresponse(models.TextChoices):
        STRATUM = "stratum", _("Within each stratum")
        STRATUM_ATTRIBUTE = "stratum_attribute", _("Within each stratum, by a frame attribute")
        NONE = "none", _("No nonresponse adjustment")

    wave = models.OneToOneField(Wave, on_delete=models.CASCADE, related_name="weighting")
    nonresponse = models.CharField(
        _("nonresponse adjustment"),
        max_length=20,
        choices=Nonresponse.choices,
        default=Nonresponse.STRATUM,
    )
    # the frame column (SampledUnit.attributes) that splits strata into weighting classes
    attribute = models.CharField(_("frame attribute"), max_length=100, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = _("wave weighting")
        verbose_name_plural = _("wave weightings")
        constraints = [
            models.CheckConstraint(
                condition=~Q(nonresponse="stratum_attribute") | ~Q(attribute=""),
                name="wave_weighting_attribute_named",
            )
        ]

    def __str__(self) -> str:
        return f"{self.wave}: {self.get_nonresponse_display()}"


class Edition(models.Model):
    """A frozen edition of a wave's published results (scoring.editions): what the analyst
    froze — the report dict (estimates, ranks, intervals, methodology), the final weights,
    the PDF and the workbook — with a hash of the inputs it was computed from. A second
    person signs it off; clients read signed editions only. A later review decision never
    changes an edition: the analyst freezes a new draft, and the two can be compared."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SIGNED = "signed", _("Signed off")

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="editions")
    number = models.PositiveIntegerField(_("edition"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default="draft")
    input_hash = models.CharField(_("input hash"), max_length=64)
    language = models.CharField(_("language"), max_length=10)
    report = models.JSONField(_("results"), encoder=DjangoJSONEncoder)
    weights = models.JSONField(_("weights"), default=dict)  # {interview id: final weight}
    pdf = models.BinaryField(_("PDF report"))
    xlsx = models.BinaryField(_("workbook"))
    frozen_at = models.DateTimeField(_("frozen at"), auto_now_add=True)
    # None: a draft the results job froze by itself after a later review decision changed
    # the inputs of a wave already published (scoring.edition_jobs)
    frozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="frozen_editions",
    )
    # the job that froze it: a job run again after its worker died finds its edition
    job_id = models.PositiveBigIntegerField(null=True, blank=True, unique=True)
    # an automatic draft: the changes since the edition before it that caused it (the review
    # decisions with their reviewers, a weighting or target change), scoring.edition_causes
    cause = models.JSONField(_("cause"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    # the round's own tables (scoring.results.round_tables, as scoring.frozen_tables keeps
    # them) with the state of its inputs they were computed in (scoring.states.state_key): a
    # later round's trend and rank changes read them while the inputs are still in that state
    inputs_state = models.CharField(max_length=400, blank=True, default="")
    tables = models.JSONField(default=dict, blank=True)
    signed_at = models.DateTimeField(_("signed off at"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="signed_editions",
    )

    class Meta:
        verbose_name = _("results edition")
        verbose_name_plural = _("results editions")
        ordering = ["wave", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["wave", "number"], name="edition_number_per_wave"),
            models.CheckConstraint(
                condition=Q(state="draft") | Q(signed_by__isnull=False),
                name="edition_signed_has_signer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.wave} #{self.number}"


def district_edition_path(instance: "DistrictEdition", filename: str) -> str:
    edition = instance.edition
    return f"editions/wave-{edition.wave_id}/edition-{edition.number}/{filename}"


class DistrictEdition(models.Model):
    """One district's part of an edition (scoring.edition_jobs): its streets, its rank among
    the districts with the interval, its short board, as a report dict and as PDF and
    workbook files in the file storage. A district sub-client (ClientDistrict) reads its
    district's part of the latest signed edition, and nothing else."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="districts")
    code = models.CharField(_("district code"), max_length=40)
    name = models.CharField(_("district"), max_length=200)
    report = models.JSONField(_("results"), encoder=DjangoJSONEncoder)
    pdf = models.FileField(_("PDF report"), upload_to=district_edition_path, max_length=300)
    xlsx = models.FileField(_("workbook"), upload_to=district_edition_path, max_length=300)

    class Meta:
        verbose_name = _("district edition")
        verbose_name_plural = _("district editions")
        ordering = ["edition", "code"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "code"], name="district_edition_once")
        ]

    def __str__(self) -> str:
        return f"{self.edition} · {self.name}"


class ClientDistrict(models.Model):
    """A client user limited to one district (a sub-client, e.g. a district's public
    security bureau under the city's): it reads only that district's part of the signed
    editions of its organisation's waves. A client user without a row reads whole waves."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="client_district"
    )
    district = models.ForeignKey(
        Locality,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": "district"},
        verbose_name=_("district"),
    )

    class Meta:
        verbose_name = _("district of a client user")
        verbose_name_plural = _("districts of client users")

    def __str__(self) -> str:
        return f"{self.user} → {self.district}"


class WaveTarget(models.Model):
    """A satisfaction target the analyst sets for a wave (目标值), for one measure: a score
    or rate of satisfaction or safety, or one dimension's score (0–100). The short board
    lists the places and dimensions below it, telling "significantly below target" (the 95%
    interval lies below it) from "estimate below target" (the interval reaches it)."""

    MEASURES = ("satisfaction_score", "satisfaction_rate", "safety_score", "safety_rate")
    DIMENSION = "dimension:"  # + a dimension code

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="targets")
    measure = models.CharField(_("measure"), max_length=120)
    value = models.FloatField(_("target"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = _("satisfaction target")
        verbose_name_plural = _("satisfaction targets")
        ordering = ["wave", "measure"]
        constraints = [
            models.UniqueConstraint(fields=["wave", "measure"], name="wave_target_once"),
            models.CheckConstraint(
                condition=Q(value__gte=0) & Q(value__lte=100), name="wave_target_0_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.wave}: {self.measure} ≥ {self.value}"
