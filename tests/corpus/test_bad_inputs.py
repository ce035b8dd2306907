"""Every file of the bad-input corpus through every upload and every command.

For each (file, place): no server error and no traceback (a command fails with CommandError
only), nothing written (row counts unchanged, no output file), at least one message, every
message names where (file, sheet, row, column or "the file"), none quotes a library's own
words, and no run takes more than MAX_SECONDS of CPU (the work of refusing, whatever else the
machine runs: a wall clock fails on a busy CI machine). Failures are collected and reported
together. The files are made by tests/corpus/make_bad_inputs.py; the large cases on the fly.
"""

import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from jobs.models import Job
from questionnaires.models import Questionnaire, QuestionnaireVersion
from sampling.frame_validation import FrameError
from sampling.models import Draw, Frame, FrameStratumCount, Locality
from sampling.presenters import describe
from scoring.index.indices import ROOT
from scoring.models import IndexScheme, ObjectiveIndicator, ObjectiveValue
from tests.corpus.make_bad_inputs import FOLDER, huge_cases
from tests.factories import PASSWORD

pytestmark = [pytest.mark.corpus, pytest.mark.slow, pytest.mark.django_db]

FILES = sorted(FOLDER.iterdir())
FORM = Path(__file__).resolve().parents[2] / "questionnaires/standard/standard_questionnaire.xlsx"
MAX_SECONDS = 10
MODELS = (
    Locality, Frame, FrameStratumCount, Draw, ObjectiveIndicator, ObjectiveValue, IndexScheme,
    Questionnaire, QuestionnaireVersion,
)  # fmt: skip
# A library's own words, which must never reach a user.
RAW_PHRASES = (
    "zip file", "codec", "Traceback", "Error:", "Error(", "Errno", "pyarrow", "openpyxl",
    "pandas", "pyxform", "tokenizing", "C error", "line contains", "start byte",
    "continuation byte", "unexpected end of data", "KeyError", "IndexError", "ValueError",
    "OverflowError", "TypeError", "NoneType", "object has no attribute", "not recognized as",
    "could not convert", "out-of-bounds", "Invalid argument",
)  # fmt: skip
# Where a message points: a row, line, column, sheet, or the file as a whole.
WHERE = re.compile(
    r"\brows? \d|\bline \d|\bcolumns?\b|\bsheet\b|\bfile\b|第 ?[\d, ]+ ?行|列|工作表|文件|工作簿",
    re.IGNORECASE,
)


@pytest.fixture
def analyst_client(client, analyst):
    assert client.login(username=analyst.username, password=PASSWORD)
    return client


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


# -- the places a file is given to: each returns the messages the user sees -------------------


def upload(field: str, path: Path) -> SimpleUploadedFile:
    return SimpleUploadedFile(path.name, path.read_bytes())


def form_errors(form) -> list[str]:
    return [str(message) for messages in form.errors.values() for message in messages]


def locality_upload(client, path: Path, tmp: Path) -> list[str]:
    response = client.post(reverse("sampling:locality_upload"), {"file": upload("file", path)})
    if response.status_code == 200:
        return form_errors(response.context["form"])
    assert response.status_code == 302, response.status_code
    page = client.get(response["Location"])
    assert page.status_code == 200
    job = Job.objects.latest("pk")
    assert not job.error_detail, job.error_detail  # a traceback
    return [str(problem) for problem in page.context["problems"]]


def frame_upload(client, path: Path, tmp: Path) -> list[str]:
    data = {
        "file": upload("file", path),
        "name": "corpus",
        "unit_id_column": "unit_id",
        "phone_column": "phone",
        "locality_column": "locality_code",
        "address_column": "",
    }
    response = client.post(reverse("sampling:frame_upload"), data)
    assert response.status_code == 200, response.status_code  # failed: the page says why
    if "errors" not in response.context:
        return form_errors(response.context["form"])
    job = Job.objects.latest("pk")
    assert not job.error_detail, job.error_detail
    return [
        f"{_where(error['row'], error['column'])}{describe(FrameError(**error))}"
        for error in job.result["errors"]
    ]


def _where(row, column) -> str:
    return (f"row {row} " if row else "") + (f"column {column}: " if column else "")


def objective_upload(client, path: Path, tmp: Path, wave) -> list[str]:
    url = reverse("scoring:objective_upload", args=[wave.pk])
    response = client.post(url, {"values": upload("values", path)})
    assert response.status_code == 200, response.status_code
    return [*response.context["problems"], *form_errors(response.context["form"])]


def matrix_upload(client, path: Path, tmp: Path, wave) -> list[str]:
    url = reverse("scoring:index_weights", args=[wave.pk])
    response = client.post(url, {"parent": ROOT, "m0-matrix_file": upload("m", path)})
    assert response.status_code == 200, response.status_code
    [level] = [level for level in response.context["levels"] if level["code"] == ROOT]
    return form_errors(level["form"])


def questionnaire_upload(client, path: Path, tmp: Path) -> list[str]:
    data = {"file": upload("file", path), "code": "corpus", "title": ""}
    response = client.post(reverse("questionnaires:upload"), data)
    assert response.status_code == 200, response.status_code
    imported = response.context.get("import_errors") or []
    return [
        *form_errors(response.context["form"]),
        *(f"{e['sheet']} sheet {_where(e['row'], e['column'])}{e['problem']}" for e in imported),
    ]


def command(*args: str) -> Callable[[Path, Path], list[str]]:
    """A management command given the file (a copy in `tmp`, as commands may write beside
    it) in place of {file}, writing to {out}."""

    def run(client, path: Path, tmp: Path) -> list[str]:
        copy = tmp / path.name
        shutil.copyfile(path, copy)
        out = tmp / "out.csv"
        out.unlink(missing_ok=True)
        values = [str(copy) if a == "{file}" else str(out) if a == "{out}" else a for a in args]
        try:
            call_command(*values, stdout=_Discard(), stderr=_Discard())
        except CommandError as error:
            assert not out.exists(), "an output was written"
            return [line for line in str(error).splitlines() if line.strip()]
        return []

    return run


class _Discard:
    def write(self, text: str) -> None:
        pass

    def flush(self) -> None:
        pass


PLACES: dict[str, Callable] = {
    "locality upload": locality_upload,
    "frame upload": frame_upload,
    "objective indicators": objective_upload,
    "AHP matrix": matrix_upload,
    "questionnaire upload": questionnaire_upload,
    "import_localities": command("import_localities", "{file}"),
    "import_frame": command("import_frame", "{file}", "--name", "corpus"),
    "draw_sample --frame": command(
        "draw_sample", "--frame", "{file}", "--n", "1", "--out", "{out}"
    ),
    "qc_check --interviews": command(
        "qc_check", "--interviews", "{file}", "--questionnaire", str(FORM), "--out", "{out}"
    ),
    "estimate --data": command(
        "estimate", "--data", "{file}", "--var", "satisfaction", "--weight", "w", "--out", "{out}"
    ),
    "response_rates --dispositions": command(
        "response_rates", "--dispositions", "{file}", "--out", "{out}"
    ),
}
NEEDS_WAVE = {"objective indicators", "AHP matrix"}


def problems_of_run(place: str, path: Path, run: Callable[[], list[str]]) -> list[str]:
    """What is wrong with one run (nothing when it held)."""
    before = counts()
    started = time.process_time()
    try:
        messages = run()
    except AssertionError as failure:
        return [f"{place} / {path.name}: {failure}"]
    except Exception as error:  # the very thing this test is for: report it, with its type
        return [f"{place} / {path.name}: {type(error).__name__}: {str(error)[:200]}"]
    seconds = time.process_time() - started
    found = []
    if counts() != before:
        found.append(f"{place} / {path.name}: wrote rows {counts()} (was {before})")
    if not messages:
        found.append(f"{place} / {path.name}: accepted, or refused without a message")
    if seconds > MAX_SECONDS:
        found.append(f"{place} / {path.name}: took {seconds:.1f} s of CPU")
    for message in messages:
        shown = message[:300]
        if not (WHERE.search(message) or path.name in message):
            found.append(f"{place} / {path.name}: names no place: {shown}")
        raw = [phrase for phrase in RAW_PHRASES if phrase in message]
        if raw:
            found.append(f"{place} / {path.name}: quotes {raw}: {shown}")
        if len(message) > 2000:
            found.append(f"{place} / {path.name}: a message of {len(message)} characters")
    return found


@pytest.mark.parametrize("place", list(PLACES))
def test_every_bad_file_is_refused_cleanly(place, analyst_client, wave, tmp_path):
    assert len(FILES) >= 100
    run = PLACES[place]
    extra = (wave,) if place in NEEDS_WAVE else ()
    found = []
    for path in FILES:
        found += problems_of_run(
            place, path, lambda p=path: run(analyst_client, p, tmp_path, *extra)
        )
    assert not found, "\n".join(found)


@pytest.fixture(scope="module")
def huge_files(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("huge")
    for name, data in huge_cases():
        (folder / name).write_bytes(data)
    return sorted(folder.iterdir())


@pytest.mark.parametrize("place", list(PLACES))
def test_huge_files_are_refused_within_seconds(place, analyst_client, wave, tmp_path, huge_files):
    run = PLACES[place]
    extra = (wave,) if place in NEEDS_WAVE else ()
    found = []
    for path in huge_files:
        found += problems_of_run(
            place, path, lambda p=path: run(analyst_client, p, tmp_path, *extra)
        )
    assert not found, "\n".join(found)
