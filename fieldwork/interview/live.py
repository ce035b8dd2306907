"""What the interview page needs to recompute its own relevance and calculates in the browser
(static/js/live.js), without a round trip. The server stays the authority: see
questionnaires.xpath.browser for the subset the browser runs, and PageForm.clean for the check
of what the page showed.

A question whose `relevant` reads an answer of the same page is "live": its parsed expression
goes to the browser. One not relevant yet is still rendered, hidden ("dormant"), outside the
form's fields (it is neither validated nor saved), so that the browser can show it the moment
its condition is met. Rosters are not live (their rows are redisplayed by the server).
"""

import json
from math import isfinite

from django.forms import BoundField

from fieldwork.interview import flow
from questionnaires.xpath.browser import browser_program, names_in

__all__ = ["annotate", "compute_into", "keep_dormant", "live_data", "rows"]


def compute_into(context: dict, question: dict, clock: dict) -> None:
    """A calculate of the page computed from the answers before it on the page (as submitted
    or offered), so that a question it governs appears on the same page; what is stored is
    computed again when the page is saved (flow.settle)."""
    value = flow.compute_text(question.get("calculation") or "", context, **clock,
                              current=context.get(question["name"]))  # fmt: skip
    if value is None:
        context.pop(question["name"], None)
    else:
        context[question["name"]] = value


def _page_names(form) -> set[str]:
    return {q["name"] for q in form.group["questions"]}


def _calculates(form) -> dict:
    """{name: program} for the page's calculates the browser can compute."""
    found = {}
    for question in form.group["questions"]:
        if question["type"] == "calculate":
            program = browser_program(question.get("calculation"))
            if program is not None:
                found[question["name"]] = program
    return found


def _plain(value) -> bool:
    if isinstance(value, list):
        return all(isinstance(item, str | int | float) for item in value)
    return isinstance(value, str | int | float | bool)


def program_of(form, question: dict):
    """The question's relevance for the browser, when it reads this page and the browser can
    compute everything it reads; else None."""
    if form.roster:
        return None
    cache = form.__dict__.setdefault("_live_programs", {})
    if question["name"] in cache:
        return cache[question["name"]]
    program = browser_program(question.get("relevant"))
    found = None
    if program is not None:
        names = names_in(program)
        own = _page_names(form)
        calculates = _calculates(form)
        page_calculates = {q["name"] for q in form.group["questions"] if q["type"] == "calculate"}
        readable = all(
            (name in own and (name not in page_calculates or name in calculates))
            or (name not in own and _plain(form.answers.get(name, "")))
            for name in names
        )
        if names & own and readable:
            found = program
    cache[question["name"]] = found
    return found


def keep_dormant(form, question: dict, context: dict) -> None:
    """A question off the path for now that the browser may bring onto it: rendered hidden."""
    if program_of(form, question) is None:
        return
    form.dormant[question["name"]] = form.field_for(question, context)


def rows(form) -> list[tuple]:
    """(bound field, question) in questionnaire order, the dormant questions included."""
    dormant = getattr(form, "dormant", {})
    asked = {q["name"] for q in form.questions}
    found = []
    for question in form.group["questions"]:
        name = question["name"]
        if name in asked:
            found.append((form[name], question))
        elif name in dormant:
            found.append((BoundField(form, dormant[name], name), question))
    return found


def annotate(form, blocks: list[dict]) -> list[dict]:
    """Each question (and grid row) with its live expression and whether it starts hidden."""
    dormant = getattr(form, "dormant", {})

    def mark(item: dict) -> None:
        program = program_of(form, item["question"])
        item["live"] = json.dumps(program, ensure_ascii=False) if program is not None else ""
        item["dormant"] = item["question"]["name"] in dormant

    for block in blocks:
        if block["kind"] == "question":
            mark(block)
        elif block["kind"] == "grid":
            for row in block["rows"]:
                mark(row)
    return blocks


def live_data(form) -> dict | None:
    """The page's calculates and the earlier answers the live expressions read (#live-data)."""
    if form.roster:
        return None
    programs = [program_of(form, q) for q in form.group["questions"]]
    programs = [p for p in programs if p is not None]
    if not programs:
        return None
    calculates = _calculates(form)
    own = _page_names(form)
    read = set().union(*(names_in(p) for p in programs), *map(names_in, calculates.values()))
    context = {}
    for name in read - own:
        value = form.answers.get(name, "")
        if isinstance(value, float) and not isfinite(value):
            value = ""
        context[name] = value if _plain(value) else ""
    order = [q["name"] for q in form.group["questions"] if q["name"] in calculates]
    return {"context": context, "calculates": [[name, calculates[name]] for name in order]}
