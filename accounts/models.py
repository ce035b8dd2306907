from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ANALYST = "analyst", _("Analyst")  # 评估机构管理员/分析师
    SUPERVISOR = "supervisor", _("Supervisor")  # 督导
    INTERVIEWER = "interviewer", _("Interviewer")  # 访员
    CLIENT = "client", _("Client")  # 委托方 (read-only results)


class User(AbstractUser):
    # For clients: the commissioning body (委托方) whose waves they may read, as named on the
    # wave. Staff leave it empty.
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
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
