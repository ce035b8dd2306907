"""The analyst runs the firm's people from pages: users, teams, organisations.

Every change is written to Django's admin log (LogEntry: who, when, what, shown on the user's
page and in the admin's history) in the same transaction. Analysts manage supervisors,
interviewers and clients; analyst and administrator accounts are made by an administrator
(see accounts.selectors.managed_users: a temporary password for them would let the resetter
take the account over).
"""

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from accounts.models import Organisation, Role, Team, User
from accounts.services.passwords import reset_password
from audit.kinds import Kind
from audit.services import record

MANAGED_ROLES = (Role.SUPERVISOR, Role.INTERVIEWER, Role.CLIENT)


def _log(*, by: User, row: Model, flag: int, message: str) -> None:
    LogEntry.objects.log_actions(
        user_id=by.pk,
        queryset=type(row).objects.filter(pk=row.pk),
        action_flag=flag,
        change_message=message,
        single_object=True,
    )


def _check_membership(
    *, role: str, organisation: Organisation | None, team: Team | None
) -> tuple[Organisation | None, Team | None]:
    """A client belongs to a client body; staff to the firm (or none); only interviewers to
    a team."""
    if role not in MANAGED_ROLES:
        raise ValidationError(_("Analysts are added by an administrator."))
    if role == Role.CLIENT:
        if organisation is None or organisation.kind != Organisation.Kind.CLIENT:
            raise ValidationError(_("A client belongs to a client body: choose one."))
    elif organisation is not None and organisation.kind != Organisation.Kind.FIRM:
        raise ValidationError(_("Staff belong to the evaluation firm, not to a client body."))
    if team is not None and role != Role.INTERVIEWER:
        raise ValidationError(_("Only interviewers are members of a team."))
    return organisation, team


@transaction.atomic
def create_user(
    *,
    by: User,
    username: str,
    full_name: str,
    role: str,
    organisation: Organisation | None,
    team: Team | None = None,
) -> tuple[User, str]:
    """A new user with a temporary password (returned, shown once): they choose their own
    at their first login."""
    organisation, team = _check_membership(role=role, organisation=organisation, team=team)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(_("The user name %(name)s is taken.") % {"name": username})
    user = User(
        username=username,
        first_name=full_name,
        role=role,
        organisation=organisation,
        team=team,
    )
    user.set_unusable_password()
    user.save()
    password = reset_password(user=user, by=by)
    message = _("Added as %(role)s.") % {"role": user.get_role_display()}
    _log(by=by, row=user, flag=ADDITION, message=message)
    detail = {"changes": message, "organisation": str(organisation or "—")}
    record(Kind.USER_CREATED, actor=by, subject=user.username, detail=detail)
    return user, password


def _snapshot(user: User) -> dict[str, str]:
    return {
        _("name"): str(user),
        _("role"): user.get_role_display(),
        _("organisation"): str(user.organisation or "—"),
        _("team"): str(user.team or "—"),
    }


@transaction.atomic
def update_user(
    *,
    by: User,
    user: User,
    full_name: str,
    role: str,
    organisation: Organisation | None,
    team: Team | None,
) -> User:
    """Change a user's name, role, organisation or team; what changed goes to the log."""
    organisation, team = _check_membership(role=role, organisation=organisation, team=team)
    if role != Role.SUPERVISOR and user.supervised_teams.exists():
        raise ValidationError(_("This user leads a team: give the team another supervisor first."))
    before = _snapshot(user)
    user.first_name, user.last_name = full_name, ""
    user.role, user.organisation, user.team = role, organisation, team
    user.save(update_fields=["first_name", "last_name", "role", "organisation", "team"])
    after = {
        _("name"): str(user),
        _("role"): user.get_role_display(),
        _("organisation"): str(user.organisation or "—"),
        _("team"): str(user.team or "—"),
    }
    changes = [
        f"{key}: {before[key]} → {after[key]}" for key in before if before[key] != after[key]
    ]
    if changes:
        _log(by=by, row=user, flag=CHANGE, message="; ".join(changes))
        detail = {"changes": "; ".join(changes)}
        record(Kind.USER_CHANGED, actor=by, subject=user.username, detail=detail)
    return user


@transaction.atomic
def set_active(*, by: User, user: User, active: bool) -> User:
    """Deactivate a leaver (they can no longer log in; their sessions end at their next
    request; their cases stay where they are, visible, to be moved on) or bring them back."""
    if user.pk == by.pk:
        raise ValidationError(_("You cannot deactivate yourself."))
    if user.is_active == active:
        return user
    user.is_active = active
    user.save(update_fields=["is_active"])
    _log(
        by=by,
        row=user,
        flag=CHANGE,
        message=_("Reactivated.") if active else _("Deactivated: can no longer log in."),
    )
    kind = Kind.USER_ACTIVATED if active else Kind.USER_DEACTIVATED
    record(kind, actor=by, subject=user.username)
    return user


@transaction.atomic
def save_team(*, by: User, name: str, supervisor: User | None, team: Team | None = None) -> Team:
    """Create a team (team=None) or rename it and change its supervisor."""
    if supervisor is not None and (supervisor.role != Role.SUPERVISOR or not supervisor.is_active):
        raise ValidationError(_("A team is led by an active supervisor."))
    name = name.strip()
    if not name:
        raise ValidationError(_("Give the team a name."))
    created = team is None
    team = team or Team()
    team.name, team.supervisor = name, supervisor
    try:
        with transaction.atomic():
            team.save()
    except IntegrityError:
        raise ValidationError(
            _("There is already a team called %(name)s.") % {"name": name}
        ) from None
    message = _("Supervisor: %(name)s.") % {"name": supervisor or "—"}
    _log(by=by, row=team, flag=ADDITION if created else CHANGE, message=message)
    detail = {"changes": message, "created": created}
    record(Kind.TEAM_SAVED, actor=by, subject=team.name, detail=detail)
    return team


@transaction.atomic
def save_organisation(
    *, by: User, name: str, kind: str, organisation: Organisation | None = None
) -> Organisation:
    """Add an organisation or rename one. Its kind is fixed once it has users or waves."""
    name = name.strip()
    if not name:
        raise ValidationError(_("Give the organisation a name."))
    if kind not in Organisation.Kind.values:
        raise ValidationError(_("Choose whether it is a client body or the evaluation firm."))
    created = organisation is None
    if (
        not created
        and kind != organisation.kind
        and (organisation.users.exists() or organisation.waves.exists())
    ):
        raise ValidationError(_("An organisation with users or waves keeps its kind."))
    organisation = organisation or Organisation()
    organisation.name, organisation.kind = name, kind
    try:
        with transaction.atomic():
            organisation.save()
    except IntegrityError:
        raise ValidationError(
            _("There is already an organisation called %(name)s.") % {"name": name}
        ) from None
    _log(
        by=by,
        row=organisation,
        flag=ADDITION if created else CHANGE,
        message=organisation.get_kind_display(),
    )
    detail = {"changes": str(organisation.get_kind_display()), "created": created}
    record(Kind.ORGANISATION_SAVED, actor=by, subject=organisation.name, detail=detail)
    return organisation
