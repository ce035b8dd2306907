"""The interviewer's fieldwork profile: home county and languages (what the scheduler reads
for cross-region calling and language routing, fieldwork.scheduling.Caller)."""

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Role, User
from fieldwork.models import Dialect, InterviewerProfile
from sampling.models import Level, Locality


@transaction.atomic
def save_interviewer_profile(
    *, by: User, interviewer: User, home_county: Locality | None, dialects: list[str]
) -> InterviewerProfile:
    """Set where the interviewer lives and the languages they speak besides Mandarin; the
    change goes to the admin log beside the user's other changes."""
    if interviewer.role != Role.INTERVIEWER:
        raise ValidationError(_("Only interviewers have a home county and languages."))
    if home_county is not None and home_county.level != Level.DISTRICT:
        raise ValidationError(_("The home county is a district or county of the locality tree."))
    unknown = sorted(set(dialects) - set(Dialect.values))
    if unknown:
        raise ValidationError(_("Choose the languages from the list."))
    profile, created = InterviewerProfile.objects.select_for_update().get_or_create(
        user=interviewer
    )
    profile.home_county = home_county
    profile.dialects = [d for d in Dialect.values if d in set(dialects) and d != Dialect.MANDARIN]
    profile.save(update_fields=["home_county", "dialects"])
    spoken = ", ".join(str(Dialect(d).label) for d in profile.dialects) or "—"
    message = _("Home county: %(county)s; languages: %(languages)s.") % {
        "county": home_county or "—",
        "languages": spoken,
    }
    LogEntry.objects.log_actions(
        user_id=by.pk,
        queryset=User.objects.filter(pk=interviewer.pk),
        action_flag=ADDITION if created else CHANGE,
        change_message=message,
        single_object=True,
    )
    return profile
