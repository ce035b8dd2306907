"""The wave as a supervisor's workspace, one tab per question: overview (target, completed,
expected by today, who is active, alerts, map), cases (the grid, assignment), appointments
(the calendar), interviewers (productivity), rates, quotas and quality (every QC page)."""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import RadioSelect
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.access import STAFF, require_role
from accounts.models import Role, User
from accounts.teams import supervised_team_ids
from audit.kinds import Kind
from audit.services import record
from common.forms import form_errors
from common.i18n import ui_language
from common.spreadsheets import dataframe_csv
from fieldwork import loaders, productivity, reactions, selectors
from fieldwork import presenters as fw_presenters
from fieldwork.audits.forms import AudioAuditForm
from fieldwork.forms import QuotaTargetForm, ReleaseForm, VersionSwitchForm
from fieldwork.models import Interview, Wave
from fieldwork.services import assignment, waves
from fieldwork.workspace import presenters
from fieldwork.workspace import selectors as workspace
from fieldwork.workspace.forms import (
    CalendarForm,
    CaseFilterForm,
    DayForm,
    MoveForm,
    StreetAssignForm,
    WavePlanForm,
    interviewer_choices,
)

TABS = [
    ("overview", "fieldwork:wave_detail", gettext_lazy("Overview")),
    ("cases", "fieldwork:wave_cases", gettext_lazy("Cases")),
    ("appointments", "fieldwork:wave_appointments", gettext_lazy("Appointments")),
    ("interviewers", "fieldwork:wave_interviewers", gettext_lazy("Interviewers")),
    ("rates", "fieldwork:wave_rates", gettext_lazy("Response rates")),
    ("quotas", "fieldwork:quota_target", gettext_lazy("Quotas")),
    ("quality", "fieldwork:wave_quality", gettext_lazy("Quality")),
]
# Every quality-control page of the wave, one click from every tab (qc's URL names: fieldwork
# may not import qc, but it may link to it).
QC_LINKS = [
    ("qc:review_list", gettext_lazy("Reviews"), True),
    ("qc:dashboard", gettext_lazy("QC dashboard"), False),
    ("qc:interviewer_risk", gettext_lazy("Interviewer risk"), False),
    ("qc:backchecks", gettext_lazy("Back-checks"), False),
    ("qc:settings", gettext_lazy("QC settings"), False),
]


def _tab(request: HttpRequest, wave: Wave, tab: str, context: dict, status: int = 200):
    qc_links = [
        {
            "url": reverse(name) + f"?wave={wave.pk}"
            if by_query
            else reverse(name, args=[wave.pk]),
            "label": label,
            "id": name.replace(":", "-").replace("_", "-"),
        }
        for name, label, by_query in QC_LINKS
    ]
    tabs = [
        {"key": key, "url": reverse(name, args=[wave.pk]), "label": label, "active": key == tab}
        for key, name, label in TABS
    ]
    context = {"wave": wave, "tabs": tabs, "tab": tab, "qc_links": qc_links, **context}
    return render(request, f"fieldwork/workspace/{tab}.html", context, status=status)


def _wave(wave_id: int) -> Wave:
    return get_object_or_404(
        Wave.objects.select_related("questionnaire_version", "draw", "client"), pk=wave_id
    )


MAP_SECONDS = 60


def _live_context(wave: Wave, now: datetime, viewer) -> dict:
    numbers = workspace.overview(wave, now)
    return {
        "now": now,
        "numbers": numbers,
        "alerts": presenters.alerts(wave, numbers),
        "open_work": selectors.open_work(wave, viewer),
        "pace": selectors.interviewer_pace(wave, now, viewer),
        "live_seconds": getattr(settings, "WAVE_LIVE_SECONDS", 15),
    }


@require_role(*STAFF)
def wave_detail(request: HttpRequest, wave_id: int) -> HttpResponse:
    """The overview: the plan against what is done, who is working, alerts, the map."""
    return overview(request, _wave(wave_id))


def overview(request: HttpRequest, wave: Wave, plan_form=None, status: int = 200):
    now = timezone.now()
    context = {
        **_live_context(wave, now, request.user),
        # The map changes with completes, slowly: drawn at most once a minute per language.
        "map": cache.get_or_set(
            f"wave-map:{wave.pk}:{get_language()}",
            lambda: presenters.community_map(wave, workspace.community_progress(wave)),
            MAP_SECONDS,
        ),
        "version_table": selectors.version_rows(wave),
        "switch_form": VersionSwitchForm(wave=wave),
        "replicates": selectors.unreleased_replicates(wave),
        "phone_reveals": selectors.phone_reveals_by_interviewer(wave, request.user),
        "plan_form": plan_form or WavePlanForm.of(wave),
        "audit_form": AudioAuditForm.of(wave),
    }
    return _tab(request, wave, "overview", context, status=status)


@require_role(*STAFF)
def wave_live(request: HttpRequest, wave_id: int) -> HttpResponse:
    """The overview's live part (figures, alerts, who is on a case), polled by htmx. It holds
    no form, so nothing a supervisor is typing is ever replaced."""
    wave = _wave(wave_id)
    return render(
        request,
        "fieldwork/workspace/_live.html",
        {"wave": wave, **_live_context(wave, timezone.now(), request.user)},
    )


def selects(form) -> list[dict]:
    """A form's choice fields as plain option lists: a template loop renders a 40-option
    select in a fraction of the time Django's per-option widget templates take."""
    data = form.data if form.is_bound else {}
    rows = []
    for name, field in form.fields.items():
        if not hasattr(field, "choices") or isinstance(field.widget, RadioSelect):
            continue
        value = data.get(name, form.initial.get(name, field.initial)) or ""
        rows.append(
            {
                "name": name,
                "label": field.label,
                "choices": [(str(key), label) for key, label in field.choices],
                "selected": str(value),
                "errors": form.errors.get(name, []) if form.is_bound else [],
            }
        )
    return rows


def _grid_context(request: HttpRequest, wave: Wave, now: datetime) -> dict:
    filters = CaseFilterForm(request.GET or None, wave=wave, viewer=request.user)
    data = filters.cleaned_data if filters.is_valid() else {}
    cases = workspace.case_grid(wave, data, now, viewer=request.user)
    per_page = data.get("per_page") or 50
    page = Paginator(cases, per_page).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "filters": filters,
        "filter_selects": selects(filters),
        "page": page,
        "rows": presenters.case_rows(page, now),
        "query": query.urlencode(),
        "total": page.paginator.count,
    }


def _action_forms(move: MoveForm, street: StreetAssignForm) -> dict:
    return {
        "move_form": move,
        "move_selects": {row["name"]: row for row in selects(move)},
        "street_form": street,
        "street_selects": {row["name"]: row for row in selects(street)},
    }


@require_role(*STAFF)
def wave_cases(request: HttpRequest, wave_id: int) -> HttpResponse:
    """The case grid: filter, sort, page, tick; assign, transfer or return with a reason."""
    wave = _wave(wave_id)
    now = timezone.now()
    context = {
        **_grid_context(request, wave, now),
        **_action_forms(
            MoveForm(viewer=request.user), StreetAssignForm(wave=wave, viewer=request.user)
        ),
        "sample_status": selectors.sample_status_by_street(wave),
    }
    return _tab(request, wave, "cases", context)


@require_role(*STAFF)
@require_POST
def move_cases(request: HttpRequest, wave_id: int) -> HttpResponse:
    wave = _wave(wave_id)
    now = timezone.now()
    form = MoveForm(request.POST, viewer=request.user)
    back = f"{reverse('fieldwork:wave_cases', args=[wave.pk])}?{request.GET.urlencode()}"
    if url_has_allowed_host_and_scheme(request.POST.get("next"), allowed_hosts=None):
        back = request.POST["next"]  # moved from the case page: back to it
    if not form.is_valid():
        context = {
            **_grid_context(request, wave, now),
            **_action_forms(form, StreetAssignForm(wave=wave, viewer=request.user)),
            "sample_status": selectors.sample_status_by_street(wave),
        }
        return _tab(request, wave, "cases", context, status=400)
    data = form.cleaned_data
    if data["scope"] == "all":
        filters = CaseFilterForm(request.GET, wave=wave, viewer=request.user)
        if not filters.is_valid():
            # Never fall back to every case still to do: the supervisor meant a filtered set.
            messages.error(
                request,
                _("The filters are not valid, so nothing was moved: %(errors)s")
                % {"errors": form_errors(filters)},
            )
            context = {
                **_grid_context(request, wave, now),
                **_action_forms(form, StreetAssignForm(wave=wave, viewer=request.user)),
                "sample_status": selectors.sample_status_by_street(wave),
            }
            return _tab(request, wave, "cases", context, status=400)
        ids = list(
            workspace.case_grid(wave, filters.cleaned_data, now, viewer=request.user).values_list(
                "id", flat=True
            )
        )
    else:
        ids = data["cases"]
    try:
        result = assignment.move_cases(
            wave=wave, case_ids=ids, to=data["to_user"], actor=request.user, reason=data["reason"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back)
    text, moved = presenters.move_message(result)
    (messages.success if moved else messages.warning)(request, text)
    return redirect(back)


@require_role(*STAFF)
@require_POST
def assign_street(request: HttpRequest, wave_id: int) -> HttpResponse:
    """Give a number of a street's unassigned cases to an interviewer."""
    wave = _wave(wave_id)
    form = StreetAssignForm(request.POST, wave=wave, viewer=request.user)
    if not form.is_valid():
        now = timezone.now()
        context = {
            **_grid_context(request, wave, now),
            **_action_forms(MoveForm(viewer=request.user), form),
            "sample_status": selectors.sample_status_by_street(wave),
        }
        return _tab(request, wave, "cases", context, status=400)
    data = form.cleaned_data
    try:
        result = assignment.assign_from_pool(
            wave=wave,
            to=data["interviewer"],
            count=data["count"],
            actor=request.user,
            reason=data["reason"],
            street_id=data["street"].pk,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        text, moved = presenters.move_message(result)
        (messages.success if moved else messages.warning)(request, text)
    return redirect("fieldwork:wave_cases", wave_id=wave.pk)


def calendar_context(request: HttpRequest, wave: Wave | None, interviewer: User | None) -> dict:
    form = CalendarForm(request.GET or None, viewer=request.user)
    data = form.cleaned_data if form.is_valid() else {}
    if form.is_bound and form.errors:
        messages.error(request, form_errors(form))
    now = timezone.now()
    view = data.get("view") or "day"
    day = data.get("day") or timezone.localdate(now)
    if interviewer is None and data.get("interviewer"):
        interviewer = interviewer_choices(request.user).filter(pk=data["interviewer"]).first()
    if view == "week":
        first = day - timedelta(days=day.weekday())
        span = 7
    else:
        first, span = day, 1
    tz = timezone.get_current_timezone()
    start = datetime.combine(first, datetime.min.time()).replace(tzinfo=tz)
    end = start + timedelta(days=span)
    if wave is not None:
        appointments = workspace.calendar_appointments(
            wave, start, end, interviewer, viewer=request.user
        )
    else:
        mine = selectors.visible_cases(interviewer)
        appointments = selectors.appointments_between(mine, start, end)
    return {
        "calendar_form": form,
        "calendar": presenters.calendar(list(appointments), view=view, day=day, now=now),
        "view": view,
        "day": day,
        "first": first,
        "previous": first - timedelta(days=span),
        "next": first + timedelta(days=span),
        "who": str(interviewer) if interviewer else "",
    }


@require_role(*STAFF)
def wave_appointments(request: HttpRequest, wave_id: int) -> HttpResponse:
    wave = _wave(wave_id)
    return _tab(request, wave, "appointments", calendar_context(request, wave, None))


@require_role(Role.INTERVIEWER)
def my_calendar(request: HttpRequest) -> HttpResponse:
    """The interviewer's own appointments by day or week."""
    return render(
        request, "fieldwork/my_calendar.html", calendar_context(request, None, request.user)
    )


@require_role(*STAFF)
def wave_interviewers(request: HttpRequest, wave_id: int) -> HttpResponse:
    """Productivity per interviewer (the whole wave) and per shift (one day, ?day=)."""
    wave = _wave(wave_id)
    rules = loaders.calling_rules(wave)
    attempts, interviews, names = workspace.productivity_frames(wave)
    flags = reactions.flags_by_interviewer(
        Interview.objects.filter(case__wave=wave, status=Interview.Status.COMPLETED)
    )
    by_interviewer = productivity.summarise(attempts, interviews, rules, ["interviewer"])
    day = _day(request)
    by_shift = productivity.summarise(attempts, interviews, rules, ["day", "shift", "interviewer"])
    by_shift = by_shift[by_shift["day"] == day]
    teams = supervised_team_ids(request.user)
    if teams is not None:  # a supervisor who leads a team: their team's interviewers
        members = set(User.objects.filter(team__in=teams).values_list("pk", flat=True))
        by_interviewer = by_interviewer[by_interviewer["interviewer"].isin(members)]
        by_shift = by_shift[by_shift["interviewer"].isin(members)]
    context = {
        "rows": presenters.productivity_rows(by_interviewer, names, flags),
        "shift_rows": presenters.productivity_rows(by_shift, names, {}),
        "day": day,
        "previous": day - timedelta(days=1),
        "next": day + timedelta(days=1),
        "daily_target": wave.daily_target,
        "by_interviewer": selectors.progress_by(
            wave, "interviewer_id", "interviewer__username", viewer=request.user
        ),
    }
    return _tab(request, wave, "interviewers", context)


def _day(request: HttpRequest) -> date:
    """?day=YYYY-MM-DD, else today (local); a malformed or out-of-range day is said so."""
    form = DayForm(request.GET)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return timezone.localdate()
    return form.cleaned_data["day"] or timezone.localdate()


RATE_LABELS = {
    "wave": gettext_lazy("Whole wave"),
    "street": gettext_lazy("By street"),
    "interviewer": gettext_lazy("By interviewer"),
    "day": gettext_lazy("By day of last attempt"),
}


@require_role(*STAFF)
def wave_rates(request: HttpRequest, wave_id: int) -> HttpResponse:
    wave = _wave(wave_id)
    cases = loaders.disposition_frame(wave)  # one load for every rates table on the page
    # Interviewers by name, as every other table of the workspace names them.
    names = {
        user.username: str(user)
        for user in User.objects.filter(username__in=set(cases["interviewer"]))
    }
    context = {
        "rate_tables": [
            (
                label,
                breakdown,
                fw_presenters.rate_rows(
                    selectors.rate_table(wave, breakdown, cases, viewer=request.user), names
                ),
            )
            for breakdown, label in RATE_LABELS.items()
        ],
    }
    return _tab(request, wave, "rates", context)


@require_role(*STAFF)
def wave_quality(request: HttpRequest, wave_id: int) -> HttpResponse:
    """Every quality-control page of the wave, with what each is for."""
    return _tab(request, _wave(wave_id), "quality", {})


@require_role(*STAFF)
@require_POST
def release_replicate(request: HttpRequest, wave_id: int) -> HttpResponse:
    wave = get_object_or_404(Wave, pk=wave_id)
    form = ReleaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a reserve replicate and say why it is released."))
        return redirect("fieldwork:wave_detail", wave_id=wave.pk)
    try:
        created = waves.release_reserve(wave=wave, user=request.user, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(n)d cases released.") % {"n": created})
    return redirect("fieldwork:wave_detail", wave_id=wave.pk)


@require_role(*STAFF)
def quota_target(request: HttpRequest, wave_id: int) -> HttpResponse:
    """The quotas tab; a POST sets one cell's target."""
    wave = get_object_or_404(Wave, pk=wave_id)
    if request.method != "POST":
        return _tab(
            request,
            wave,
            "quotas",
            {
                "quotas": fw_presenters.quota_rows(
                    loaders.quota_progress(wave),
                    definition=wave.questionnaire_version.definition,
                    language=ui_language(),
                ),
                "quota_form": QuotaTargetForm(wave=wave),
            },
        )
    form = QuotaTargetForm(request.POST, wave=wave)
    if form.is_valid():
        stratum = form.cleaned_data["stratum"]
        try:
            waves.set_quota_target(
                wave=wave,
                stratum=stratum.code if stratum else "",
                variable=form.cleaned_data["variable"],
                value=form.cleaned_data["value"],
                target=form.cleaned_data["target"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Quota target saved."))
    else:
        messages.error(request, _("Quota target not saved: check the fields."))
    return redirect("fieldwork:quota_target", wave_id=wave.pk)


@never_cache
@require_role(*STAFF)
def rates_csv(request: HttpRequest, wave_id: int) -> HttpResponse:
    """The wave's AAPOR rates as CSV: ?by=wave|street|interviewer|day."""
    wave = get_object_or_404(Wave, pk=wave_id)
    breakdown = request.GET.get("by", "wave")
    if breakdown not in RATE_LABELS:
        return HttpResponse(_("Unknown breakdown."), status=400)
    table = selectors.rate_table(wave, breakdown, viewer=request.user)
    response = HttpResponse(
        dataframe_csv(table, float_format="%.6f"), content_type="text/csv; charset=utf-8"
    )
    name = f"rates-wave{wave.pk}-{breakdown}.csv"
    record(Kind.DOWNLOAD, request=request, wave=wave, subject=name)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
