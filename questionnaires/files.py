"""A version's attached files: stored with it through the file storage, read back for the
interview. Attachments are as immutable as their version, so what is read is kept."""

import hashlib
import logging
from collections.abc import Mapping
from pathlib import PurePath

from django.core.files.base import ContentFile

from common.translatable import Translatable, gettext_noop
from questionnaires.attachments import DATA_SUFFIXES, AttachmentError, read_choices
from questionnaires.models import QuestionnaireAttachment, QuestionnaireVersion

__all__ = ["MAX_ATTACHMENTS", "check_attachments", "file_choices", "remove_stored",
           "store_attachments"]  # fmt: skip

MAX_ATTACHMENTS = 50
MAX_NAME = 100  # characters of an attached file's name (the storage adds its folder)
logger = logging.getLogger(__name__)


def check_attachments(files: Mapping[str, bytes], *, default_language: str | None) -> list:
    """Every problem with the files of an upload, each naming its file."""
    problems: list = []
    if len(files) > MAX_ATTACHMENTS:
        problems.append(
            Translatable(gettext_noop("more than %(n)s attached files"), n=MAX_ATTACHMENTS)
        )
    for name, data in files.items():
        if PurePath(name).name != name or name.startswith("."):
            problems.append(Translatable(gettext_noop("%(file)s: give a plain file name"),
                                         file=name))  # fmt: skip
        elif len(name) > MAX_NAME:
            problems.append(Translatable(
                gettext_noop("%(file)s: a file name may have at most %(n)s characters"),
                file=name[:40] + "…", n=MAX_NAME))  # fmt: skip
        elif name.lower().endswith(DATA_SUFFIXES):
            try:
                read_choices(data, name, default_language)
            except AttachmentError as err:
                problems.append(str(err))
    return problems


def store_attachments(
    *, version: QuestionnaireVersion, files: Mapping[str, bytes], stored: list[str]
) -> None:
    """Keep the files with the version, in the file storage (a directory or object storage).
    Each file's storage name is added to `stored` as soon as it is written, so that an import
    that fails after it can remove it (remove_stored)."""
    field = QuestionnaireAttachment._meta.get_field("file")
    for name, data in sorted(files.items()):
        saved = field.storage.save(field.generate_filename(None, name), ContentFile(data))
        stored.append(saved)
        QuestionnaireAttachment.objects.create(
            version=version,
            name=name,
            file=saved,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
        )


def remove_stored(names: list[str]) -> None:
    """Remove files from the storage: those of an import that was rolled back, or of a draft
    that was discarded. A file already gone is not an error."""
    storage = QuestionnaireAttachment._meta.get_field("file").storage
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            logger.warning("could not remove attachment %s from the storage", name)


class AttachedRows(Mapping):
    """A version's attached CSV/XML files as expressions read them (instance('name') and
    pulldata('name', ...)): name without extension → rows keyed by column, read when asked."""

    def __init__(self, version_id: int | None) -> None:
        self.version_id = version_id

    def __getitem__(self, name: str) -> list[dict]:
        for file_name in (f"{name}.csv", f"{name}.xml", name):
            choices = file_choices(self.version_id, file_name) if self.version_id else ()
            if choices:
                return [{**choice["extra"], "name": choice["value"],
                         "label": next(iter(choice["label"].values()), "")}
                        for choice in choices]  # fmt: skip
        raise KeyError(name)

    def __contains__(self, name: object) -> bool:
        try:
            self[str(name)]
        except KeyError:
            return False
        return True

    def get(self, name: str, default=None):
        try:
            return self[name]
        except KeyError:
            return default

    def __iter__(self):
        return iter(())

    def __len__(self) -> int:
        return 0


def file_choices(version_id: int, name: str) -> tuple[dict, ...]:
    """The choices of a version's attached CSV/XML file; none when it was not attached."""
    attachment = (
        QuestionnaireAttachment.objects.filter(version_id=version_id, name=name)
        .select_related("version")
        .only("file", "sha256", "name", "version__definition")
        .first()
    )
    if attachment is None:
        return ()
    definition = attachment.version.definition
    language = (definition.get("language_names") or {}).get(
        (definition.get("languages") or [None])[0]
    )
    return _choices(attachment, attachment.sha256, language)


_parsed: dict[tuple[str, str, str | None], tuple[dict, ...]] = {}


def _choices(attachment, sha256: str, language: str | None) -> tuple[dict, ...]:
    """Parsed once per content (a file's bytes are named by their SHA-256)."""
    key = (sha256, attachment.name, language)
    if key not in _parsed:
        with attachment.file.open("rb") as handle:
            data = handle.read()
        try:
            _parsed[key] = tuple(read_choices(data, attachment.name, language))
        except AttachmentError:
            _parsed[key] = ()
        if len(_parsed) > 256:
            _parsed.pop(next(iter(_parsed)))
    return _parsed[key]
