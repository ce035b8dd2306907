from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.access import require_role
from accounts.models import Role
from common.ratelimit import rate_limited
from jobs import health, presenters, selectors, services
from jobs.models import Job


@require_role(Role.ANALYST)
def job_list(request: HttpRequest) -> HttpResponse:
    """Every background job, newest first, filtered by ?status=."""
    status = request.GET.get("status", "")
    if status not in Job.Status.values:
        status = ""
    page = Paginator(selectors.jobs_list(status=status), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "jobs/job_list.html",
        {
            "rows": [presenters.job_row(job) for job in page],
            "page": page,
            "status": status,
            "statuses": Job.Status.choices,
            "queue": selectors.queue_state(),
        },
    )


def job_progress(request: HttpRequest, job_id: int) -> HttpResponse:
    """A job's progress element; pages that start a job poll it until the job ends. With
    ?refresh=1 a finished job reloads the page instead (htmx's HX-Refresh), so the page shows
    the outcome it renders itself. Analysts see every job, others only the jobs they started."""
    jobs = Job.objects.all()
    if request.user.role != Role.ANALYST:
        jobs = jobs.filter(created_by=request.user)
    job = get_object_or_404(jobs, pk=job_id)
    refresh = request.GET.get("refresh") == "1"
    if refresh and not job.is_open:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(
        request, "jobs/_progress.html", {"row": presenters.job_row(job), "refresh": refresh}
    )


@require_POST
@require_role(Role.ANALYST)
def job_retry(request: HttpRequest, job_id: int) -> HttpResponse:
    job = get_object_or_404(Job, pk=job_id)
    if job.status != Job.Status.FAILED or not job.retryable:
        messages.error(request, _("Only a job that failed on an unexpected error can be retried."))
    else:
        services.retry_job(job=job, user=request.user)
        messages.success(request, _("The job was started again."))
    return redirect("jobs:job_list")


@login_not_required
@never_cache
@rate_limited("healthz", key="ip", fail_open=True)
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For the load balancer: 200 while the database and the file storage work, else 503.
    The queue and the workers are reported, not judged: a stopped worker does not take the
    web servers out of rotation."""
    report = health.check()
    return JsonResponse(report, status=200 if report["status"] != "fail" else 503)
