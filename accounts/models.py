from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ANALYST = "analyst", _("Analyst")  # 评估机构管理员/分析师
    SUPERVISOR = "supervisor", _("Supervisor")  # 督导
    INTERVIEWER = "interviewer", _("Interviewer")  # 访员
    CLIENT = "client", _("Client")  # 委托方 (read-only results)


class Organisation(models.Model):
    """A body people work for: a client (委托方) that commissions waves, or the evaluation firm
    (评估机构) that runs them. A client user reads only the waves of their organisation."""

    class Kind(models.TextChoices):
        CLIENT = "client", _("Client body")  # 委托方
        FIRM = "firm", _("Evaluation firm")  # 评估机构

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.CLIENT)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    """Interviewers under one supervisor: the supervisor sees and acts on the team's cases,
    interviews and reviews only (fieldwork.teams)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    supervisor = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supervised_teams",
        verbose_name=_("supervisor"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    # Clients: the commissioning body whose waves they may read. Staff: the firm (or empty).
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        verbose_name=_("organisation"),
    )
    # Interviewers: the team whose supervisor looks after their work.
    team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
        verbose_name=_("team"),
    )
    role = models.CharField(
        _("role"), max_length=20, choices=Role.choices, default=Role.INTERVIEWER
    )
    # Set when an analyst gives the user a temporary password: every page sends them to the
    # password change until they have chosen their own.
    must_change_password = models.BooleanField(_("must change password"), default=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_analyst(self) -> bool:
        return self.role == Role.ANALYST

    @property
    def is_supervisor(self) -> bool:
        return self.role == Role.SUPERVISOR

    @property
    def is_interviewer(self) -> bool:
        return self.role == Role.INTERVIEWER

    @property
    def is_client(self) -> bool:
        return self.role == Role.CLIENT
