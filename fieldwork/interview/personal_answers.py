"""The answers that locate or record a respondent: location (geopoint), photo and audio
questions, at any depth of rosters (pure). A purge removes them and keeps every other answer.

Location answers are exact positions: until the purge they rest sealed (`seal_locations` marks
them `Sealed`, which the answers' column stores as a token; readers see the point as text).
"""

from collections.abc import Iterator

from common.crypto import Sealed
from questionnaires import answers as A

PERSONAL_TYPES = ("geopoint", "image", "audio")
LOCATION_TYPES = ("geopoint", "geotrace", "geoshape")


def _walk(
    items: list[dict], answers: dict, types: tuple[str, ...] = PERSONAL_TYPES
) -> Iterator[tuple[dict, dict]]:
    """(the dict holding the answer, the question) for every question of `types` answered."""
    for item in items:
        if item.get("type") == "repeat" and "questions" in item:
            for row in A.rows(answers, item):
                yield from _walk(item["questions"], row, types)
        elif item.get("type") in types and A.has(answers, item):
            yield answers, item


def personal_answers(answers: dict, definition: dict) -> int:
    """How many personal answers `answers` holds."""
    return sum(1 for _ in _answered(answers, definition))


def _answered(
    answers: dict, definition: dict, types: tuple[str, ...] = PERSONAL_TYPES
) -> Iterator[tuple[dict, dict]]:
    for page in definition.get("groups", []):
        yield from _walk(page["questions"], answers, types)


def seal_locations(answers: dict, definition: dict) -> dict:
    """Mark every location answer in `answers` (in place, at any depth of rosters) to rest
    sealed; returns `answers`. Whatever wrote them (a page, an import, a copy), they are
    stored as tokens."""
    for holder, question in _answered(answers, definition, LOCATION_TYPES):
        value = A.get(holder, question)
        if isinstance(value, str) and value and not isinstance(value, Sealed):
            holder[A.key(question)] = Sealed(value)
    return answers


def opened_locations(answers: dict, definition: dict) -> dict:
    """The reverse of `seal_locations` (in place): location answers as plain text again."""
    for holder, question in _answered(answers, definition, LOCATION_TYPES):
        value = A.get(holder, question)
        if isinstance(value, Sealed):
            holder[A.key(question)] = str.__str__(value)
    return answers


def without_personal_answers(answers: dict, definition: dict) -> int:
    """Remove the personal answers from `answers` in place; returns how many went."""
    found = list(_answered(answers, definition))
    for holder, question in found:
        A.drop(holder, question)
    return len(found)
