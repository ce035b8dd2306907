"""The audit log page (analysts only): filter by period, kind, user and wave; page through;
export what the filters select as CSV (UTF-8 with BOM) or XLSX. An export is itself logged."""

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from accounts.access import require_role
from accounts.auditlog import presenters
from accounts.auditlog.forms import AuditFilterForm
from accounts.models import Role
from audit import selectors
from audit.kinds import Kind
from audit.services import record
from common import spreadsheets

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000  # rows in one file; narrow the filters for more


def _form(request: HttpRequest) -> AuditFilterForm:
    return AuditFilterForm(
        request.GET or None, actors=selectors.actor_names(), waves=selectors.logged_waves()
    )


def _filtered(form: AuditFilterForm):
    """The events the filters select; none while a filter is invalid (a period that ends
    before it starts), rather than every event as if unfiltered."""
    if not form.is_bound:
        return selectors.events().select_related("wave"), {}
    if not form.is_valid():
        return selectors.events().none(), {}
    filters = form.filters()
    return selectors.events(**filters).select_related("wave"), filters


@never_cache
@require_role(Role.ANALYST)
def audit_log(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    events, _filters = _filtered(form)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": [presenters.row(event) for event in page.object_list],
        "query": query.urlencode(),
        "total": page.paginator.count,
        "retention_days": settings.AUDIT_RETENTION_DAYS,
    }
    return render(request, "accounts/audit_log.html", context, status=400 if form.errors else 200)


@never_cache
@require_role(Role.ANALYST)
def audit_export(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    events, filters = _filtered(form)
    table = presenters.export_table(events[:EXPORT_LIMIT])
    as_xlsx = request.GET.get("format") == "xlsx"
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    name = f"audit-log-{stamp}.{'xlsx' if as_xlsx else 'csv'}"
    shown = {key: str(value) for key, value in filters.items() if value not in (None, "")}
    record(
        Kind.AUDIT_EXPORTED,
        request=request,
        subject=name,
        detail={"rows": len(table["rows"]), "filters": shown},
    )
    if as_xlsx:
        content = spreadsheets.workbook_bytes([table], properties={"title": table["title"]})
        content_type = spreadsheets.XLSX_CONTENT_TYPE
    else:
        content, content_type = spreadsheets.table_csv(table), "text/csv; charset=utf-8"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
