"""The data package of the demo wave, built from its page as an analyst does: what it holds,
that it holds no personal data, and that its weights are the results page's."""

import hashlib
import io
import json
import re
import subprocess
import zipfile

import pandas as pd
import pyreadstat
import pytest
from django.urls import reverse

from accounts.models import User
from demo.services import EARLIER_WAVE_NAME, PASSWORD, SMALL, load_demo
from exports.microdata import wave_microdata
from exports.services import PACKAGE
from fieldwork.models import ContactAttempt, Interview, RespondentSelection, Wave
from jobs.models import Job
from qc.models import Review
from sampling.models import SampledUnit
from scoring.weighting import wave_weights


@pytest.fixture
def demo_wave(db, settings, tmp_path) -> Wave:
    settings.MEDIA_ROOT = tmp_path
    return load_demo(seed=7, size=SMALL, say=lambda line: None)


def _texts(archive: zipfile.ZipFile, tmp_path) -> dict[str, str]:
    """Every file of the package as text: CSV/JSON/scripts as they are, the workbook's XML,
    the SPSS/Stata data and labels as pyreadstat reads them, the PDFs as pdftotext reads them."""
    texts = {}
    for name in archive.namelist():
        data = archive.read(name)
        if name.endswith(".xlsx"):
            with zipfile.ZipFile(io.BytesIO(data)) as book:
                texts[name] = "".join(book.read(n).decode() for n in book.namelist())
        elif name.endswith((".sav", ".dta")):
            path = tmp_path / name.replace("/", "_")
            path.write_bytes(data)
            read = pyreadstat.read_sav if name.endswith(".sav") else pyreadstat.read_dta
            frame, meta = read(str(path))
            texts[name] = frame.to_csv() + json.dumps(meta.variable_value_labels, default=str)
            texts[name] += json.dumps(meta.column_labels, ensure_ascii=False)
        elif name.endswith(".pdf"):  # the printable questionnaire, as poppler reads it
            path = tmp_path / name.replace("/", "_")
            path.write_bytes(data)
            read = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
            texts[name] = read.stdout.decode()
        else:
            texts[name] = data.decode("utf-8-sig")
    return texts


def test_an_analyst_builds_and_downloads_the_package_and_it_holds_no_personal_data(
    client, demo_wave, tmp_path
):
    # given
    client.login(username="analyst", password=PASSWORD)
    page = reverse("exports:wave_exports", kwargs={"wave_id": demo_wave.pk})
    # when: the analyst builds the package (the job runs at once in tests) and downloads it
    response = client.post(page, {"states": ["approved"]})
    assert response.status_code == 302
    job = Job.objects.get(kind=PACKAGE)
    assert job.status == Job.Status.SUCCEEDED and job.progress_done == job.progress_total
    listed = client.get(page)
    download = reverse(
        "exports:package_download", kwargs={"wave_id": demo_wave.pk, "job_id": job.pk}
    )
    assert download in listed.content.decode()
    response = client.get(download)
    # then
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = set(archive.namelist())
    assert {
        "data/interviews.csv",
        "data/interviews.xlsx",
        "data/spss/interviews_zh.sav",
        "data/spss/interviews_en.sav",
        "data/stata/interviews_zh.dta",
        "data/stata/interviews_en.dta",
        "codebook.json",
        "analysis/design.R",
        "analysis/design.do",
        "analysis/design.sps",
        "analysis/margins.csv",
        "questionnaire/safety_standard.xlsx",
        "questionnaire/safety_standard-zh.pdf",
        "questionnaire/safety_standard-en.pdf",
        "sampling/plan.json",
        "sampling/allocation.csv",
        "fieldwork/dispositions.csv",
        "methodology.md",
        "README.txt",
        "manifest.json",
        "SHA256SUMS",
    } <= names
    assert archive.read("data/interviews.csv").startswith(b"\xef\xbb\xbf")  # BOM for Excel
    assert archive.read("questionnaire/safety_standard-en.pdf").startswith(b"%PDF-")
    # every file is in the manifest with its checksum
    manifest = json.loads(archive.read("manifest.json"))
    approved = Interview.objects.filter(case__wave=demo_wave, review__state="approved").count()
    assert manifest["interviews"] == approved
    listed_files = {entry["path"]: entry for entry in manifest["files"]}
    assert set(listed_files) == names - {"manifest.json", "SHA256SUMS"}
    for name, entry in listed_files.items():
        assert hashlib.sha256(archive.read(name)).hexdigest() == entry["sha256"]
    # no phone, address, name, login or exact position anywhere in the package
    _assert_no_personal_data("\n".join(_texts(archive, tmp_path).values()), demo_wave)


def _assert_no_personal_data(everything: str, demo_wave) -> None:
    """No phone, address, login, full name, listed household member or exact position of the
    wave in `everything`."""
    units = SampledUnit.objects.filter(cases__wave=demo_wave)
    phones = [p for p in units.values_list("phone", flat=True) if p]
    addresses = [a for a in units.values_list("address", flat=True) if a]
    assert phones and addresses
    for phone in phones:
        assert phone not in everything and phone[-8:] not in everything
    for address in addresses:
        assert address not in everything
    people = User.objects.filter(interviews__case__wave=demo_wave).distinct()
    for person in people:
        assert person.username not in everything
        if person.get_full_name():
            assert person.get_full_name() not in everything
    listed_names = {
        adult.get("name")
        for selection in RespondentSelection.objects.filter(case__wave=demo_wave)
        for adult in [*selection.adults, *(selection.roster or [])]
        if adult.get("name")
    }
    for name in listed_names:
        assert name not in everything
    for latitude, longitude in ContactAttempt.objects.filter(
        case__wave=demo_wave, latitude__isnull=False
    ).values_list("latitude", "longitude"):
        assert f"{latitude:.5f}" not in everything and f"{longitude:.5f}" not in everything
    # nor anything shaped like a mobile number, outside the checksums (a SHA-256 in hex can
    # hold eleven digits in a row between two letters) and decimal fractions (a workbook's
    # date-times are days with eleven digits after the point)
    unhashed = re.sub(r"(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])", "", everything)
    assert not re.search(r"(?<![\d.])1[3-9]\d{9}(?!\d)", unhashed)


def test_the_export_carries_the_results_pages_weights_and_per_wave_interviewer_codes(
    demo_wave,
):
    # given
    weighting = wave_weights(wave=demo_wave)
    earlier = Wave.objects.get(name=EARLIER_WAVE_NAME)
    # when
    data = wave_microdata(wave=demo_wave)
    everyone = wave_microdata(wave=demo_wave, states=list(Review.State.values))
    previous = wave_microdata(wave=earlier)
    # then: one row per approved interview with its final weight and components
    frame = data.frames["interviews"].set_index("interview_id")
    pd.testing.assert_series_equal(
        frame["weight"].sort_index(), weighting.weights.sort_index(), check_names=False
    )
    product = frame[["w_design", "w_nonresponse", "w_household", "w_raking", "w_trimming"]]
    pd.testing.assert_series_equal(
        product.prod(axis=1), frame["weight"], check_names=False, rtol=1e-12
    )
    # any review state on request: the others come without a weight
    others = everyone.frames["interviews"]
    assert len(others) == Review.objects.filter(interview__case__wave=demo_wave).count()
    assert len(others) > len(frame)
    assert others.loc[others["review_state"] != "approved", "weight"].isna().all()
    # interviewer codes: one per interviewer, stable within the wave, new in another wave
    codes = data.frames["interviews"].groupby("interviewer")["interview_id"].count()
    interviewers = Interview.objects.filter(case__wave=demo_wave, review__state="approved")
    assert len(codes) == interviewers.values("interviewer").distinct().count()
    assert set(codes.index) <= set(others["interviewer"])
    assert not set(codes.index) & set(previous.frames["interviews"]["interviewer"])
    # QC flags as columns
    assert (data.frames["interviews"]["qc_flags"] > 0).any()


def test_a_supervisor_can_neither_see_nor_download_packages(client, demo_wave):
    client.login(username="supervisor", password=PASSWORD)
    page = reverse("exports:wave_exports", kwargs={"wave_id": demo_wave.pk})
    assert client.get(page).status_code == 403
    assert client.post(page, {"states": ["approved"]}).status_code == 403
    assert not Job.objects.filter(kind=PACKAGE).exists()


def test_a_package_is_downloaded_only_from_its_own_wave(client, demo_wave):
    client.login(username="analyst", password=PASSWORD)
    client.post(
        reverse("exports:wave_exports", kwargs={"wave_id": demo_wave.pk}), {"states": ["approved"]}
    )
    job = Job.objects.get(kind=PACKAGE)
    earlier = Wave.objects.get(name=EARLIER_WAVE_NAME)
    url = reverse("exports:package_download", kwargs={"wave_id": earlier.pk, "job_id": job.pk})
    assert client.get(url).status_code == 404


def test_no_review_state_chosen_is_refused_in_the_form(client, demo_wave, english):
    client.login(username="analyst", password=PASSWORD)
    response = client.post(reverse("exports:wave_exports", kwargs={"wave_id": demo_wave.pk}), {})
    assert response.status_code == 200
    assert "Choose at least one review state." in response.content.decode()
    assert not Job.objects.filter(kind=PACKAGE).exists()
