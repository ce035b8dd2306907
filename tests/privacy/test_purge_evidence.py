"""The issue's evidence that a purge takes the respondents and nothing else: after it, the
results page, every table download, the data package (CSV, SPSS, Stata, XLSX, codebook, the
ZIP itself) and the signed edition (its PDF, workbook, results and weights, and every
district's files) are the same to the byte, and the edition still verifies: its input hash is
the hash of what remains. Only the page's CSRF token differs from one response to the next
(masked afresh each time): it is taken out before comparing.

Byte-identical packages need files that do not carry the moment they were written: the SPSS
and Stata stamps and the ZIP entries carry the moment the data last changed
(exports.loaders.data_as_of), the workbook's parts none, the printable questionnaire is
reportlab's invariant kind. Those dates are checked here too, so a file dated by the clock
fails even when both packages happen to be written within the same minute."""

import hashlib
import io
import json
import re
import tempfile
import zipfile
from datetime import datetime
from pathlib import Path

import pyreadstat
from django.core.cache import caches
from django.core.files.storage import default_storage
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from exports.services import build_package
from fieldwork.models import Interview
from privacy.services import purge_wave
from qc.models import Review
from scoring.editions import freeze_edition, input_hash, sign_off
from scoring.models import Edition
from scoring.report import tables
from scoring.results import cached_results

APPROVED = ["approved"]


def _results_page(client, wave) -> bytes:
    url = reverse("scoring:results") + f"?wave={wave.pk}"
    for _attempt in range(3):  # the first request starts the results job (run at once in tests)
        response = client.get(url)
        if b"data-results-pending" not in response.content:
            break
    assert response.status_code == 200
    # the CSRF token is masked afresh in every response: the only bytes that may differ
    content = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", response.content)
    return re.sub(rb'"X-CSRFToken": "[^"]+"', b"", content)


def _downloads(client, wave) -> dict[str, bytes]:
    """Every table of the results as CSV, and the results workbook."""
    keys = [table["key"] for table in tables.report_tables(cached_results(wave))]
    found = {
        f"{key}.csv": client.get(reverse("scoring:report_csv", args=[wave.pk, key])).content
        for key in keys
    }
    found["results.xlsx"] = client.get(reverse("scoring:report_xlsx", args=[wave.pk])).content
    assert len(keys) >= 5 and all(found.values())
    return found


def _package(wave) -> tuple[bytes, dict[str, zipfile.ZipInfo], dict[str, bytes]]:
    built = build_package(wave=wave, states=APPROVED)
    with default_storage.open(built["path"], "rb") as stream:
        content = stream.read()
    archive = zipfile.ZipFile(io.BytesIO(content))
    infos = {info.filename: info for info in archive.infolist()}
    return content, infos, {name: archive.read(name) for name in infos}


def _edition(client, edition: Edition) -> dict[str, bytes]:
    """What the edition holds, as stored and as downloaded."""
    edition.refresh_from_db()
    wave_id, number = edition.wave_id, edition.number
    held = {
        "input_hash": edition.input_hash.encode(),
        "state": edition.state.encode(),
        "report": json.dumps(edition.report, sort_keys=True, default=str).encode(),
        "weights": json.dumps(edition.weights, sort_keys=True).encode(),
        "pdf": bytes(edition.pdf),
        "xlsx": bytes(edition.xlsx),
    }
    for kind in ("pdf", "xlsx"):
        url = reverse("scoring:edition_file", args=[wave_id, number, kind])
        held[f"download.{kind}"] = client.get(url).content
    for part in edition.districts.order_by("code"):
        held[f"{part.code}.report"] = json.dumps(part.report, sort_keys=True, default=str).encode()
        for kind in ("pdf", "xlsx"):
            with default_storage.open(getattr(part, kind).name, "rb") as stream:
                held[f"{part.code}.{kind}"] = stream.read()
            url = reverse("scoring:district_file", args=[wave_id, number, part.code, kind])
            held[f"{part.code}.download.{kind}"] = client.get(url).content
    return held


def _data_as_of(wave) -> datetime:
    """The newest review decision or completion among the approved interviews, in local time:
    computed here from the models, apart from the export's own reading."""
    decided = Review.objects.filter(interview__case__wave=wave, state__in=APPROVED).aggregate(
        at=Max("decided_at")
    )["at"]
    completed = Interview.objects.filter(case__wave=wave, review__state__in=APPROVED).aggregate(
        at=Max("completed_at")
    )["at"]
    return timezone.localtime(max(at for at in (decided, completed) if at is not None))


def _stamps(members: dict[str, bytes]) -> dict[str, datetime]:
    """The creation time each SPSS and Stata file of the package says (pyreadstat's reading)."""
    found = {}
    with tempfile.TemporaryDirectory() as folder:
        for name, content in members.items():
            if name.endswith((".sav", ".dta")):
                path = Path(folder) / Path(name).name
                path.write_bytes(content)
                reader = pyreadstat.read_sav if name.endswith(".sav") else pyreadstat.read_dta
                found[name] = reader(str(path), metadataonly=True)[1].creation_time
    return found


def test_results_downloads_package_and_signed_edition_are_byte_identical_after_a_purge(
    personal_world, analyst, supervisor, client, django_capture_on_commit_callbacks
):
    world = personal_world
    client.force_login(analyst)
    # given a signed edition of the wave's results, and everything a reader gets of the wave
    edition = sign_off(edition=freeze_edition(wave=world.wave, user=analyst), user=supervisor)
    assert edition.state == Edition.State.SIGNED and edition.districts.count() >= 2
    page, downloads = _results_page(client, world.wave), _downloads(client, world.wave)
    package, infos, members = _package(world.wave)
    held = _edition(client, edition)
    # when the wave's personal data is purged (its files deleted as the purge commits)
    with django_capture_on_commit_callbacks(execute=True):
        purge = purge_wave(wave=world.wave, user=analyst)
    assert purge.counts["sample.phone"] == len(world.phones)
    for cache in caches.all():  # computed again from what remains, not served from before
        cache.clear()
    # then the results page and every table download are the same to the byte
    assert _results_page(client, world.wave) == page
    assert _downloads(client, world.wave) == downloads
    # and the data package: the ZIP itself and each file in it
    package_after, infos_after, members_after = _package(world.wave)
    kinds = {Path(name).suffix for name in members}
    assert {".csv", ".sav", ".dta", ".xlsx", ".json", ".pdf", ".R", ".do", ".sps"} <= kinds
    assert members_after.keys() == members.keys()
    assert [n for n in members if members_after[n] != members[n]] == []
    assert package_after == package
    # and the signed edition, stored and downloaded, which still verifies
    assert _edition(client, edition) == held
    assert input_hash(wave=world.wave)[0] == edition.input_hash
    assert hashlib.sha256(held["pdf"]).hexdigest() == hashlib.sha256(bytes(edition.pdf)).hexdigest()
    # and every date inside the package is the data's, not the clock's
    as_of = _data_as_of(world.wave)
    stamps = _stamps(members)
    languages = json.loads(members["codebook.json"])["languages"]
    assert len(stamps) == len([n for n in members if n.endswith((".sav", ".dta"))])
    assert len(stamps) >= 2 * len(languages) >= 2
    assert {f"{s:%Y-%m-%d %H:%M}" for s in stamps.values()} == {f"{as_of:%Y-%m-%d %H:%M}"}
    zipped = as_of.replace(second=as_of.second - as_of.second % 2, microsecond=0)
    assert {info.date_time for info in infos.values()} == {zipped.timetuple()[:6]}
    assert json.loads(members["codebook.json"])["data_as_of"] == as_of.isoformat()
    assert json.loads(members["manifest.json"])["data_as_of"] == as_of.isoformat()
    with zipfile.ZipFile(io.BytesIO(members["data/interviews.xlsx"])) as book:
        assert {info.date_time for info in book.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert len(page) > 10_000 and len(package) > 10_000
