"""Sign-ins, failed sign-ins, sign-outs and lockouts, from Django's and django-axes' signals
(the one place these happen is inside Django's and axes' own code, so signals are the hook).
The user name typed at a failed sign-in is recorded as typed, phone numbers masked."""

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from audit.kinds import Kind
from audit.services import record


@receiver(user_logged_in, dispatch_uid="audit_login")
def _logged_in(sender, request, user, **kwargs) -> None:
    record(Kind.LOGIN, actor=user, request=request, subject=user.get_username())


@receiver(user_logged_out, dispatch_uid="audit_logout")
def _logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        record(Kind.LOGOUT, actor=user, request=request, subject=user.get_username())


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    if request is None:  # the shell or a test client's login(): not an attempt from outside
        return
    username = str(credentials.get("username", ""))[:150]
    record(
        Kind.LOGIN_FAILED,
        actor=_known_user(username),
        request=request,
        subject=username,
    )


@receiver(user_locked_out, dispatch_uid="audit_locked_out")
def _locked_out(sender, request=None, username=None, **kwargs) -> None:
    username = str(username or "")[:150]
    record(Kind.LOCKED_OUT, actor=_known_user(username), request=request, subject=username)


def _known_user(username: str):
    """The account a failed attempt was for, when there is one (else the attempt stays
    anonymous: the typed name is the subject)."""
    if not username:
        return None
    return get_user_model().objects.filter(username=username).first()
