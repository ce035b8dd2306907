"""The interview wizard: one page per questionnaire group, saved to the database per page.

Built on django-formtools' SessionWizardView with three changes:
- each interview has its own storage slot (get_prefix), so two interviews open in one browser
  never overwrite each other;
- the steps and their conditions come from the interview's questionnaire version, set per
  request in dispatch();
- a GET does not start over: storage is refilled from the answers saved in the database and the
  wizard resumes at the first page not yet submitted, so a dead browser or server loses at
  most the page being typed.
"""

from collections import OrderedDict
from functools import partial

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from formtools.wizard.views import SessionWizardView

from fieldwork import services
from fieldwork.dispositions import COMPLETE
from fieldwork.forms import AppointmentForm, PageForm, page_context
from fieldwork.models import Case, Interview
from fieldwork.selectors import interview_for_interviewer
from questionnaires.logic import is_relevant
from questionnaires.presenters import localized


def _group_on_path(group: dict, wizard: "InterviewWizard") -> bool:
    return is_relevant(group, wizard.interview.answers)


class InterviewWizard(SessionWizardView):
    template_name = "fieldwork/interview_page.html"
    form_list = [("page", forms.Form)]  # replaced per request in dispatch()

    def get_prefix(self, request, *args, **kwargs) -> str:
        return f"interview_{kwargs['interview_id']}"

    def dispatch(self, request, *args, **kwargs):
        self.interview = interview_for_interviewer(request.user, kwargs["interview_id"])
        if self.interview.status != Interview.Status.IN_PROGRESS:
            return redirect("fieldwork:case_detail", case_id=self.interview.case_id)
        if self.interview.case.status == Case.Status.PENDING:
            # Stopped with an appointment: resuming goes through the case page, which records
            # the new call as an attempt.
            return redirect("fieldwork:case_detail", case_id=self.interview.case_id)
        self.definition = self.interview.questionnaire_version.definition
        groups = self.definition["groups"]
        self.form_list = OrderedDict((g["name"], PageForm) for g in groups)
        self.condition_dict = {g["name"]: partial(_group_on_path, g) for g in groups}
        return super().dispatch(request, *args, **kwargs)

    # --- forms -----------------------------------------------------------------------------

    def get_form(self, step=None, data=None, files=None):
        step = step or self.steps.current
        return PageForm(
            data=data,
            prefix=self.get_form_prefix(step),
            initial=self._initial(step),
            page=page_context(self.definition, step),
            answers=self.interview.answers,
            language=get_language() or "zh-hans",
        )

    def _initial(self, step: str) -> dict:
        initial = dict(self.interview.answers)
        # The sample knows where the household is; offer it for the respondent to confirm.
        case = self.interview.case
        sampled = {
            "district": case.street.parent.code if case.street.parent else None,
            "street": case.street.code,
            "community": case.unit.locality.code
            if case.unit.locality.level == "community"
            else None,
        }
        context = page_context(self.definition, step)
        for level, name in context["locality_questions"].items():
            if name not in initial and sampled.get(level):
                initial[name] = sampled[level]
        return initial

    def _step_data(self, step: str) -> dict:
        """Saved answers of a page in the shape formtools stores submitted data."""
        prefix = self.get_form_prefix(step)
        data = {f"{self.prefix}-current_step": [step]}
        for question in page_context(self.definition, step)["group"]["questions"]:
            value = self.interview.answers.get(question["name"])
            if value is None:
                continue
            values = value if isinstance(value, list) else [value]
            data[f"{prefix}-{question['name']}"] = [str(v) for v in values]
        return data

    # --- flow ------------------------------------------------------------------------------

    def get(self, request, *args, **kwargs):
        self.storage.reset()
        steps = list(self.get_form_list())
        submitted = {e["step"] for e in self.interview.paradata if e["event"] == "page_submitted"}
        for step in steps:
            if step in submitted:
                self.storage.set_step_data(step, self._step_data(step))
        resume_at = next((s for s in steps if s not in submitted), steps[-1])
        self.storage.current_step = resume_at
        return self.render(self.get_form(resume_at))

    def post(self, *args, **kwargs):
        # formtools 2.7 drops its resolved-steps cache after a valid page and assumes it was
        # filled earlier in the request, which only its own get_form() does.
        self.get_form_list()
        return super().post(*args, **kwargs)

    def render(self, form=None, **kwargs):
        # A page shown again with validation errors is still the same visit.
        if not (form is not None and form.is_bound and form.errors):
            services.record_page_shown(interview=self.interview, step=self.steps.current)
        return super().render(form, **kwargs)

    def process_step(self, form):
        services.save_interview_page(
            interview=self.interview,
            step=self.steps.current,
            question_names=[q["name"] for q in form.questions],
            answers=form.page_answers(),
        )
        return self.get_form_step_data(form)

    def done(self, form_list, **kwargs):
        interview = services.finish_interview(interview=self.interview)
        code = interview.case.disposition
        if code == COMPLETE:
            messages.success(self.request, _("Interview completed. Thank you."))
        else:
            messages.info(
                self.request,
                _("Interview ended: %(outcome)s") % {"outcome": services.disposition_label(code)},
            )
        return redirect("fieldwork:my_cases")

    def get_context_data(self, form, **kwargs):
        context = super().get_context_data(form=form, **kwargs)
        group = page_context(self.definition, self.steps.current)["group"]
        language = get_language() or "zh-hans"
        context.update(
            stop_form=AppointmentForm(),
            interview=self.interview,
            case=self.interview.case,
            page_title=localized(group["label"], language) if group.get("label") else "",
            progress=round(100 * self.steps.step0 / max(self.steps.count, 1)),
            # Later pages may open up once this page is answered, so only the questionnaire's
            # own last page is labelled as the end.
            is_final_page=self.steps.current == self.definition["groups"][-1]["name"],
        )
        return context
