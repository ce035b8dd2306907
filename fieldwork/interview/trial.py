"""Test mode for questionnaire designers: run any version's pages, storing nothing.

The same page forms and rules as the interview wizard (fieldwork.interview.forms.PageForm,
fieldwork.interview.flow.settle), but the answers live in the designer's session only, under
`trial_<version pk>`: {"answers": {...}, "history": [submitted steps], "step": str,
"done": bool}; the questionnaire language under `trial_<version pk>_language`. No interview,
case or paradata row is written.
"""

from datetime import date

from common.labels import localized
from fieldwork.interview import flow
from fieldwork.interview.forms import PageForm, breadcrumbs, page_context, resize_to
from fieldwork.interview.languages import (
    LANGUAGE_FIELD,
    choose_language,
    language_choices,
    questionnaire_language,
)
from questionnaires import answers
from questionnaires.files import AttachedRows
from questionnaires.models import QuestionnaireVersion

# The page's submit button that goes back one page.
BACK = "trial_back"


def _fresh(definition: dict) -> dict:
    first = flow.relevant_groups(definition, {})
    return {"answers": {}, "history": [], "step": first[0]["name"] if first else "", "done": False}


def next_step(definition: dict, answers: dict, after: str) -> str | None:
    """The first page on the path after `after`, given the answers (None: the end)."""
    names = [group["name"] for group in definition["groups"]]
    on_path = {group["name"] for group in flow.relevant_groups(definition, answers)}
    later = names[names.index(after) + 1 :] if after in names else names
    return next((name for name in later if name in on_path), None)


class TrialRun:
    """One designer's test run of a questionnaire version, kept in their session.

    Changes are written back to the session as they are made (restart, go_back, submit).
    """

    def __init__(self, session, version: QuestionnaireVersion, *, today: date):
        self.session = session
        self.version = version
        self.definition = version.definition
        self.today = today
        self.key = f"trial_{version.pk}"
        self.language_key = f"{self.key}_language"
        self.state = session.get(self.key) or _fresh(self.definition)

    @property
    def step(self) -> str:
        return self.state["step"]

    @property
    def is_open(self) -> bool:
        """There is a page to answer: the run has pages and has not reached the end."""
        return bool(self.step) and not self.state["done"]

    @property
    def can_go_back(self) -> bool:
        return bool(self.state["history"])

    @property
    def language(self) -> str:
        return questionnaire_language(self.session, self.language_key, self.definition)

    def form(self, data=None) -> PageForm | None:
        """The current page's form (bound to `data` when given); None for a version without
        pages."""
        if not self.step:
            return None
        named = answers.scope(self.state["answers"], self.definition)
        return PageForm(
            data=data,
            prefix=self.step,
            initial=dict(named),
            page={
                **page_context(self.definition, self.step, self.version.pk),
                "expressions": self.expressions(),
            },  # fmt: skip
            answers=named,
            language=self.language,
            today=self.today,
        )

    def expressions(self):
        """What the form's expressions read besides the answers; a trial run has no case."""
        return flow.expression_context(
            self.definition, today=self.today, seed=f"trial-{self.session.session_key}",
            language=self.language, data=AttachedRows(self.version.pk),
        )  # fmt: skip

    def redisplay(self, data) -> PageForm:
        """The page shown again with what was typed, nothing stored: a roster resized or the
        questionnaire language switched."""
        choose_language(self.session, self.language_key, self.definition, data.get(LANGUAGE_FIELD))
        return self.form(data).redisplayed(rows=resize_to(data), language=self.language)

    def restart(self) -> None:
        self.state = _fresh(self.definition)
        self._save()

    def go_back(self) -> None:
        """Back to the page submitted last."""
        self.state["step"] = self.state["history"].pop()
        self._save()

    def submit(self, form: PageForm) -> None:
        """Take a valid page: its answers replace what it held, everything that left the path
        goes and the calculates are recomputed (flow.settle); then on to the next page on the
        path, or the end."""
        page = page_context(self.definition, self.step)["group"]
        asked, keyed = answers.from_page(page, list(form.asked_names()), form.page_answers())
        own = set(asked)
        before = {k: v for k, v in self.state["answers"].items() if k not in own}
        self.state["answers"] = flow.settle(self.definition, before | keyed, today=self.today,
                                            interview=self.expressions(),
                                            previous=self.state["answers"])  # fmt: skip
        self.state["history"].append(self.step)
        following = next_step(self.definition, self.state["answers"], self.step)
        self.state["step"] = following or self.step
        self.state["done"] = following is None
        self._save()

    def _save(self) -> None:
        self.session[self.key] = self.state


def trial_context(run: TrialRun, form: PageForm | None) -> dict:
    """What templates/fieldwork/trial.html shows of the run: the page, or the outcome."""
    definition, state, step = run.definition, run.state, run.step
    group = page_context(definition, step)["group"] if step else {}
    language = run.language
    return {
        "version": run.version,
        "form": form,
        "state": state,
        "page_title": localized(group.get("label"), language),
        "breadcrumbs": breadcrumbs(group, language) if group else [],
        "outcome": flow.outcome(definition, state["answers"]) if state["done"] else "",
        "answers": sorted(state["answers"].items()),
        "languages": language_choices(definition),
        "language_field": LANGUAGE_FIELD,
        "current_language": language,
        "back": BACK,
        "is_final_page": bool(step) and step == definition["groups"][-1]["name"],
    }
