from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Questionnaire(models.Model):
    """A questionnaire family; what interviewers run is one of its published versions."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=200)

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")

    def __str__(self) -> str:
        return self.title

    @property
    def latest_version(self) -> "QuestionnaireVersion | None":
        """The newest version, draft or published."""
        return self.versions.order_by("-number").first()

    @property
    def latest_published(self) -> "QuestionnaireVersion | None":
        """The newest version a wave may use."""
        return self.versions.filter(published_at__isnull=False).order_by("-number").first()


class QuestionnaireVersion(models.Model):
    """An immutable version. Editing a questionnaire means importing a new version.

    A version without `published_at` is a draft: it can be previewed and tried in test mode but
    not used by a wave. Publishing sets `published_at` once; nothing else about a version changes.

    `definition` is the parsed form (see questionnaires.xlsform for its shape): groups (one
    wizard page each) of questions with labels in every language, choice lists with their score
    maps, skip and validation logic, and the dimension/indicator tags used in scoring.
    """

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    definition = models.JSONField(_("definition"))
    source_name = models.CharField(_("source file"), max_length=255)
    source_xlsx = models.BinaryField(_("source spreadsheet"))
    xform_xml = models.TextField(_("XForm"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = _("questionnaire version")
        verbose_name_plural = _("questionnaire versions")
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "number"], name="unique_version")
        ]
        ordering = ["questionnaire", "-number"]

    def __str__(self) -> str:
        return f"{self.title} {gettext('v%(number)s') % {'number': self.number}}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class QuestionnaireAttachment(models.Model):
    """A media or data file uploaded with a version's XLSForm (the CSV or XML of a
    select_one_from_file, a pulldata() or instance() source, an image), kept in the file
    storage under the name the form refers to it by. As immutable as its version."""

    version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.CASCADE, related_name="attachments"
    )
    name = models.CharField(_("file name"), max_length=255)
    file = models.FileField(_("file"), upload_to="questionnaires/attachments/")
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    class Meta:
        verbose_name = _("questionnaire attachment")
        verbose_name_plural = _("questionnaire attachments")
        constraints = [
            models.UniqueConstraint(fields=["version", "name"], name="unique_attachment_name")
        ]
        ordering = ["version", "name"]

    def __str__(self) -> str:
        return self.name
