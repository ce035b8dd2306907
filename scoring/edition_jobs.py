"""Editions made by jobs, never in a request (scoring.editions does the work):

- `start_freeze`: an analyst freezes the wave's results — the wave's report and every
  district's, rendered and stored by one job that reports its progress per district;
- `draft_if_changed`: after the results job has computed a new state of a wave that already
  has an edition, a later review decision (or weighting, target or frame change) makes a
  new draft by itself, so the signed edition is never changed silently and the editions page
  shows the two side by side with their differences. An automatic draft that nobody signed
  is replaced by the next one rather than piling up.
"""

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from common.i18n import ui_language_code
from fieldwork.models import Wave
from jobs.models import Job
from jobs.runner import JobFailed, Progress
from jobs.services import start_job
from scoring import editions
from scoring.loaders import AnswerError
from scoring.models import Edition

FREEZE_JOB = "edition_freeze"


def freeze_key(wave: Wave) -> str:
    return f"scoring:freeze:{wave.pk}"


def start_freeze(*, wave: Wave, user: User | None) -> Job:
    """Queue the freezing of a new edition of `wave` (one job per wave at a time): by an
    analyst, or with `user` None by the results job (an automatic draft)."""
    if user is not None and user.role != Role.ANALYST:
        raise editions.EditionError(str(_("Only an analyst can freeze an edition.")))
    return start_job(
        kind=FREEZE_JOB,
        params={
            "wave_id": wave.pk,
            "user_id": user.pk if user is not None else None,
            "language": ui_language_code(),
        },
        subject=str(wave),
        user=user,
        dedupe_key=freeze_key(wave),
    )


def open_freeze(wave: Wave) -> Job | None:
    """The freeze job of `wave` that is queued or running, if any."""
    return (
        Job.objects.filter(
            dedupe_key=freeze_key(wave), status__in=[Job.Status.QUEUED, Job.Status.RUNNING]
        )
        .order_by("-pk")
        .first()
    )


def last_failure(wave: Wave) -> Job | None:
    """The wave's newest freeze job when it failed (the editions page says why)."""
    last = Job.objects.filter(dedupe_key=freeze_key(wave)).order_by("-pk").first()
    return last if last is not None and last.status == Job.Status.FAILED else None


def freeze_body(job: Job, progress: Progress) -> dict:
    """The freeze job: the edition this job froze (found again if an earlier run of the job
    committed it), or a new one."""
    done = Edition.objects.filter(job_id=job.pk).first()
    if done is not None:
        return {"edition": done.number}
    wave = Wave.objects.get(pk=job.params["wave_id"])
    user_id = job.params.get("user_id")
    user = User.objects.get(pk=user_id) if user_id is not None else None
    with translation.override(job.params["language"]):
        if user is None:
            _drop_unsigned_automatic_draft(wave)
        try:
            edition = editions.freeze_edition(
                wave=wave, user=user, job_id=job.pk, progress=progress
            )
        except editions.EditionError as error:
            if user is None:
                # the inputs came back to what an edition holds: nothing to draft
                return {"edition": None}
            raise JobFailed(str(error)) from error
        except AnswerError as error:
            raise JobFailed(str(error)) from error
    return {"edition": edition.number, "districts": edition.districts.count()}


@transaction.atomic
def _drop_unsigned_automatic_draft(wave: Wave) -> None:
    """The newest edition, when it is an automatic draft nobody signed: the next automatic
    draft takes its place (and its number)."""
    last = wave.editions.select_for_update().order_by("-number").first()
    if last is not None and last.frozen_by_id is None and last.state == Edition.State.DRAFT:
        for part in last.districts.all():
            part.pdf.delete(save=False)
            part.xlsx.delete(save=False)
        last.delete()


def draft_if_changed(*, wave: Wave, digest: str) -> Job | None:
    """Start an automatic draft when `wave` has an edition and its inputs now hash to
    `digest`, which no edition holds yet: the results job calls it after computing."""
    last = wave.editions.order_by("-number").first()
    if last is None or last.input_hash == digest:
        return None
    return start_freeze(wave=wave, user=None)
