"""The form's tree as the preview and the changes page show it: every group and repeat at
any depth with its questions, rosters nested in roster rows, and labels by path."""

from common.labels import all_languages, localized
from questionnaires import answers

__all__ = ["labels_by_key", "page_items", "page_preview", "roster_preview", "tree_outline"]


def page_items(items: list[dict], depth: int = 0):
    """(question or nested roster, depth) of a page in order, a roster's own questions after
    it one level deeper."""
    for item in items:
        yield item, depth
        if item.get("type") == "repeat" and "questions" in item:
            yield from page_items(item["questions"], depth + 1)


def page_preview(group: dict, questions: list[dict], names, languages: list[str],
                 language: str) -> dict:  # fmt: skip
    """A wizard page as the preview shows it: its sections (the groups it sits in), labels in
    every language, logic in words, roster settings and its questions' previews."""
    repeat = group.get("repeat")
    return {
        "name": group["name"],
        "label": localized(group.get("label"), language),
        "sections": [
            localized(crumb.get("label"), language) or crumb["path"]
            for crumb in group.get("breadcrumbs", [])[:-1]
        ],
        "labels": all_languages(group.get("label"), languages),
        "relevant": names.parts(group.get("relevant")),
        "appearance": group.get("appearance"),
        "repeat": {"count": names.parts(repeat.get("count")), "max": repeat.get("max")}
        if repeat
        else None,
        "questions": questions,
    }


def roster_preview(item: dict, depth: int, names, languages: list[str],
                    language: str) -> dict:  # fmt: skip
    """A roster nested in a roster's rows, as a heading row of the page's table."""
    repeat = item.get("repeat") or {}
    return {
        "type": "repeat",
        "name": item["name"],
        "path": item.get("path"),
        "depth": depth,
        "label": localized(item.get("label"), language),
        "labels": all_languages(item.get("label"), languages),
        "relevant": names.parts(item.get("relevant")),
        "count": names.parts(repeat.get("count")),
        "max": repeat.get("max"),
    }


def tree_outline(
    nodes: list[dict], definition: dict, language: str, *, type_label=str
) -> list[dict]:
    """The form's tree of groups and repeats, each question in it, for the outline: {kind,
    name, path, label, type (its name for people, by `type_label`), appearance, page (the
    wizard page it is on), children}."""
    questions = {answers.key(q): q for q in answers.elements(definition)}
    questions.update({q["path"]: q for q in definition.get("metadata", []) if q.get("path")})
    pages = {}
    for group in definition.get("groups", []):
        for question, _depth in page_items(group["questions"]):
            pages.setdefault(answers.key(question), group["name"])
        pages.setdefault(group.get("path"), group["name"])

    def outline(children: list[dict]) -> list[dict]:
        out = []
        for node in children:
            if "question" in node:
                question = questions.get(node["question"], {"name": node["question"]})
                out.append({"kind": "question", "name": question["name"], "path": node["question"],
                            "label": localized(question.get("label"), language),
                            "type": type_label(question.get("type", "")),
                            "page": pages.get(node["question"])})  # fmt: skip
                continue
            out.append({"kind": node["kind"], "name": node["name"], "path": node["path"],
                        "label": localized(node.get("label"), language),
                        "appearance": node.get("appearance"), "page": pages.get(node["path"]),
                        "children": outline(node.get("children", []))})  # fmt: skip
        return out

    return outline(nodes)


def labels_by_key(definition: dict, language: str) -> dict[str, str]:
    """{path: label} of every question, group and repeat of the tree, at any depth."""
    labels: dict[str, str] = {}

    def walk(children: list[dict]) -> None:
        for node in children:
            if "question" in node:
                continue
            labels[node["path"]] = localized(node.get("label"), language)
            walk(node.get("children", []))

    walk(definition.get("tree", []))
    for element in answers.elements(definition):
        labels[answers.key(element)] = localized(element.get("label"), language)
    return labels
