"""The second factor: a six-digit code from an authenticator app (TOTP, RFC 6238, through
django-otp) and single-use backup codes for the day the phone is lost.

A user has at most one confirmed authenticator (a TOTPDevice) and one set of backup codes (a
StaticDevice with its tokens). Adding an authenticator goes through an unconfirmed device:
it counts only once the user has typed a code it produced, so a mistyped secret never locks
anyone out. Wrong codes slow the next try down (django-otp's throttling doubles the wait).
"""

import math
import re
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django_otp import devices_for_user
from django_otp import verify_token as verify_device_token
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User

BACKUP_CODE_COUNT = 10
AUTHENTICATOR_NAME = "authenticator"
BACKUP_NAME = "backup codes"
AUTHENTICATOR_CODE = re.compile(r"\d{6}")


@dataclass(frozen=True)
class Verification:
    """The outcome of a code: the device that accepted it (None: a wrong code), or the seconds
    to wait before the next try after too many wrong ones. Enrolment adds the backup codes."""

    device: Device | None
    wait_seconds: int = 0
    backup_codes: tuple[str, ...] = ()


def enrolment_device(*, user: User) -> TOTPDevice:
    """The authenticator `user` is adding: their unconfirmed one, or a new one with a fresh
    random secret."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


@transaction.atomic
def confirm_enrolment(*, user: User, code: str) -> Verification:
    """Confirm the authenticator being added with a code it produced: it replaces any earlier
    one, and the user gets a new set of backup codes."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None:
        return Verification(device=None)
    if wait := _wait_seconds(device):
        return Verification(device=None, wait_seconds=wait)
    if not device.verify_token(_normalise(code)):
        return Verification(device=None)
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return Verification(device=device, backup_codes=tuple(replace_backup_codes(user=user)))


@transaction.atomic
def replace_backup_codes(*, user: User) -> list[str]:
    """A new set of single-use backup codes for `user`; earlier ones stop working."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=BACKUP_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def verify_code(*, user: User, code: str) -> Verification:
    """Check a code at login: six digits against the authenticator, anything else against the
    backup codes (a backup code works once)."""
    code = _normalise(code)
    wanted = TOTPDevice if AUTHENTICATOR_CODE.fullmatch(code) else StaticDevice
    devices = [device for device in devices_for_user(user) if isinstance(device, wanted)]
    if wait := max((_wait_seconds(device) for device in devices), default=0):
        return Verification(device=None, wait_seconds=wait)
    for device in devices:
        verified = verify_device_token(user, device.persistent_id, code)
        if verified is not None:
            return Verification(device=verified)
    return Verification(device=None)


def backup_codes_left(*, user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def remove_second_factor(*, user: User) -> None:
    """Turn the second factor off for `user`: the authenticator and the backup codes go."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def _wait_seconds(device: Device) -> int:
    """Whole seconds until `device` takes another code after wrong ones (0: now)."""
    allowed, details = device.verify_is_allowed()
    if allowed or not details.get("locked_until"):
        return 0
    return max(1, math.ceil((details["locked_until"] - timezone.now()).total_seconds()))


def _normalise(code: str) -> str:
    """Codes as people type them: spaces and dashes dropped, backup codes in lower case."""
    return re.sub(r"[\s-]", "", code).lower()
