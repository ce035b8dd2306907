"""The interview wizard: one page per questionnaire group, saved to the database per page.

Built on django-formtools' WizardView with three changes:
- its state is the interview's own (fieldwork.interview.storage): which pages were submitted
  and their data come from the interview row, so a page save writes the interview and not the
  session too, and two interviews open in one browser never overwrite each other;
- the steps and their conditions come from the interview's questionnaire version, set per
  request in dispatch();
- a GET does not start over: the wizard resumes at the first page on the path not yet
  submitted, so a dead browser or server loses at most the page being typed.

Each submitted page is settled before it is saved (fieldwork.interview.flow.settle): answers
that left the path are dropped and calculates recomputed, so the database never holds a hidden
question's answer. Two buttons redisplay the page without saving it: a roster's add/remove row
and the questionnaire-language switch (fieldwork.interview.languages).
"""

from collections import OrderedDict
from functools import cache, cached_property, partial

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _
from formtools.wizard.views import WizardView

from common.labels import localized
from fieldwork.audits.pages import keep_page_recording, page_audit
from fieldwork.dispositions import COMPLETE
from fieldwork.forms import AppointmentForm
from fieldwork.interview import flow, item_events, media, replay, respondent, rosters, submissions
from fieldwork.interview.forms import (
    ROSTER_RESIZE,
    PageForm,
    breadcrumbs,
    page_context,
    resize_to,
)
from fieldwork.interview.languages import (
    LANGUAGE_FIELD,
    SWITCH_LANGUAGE,
    choose_language,
    language_choices,
    questionnaire_language,
)
from fieldwork.models import Case, Interview, Mode
from fieldwork.presenters import disposition_label
from fieldwork.selectors import interview_for_interviewer, latest_selection
from fieldwork.services import interviews
from questionnaires import answers, xpath
from questionnaires.definitions import definition_of
from questionnaires.files import AttachedRows


@cache
def _stop_form_html(language: str) -> str:
    """The empty "stop and make an appointment" form below every page, drawn once per
    language: it is the same on every page and every interview."""
    with override(language):
        return AppointmentForm().as_p()


def _group_on_path(group: dict, wizard: "InterviewWizard") -> bool:
    return flow.is_shown(group, wizard.named_answers, interview=wizard.expressions)


class InterviewWizard(WizardView):
    storage_name = "fieldwork.interview.storage.InterviewStorage"
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
        self.definition = definition_of(self.interview.questionnaire_version)
        groups = self.definition["groups"]
        self.form_list = OrderedDict((g["name"], PageForm) for g in groups)
        self.condition_dict = {g["name"]: partial(_group_on_path, g) for g in groups}
        return super().dispatch(request, *args, **kwargs)

    @property
    def named_answers(self) -> dict:
        """The saved answers as the page form and expressions read them: by name. Read for
        every page's condition, so computed once per state of the answers (a saved page
        replaces the interview's answers with a new dict)."""
        return self._scope_of(self.interview.answers)

    def _scope_of(self, saved: dict) -> dict:
        """answers.scope() of `saved`, kept for the last dict asked about: the page saved in
        this request predicts the next page from the answers it is about to store, and the
        same dict, once it is the interview's, serves named_answers."""
        cached = getattr(self, "_scoped", None)
        if cached is None or cached[0] is not saved:
            cached = self._scoped = (saved, answers.scope(saved, self.definition))
        return cached[1]

    # --- forms -----------------------------------------------------------------------------

    def get_form(self, step=None, data=None, files=None):
        step = step or self.steps.current
        page = {
            **page_context(self.definition, step, self.interview.questionnaire_version_id),
            "expressions": self.expressions,
        }
        return PageForm(
            data=data,
            prefix=self.get_form_prefix(step),
            initial=self._initial(step),
            page=media.phone_page(page) if self.interview.mode == Mode.PHONE else page,
            answers=self.named_answers,
            language=self.language,
            today=timezone.localdate(),
        )

    @property
    def language_key(self) -> str:
        return f"interview_{self.interview.pk}_language"

    @cached_property
    def expressions(self) -> xpath.Interview:
        """What the form's expressions read besides the answers (flow.expression_context)."""
        return flow.expression_context(
            self.definition, today=timezone.localdate(), now=timezone.localtime(),
            started=self.interview.started_at, seed=f"interview-{self.interview.pk}",
            case_id=str(self.interview.case_id), language=self.language,
            data=AttachedRows(self.interview.questionnaire_version_id),
        )  # fmt: skip

    @property
    def language(self) -> str:
        return questionnaire_language(self.request.session, self.language_key, self.definition)

    def _initial(self, step: str) -> dict:
        initial = dict(self.named_answers)
        # The sample knows where the household is; offer it for the respondent to confirm.
        context = page_context(self.definition, step)
        questions = context["group"].get("questions", [])
        on_page = {q.get("name") for q in questions}
        for level, name in context["locality_questions"].items():
            if name in on_page and name not in initial and self.sampled_localities.get(level):
                initial[name] = self.sampled_localities[level]
        # The household member the door-to-door selection chose: their sex and age, to check.
        return initial | respondent.prefill(
            self.definition, questions, self.selected_person, initial
        )

    @cached_property
    def sampled_localities(self) -> dict[str, str | None]:
        """The codes of the case's district, street and community (None when the sample has
        no community for it), read in one query by the pages that offer them."""
        district, street, community, level = (
            Case.objects.filter(pk=self.interview.case_id)
            .values_list(
                "street__parent__code", "street__code", "unit__locality__code",
                "unit__locality__level",
            )
            .get()
        )  # fmt: skip
        community = community if level == "community" else None
        return {"district": district, "street": street, "community": community}

    @cached_property
    def selected_person(self) -> dict | None:
        """The household member a door-to-door interview is to be taken with, as the latest
        respondent selection of the case chose them; None by phone or without a selection."""
        if self.interview.mode != Mode.DOOR:
            return None
        selection = latest_selection(self.interview.case)
        return selection.selected if selection else None

    def saved_step_data(self, step: str) -> dict | None:
        """A submitted page's saved answers in the shape formtools stores submitted data;
        None when the page was not submitted (no `page_submitted` event in the paradata)."""
        return self._step_data(step) if step in self._submitted_steps() else None

    def _submitted_steps(self) -> set[str]:
        """The pages with a `page_submitted` event, read again when the paradata changed."""
        paradata = self.interview.paradata
        cached = getattr(self, "_submitted", None)
        if cached is None or cached[0] is not paradata or cached[1] != len(paradata):
            steps = {e.get("step") for e in paradata if e.get("event") == "page_submitted"}
            cached = self._submitted = (paradata, len(paradata), steps)
        return cached[2]

    def _follow_interview(self) -> None:
        self.storage.follow(saved=self.saved_step_data, step=self.interview.current_step or "")

    def _step_data(self, step: str) -> dict:
        """Saved answers of a page in the shape formtools stores submitted data."""
        prefix = self.get_form_prefix(step)
        data = {f"{self.prefix}-current_step": [step]}
        group = page_context(self.definition, step)["group"]
        named = self.named_answers
        if flow.is_repeat(group):
            stored = rosters.stored_data(group, named.get(group["name"]) or [])
            data.update({f"{prefix}-{name}": values for name, values in stored.items()})
            return data
        for question in group["questions"]:
            value = answers.get(self.interview.answers, question)
            if value is None:
                continue
            values = value if isinstance(value, list) else [value]
            data[f"{prefix}-{question['name']}"] = [str(v) for v in values]
        return data

    # --- flow ------------------------------------------------------------------------------

    def get(self, request, *args, **kwargs):
        self._follow_interview()
        steps = list(self.get_form_list())
        submitted = self._submitted_steps()
        resume_at = next((s for s in steps if s not in submitted), steps[-1])
        self.storage.current_step = resume_at
        return self.render(self.get_form(resume_at))

    def post(self, *args, **kwargs):
        self._follow_interview()
        # formtools 2.7 drops its resolved-steps cache after a valid page and assumes it was
        # filled earlier in the request, which only its own get_form() does.
        self.get_form_list()
        if SWITCH_LANGUAGE in self.request.POST or ROSTER_RESIZE in self.request.POST:
            return self._redisplay()
        if "wizard_goto_step" in self.request.POST:
            self._record_leaving("back", {"to": str(self.request.POST["wizard_goto_step"])[:100]})
        held = self._hold_for_another_respondent()
        if held is not None:
            return held
        # Pages kept offline on a tablet come again when the connection returns: each page
        # carries a key, and a key already received (or a stale page) is not applied.
        self.submission_key = submissions.parse_key(self.request.POST.get("submission_key"))
        self.page_version = replay.posted_page_version(self.request)
        refused = replay.refuse_replayed_page(self.request, self.interview, self.submission_key)
        if refused is not None:
            return refused
        self.submission_applied = False
        try:
            response = super().post(*args, **kwargs)
        except submissions.DuplicateSubmission:
            return replay.duplicate_page_response(self.interview, self.submission_key)
        except submissions.StalePage as stale:
            return replay.stale_page_response(
                self.request, self.interview, self.submission_key, str(stale)
            )
        if self.submission_applied:
            return replay.applied_page_response(response, self.submission_key)
        return response  # e.g. the page shown again with errors: nothing was stored

    def _redisplay(self):
        """Show the page again with what was typed, nothing saved: a roster resized or the
        questionnaire language switched."""
        posted_step = self.request.POST.get(f"{self.prefix}-current_step")
        if posted_step in self.get_form_list():
            self.storage.current_step = posted_step
        data = self.request.POST
        if SWITCH_LANGUAGE in data and data.get(LANGUAGE_FIELD) != self.language:
            changed = {"from": self.language, "to": str(data.get(LANGUAGE_FIELD))[:16]}
            self._record_leaving("language", changed)
        choose_language(
            self.request.session, self.language_key, self.definition, data.get(LANGUAGE_FIELD)
        )
        form = self.get_form(data=data)
        self.redisplaying = True
        return self.render(form.redisplayed(rows=resize_to(data), language=self.language))

    def _browser_items(self, step: str, end: str) -> list[dict]:
        """The paradata event of the browser's per-question log of this page (or of its
        refusal), without step and time (fieldwork.interview.item_events)."""
        group = page_context(self.definition, step)["group"]
        questions = {q["name"]: q for q in group.get("questions", []) if "name" in q}
        named = self.named_answers
        record, refused = item_events.summarise(
            self.request.POST.get(item_events.ITEMS_FIELD),
            questions=questions,
            previous={name: named.get(name) for name in questions},
            end=end,
        )
        if refused:
            return [{"event": "items_refused", "reason": refused}]
        return [{"event": "items", **record}] if record else []

    def _record_leaving(self, how: str, details: dict) -> None:
        """Note a page left without saving it (Back, a language switch): where to, and what
        the browser saw happen on it."""
        step = self.request.POST.get(f"{self.prefix}-current_step")
        if step not in self.get_form_list():
            return
        event = {"back": "went_back", "language": "language_switched"}[how]
        events = [*self._browser_items(step, how), {"event": event, **details}]
        interviews.record_events(
            interview=self.interview, events=[{**e, "step": step} for e in events]
        )

    def _hold_for_another_respondent(self):
        """A page whose sex or age describes someone other than the selected household member
        is shown again, nothing saved, with the warning, until the interviewer confirms it
        (the completed interview is then flagged for quality control). Back is never held."""
        post = self.request.POST
        if self.selected_person is None or "wizard_goto_step" in post:
            return None
        if post.get(respondent.CONFIRMED_FIELD) == "on":
            return None
        step = post.get(f"{self.prefix}-current_step")
        if step not in self.get_form_list():
            return None
        prefix = self.get_form_prefix(step)
        on_page = {q["name"] for q in page_context(self.definition, step)["group"]["questions"]}
        posted = {
            name: post.get(f"{prefix}-{name}")
            for name in (respondent.SEX_QUESTION, respondent.AGE_QUESTION)
            if name in on_page
        }
        warning = posted and respondent.mismatch_warning(
            self.selected_person, {**self.named_answers, **posted}
        )
        if not warning:
            return None
        self.storage.current_step = step
        self.redisplaying = True
        self.held_warning = warning
        form = self.get_form(step=step, data=post)
        return self.render(form.redisplayed(language=self.language))

    def render(self, form=None, **kwargs):
        # A page shown again with validation errors, or redisplayed, is still the same visit.
        redisplayed = getattr(self, "redisplaying", False)
        if not redisplayed and not (form is not None and form.is_bound and form.errors):
            # the page after a saved one had its "shown" written with the save
            if getattr(self, "shown_with_save", None) != self.steps.current:
                interviews.record_page_shown(interview=self.interview, step=self.steps.current)
        return super().render(form, **kwargs)

    def process_step(self, form):
        # The page's own answers replace what it held before; then everything that left the
        # path goes and the calculates are computed afresh, against the answers as locked.
        # Photos and recordings taken on the page are stored first (named by their content: a
        # page sent twice stores them once).
        media.store_captures(interview_id=self.interview.pk, values=form.cleaned_data.values())
        predicted: list[str | None] = []

        def shown_next(saved: dict) -> str | None:
            predicted.append(self._page_after(self.steps.current, saved))
            return predicted[-1]

        submissions.save_interview_page_once(
            key=getattr(self, "submission_key", None),
            page_version=getattr(self, "page_version", None),
            interview=self.interview,
            step=self.steps.current,
            asked_names=list(form.asked_names()),
            page_answers=form.page_answers(),
            today=timezone.localdate(),
            expressions=self.expressions,
            items=self._browser_items(self.steps.current, "next"),
            shown_next=shown_next,
        )
        self.shown_with_save = predicted[-1] if predicted else None
        self.submission_applied = True
        keep_page_recording(
            self.interview,
            self.definition,
            self.steps.current,
            self.request.POST.get("audit_audio"),
        )
        return self.get_form_step_data(form)

    def _page_after(self, step: str, saved: dict) -> str | None:
        """The page formtools shows after `step` once `saved` are the interview's answers
        (its get_next_step over the pages then on the path); None after the last page."""
        named = self._scope_of(saved)
        on_path = [
            group["name"]
            for group in self.definition["groups"]
            if flow.is_shown(group, named, interview=self.expressions)
        ]
        if step not in on_path:
            return on_path[0] if on_path else None
        after = on_path.index(step) + 1
        return on_path[after] if after < len(on_path) else None

    def render_done(self, form, **kwargs):
        # formtools would build and validate every page again here (the locality page's
        # choices read the database). Each page was validated when it was submitted and
        # settled into the saved answers, which finishing reads; the server-side storage
        # cannot be tampered with. What is left to catch is a page on the path never
        # submitted (opened up by a later answer): the interviewer is taken there.
        for step in self.get_form_list():
            if self.storage.get_step_data(step) is None:
                return self.render_revalidation_failure(step, self.get_form(step), **kwargs)
        response = self.done([], form_dict={}, **kwargs)
        self.storage.reset()
        return response

    def done(self, form_list, **kwargs):
        interview = interviews.finish_interview(interview=self.interview)
        code = interview.case.disposition
        if code == COMPLETE:
            messages.success(self.request, _("Interview completed. Thank you."))
        else:
            messages.info(
                self.request,
                _("Interview ended: %(outcome)s") % {"outcome": disposition_label(code)},
            )
        return redirect("fieldwork:my_cases")

    def get_context_data(self, form, **kwargs):
        context = super().get_context_data(form=form, **kwargs)
        group = page_context(self.definition, self.steps.current)["group"]
        language = self.language
        context.update(
            languages=language_choices(self.definition),
            language_field=LANGUAGE_FIELD,
            current_language=self.language,
            stop_form=_stop_form_html(get_language()),
            interview=self.interview,
            respondent=respondent.person_text(self.selected_person) if self.selected_person else "",
            respondent_warning=getattr(self, "held_warning", "")
            or respondent.mismatch_warning(self.selected_person, self.named_answers),
            confirm_respondent=bool(getattr(self, "held_warning", "")),
            confirmed_field=respondent.CONFIRMED_FIELD,
            case=self.interview.case,
            page_title=localized(group["label"], language) if group.get("label") else "",
            breadcrumbs=breadcrumbs(group, language),
            progress=round(100 * self.steps.step0 / max(self.steps.count, 1)),
            # Later pages may open up once this page is answered, so only the questionnaire's
            # own last page is labelled as the end.
            is_final_page=self.steps.current == self.definition["groups"][-1]["name"],
            page_version=submissions.current_page_version(self.interview),  # see interview.replay
            audio_audit=page_audit(self.interview, self.definition, self.steps.current),
            # A page shown again with errors keeps its key: corrected, it settles a kept copy.
            submission_key=(
                (getattr(self, "submission_key", None) or "")
                if form.is_bound and form.errors
                else ""
            ),
        )
        return context
