"""The registry of personal-data holders: every model field and kind of stored file that keeps
a respondent's personal data says here what it is, where, and how to count and purge it for
one wave.

Each app registers its own holders from its `AppConfig.ready()` (`<app>/personal_data.py`), so
the purge (privacy.purge) and its tests cover a new holder without being changed; a model field
whose name looks personal but holds none (an organisation's name, a place's coordinates) is
declared with `not_personal` and a reason. tests/privacy/test_registry.py fails on a field that
looks personal and is neither.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.utils.functional import Promise

from common.translatable import Translatable


@dataclass(frozen=True)
class Failure:
    """One item another service kept and did not delete: `item` its id there (kept here, so a
    later purge tries again), `label` what it is and `why`, each a Translatable (stored as
    msgid and parameters, shown in the reader's language)."""

    item: str
    label: Translatable
    why: Translatable


@dataclass(frozen=True)
class Outcome:
    """What a holder's purge did when a count is not the whole story: data kept by another
    service (recordings at Twilio) is deleted there, item by item, and may fail. `done` names
    each item deleted there; `failed` each one that was not, with why (the certificate and the
    purge's result show both); what failed is left in place for a later purge to retry."""

    removed: int
    done: tuple[str, ...] = ()
    failed: tuple[Failure, ...] = ()


@dataclass(frozen=True)
class Scope:
    """The wave being purged, and the waves purged before it: a file several waves share (a
    frame) goes only once none of them still needs it. `elsewhere` holds, per holder key, what
    its `elsewhere` step deleted at another service before the database's purge began."""

    wave_id: int
    purged_wave_ids: frozenset[int] = frozenset()
    elsewhere: Mapping[str, Outcome] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Holder:
    """One kind of personal data. `key` is stable (the certificate names it); `what` and
    `where` are shown; `fields` the model fields it covers ("app_label.Model.field"); `count`
    how many items the wave has; `purge` removes them and returns how many went (or an
    Outcome, for data deleted at another service). `elsewhere`, for data another service keeps,
    deletes it there before the purge's database transaction opens (a network call must not
    hold the database's locks for its timeouts) and returns what it did; `purge` then forgets
    here what went there (`scope.elsewhere[key]`)."""

    key: str
    what: str | Promise
    where: str | Promise
    count: Callable[[Scope], int]
    purge: Callable[[Scope], int | Outcome]
    fields: tuple[str, ...] = ()
    files: bool = False  # a kind of stored file (in the file storage), not a database field
    kept: str | Promise = ""  # what stays of it, and why (the certificate says so)
    elsewhere: Callable[[Scope], Outcome] | None = None


@dataclass
class _Registry:
    holders: dict[str, Holder] = field(default_factory=dict)
    not_personal: dict[str, str] = field(default_factory=dict)


_REGISTRY = _Registry()


def register(holder: Holder) -> None:
    """Add a holder (again with the same key: replaced, so a reloaded app registers once)."""
    _REGISTRY.holders[holder.key] = holder


def not_personal(field_label: str, reason: str) -> None:
    """Declare a field whose name looks personal but holds no respondent's data."""
    _REGISTRY.not_personal[field_label] = reason


def holders() -> list[Holder]:
    """Every registered holder, in the order registered (apps in INSTALLED_APPS order)."""
    return list(_REGISTRY.holders.values())


def registered_fields() -> set[str]:
    return {name for holder in _REGISTRY.holders.values() for name in holder.fields}


def declared_not_personal() -> dict[str, str]:
    return dict(_REGISTRY.not_personal)
