"""An import's attached files live in the file storage, beside the database rows: an import
that is rolled back, and a draft that is discarded, leave none of their files behind."""

import pytest
from django.core.files.storage import FileSystemStorage

from questionnaires.models import QuestionnaireAttachment
from questionnaires.services import discard_draft_version, import_questionnaire_version
from questionnaires.xlsform import XLSFormError
from tests.fieldwork.interview.test_new_types import TOWNS, workbook

FOLDER = "questionnaires/attachments"


class FlakyStorage(FileSystemStorage):
    """A storage that fails to write one file, as object storage may mid-upload."""

    def _save(self, name, content):
        if "unreachable" in name:
            raise OSError("connection reset")
        return super()._save(name, content)


@pytest.fixture
def storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": f"{__name__}.FlakyStorage", "OPTIONS": {"location": tmp_path}},
    }
    return tmp_path


def stored_files(root) -> list[str]:
    folder = root / FOLDER
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def test_an_import_whose_storage_fails_keeps_no_file_and_no_row(db, storage):
    files = {"towns.csv": TOWNS, "unreachable.png": b"\x89PNG"}
    with pytest.raises(XLSFormError) as refused:
        import_questionnaire_version(data=workbook(), source_name="types.xlsx", attachments=files)
    assert "could not be stored" in str(refused.value)
    assert stored_files(storage) == []  # towns.csv was written first, then removed
    assert not QuestionnaireAttachment.objects.exists()


def test_a_discarded_draft_takes_its_files_with_it(db, storage, django_capture_on_commit_callbacks):
    files = {"towns.csv": TOWNS}
    draft = import_questionnaire_version(
        data=workbook(), source_name="types.xlsx", attachments=files, publish=False
    )
    assert stored_files(storage) == ["towns.csv"]
    with django_capture_on_commit_callbacks(execute=True):
        discard_draft_version(version=draft)
    assert stored_files(storage) == []
