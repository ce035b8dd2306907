from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import STAFF, require_role
from qc import presenters, selectors, services
from qc.forms import ApproveForm, RejectForm, ReviewFilterForm
from qc.models import Review

PAGE_SIZE = 50


@require_role(*STAFF)
def review_list(request: HttpRequest) -> HttpResponse:
    form = ReviewFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    scope = selectors.filtered_reviews(
        wave=filters.get("wave"),
        interviewer=filters.get("interviewer"),
        street=filters.get("street"),
    )
    state = filters.get("state", "")
    reviews = selectors.review_queue(scope.filter(state=state) if state else scope)
    page = Paginator(reviews, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = selectors.state_counts(scope)
    return render(
        request,
        "qc/review_list.html",
        {
            "form": form,
            "page": page,
            "rows": presenters.review_rows(page.object_list),
            "state": state,
            "counts": [
                {"state": s, "label": Review.State(s).label, "n": n} for s, n in counts.items()
            ],
            "total": sum(counts.values()),
        },
    )


def _review_or_404(interview_id: int) -> Review:
    try:
        return selectors.review_for_detail(interview_id=interview_id)
    except Review.DoesNotExist:
        raise Http404(_("This interview has no review.")) from None


def _render_detail(
    request: HttpRequest,
    review: Review,
    *,
    approve_form: ApproveForm | None = None,
    reject_form: RejectForm | None = None,
) -> HttpResponse:
    language = presenters.ui_language()
    interview = review.interview
    return render(
        request,
        "qc/review_detail.html",
        {
            "facts": presenters.interview_facts(review),
            "flags": [{"rule": f.rule, "reason": f.reason} for f in interview.flags.all()],
            "sections": presenters.answer_sections(interview, language),
            "paradata": presenters.paradata_summary(interview, language),
            "history": presenters.history_rows(selectors.review_history(review)),
            "approve_form": approve_form or ApproveForm(prefix="approve"),
            "reject_form": reject_form or RejectForm(prefix="reject"),
        },
    )


@require_role(*STAFF)
def review_detail(request: HttpRequest, interview_id: int) -> HttpResponse:
    return _render_detail(request, _review_or_404(interview_id))


@require_POST
@require_role(*STAFF)
def review_approve(request: HttpRequest, interview_id: int) -> HttpResponse:
    review = _review_or_404(interview_id)
    form = ApproveForm(request.POST, prefix="approve")
    if not form.is_valid():
        return _render_detail(request, review, approve_form=form)
    try:
        services.approve_interview(
            review=review, user=request.user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Interview #%(id)s approved.") % {"id": interview_id})
    return redirect("qc:review_detail", interview_id=interview_id)


@require_POST
@require_role(*STAFF)
def review_reject(request: HttpRequest, interview_id: int) -> HttpResponse:
    review = _review_or_404(interview_id)
    form = RejectForm(request.POST, prefix="reject")
    if not form.is_valid():
        return _render_detail(request, review, reject_form=form)
    try:
        services.reject_interview(
            review=review, user=request.user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Interview #%(id)s rejected.") % {"id": interview_id})
    return redirect("qc:review_detail", interview_id=interview_id)
