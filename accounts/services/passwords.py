"""Passwords: an analyst's reset to a temporary password, the user's own change, unlocking a
user locked out by failed logins (django-axes)."""

import logging
import secrets

from axes.utils import reset as reset_login_failures
from django.db import transaction

from accounts.models import User
from audit.kinds import Kind
from audit.services import record

logger = logging.getLogger(__name__)

# No 0/o, 1/l/i: the analyst reads the password out or writes it down for the user.
TEMPORARY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
TEMPORARY_GROUPS = 3  # xxxx-xxxx-xxxx: 12 characters, about 59 bits


@transaction.atomic
def reset_password(*, user: User, by: User) -> str:
    """Give `user` a new temporary password and return it: they must choose their own at their
    next login. Their sessions end (Django ties a session to the password) and a lockout from
    failed logins is lifted."""
    password = "-".join(
        "".join(secrets.choice(TEMPORARY_ALPHABET) for _ in range(4))
        for _ in range(TEMPORARY_GROUPS)
    )
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    reset_login_failures(username=user.username)
    logger.info("password reset to a temporary one", extra={"user": user.pk, "by": by.pk})
    record(Kind.PASSWORD_RESET, actor=by, subject=user.username)
    return password


def password_changed(*, user: User) -> None:
    """The user has chosen their own password: the temporary one's restriction ends."""
    if user.must_change_password:
        user.must_change_password = False
        user.save(update_fields=["must_change_password"])


@transaction.atomic
def unlock(*, user: User, by: User) -> int:
    """Lift a lockout from failed logins of `user` (from every address); the number of
    lockout records removed."""
    removed = reset_login_failures(username=user.username)
    logger.info("login lockout lifted", extra={"user": user.pk, "by": by.pk})
    record(Kind.USER_UNLOCKED, actor=by, subject=user.username, detail={"removed": removed})
    return removed
