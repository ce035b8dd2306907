"""The answers that locate or record a respondent: location (geopoint), photo and audio
questions, at any depth of rosters (pure). A purge removes them and keeps every other answer."""

from collections.abc import Iterator

from questionnaires import answers as A

PERSONAL_TYPES = ("geopoint", "image", "audio")


def _walk(items: list[dict], answers: dict) -> Iterator[tuple[dict, dict]]:
    """(the dict holding the answer, the question) for every personal question answered."""
    for item in items:
        if item.get("type") == "repeat" and "questions" in item:
            for row in A.rows(answers, item):
                yield from _walk(item["questions"], row)
        elif item.get("type") in PERSONAL_TYPES and A.has(answers, item):
            yield answers, item


def personal_answers(answers: dict, definition: dict) -> int:
    """How many personal answers `answers` holds."""
    return sum(1 for _ in _answered(answers, definition))


def _answered(answers: dict, definition: dict) -> Iterator[tuple[dict, dict]]:
    for page in definition.get("groups", []):
        yield from _walk(page["questions"], answers)


def without_personal_answers(answers: dict, definition: dict) -> int:
    """Remove the personal answers from `answers` in place; returns how many went."""
    found = list(_answered(answers, definition))
    for holder, question in found:
        A.drop(holder, question)
    return len(found)
