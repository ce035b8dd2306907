from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.access import STAFF, require_role
from accounts.models import Role
from audit.kinds import Kind
from audit.services import record
from common import spreadsheets
from common.forms import form_errors
from common.i18n import ui_language
from fieldwork.models import Wave
from fieldwork.telephony import gateway
from qc import selectors
from qc.access import is_qc_lead
from qc.forms import (
    ApproveForm,
    BackCheckDrawForm,
    BulkApproveForm,
    QCSettingsForm,
    RejectForm,
    RereleaseForm,
    ReturnForm,
    ReviewFilterForm,
    backcheck_answer_form,
)
from qc.models import BackCheck, Review
from qc.presenters.backchecks import (
    backcheck_call_panel,
    backcheck_questions,
    backcheck_rows,
    discrepancy_table,
    my_backcheck_rows,
)
from qc.presenters.dashboard import wave_dashboard
from qc.presenters.export import event_table, flag_table, queue_table
from qc.presenters.labels import question_labels
from qc.presenters.reviews import (
    answer_sections,
    flag_rows,
    history_rows,
    household_selection,
    interview_facts,
    paradata_summary,
    recordings,
    review_actions,
    review_rows,
)
from qc.presenters.timeline import audio_audits, item_timeline
from qc.services.backchecks import dial_backcheck, record_backcheck, select_backchecks
from qc.services.reviews import (
    approve_interview,
    bulk_approve,
    reject_interview,
    rerelease_case,
    return_interview,
)
from qc.services.settings import rule_config, save_qc_settings, wave_settings

PAGE_SIZE = 50


def _filtered(form: ReviewFilterForm, viewer):
    filters = form.cleaned_data if form.is_valid() else {}
    return selectors.filtered_reviews(
        viewer=viewer,
        wave=filters.get("wave"),
        interviewer=filters.get("interviewer"),
        street=filters.get("street"),
        rule=filters.get("rule", ""),
        severity=filters.get("severity", ""),
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
    ), filters.get("state", "")


@require_role(*STAFF)
def review_list(request: HttpRequest) -> HttpResponse:
    form = ReviewFilterForm(request.GET or None, viewer=request.user)
    scope, state = _filtered(form, request.user)
    reviews = selectors.review_queue(scope.filter(state=state) if state else scope)
    page = Paginator(reviews, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = selectors.state_counts(scope)
    return render(
        request,
        "qc/review_list.html",
        {
            "form": form,
            "page": page,
            "rows": review_rows(page.object_list),
            "state": state,
            "counts": [
                {"state": s, "label": Review.State(s).label, "n": n} for s, n in counts.items()
            ],
            "total": sum(counts.values()),
            "is_qc_lead": is_qc_lead(request.user),
        },
    )


@require_POST
@require_role(*STAFF)
def review_bulk_approve(request: HttpRequest) -> HttpResponse:
    """Approve the ticked reviews, or all the filter shows (scope=all, filters in the query)."""
    form = BulkApproveForm(request.POST)
    filters = ReviewFilterForm(request.GET or None, viewer=request.user)
    if filters.is_bound and not filters.is_valid():
        # "all the filter shows" is nothing the user can see when the filter does not hold
        messages.error(request, form_errors(filters))
        return redirect("qc:review_list")
    if form.is_valid() and form.cleaned_data["scope"] == "all":
        reviews, _state = _filtered(filters, request.user)
    elif form.is_valid():
        ids = [review.pk for review in form.cleaned_data["reviews"]]
        reviews = selectors.visible_reviews(request.user).filter(pk__in=ids)
    else:
        reviews = Review.objects.none()
    moved = bulk_approve(reviews=reviews, user=request.user)
    if is_qc_lead(request.user):
        messages.success(request, _("%(n)d interviews approved: final decision.") % {"n": moved})
    else:
        messages.success(
            request,
            _("Approval of %(n)d interviews proposed; a QC lead makes the final decision.")
            % {"n": moved},
        )
    query = request.GET.urlencode()
    return redirect(reverse("qc:review_list") + (f"?{query}" if query else ""))


def _review_or_404(interview_id: int, viewer) -> Review:
    try:
        return selectors.review_for_detail(interview_id=interview_id, viewer=viewer)
    except Review.DoesNotExist:
        raise Http404(_("This interview has no review.")) from None


def _render_detail(request: HttpRequest, review: Review, **forms) -> HttpResponse:
    language = ui_language()
    interview = review.interview
    return render(
        request,
        "qc/review_detail.html",
        {
            "facts": interview_facts(review),
            "flags": flag_rows(interview),
            "household": household_selection(interview),
            "sections": answer_sections(interview, language),
            "paradata": paradata_summary(interview, language),
            "audio_audits": audio_audits(interview, language),
            "timeline": item_timeline(
                interview.paradata or [], interview.questionnaire_version.definition, language
            ),
            "history": history_rows(selectors.review_history(review)),
            "recordings": recordings(interview),
            "actions": review_actions(review, request.user),
            "approve_form": forms.get("approve_form") or ApproveForm(prefix="approve"),
            "reject_form": forms.get("reject_form") or RejectForm(prefix="reject"),
            "return_form": forms.get("return_form")
            or ReturnForm(prefix="return", viewer=request.user),
            "rerelease_form": forms.get("rerelease_form") or RereleaseForm(prefix="rerelease"),
        },
    )


@require_role(*STAFF)
def review_detail(request: HttpRequest, interview_id: int) -> HttpResponse:
    return _render_detail(request, _review_or_404(interview_id, request.user))


def _decide(
    request: HttpRequest, interview_id: int, form_class, prefix: str, act, done: str, **options
):
    """POST a decision form (built with `options`), call the service, message the outcome,
    back to the detail page."""
    review = _review_or_404(interview_id, request.user)
    form = form_class(request.POST, prefix=prefix, **options)
    if not form.is_valid():
        return _render_detail(request, review, **{f"{prefix}_form": form})
    try:
        moved = act(review, form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied as error:
        # e.g. a supervisor pressing "approve" again on their own proposal
        messages.error(request, str(error) or _("This decision is not yours to make."))
    else:
        messages.success(request, _outcome_message(moved, done) % {"id": interview_id})
    return redirect("qc:review_detail", interview_id=interview_id)


def _outcome_message(review: Review, done: str) -> str:
    """What happened, in words: a supervisor's step is a proposal a QC lead still decides on,
    and the banner must not read as the final decision the badge contradicts."""
    proposals = {
        Review.State.PROPOSED_APPROVE: _(
            "Approval of interview #%(id)s proposed; a QC lead makes the final decision."
        ),
        Review.State.PROPOSED_REJECT: _(
            "Rejection of interview #%(id)s proposed; a QC lead makes the final decision."
        ),
        Review.State.APPROVED: _("Interview #%(id)s approved: final decision."),
        Review.State.REJECTED: _("Interview #%(id)s rejected: final decision."),
    }
    return proposals.get(getattr(review, "state", None), done)


@require_POST
@require_role(*STAFF)
def review_approve(request: HttpRequest, interview_id: int) -> HttpResponse:
    def act(review, data):
        return approve_interview(review=review, user=request.user, reason=data["reason"])

    return _decide(
        request, interview_id, ApproveForm, "approve", act, _("Interview #%(id)s approved.")
    )


@require_POST
@require_role(*STAFF)
def review_reject(request: HttpRequest, interview_id: int) -> HttpResponse:
    def act(review, data):
        return reject_interview(review=review, user=request.user, reason=data["reason"])

    return _decide(
        request, interview_id, RejectForm, "reject", act, _("Interview #%(id)s rejected.")
    )


@require_POST
@require_role(*STAFF)
def review_return(request: HttpRequest, interview_id: int) -> HttpResponse:
    def act(review, data):
        return return_interview(
            review=review,
            user=request.user,
            reason=data["reason"],
            interviewer=data["interviewer"],
        )

    return _decide(
        request,
        interview_id,
        ReturnForm,
        "return",
        act,
        _("Interview #%(id)s returned."),
        viewer=request.user,
    )


@require_POST
@require_role(Role.ANALYST)
def review_rerelease(request: HttpRequest, interview_id: int) -> HttpResponse:
    def act(review, data):
        return rerelease_case(
            review=review,
            user=request.user,
            reason=data["reason"],
            interviewer=data["interviewer"],
        )

    return _decide(
        request,
        interview_id,
        RereleaseForm,
        "rerelease",
        act,
        _("Case of interview #%(id)s re-released."),
    )


@require_role(*STAFF)
def qc_settings(request: HttpRequest, wave_id: int) -> HttpResponse:
    wave = get_object_or_404(Wave, pk=wave_id)
    current = wave_settings(wave)
    initial = QCSettingsForm.initial_for(current, rule_config(wave))
    questions = question_labels(wave.questionnaire_version.definition, ui_language())
    if request.method == "POST":
        form = QCSettingsForm(request.POST, initial=initial, questions=questions)
        if form.is_valid():
            try:
                save_qc_settings(wave=wave, user=request.user, values=form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("QC settings saved."))
                return redirect("qc:settings", wave_id=wave.pk)
    else:
        form = QCSettingsForm(initial=initial, questions=questions)
    return render(request, "qc/settings.html", {"wave": wave, "form": form, "saved": current})


@require_role(*STAFF)
def dashboard(request: HttpRequest, wave_id: int) -> HttpResponse:
    wave = get_object_or_404(Wave, pk=wave_id)
    flags = selectors.wave_flag_rows(wave, request.user)
    reviews = selectors.dashboard_reviews(wave, request.user)
    backchecks = list(selectors.wave_backchecks(wave, request.user))
    return render(
        request,
        "qc/dashboard.html",
        {
            "wave": wave,
            "waves": Wave.objects.order_by("-created_at"),
            "data": wave_dashboard(wave, flags, reviews),
            "discrepancies": discrepancy_table(backchecks),
        },
    )


@never_cache
@require_role(*STAFF)
def review_export(request: HttpRequest) -> HttpResponse:
    """The review queue as filtered (the list page's query), every page of it: ?format=xlsx,
    else CSV. A filter that does not hold gives no file but the list with the reason."""
    form = ReviewFilterForm(request.GET or None, viewer=request.user)
    if form.is_bound and not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect("qc:review_list")
    reviews, state = _filtered(form, request.user)
    table = queue_table(selectors.queue_rows(reviews.filter(state=state) if state else reviews))
    wave = form.cleaned_data.get("wave") if form.is_bound else None
    shown = {key: value for key, value in request.GET.items() if key != "format" and value}
    detail = {"filters": shown, "rows": len(table["rows"])}  # which list left, and how much
    return _download(request, wave, [table], "qc-review-queue", detail=detail)


@never_cache
@require_role(*STAFF)
def export(request: HttpRequest, wave_id: int) -> HttpResponse:
    """Every flag and decision of a wave the user may see (a team's supervisor: their
    team's): ?format=xlsx (two sheets) or csv (&table=events)."""
    wave = get_object_or_404(Wave, pk=wave_id)
    user, name = request.user, f"qc-wave-{wave.pk}"
    if request.GET.get("format") == "xlsx":
        flags, events = selectors.wave_flag_rows(wave, user), selectors.event_rows(wave, user)
        return _download(request, wave, [flag_table(flags), event_table(events)], name)
    if request.GET.get("table") == "events":
        table = event_table(selectors.event_rows(wave, user))
    else:
        table = flag_table(selectors.wave_flag_rows(wave, user))
    return _download(request, wave, [table], f"{name}-{table['key']}")


def _download(
    request: HttpRequest, wave: Wave | None, tables: list[dict], name: str, detail=None
) -> HttpResponse:
    """The tables as a file named `name`: with ?format=xlsx a workbook (a sheet each), else
    the first as CSV; the download recorded in the audit log (with `detail`)."""
    if request.GET.get("format") == "xlsx":
        content = spreadsheets.workbook_bytes(tables)
        content_type, filename = spreadsheets.XLSX_CONTENT_TYPE, f"{name}.xlsx"
    else:
        content = spreadsheets.table_csv(tables[0])
        content_type, filename = "text/csv; charset=utf-8", f"{name}.csv"
    record(Kind.DOWNLOAD, request=request, wave=wave, subject=filename, detail=detail)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_role(*STAFF)
def backchecks(request: HttpRequest, wave_id: int) -> HttpResponse:
    """The wave's back-checks, the per-interviewer discrepancy table and a new draw."""
    wave = get_object_or_404(Wave, pk=wave_id)
    form = BackCheckDrawForm(request.POST or None, viewer=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            draw = select_backchecks(
                wave=wave,
                user=request.user,
                checkers=list(form.cleaned_data["checkers"]),
                seed=form.cleaned_data["seed"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(n)d interviews drawn for back-checks (seed %(seed)d).")
                % {"n": len(draw.parameters["selected"]), "seed": draw.seed},
            )
            return redirect("qc:backchecks", wave_id=wave.pk)
    rows = list(selectors.wave_backchecks(wave, request.user))
    return render(
        request,
        "qc/backchecks.html",
        {
            "wave": wave,
            "form": form,
            "rows": backcheck_rows(rows),
            "discrepancies": discrepancy_table(rows),
            "settings": wave_settings(wave),
        },
    )


@require_role(Role.INTERVIEWER)
def my_backchecks(request: HttpRequest) -> HttpResponse:
    rows = my_backcheck_rows(selectors.my_backchecks(request.user))
    return render(request, "qc/my_backchecks.html", {"rows": rows})


@require_role(Role.INTERVIEWER)
def backcheck_form(request: HttpRequest, interview_id: int) -> HttpResponse:
    """The back-check interviewer re-asks the key questions; only their own back-checks."""
    try:
        backcheck = selectors.backcheck_for(interview_id=interview_id, user=request.user)
    except BackCheck.DoesNotExist:
        raise Http404(_("No such back-check of yours.")) from None
    questions = backcheck_questions(backcheck, ui_language())
    form = backcheck_answer_form(questions, request.POST or None)
    if request.method == "POST" and backcheck.state == BackCheck.State.ASSIGNED and form.is_valid():
        answers = {
            name: value for name, value in form.cleaned_data.items() if value not in ("", None)
        }
        try:
            record_backcheck(backcheck=backcheck, user=request.user, answers=answers)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Back-check recorded."))
            return redirect("qc:my_backchecks")
    return render(
        request,
        "qc/backcheck_form.html",
        {
            "form": form,
            "row": my_backcheck_rows([backcheck])[0],
            "done": backcheck.state == BackCheck.State.DONE,
            "call": backcheck_call_panel(
                backcheck, selectors.last_backcheck_call(backcheck), gateway.is_configured()
            ),
        },
    )


@require_role(Role.INTERVIEWER)
@require_POST
def backcheck_call(request: HttpRequest, interview_id: int) -> HttpResponse:
    """The back-check interviewer's line rings, then the respondent's; never the number."""
    try:
        backcheck = selectors.backcheck_for(interview_id=interview_id, user=request.user)
    except BackCheck.DoesNotExist:
        raise Http404(_("No such back-check of yours.")) from None
    try:
        dial_backcheck(
            backcheck=backcheck, user=request.user, base_url=request.build_absolute_uri("/")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your phone will ring; answer it to be put through."))
    return redirect("qc:backcheck_form", interview_id=interview_id)
