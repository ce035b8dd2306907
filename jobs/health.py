"""What the health endpoint checks: the database, the file storage, the queue, the workers."""

import logging
import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection

from jobs import selectors

logger = logging.getLogger(__name__)


def _database() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception as exc:  # noqa: BLE001 - any failure means "down"
        logger.error("health: database check failed: %s", type(exc).__name__)
        return False


def _storage() -> bool:
    """Write, read back and delete a small file (object storage may be up but not writable)."""
    name = f"health/{uuid.uuid4().hex}.txt"
    try:
        saved = default_storage.save(name, ContentFile(b"ok"))
        try:
            with default_storage.open(saved) as stream:
                return stream.read() == b"ok"
        finally:
            default_storage.delete(saved)
    except Exception as exc:  # noqa: BLE001
        logger.error("health: storage check failed: %s", type(exc).__name__)
        return False


def check() -> dict:
    database, storage = _database(), _storage()
    queue = selectors.queue_state() if database else None
    if not (database and storage):
        status = "fail"
    elif queue["queued"] and not queue["workers_alive"]:
        status = "degraded"  # work is waiting and no worker is taking it
    else:
        status = "ok"
    return {"status": status, "database": database, "storage": storage, "queue": queue}
