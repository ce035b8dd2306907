from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.personal import EncryptedJSONField, EncryptedTextField


class Level(models.TextChoices):
    CITY = "city", _("City")  # 市
    DISTRICT = "district", _("District")  # 区县
    STREET = "street", _("Street/township")  # 街道/乡镇
    COMMUNITY = "community", _("Community/village")  # 社区/村


LEVEL_ORDER = [Level.CITY, Level.DISTRICT, Level.STREET, Level.COMMUNITY]


class AreaType(models.TextChoices):
    CENTRAL = "central", _("Central urban")  # 中心城区
    PERI_URBAN = "peri_urban", _("Peri-urban")  # 城乡结合部
    RURAL = "rural", _("Rural")  # 农村


class Locality(models.Model):
    """A node of the locality tree: city → district → street → community."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    level = models.CharField(_("level"), max_length=12, choices=Level.choices, db_index=True)
    area_type = models.CharField(
        _("area type"), max_length=12, choices=AreaType.choices, blank=True
    )
    # Residents by sex × age group, e.g. {"M|16-29": 1200, "F|16-29": 1150, ...}; the margins
    # for weighting.
    population = models.JSONField(_("population"), default=dict, blank=True)
    # WGS-84 degrees of the locality's centre: door-to-door visits are checked against them.
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    # When the row last changed (names, population margins …): cached results built from the
    # tree are keyed on the latest change, so a renamed street never shows its old name.
    updated_at = models.DateTimeField(_("updated"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("locality")
        verbose_name_plural = _("localities")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Frame(models.Model):
    """A validated sampling frame. The rows live in a Parquet file; the DB keeps the counts."""

    name = models.CharField(_("name"), max_length=200)
    path = models.CharField(_("Parquet file"), max_length=500)
    source_name = models.CharField(_("source file"), max_length=255)
    n_rows = models.PositiveIntegerField(_("rows"))
    columns = models.JSONField(_("columns"), default=list)
    created_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    # The job that imported it: a job run again after its worker died finds its frame here
    # instead of importing the file twice.
    import_job = models.OneToOneField(
        "jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="frame"
    )

    class Meta:
        verbose_name = _("frame")
        verbose_name_plural = _("frames")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class FrameStratumCount(models.Model):
    frame = models.ForeignKey(Frame, on_delete=models.CASCADE, related_name="stratum_counts")
    stratum = models.CharField(_("stratum"), max_length=100)
    locality = models.ForeignKey(Locality, null=True, on_delete=models.PROTECT)
    n_units = models.PositiveIntegerField(_("units"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["frame", "stratum"], name="unique_frame_stratum")
        ]
        ordering = ["stratum"]

    def __str__(self) -> str:
        return f"{self.stratum}: {self.n_units}"


class Draw(models.Model):
    """One stratified draw from a frame, reproducible from its recorded seed."""

    class Allocation(models.TextChoices):
        PROPORTIONAL = "proportional", _("Proportional")
        EQUAL = "equal", _("Equal")
        NEYMAN = "neyman", _("Neyman")
        POWER = "power", _("Power")
        FIXED = "fixed", _("Fixed sizes")

    frame = models.ForeignKey(Frame, on_delete=models.PROTECT, related_name="draws")
    name = models.CharField(_("name"), max_length=200)
    # The strata columns joined by "+", for display; strata_columns is the list itself.
    stratum_column = models.CharField(_("strata"), max_length=100)
    strata_columns = models.JSONField(_("strata columns"), default=list)
    n_total = models.PositiveIntegerField(_("sample size"))
    allocation = models.CharField(
        _("allocation"), max_length=20, choices=Allocation.choices, default=Allocation.PROPORTIONAL
    )
    # Method inputs: {"sds": {stratum: S_h}} for Neyman, {"exponent": a} for power,
    # {"sizes": {stratum: n_h}} for fixed.
    allocation_params = models.JSONField(_("allocation parameters"), default=dict, blank=True)
    minimum_per_stratum = models.PositiveIntegerField(_("minimum per stratum"), default=0)
    reserve_replicates = models.PositiveSmallIntegerField(_("reserve replicates"), default=0)
    # Each reserve replicate holds ⌈fraction·n_h⌉ units of stratum h (fewer if it runs out).
    reserve_fraction = models.FloatField(_("reserve size (share of n_h)"), default=1.0)
    # Non-empty: systematic selection in this order within each stratum (implicit strata).
    sort_columns = models.JSONField(_("sort columns"), default=list, blank=True)
    # Units (by unit id or phone) sampled in the last N draws were left out of the frame.
    exclude_recent_draws = models.PositiveSmallIntegerField(_("exclude recent draws"), default=0)
    excluded_draw_ids = models.JSONField(_("excluded draws"), default=list, blank=True)
    n_excluded = models.PositiveIntegerField(_("units excluded"), default=0)
    seed = models.BigIntegerField(_("seed"))
    # The frame's extra columns its units keep sealed (SampledUnit.sealed_attributes): every one
    # but those the draw, quotas or weighting read (sampling.services.attributes).
    sealed_columns = models.JSONField(_("sealed frame columns"), default=list, blank=True)
    created_at = models.DateTimeField(_("drawn at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = _("draw")
        verbose_name_plural = _("draws")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class SampledUnit(models.Model):
    """A household (or number) selected by a draw, with its selection probability."""

    draw = models.ForeignKey(Draw, on_delete=models.CASCADE, related_name="units")
    unit_id = models.CharField(_("unit id"), max_length=64)
    # Encrypted at rest (common.personal); matched by keyed hash, never compared in the database.
    phone = EncryptedTextField(_("phone"), max_length=20, blank=True)
    address = EncryptedTextField(_("address"), max_length=300, blank=True)
    stratum = models.CharField(_("stratum"), max_length=100)
    locality = models.ForeignKey(Locality, on_delete=models.PROTECT, related_name="+")
    street = models.ForeignKey(Locality, on_delete=models.PROTECT, related_name="+")
    replicate = models.PositiveSmallIntegerField(_("replicate"), default=0)  # 0 = main sample
    inclusion_probability = models.FloatField(_("inclusion probability"))
    design_weight = models.FloatField(_("design weight"))
    # The frame's own extra columns for this unit (beyond the standard ones): in clear only
    # those something queries (strata and sort columns, quota variables, the nonresponse
    # adjustment's attribute, e.g. building type); the rest (a householder's name, an ID number,
    # a second address) sealed (sampling.services.attributes).
    attributes = models.JSONField(_("frame attributes"), default=dict, blank=True)
    sealed_attributes = EncryptedJSONField(_("frame attributes (sealed)"), null=True, blank=True)

    class Meta:
        verbose_name = _("sampled unit")
        verbose_name_plural = _("sampled units")
        constraints = [models.UniqueConstraint(fields=["draw", "unit_id"], name="unique_draw_unit")]
        indexes = [models.Index(fields=["draw", "stratum"])]

    def __str__(self) -> str:
        return self.unit_id


class ReplicateRelease(models.Model):
    """A reserve replicate of a draw released into fieldwork: who, when and why."""

    draw = models.ForeignKey(Draw, on_delete=models.CASCADE, related_name="releases")
    replicate = models.PositiveSmallIntegerField(_("replicate"))
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    released_at = models.DateTimeField(_("released at"), auto_now_add=True)
    reason = models.CharField(_("reason"), max_length=500)
    n_units = models.PositiveIntegerField(_("units"))

    class Meta:
        verbose_name = _("replicate release")
        verbose_name_plural = _("replicate releases")
        ordering = ["draw", "replicate"]
        constraints = [
            models.UniqueConstraint(fields=["draw", "replicate"], name="unique_draw_replicate")
        ]

    def __str__(self) -> str:
        return f"{self.draw}: {self.replicate}"
