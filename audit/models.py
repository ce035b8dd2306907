"""The audit log: one row per thing someone did that the law or the client may ask about.

Rows are added and never changed or removed by the application: the model refuses to save an
existing row or delete one, its queryset refuses bulk updates and deletes, and the database
refuses UPDATE and DELETE itself (triggers from migration 0002; on SQLite UPDATE only, see
audit.pruning). Who did it is copied into the row (name, role, organisation at the time), so
a later rename or role change does not rewrite history; the actor and wave links are kept
without a database constraint so that no cascade can ever reach these rows.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from audit.kinds import kind_label


class AppendOnly(Exception):
    """Raised when code tries to change or delete an audit event."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly("audit events cannot be changed")

    def delete(self):
        raise AppendOnly("audit events cannot be deleted; expired ones leave by audit.pruning")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnly("audit events cannot be changed")


class AuditEvent(models.Model):
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name=_("who"),
    )
    # As they were at the time (a user can be renamed, change role or organisation later).
    actor_name = models.CharField(_("user name"), max_length=150, blank=True)
    actor_role = models.CharField(_("role"), max_length=20, blank=True)
    actor_organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=40, db_index=True)
    wave = models.ForeignKey(
        "fieldwork.Wave",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name=_("wave"),
    )
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    detail = models.JSONField(_("details"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["wave", "created_at"], name="audit_wave_when")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.kind_label}"

    def save(self, *args, **kwargs):
        # The one invariant of this model, kept here because every writer must obey it.
        if not self._state.adding:
            raise AppendOnly("audit events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("audit events cannot be deleted; expired ones leave by audit.pruning")

    @property
    def kind_label(self) -> str:
        return kind_label(self.kind)
