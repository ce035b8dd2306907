"""Reads for the account pages."""

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Organisation, Role, Team, User


def managed_users(*, analyst: User) -> QuerySet[User]:
    """The users whose password `analyst` may reset: supervisors, interviewers and clients.
    Not other analysts nor anyone who can open the admin: a temporary password for an account
    with no authenticator yet would let the resetter enrol their own and take it over; those
    accounts are reset by an administrator (`manage.py changepassword`)."""
    return (
        User.objects.filter(is_superuser=False, is_staff=False)
        .exclude(role=Role.ANALYST)
        .exclude(pk=analyst.pk)
        .select_related("organisation", "team")
    )


def teams() -> QuerySet[Team]:
    return Team.objects.select_related("supervisor").annotate(
        n_members=Count("members", filter=Q(members__is_active=True))
    )


def organisations() -> QuerySet[Organisation]:
    return Organisation.objects.annotate(
        n_users=Count("users", distinct=True), n_waves=Count("waves", distinct=True)
    )


def locked_out_usernames() -> set[str]:
    """User names locked out now by failed logins (from at least one address)."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return set(
        AccessAttempt.objects.filter(
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since
        ).values_list("username", flat=True)
    )


def users_with_authenticator(users: QuerySet[User]) -> set[int]:
    return set(
        TOTPDevice.objects.filter(user__in=users, confirmed=True).values_list("user_id", flat=True)
    )
