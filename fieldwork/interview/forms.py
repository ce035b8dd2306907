"""The interview's page form: one questionnaire group, built from the version's definition.

Shared by the interview wizard and the designers' trial run, with the controls that show a
page again without saving it (a roster's add/remove row, the questionnaire-language switch).
"""

from datetime import date
from urllib.parse import urlencode

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from common.labels import localized
from fieldwork.interview import flow, live, rosters
from fieldwork.interview.fields import EXTRA_TYPES, choice_label, extra_field, json_value
from fieldwork.interview.rosters import ROW_SEPARATOR, ROWS_NAME, RosterBuilder
from questionnaires import xpath
from questionnaires.files import file_choices
from questionnaires.xpath import ExpressionError, Interview, answer_problem
from sampling.models import Locality

LOCALITY_PARENT = {"street": "district", "community": "street"}


# Group appearances that lay a run of select_one questions on one list out as a grid.
GRID_APPEARANCES = ("table-list", "likert", "field-list")
# A submit button that changes a roster's number of rows: the page is shown again, not saved.
ROSTER_RESIZE = "roster_resize"
__all__ = ["ROSTER_RESIZE", "ROW_SEPARATOR", "PageForm", "breadcrumbs", "page_context",
           "resize_to"]  # fmt: skip


class PageForm(forms.Form):
    """A questionnaire page. Fields are added per request, for the questions still on path.

    Everything the page enforces is enforced here, on the server: a question off the path has no
    field (a crafted answer to it is ignored), required and constraint are checked with the
    questionnaire's own messages in the interview's language, a select with a choice_filter
    accepts only the choices the filter lets through, and a roster (a repeat group) accepts at
    most its maximum number of rows. A roster's rows may hold rosters of their own, at any
    depth (fieldwork.interview.rosters), each row evaluated in its own scope.

    `answers` are the interview's saved answers; relevance on this page is evaluated against
    them overlaid with the values of this page (as submitted, else as initially offered), so a
    question that depends on an earlier question of the same page appears once that is answered.
    """

    def __init__(
        self,
        *args,
        page: dict,
        answers: dict,
        language: str,
        rows: int | dict[str, int] | None = None,
        today: date | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.page = page
        self.group = page["group"]
        self.answers = answers
        self.language = language
        self.today = today  # and what else expressions read: flow.expression_context
        self.clock = {"today": today, "interview": page.get("expressions")}
        self.roster = flow.is_repeat(self.group)
        self.row_error, self.dormant = "", {}  # dormant: hidden until the browser shows them
        if self.roster:
            self._build_roster(rows)
        else:
            self._build_page()
        self.notes = [
            localized(q["label"], language)
            for q in self.group["questions"]
            if q["type"] == "note" and self._safe_relevant(q, self.answers)
        ]

    # --- building -------------------------------------------------------------------------

    def _build_page(self) -> None:
        own = {q["name"] for q in self.group["questions"]}
        context = {k: v for k, v in self.answers.items() if k not in own}
        self.questions = []
        for question in self.group["questions"]:
            if question["type"] == "calculate":  # as the browser does (live.js), in page order
                live.compute_into(context, question, self.clock)
            if not flow.is_asked(question):
                continue
            name = question["name"]
            if not self._safe_relevant(question, context):
                live.keep_dormant(self, question, context)
                continue
            self.questions.append(question)
            if not self.is_bound and name not in self.initial:
                default = self.default_for(question, context)
                if default is not None:
                    self.initial[name] = default
            # A choice filter may read the question's own answer (keep what is selected), so
            # its choices are made with that answer, as ODK has it in the instance.
            raw = self.raw_value(name, question)
            if raw not in (None, "", []):
                context[name] = raw
            self.fields[name] = self.field_for(question, context)
        # A question that depends on another on this page may appear once that is answered:
        # the browser cannot know, so it must not insist on answers the server may not want.
        self.use_required_attribute = not self._has_inner_logic()

    def _build_roster(self, rows: int | dict[str, int] | None) -> None:
        counts = {ROWS_NAME: rows} if isinstance(rows, int) else dict(rows or {})
        self.questions = []
        self.tree = RosterBuilder(self, counts).roster(
            self.group, trail="", outer=(), saved=self.answers.get(self.group["name"]),
            context=dict(self.answers), interview=self.clock["interview"] or Interview(),
        )  # fmt: skip
        self.row_count = self.tree.count
        self.row_error = next((r.error for r in rosters.each_roster(self.tree) if r.error), "")
        self.use_required_attribute = False

    rows_name = ROWS_NAME
    # Hidden: the fields the page showed, so a question that the page's own answers bring onto
    # the path is shown before the page is accepted (a required one would fail anyway; this
    # also catches optional ones, in a roster row too).
    shown_name = "shown"

    @property
    def shown_value(self) -> str:
        return " ".join(self.fields)

    @staticmethod
    def cell_name(index: int, question_name: str) -> str:
        return rosters.cell_name("", question_name, (index,))

    def _has_inner_logic(self) -> bool:
        names = {q["name"] for q in self.group["questions"]}
        for question in self.group["questions"]:
            expression = question.get("relevant")
            if expression:
                try:
                    if xpath.references(expression) & names:
                        return True
                except ExpressionError:
                    return True
        return False

    def _safe_relevant(self, question: dict, context: dict) -> bool:
        return flow.is_shown(question, context, **self.clock)

    def raw_value(self, name: str, question: dict):
        """This page's value of a question before cleaning: as submitted, else as offered."""
        if self.is_bound:
            key = self.add_prefix(name)
            if question["type"] == "select_multiple" and hasattr(self.data, "getlist"):
                return self.data.getlist(key)
            return self.data.get(key)
        return self.initial.get(name)

    def default_for(self, question: dict, context: dict, interview: Interview | None = None):
        clock = {**self.clock, "interview": interview} if interview else self.clock
        try:
            value = xpath.default_value(question, context, **clock)
        except (ExpressionError, ValueError, TypeError, ArithmeticError):
            return None
        return None if value in ("", []) else value

    def field_for(self, question: dict, context: dict) -> forms.Field:
        label = localized(question["label"], self.language)
        hint = localized(question["hint"], self.language) if question.get("hint") else ""
        common = {"label": label, "help_text": hint, "required": question.get("required", False)}
        if question.get("required_message"):
            common["error_messages"] = {
                "required": localized(question["required_message"], self.language)
            }
        kind = question["type"]
        if kind in EXTRA_TYPES:
            return extra_field(question, self._file_choices(question, context), common)
        if kind == "select_one":
            return forms.ChoiceField(
                choices=self._choices(question, context), widget=forms.RadioSelect, **common
            )
        if kind == "select_multiple":
            return forms.MultipleChoiceField(
                choices=self._choices(question, context),
                widget=forms.CheckboxSelectMultiple,
                **common,
            )
        if kind == "integer":
            return forms.IntegerField(**common)
        if kind == "decimal":
            return forms.DecimalField(**common)
        if kind == "date":
            return forms.DateField(
                input_formats=["%Y-%m-%d"],
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                **common,
            )
        if kind == "locality":
            return forms.ChoiceField(
                choices=self._locality_choices(question),
                widget=forms.Select(attrs=self._cascade_attrs(question)),
                **common,
            )
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **common)

    def _file_choices(self, question: dict, context: dict) -> list[tuple[str, str]]:
        """A select's choices from the form's attached file (or its list, for external
        selects), through the choice_filter."""
        if question.get("file"):
            version = self.page.get("version_id")
            options = list(file_choices(version, question["file"])) if version else []
        else:
            options = self.page["choice_lists"].get(question.get("list") or "", [])
        return self._choices(question, context, options)

    def _choices(self, question: dict, context: dict, options=None) -> list[tuple[str, str]]:
        # Only the choices the choice_filter lets through are offered, and only they validate:
        # ChoiceField refuses any other value, however the POST was made.
        options = self.page["choice_lists"][question["list"]] if options is None else options
        try:
            options = xpath.filter_choices(question, options, context, **self.clock)
        except (ExpressionError, ValueError, TypeError, ArithmeticError):
            options = []
        return [(c["value"], choice_label(c, self.language)) for c in options]

    def _locality_choices(self, question: dict) -> list[tuple[str, str]]:
        level = question["locality_level"]
        parent_question = self.page["locality_questions"].get(LOCALITY_PARENT.get(level))
        queryset = Locality.objects.filter(level=level)
        if parent_question is not None:
            parent_code = self._current_value(parent_question)
            queryset = queryset.filter(parent__code=parent_code) if parent_code else queryset.none()
        return [("", "---------")] + list(queryset.values_list("code", "name"))

    def _cascade_attrs(self, question: dict) -> dict:
        """htmx attributes that refill the next level's options when this one changes."""
        names = self.page["locality_questions"]
        on_page = {q["name"] for q in self.questions} | {
            q["name"] for q in self.group["questions"] if q.get("locality_level")
        }
        child_level = {"district": "street", "street": "community"}.get(question["locality_level"])
        child = names.get(child_level)
        if child not in on_page:
            return {}
        query = {"level": child_level, "param": self.add_prefix(question["name"])}
        grandchild = names.get({"street": "community"}.get(child_level))
        if grandchild in on_page:
            query["clear"] = f"id_{self.add_prefix(grandchild)}"
        return {
            "hx-get": f"{reverse('fieldwork:locality_options')}?{urlencode(query)}",
            "hx-target": f"#id_{self.add_prefix(child)}",
            "hx-trigger": "change",
        }

    def rows(self) -> list[tuple]:
        """(bound field, question) pairs in questionnaire order (the dormant ones too)."""
        return live.rows(self) if not self.roster else []

    live_data = property(live.live_data)  # for static/js/live.js

    def blocks(self) -> list[dict]:
        """The page laid out for the template: single questions, grids, or one roster.

        A grid is a run of at least two select_one questions on the same list, without a
        choice_filter, on a page whose appearance asks for a table: one row per question,
        one radio column per choice.
        """
        if self.roster:
            table = rosters.table_of(self, self.tree, self.language)
            return [{"kind": "roster", "table": table}]
        grid_page = (self.group.get("appearance") or "").split(" ")[0] in GRID_APPEARANCES
        blocks: list[dict] = []
        for field, question in self.rows():
            gridded = (
                grid_page
                and question["type"] == "select_one"
                and not question.get("choice_filter")
                and question.get("list")
            )
            last = blocks[-1] if blocks else None
            if gridded and last and last["kind"] == "grid" and last["list"] == question["list"]:
                last["rows"].append(self._grid_row(field, question))
            elif gridded:
                blocks.append(
                    {
                        "kind": "grid",
                        "list": question["list"],
                        "choices": [label for _, label in field.field.choices],
                        "rows": [self._grid_row(field, question)],
                    }
                )
            else:
                blocks.append({"kind": "question", "field": field, "question": question})
        # A one-row grid is just a question.
        return live.annotate(self, [
            {"kind": "question", "field": b["rows"][0]["field"],
             "question": b["rows"][0]["question"]}
            if b["kind"] == "grid" and len(b["rows"]) == 1 else b for b in blocks])  # fmt: skip

    def _grid_row(self, field, question: dict) -> dict:
        value = field.value()
        return {
            "field": field,
            "question": question,
            "cells": [
                {
                    "value": choice_value,
                    "label": choice_label,
                    "checked": value is not None and str(value) == str(choice_value),
                    "id": f"{field.auto_id}_{index}",
                }
                for index, (choice_value, choice_label) in enumerate(field.field.choices)
            ],
        }

    def redisplayed(self, *, rows: int | None = None, language: str | None = None) -> "PageForm":
        """The same page shown again with what was typed, not validated (a roster resized, the
        questionnaire language switched): an unbound form whose initial values are the input."""
        initial = dict(self.initial)
        for name in self.fields:
            initial[name] = self[name].data
        return PageForm(
            prefix=self.prefix,
            initial=initial,
            page=self.page,
            answers=self.answers,
            language=language or self.language,
            rows=self._counts(rows),
            today=self.today,
        )

    def _counts(self, asked: dict[str, int] | int | None) -> dict[str, int] | None:
        """Every roster's row count as shown, with the count a resize asked for."""
        if not self.roster:
            return None
        asked = {ROWS_NAME: asked} if isinstance(asked, int) else asked or {}
        shown = {r.rows_name: r.count for r in rosters.each_roster(self.tree)}
        return {**shown, **asked}

    def _current_value(self, name: str):
        """The value of another question: as submitted on this page, else as saved."""
        if self.is_bound and self.add_prefix(name) in self.data:
            return self.data.get(self.add_prefix(name))
        return self.initial.get(name, self.answers.get(name))

    # --- validation -----------------------------------------------------------------------

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.row_error:
            raise forms.ValidationError(self.row_error, code="too_many_rows")
        shown = self.data.get(self.add_prefix(self.shown_name))
        if shown is not None and set(self.fields) - set(shown.split()):
            self.add_error(
                None, _("Your answers bring more questions onto this page: please answer them.")
            )
        if self.roster:
            rosters.answers_of(self, self.tree, cleaned, dict(self.answers), check=True)
            return cleaned
        context = {**self.answers, **self.page_answers(cleaned)}
        for question in self.questions:
            self.check(question, question["name"], context.get(question["name"]), context)
        return cleaned

    def check(self, question: dict, name: str, value, context: dict,
              interview: Interview | None = None) -> None:  # fmt: skip
        if name in self.errors:
            return
        clock = {**self.clock, "interview": interview} if interview else self.clock
        problem = answer_problem(question, context, value, **clock)
        if not problem:
            return
        message = question.get(f"{problem}_message")
        if message:
            self.add_error(name, localized(message, self.language))
        elif problem == "required":
            self.add_error(name, _("This field is required."))
        else:
            self.add_error(name, _("Answer not allowed."))

    def page_answers(self, cleaned: dict | None = None) -> dict:
        """Cleaned values as JSON-ready answers; an empty value means unanswered.

        A roster gives `{group name: [row dict, ...]}`; answers to questions that the page's
        own answers took off the path are left out.
        """
        cleaned = cleaned if cleaned is not None else self.cleaned_data
        if self.roster:
            rows = rosters.answers_of(self, self.tree, cleaned, dict(self.answers), check=False)
            return {self.group["name"]: rows}
        own = {q["name"] for q in self.group["questions"]}
        context = {k: v for k, v in self.answers.items() if k not in own}
        answers, asked = {}, {q["name"] for q in self.questions}
        for question in self.group["questions"]:
            name = question["name"]
            if question["type"] == "calculate":
                live.compute_into(context, question, self.clock)
            if name not in asked or not self._safe_relevant(question, context):
                continue
            value = json_value(cleaned.get(name))
            if value is not None:
                answers[name] = value
                context[name] = value
        return answers

    def asked_names(self) -> list[str]:
        """Every answer name this page owns (asked or not): its questions, or its roster."""
        if self.roster:
            return [self.group["name"]]
        return [q["name"] for q in self.group["questions"] if q["type"] != "note"]


def breadcrumbs(group: dict, language: str) -> list[str]:
    """The labels of the groups the page sits in, from the top down (not the page's own)."""
    crumbs = [localized(crumb.get("label"), language) for crumb in group.get("breadcrumbs", [])]
    return [label for label in crumbs[:-1] if label]


def page_context(definition: dict, group_name: str, version_id: int | None = None) -> dict:
    group = next(g for g in definition["groups"] if g["name"] == group_name)
    return {
        "group": group,
        "version_id": version_id,  # whose attached files give choices
        "choice_lists": definition["choice_lists"],
        "locality_questions": {
            q["locality_level"]: q["name"]
            for g in definition["groups"]
            for q in g["questions"]
            if q.get("locality_level")
        },
    }


def resize_to(data) -> dict[str, int] | None:
    """{rows field: count} that a roster's add/remove button asks for (None if unreadable)."""
    return rosters.resize_request(data.get(ROSTER_RESIZE))
