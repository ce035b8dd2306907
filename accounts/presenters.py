"""Account data → plain values for the templates."""

from base64 import b32encode

from django.contrib.admin.models import LogEntry
from django.utils.safestring import SafeString, mark_safe
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User


def authenticator_setup(device: TOTPDevice) -> dict:
    """What an authenticator app needs: a QR code (inline SVG: the system runs offline, and
    an inline image needs no data: URL in the content security policy) and the same secret to
    type in, in groups of four."""
    secret = b32encode(device.bin_key).decode()
    return {
        "qr_svg": _qr_svg(device.config_url),
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
    }


def _qr_svg(data: str) -> SafeString:
    import qrcode  # only the page adding an authenticator draws one
    import qrcode.image.svg

    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    # The markup is the library's drawing of our own URL: paths only, no text from a user.
    return mark_safe(image.to_string(encoding="unicode"))  # noqa: S308


def user_rows(users: list[User], *, locked: set[str], with_authenticator: set[int]) -> list[dict]:
    return [
        {
            "pk": user.pk,
            "name": str(user),
            "username": user.username,
            "role": user.get_role_display(),
            "active": user.is_active,
            "last_login": user.last_login,
            "second_factor": user.pk in with_authenticator,
            "locked": user.username in locked,
            "must_change_password": user.must_change_password,
            "organisation": str(user.organisation or ""),
            "team": str(user.team or ""),
            "is_interviewer": user.is_interviewer,
        }
        for user in users
    ]


def team_rows(teams) -> list[dict]:
    return [
        {
            "pk": team.pk,
            "name": team.name,
            "supervisor": str(team.supervisor or ""),
            "n_members": team.n_members,
        }
        for team in teams
    ]


def history_rows(entries: list[LogEntry]) -> list[dict]:
    """Changes from the admin log, newest first: when, by whom, what."""
    return [
        {"at": entry.action_time, "by": str(entry.user), "what": entry.get_change_message()}
        for entry in entries
    ]
