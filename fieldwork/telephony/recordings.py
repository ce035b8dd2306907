"""Call recordings deleted at Twilio, where they are kept (a purge of the wave's personal
data): one REST request per recording through Twilio's own client (gateway.client).

A recording Twilio no longer has (404) counts as deleted: it was deleted before, e.g. by a
purge whose database changes were then undone. Any other failure, or Twilio not configured, is
returned with the reason (Twilio's error code only, never its message, which may repeat a
number) so that the purge reports it and a later purge tries again. The reason is a
Translatable: stored as its msgid and parameters, shown in each reader's language."""

from collections.abc import Iterable
from dataclasses import dataclass

from twilio.base.exceptions import TwilioException, TwilioRestException

from common.translatable import Translatable, gettext_noop
from fieldwork.telephony import gateway


@dataclass(frozen=True)
class Deletion:
    deleted: tuple[str, ...] = ()  # recording SIDs
    failed: tuple[tuple[str, Translatable], ...] = ()  # (recording SID, why)


def delete_at_twilio(sids: Iterable[str]) -> Deletion:
    sids = list(dict.fromkeys(sid for sid in sids if sid))
    if not sids:
        return Deletion()
    if not gateway.is_configured():
        why = Translatable(
            gettext_noop("Twilio is not configured: the recording could not be deleted there.")
        )
        return Deletion(failed=tuple((sid, why) for sid in sids))
    client = gateway.client()
    deleted, failed = [], []
    for sid in sids:
        try:
            client.api.v2010.account.recordings(sid).delete()
        except TwilioRestException as error:
            if error.status == 404:
                deleted.append(sid)
            else:
                failed.append((sid, _twilio_error(error)))
        except (TwilioException, OSError) as error:  # no answer: timeout, refused connection
            why = gettext_noop("Twilio did not answer (%(error)s).")
            failed.append((sid, Translatable(why, error=type(error).__name__)))
        else:
            deleted.append(sid)
    return Deletion(deleted=tuple(deleted), failed=tuple(failed))


def _twilio_error(error: TwilioRestException) -> Translatable:
    return Translatable(
        gettext_noop("Twilio refused: error %(code)s."), code=error.code or error.status
    )
