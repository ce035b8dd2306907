"""The wizard's pages, made from the tree of groups and repeats. Pure: no Django.

- A group whose children are all questions is one page, as is a `field-list` (or
  `table-list`) group with everything inside it;
- other groups flatten: each run of their own questions is a page, and each group inside
  them is paged the same way;
- a repeat is one page, a roster: the questions of its row, and a repeat inside it a nested
  roster (an entry of type "repeat" with its own questions), at any depth; a repeat inside a
  one-page group is a page of its own after that group's page;
- a question outside any group is a page of its own (as ODK shows it), except a calculate,
  which joins the page before it (or the first page).

A page's `relevant` joins its own and its enclosing groups' conditions; `breadcrumbs` lists
the groups from the top down to the page, each with its path and label. Device metadata is
on no page.
"""

from questionnaires.xlsform.types import METADATA

__all__ = ["make_pages"]

_ONE_PAGE = ("field-list", "table-list")


def _joined(conditions: list[str | None]) -> str | None:
    present = [condition for condition in conditions if condition]
    if len(present) <= 1:
        return present[0] if present else None
    return " and ".join(f"({condition})" for condition in present)


class _Pager:
    def __init__(self, questions: dict[str, dict]) -> None:
        self.questions = questions
        self.pages: list[dict] = []
        # a page's name is never a question's (the wizard's steps and answers sit side by side)
        self.taken: set[str] = {question["name"] for question in questions.values()}
        self.loose_calculates: list[dict] = []

    def name(self, wanted: str) -> str:
        name = wanted
        while name in self.taken:
            name = f"_{name}"
        self.taken.add(name)
        return name

    def page(self, group: dict, crumbs: list[dict], conditions: list, questions: list) -> None:
        self.pages.append(
            {
                "name": self.name(group["name"]),
                "path": group["path"],
                "label": group["label"],
                "relevant": _joined(conditions),
                "appearance": group.get("appearance"),
                "repeat": group.get("repeat"),
                "breadcrumbs": crumbs,
                "questions": questions,
            }
        )

    def top(self, nodes: list[dict]) -> None:
        for node in nodes:
            if "question" in node:
                question = self.questions[node["question"]]
                if question["kind"] == METADATA:
                    continue
                if question["type"] == "calculate":
                    if self.pages:
                        self.pages[-1]["questions"].append(question)
                    else:
                        self.loose_calculates.append(question)
                    continue
                group = {"name": f"page_{question['name']}", "path": question["path"],
                         "label": {}}  # fmt: skip
                self.page(group, [], [], [question])
            else:
                self.group(node, [], [])
        if self.loose_calculates:
            if not self.pages:
                self.page({"name": "page_calculations", "path": "/", "label": {}}, [], [], [])
            self.pages[0]["questions"][:0] = self.loose_calculates

    def group(self, group: dict, crumbs: list[dict], conditions: list) -> None:
        crumbs = [*crumbs, {"path": group["path"], "label": group["label"]}]
        conditions = [*conditions, group.get("relevant")]
        flat = group["kind"] == "repeat" or (group.get("appearance") or "").split(" ")[0] in (
            _ONE_PAGE
        )
        if flat or all("question" in child for child in group["children"]):
            repeats: list[tuple[dict, list]] = []
            in_roster = group["kind"] == "repeat"
            questions = self.inline(group["children"], [], repeats=None if in_roster else repeats)
            self.page(group, crumbs, conditions, questions)
            for repeat, inner_conditions in repeats:  # a roster in a one-page group: its own page
                self.group(repeat, crumbs, [*conditions, *inner_conditions])
            return
        run: list[dict] = []
        for child in group["children"]:
            if "question" in child:
                question = self.questions[child["question"]]
                if question["kind"] != METADATA:
                    run.append(question)
                continue
            if run:
                self.page(group, crumbs, conditions, run)
                run = []
            self.group(child, crumbs, conditions)
        if run:
            self.page(group, crumbs, conditions, run)

    def inline(self, nodes: list[dict], conditions: list, *, repeats: list | None) -> list[dict]:
        """Everything inside a one-page group: nested groups' questions inline (with their
        conditions); a repeat inside a roster is a nested roster, one inside another group is
        put in `repeats` (with its conditions) to be a page of its own."""
        out: list[dict] = []
        for node in nodes:
            if "question" in node:
                question = self.questions[node["question"]]
                if question["kind"] == METADATA:
                    continue
                if conditions:
                    question["relevant"] = _joined([*conditions, question.get("relevant")])
                out.append(question)
            elif node["kind"] == "repeat" and repeats is not None:
                repeats.append((node, conditions))
            elif node["kind"] == "repeat":
                out.append(
                    {
                        "type": "repeat",
                        "kind": "repeat",
                        "name": node["name"],
                        "path": node["path"],
                        "label": node["label"],
                        "relevant": _joined([*conditions, node.get("relevant")]),
                        "appearance": node.get("appearance"),
                        "repeat": node["repeat"],
                        "questions": self.inline(node["children"], [], repeats=None),
                    }
                )
            else:
                inner = [*conditions, node.get("relevant")]
                out.extend(self.inline(node["children"], inner, repeats=repeats))
        return out


def make_pages(nodes: list[dict], questions: dict[str, dict]) -> list[dict]:
    pager = _Pager(questions)
    pager.top(nodes)
    return pager.pages
