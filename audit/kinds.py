"""What an audit event records: its kinds, in plain words.

Kinds are strings so that a later feature records its own without a migration; the ones here
have labels in both languages, and an unknown kind is shown as "Other event" on the page.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    LOGIN = "login", _("Signed in")
    LOGIN_FAILED = "login_failed", _("Sign-in failed")
    LOCKED_OUT = "locked_out", _("Locked out after failed sign-ins")
    LOGOUT = "logout", _("Signed out")
    SECOND_FACTOR_FAILED = "second_factor_failed", _("Wrong second-factor code")
    PHONE_REVEALED = "phone_revealed", _("Phone number shown")
    DOWNLOAD = "download", _("File downloaded")
    EXPORT_STARTED = "export_started", _("Data package started")
    USER_CREATED = "user_created", _("User added")
    USER_CHANGED = "user_changed", _("User changed")
    USER_ACTIVATED = "user_activated", _("User reactivated")
    USER_DEACTIVATED = "user_deactivated", _("User deactivated")
    PASSWORD_RESET = "password_reset", _("Temporary password given")
    USER_UNLOCKED = "user_unlocked", _("Sign-in lock lifted")
    TEAM_SAVED = "team_saved", _("Team saved")
    ORGANISATION_SAVED = "organisation_saved", _("Organisation saved")
    REVIEW_DECIDED = "review_decided", _("Review decision")
    EDITION_FROZEN = "edition_frozen", _("Edition frozen")
    EDITION_SIGNED = "edition_signed", _("Edition signed off")
    RETENTION_CHANGED = "retention_changed", _("Retention date changed")
    RETENTION_REMINDER = "retention_reminder", _("Retention date reminder")
    PROCESSING_RECORD_SAVED = "processing_record_saved", _("Processing record saved")
    AUDIT_EXPORTED = "audit_exported", _("Audit log exported")
    AUDIT_PRUNED = "audit_pruned", _("Expired audit events removed")
    API_TOKEN_USED = "api_token_used", _("API token used")
    PURGE = "purge", _("Personal data purged")
    PURGE_DRY_RUN = "purge_dry_run", _("Purge dry run")


def kind_label(kind: str) -> str:
    """The kind in the reader's language; a kind this list does not know is "Other event"."""
    if kind in Kind.values:
        return str(Kind(kind).label)
    return str(_("Other event"))
