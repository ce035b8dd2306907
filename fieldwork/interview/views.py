"""Interview pages: the wizard, stopping midway, the wizard's locality choices, an interview's
photos and recordings, and the designers' trial run."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import STAFF, require_role
from accounts.models import Role
from accounts.teams import team_rows
from fieldwork import presenters, selectors
from fieldwork.forms import AppointmentForm
from fieldwork.interview.forms import ROSTER_RESIZE
from fieldwork.interview.languages import SWITCH_LANGUAGE
from fieldwork.interview.media import is_stored_name, media_path
from fieldwork.interview.trial import BACK, TrialRun, trial_context
from fieldwork.interview.wizard import InterviewWizard
from fieldwork.models import Interview
from fieldwork.services import interviews
from questionnaires.models import QuestionnaireVersion

interview_wizard = require_role(Role.INTERVIEWER)(InterviewWizard.as_view())


@require_role(Role.INTERVIEWER)
@require_POST
def stop_interview(request: HttpRequest, interview_id: int) -> HttpResponse:
    """Stop midway with a callback appointment; the interview resumes at its saved page."""
    interview = selectors.interview_for_interviewer(request.user, interview_id)
    form = AppointmentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Appointment not made: give a time, and a window end after it."))
        return redirect("fieldwork:interview", interview_id=interview.pk)
    try:
        interviews.stop_interview(interview=interview, **form.cleaned_data)
    except ValidationError as error:  # e.g. a time past or outside the calling windows
        messages.error(request, " ".join(error.messages))
        return redirect("fieldwork:interview", interview_id=interview.pk)
    messages.success(request, _("Interview stopped; callback appointment made."))
    return redirect("fieldwork:my_cases")


@require_role(Role.INTERVIEWER, *STAFF)
def locality_options(request: HttpRequest) -> HttpResponse:
    """Cascading locality choices for the wizard (district → street → community): an
    interviewer's, and staff's in a questionnaire's test run (the names of the locality
    tree, nothing personal)."""
    # `param` names the field whose value is the parent: htmx sends the changed select as is.
    parent = request.GET.get(request.GET.get("param", ""), "")
    options = presenters.locality_options(parent, request.GET.get("level", ""))
    context = {"options": options, "clear": request.GET.get("clear", "")}
    return render(request, "fieldwork/_locality_options.html", context)


_MEDIA_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp",
                "webm": "audio/webm", "ogg": "audio/ogg", "m4a": "audio/mp4", "mp3": "audio/mpeg",
                "wav": "audio/wav"}  # fmt: skip


def _holds(value, name: str) -> bool:
    if isinstance(value, dict):
        return any(_holds(inner, name) for inner in value.values())
    if isinstance(value, list):
        return any(_holds(inner, name) for inner in value)
    return value == name


@require_role(Role.INTERVIEWER, *STAFF)
def interview_media(request: HttpRequest, interview_id: int, name: str) -> HttpResponse:
    """A photo or recording of an interview: to its interviewer, and to supervisors (of its
    interviewer's team, accounts.teams) and analysts (the review page). Only a file the
    interview's answers or its audio audits name is served."""
    if request.user.role == Role.INTERVIEWER:
        interview = selectors.interview_for_interviewer(request.user, interview_id)
    else:
        seen = Interview.objects.filter(team_rows(request.user, "interviewer"))
        interview = get_object_or_404(seen.only("id", "answers"), pk=interview_id)
    path = media_path(interview.pk, name)
    if not is_stored_name(name):
        raise Http404
    if (
        not _holds(interview.answers, name)
        and not interview.audio_audits.filter(name=name).exists()
    ):
        raise Http404  # neither an answer's file nor an audio-audit recording of the interview
    if not default_storage.exists(path):
        raise Http404
    response = FileResponse(
        default_storage.open(path, "rb"), content_type=_MEDIA_TYPES[name.rsplit(".", 1)[1]]
    )
    response["Cache-Control"] = "private, no-store"  # a respondent's photo or voice
    return response


@require_role(*STAFF)
def trial_start(request: HttpRequest, pk: int) -> HttpResponse:
    """Start (or restart) a test run of a questionnaire version."""
    version = get_object_or_404(QuestionnaireVersion, pk=pk)
    TrialRun(request.session, version, today=timezone.localdate()).restart()
    return redirect("fieldwork:trial_page", pk=version.pk)


@require_role(*STAFF)
def trial_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The current page of a test run: shown on GET, checked and stored in the session on POST."""
    version = get_object_or_404(QuestionnaireVersion, pk=pk)
    run = TrialRun(request.session, version, today=timezone.localdate())
    form = run.form()
    if request.method == "POST" and run.is_open:
        data = request.POST
        if SWITCH_LANGUAGE in data or ROSTER_RESIZE in data:
            form = run.redisplay(data)
        elif BACK in data and run.can_go_back:
            run.go_back()
            return redirect("fieldwork:trial_page", pk=version.pk)
        else:
            form = run.form(data)
            if form.is_valid():
                run.submit(form)
                return redirect("fieldwork:trial_page", pk=version.pk)
    return render(request, "fieldwork/trial.html", trial_context(run, form))
