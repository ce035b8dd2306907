"""The demo's teams and interviewers' home counties and languages.

Team 一组 under 何建国 (the demo's supervisor, who took the demo's review decisions) holds
every interviewer; 二组 under 罗丽 starts empty, for the analyst to fill from the teams page.
Interviewers live in the city's districts in turn; some speak a dialect besides Mandarin.
"""

from accounts.models import Team, User
from fieldwork.models import Dialect, InterviewerProfile
from sampling.models import Level, Locality

DIALECTS = [[], [Dialect.MINNAN.value], [], [Dialect.HAKKA.value, Dialect.CANTONESE.value]]


def form_teams(users: dict) -> None:
    first = Team.objects.create(name="一组", supervisor=users["supervisor"])
    Team.objects.create(name="二组", supervisor=users["supervisor2"])
    interviewers: list[User] = users["interviewers"]
    User.objects.filter(pk__in=[u.pk for u in interviewers]).update(team=first)
    districts = list(Locality.objects.filter(level=Level.DISTRICT).order_by("code"))
    InterviewerProfile.objects.bulk_create(
        InterviewerProfile(
            user=interviewer,
            home_county=districts[i % len(districts)] if districts else None,
            dialects=DIALECTS[i % len(DIALECTS)],
        )
        for i, interviewer in enumerate(interviewers)
    )
