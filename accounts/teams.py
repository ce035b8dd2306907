"""Whose fieldwork a supervisor sees: the row-level rule every case, interview and review
read applies (fieldwork.selectors, fieldwork.workspace: the case grid, who is working now,
today's pace, phone numbers shown, rates by interviewer, the calendar; an interview's photos
and recordings; qc.selectors: the review queue, the QC dashboard and export, the
back-checks; qc.risk: the interviewer risk list), and the interviewers a supervisor may
choose in a filter or hand work to (a re-interview included).

A supervisor who leads a team sees and acts on the work of that team's interviewers (and
on the pool of unassigned cases, to hand them out); another team's case, interview or review
is not found (404). A supervisor leading no team, and analysts (the QC leads, who decide
for the whole firm), see every case of the firm. Interviewers see only their own work and
clients no fieldwork at all; those rules live beside the selectors.
"""

from django.db.models import Q

from accounts.models import Role, Team, User


def supervised_team_ids(user: User) -> tuple[int, ...] | None:
    """The teams whose work `user` sees, or None for no limit (read once per request)."""
    if user.role != Role.SUPERVISOR:
        return None
    cached = getattr(user, "_supervised_team_ids", False)
    if cached is False:
        ids = tuple(Team.objects.filter(supervisor=user).values_list("pk", flat=True))
        cached = ids or None
        user._supervised_team_ids = cached
    return cached


def team_rows(user: User, interviewer_path: str, *, pool: bool = False) -> Q:
    """A filter on rows whose interviewer is at `interviewer_path` ("interviewer",
    "interview__interviewer" …): the work `user` may see; with `pool`, unassigned rows too."""
    teams = supervised_team_ids(user)
    if teams is None:
        return Q()
    # A subquery on the interviewer's id, not a join: a locking read (SELECT … FOR UPDATE)
    # may not reach the nullable side of an outer join on PostgreSQL.
    members = User.objects.filter(team__in=teams).values("pk")
    rows = Q(**{f"{interviewer_path}__in": members})
    if pool:
        rows |= Q(**{interviewer_path: None})
    return rows


def supervised_among(user: User, interviewer_ids) -> set[int]:
    """The ids among `interviewer_ids` of the interviewers whose work `user` sees (their
    teams as they are now): one query for a team's supervisor, none otherwise."""
    teams = supervised_team_ids(user)
    if teams is None:
        return set(interviewer_ids)
    members = User.objects.filter(pk__in=list(interviewer_ids), team__in=teams)
    return set(members.values_list("pk", flat=True))


def may_supervise(user: User, interviewer: User | None) -> bool:
    """Whether `user` may give work to (or act on the work of) `interviewer`."""
    teams = supervised_team_ids(user)
    return teams is None or interviewer is None or interviewer.team_id in teams
