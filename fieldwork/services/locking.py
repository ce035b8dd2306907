"""How concurrent writers take turns: row locks where the database has them, else one writer."""

import functools
import threading

from django.db import connection
from django.db.models import QuerySet

_SQLITE_WRITER = threading.Lock()


def one_writer_per_process(function):
    """On SQLite, let the threads of one process take turns at this write.

    SQLite has one writer at a time. Waiting writers poll the file lock (the busy timeout);
    with many threads in one process, the GIL can keep the writer that holds the lock from
    finishing while the others poll, and a poller can starve past the timeout ("database is
    locked"). A Python lock queues them instead. Only outside an enclosing transaction: one
    that already holds the database lock must not then wait for this one.
    """

    @functools.wraps(function)
    def wrapped(*args, **kwargs):
        if connection.vendor != "sqlite" or connection.in_atomic_block:
            return function(*args, **kwargs)
        with _SQLITE_WRITER:
            return function(*args, **kwargs)

    return wrapped


def row_locked(queryset: QuerySet) -> QuerySet:
    """The queryset locking its rows, skipping rows another transaction holds.

    Row locks keep two supervisors (or two interviewers pulling work) from taking the same
    case. SQLite has no row locks; its IMMEDIATE transactions serialise writers instead.
    """
    if connection.features.has_select_for_update_skip_locked:
        return queryset.select_for_update(skip_locked=True)
    return queryset
