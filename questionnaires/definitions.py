"""A questionnaire version's parsed definition, read once per process when it is published.

A published version never changes (QuestionnaireVersion), so the interview wizard and the
page save need not read its definition, several hundred kilobytes of JSON, on every page.
Drafts are read afresh each time. The definition returned is shared: callers must not change it.
A version is known by its id and publication time together (ids can come back after a
rollback; the publication time of a new version is another).
"""

import threading
from collections import OrderedDict

from questionnaires.models import QuestionnaireVersion

CACHED_VERSIONS = 32

_cache: OrderedDict[tuple, dict] = OrderedDict()
_lock = threading.Lock()


def definition_of(version: QuestionnaireVersion) -> dict:
    """The version's definition; a published one read once. `version` may have its
    definition deferred (e.g. `.defer("questionnaire_version__definition")`)."""
    if version.published_at is None:
        return version.definition
    key = (version.pk, version.published_at)
    with _lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
            return found
    definition = version.definition
    with _lock:
        _cache[key] = definition
        while len(_cache) > CACHED_VERSIONS:
            _cache.popitem(last=False)
    return definition


def forget() -> None:
    """Empty the cache: for tests, whose rolled-back versions can come back under the same id
    and (when a test fixes it) the same publication time."""
    with _lock:
        _cache.clear()
