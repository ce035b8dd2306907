"""A wave's processing record: generated from the wave, completed by the firm, as a PDF."""

import subprocess

import pytest
from django.urls import reverse

from audit.kinds import Kind
from audit.models import AuditEvent
from fieldwork.models import ProcessingRecord, WaveMode
from fieldwork.privacy.record import processing_record
from tests.factories import PASSWORD, make_organisation

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "record.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_the_record_lists_what_a_mixed_wave_holds_and_who_processes_it(wave, english, settings):
    settings.TWILIO_ACCOUNT_SID = settings.TWILIO_AUTH_TOKEN = settings.TWILIO_CALLER_ID = ""
    make_organisation("明察评估公司", "firm")
    data = processing_record(wave)
    what = [row["what"] for row in data["categories"]]
    assert wave.mode == WaveMode.MIXED
    assert "Phone numbers of sampled households" in what
    assert "Addresses of sampled households" in what
    assert "Call recordings" not in what  # no telephony configured
    processors = {row["role"]: row["name"] for row in data["processors"]}
    assert processors["Entrusted processor (evaluation firm)"] == "明察评估公司"
    assert processors["Entrusting party (client)"] == wave.client.name
    assert processors["Telephony"].startswith("none: interviewers dial by hand")
    assert data["retain_until"] == wave.retain_until
    assert wave.client.name in data["legal_basis"]


def test_a_phone_wave_holds_no_addresses(wave, english):
    wave.mode = WaveMode.PHONE
    what = [row["what"] for row in processing_record(wave)["categories"]]
    assert "Addresses of sampled households" not in what
    assert "Phone numbers of sampled households" in what


def test_the_firm_completes_the_record_and_its_change_is_logged(client, analyst, wave, english):
    client.login(username=analyst.username, password=PASSWORD)
    url = reverse("fieldwork:processing_record", args=[wave.pk])
    data = {
        "purposes": "",
        "legal_basis": "委托合同第3条",
        "contract_reference": "PA-2026-017",
        "protection_officer": "李敏",
        "telephony_provider": "",
        "storage_location": "",
        "other_safeguards": "机房门禁",
        "risks": "号码泄露：加密与掩码",
        "conclusion": "风险可控",
        "assessed_on": "2026-11-30",
    }
    assert client.post(url, data).status_code == 302
    stored = ProcessingRecord.objects.get(wave=wave)
    assert (stored.contract_reference, stored.updated_by) == ("PA-2026-017", analyst)
    page = client.get(url).content.decode()
    assert "委托合同第3条" in page and "机房门禁" in page
    assert "To measure residents" in page  # the blank purpose keeps the generated text
    event = AuditEvent.objects.get(kind=Kind.PROCESSING_RECORD_SAVED)
    assert "contract_reference" in event.detail["changes"] and event.wave == wave


def test_the_pdf_shows_the_record_in_chinese(client, analyst, wave, tmp_path):
    ProcessingRecord.objects.create(wave=wave, protection_officer="李敏", conclusion="风险可控")
    client.login(username=analyst.username, password=PASSWORD)
    response = client.get(reverse("fieldwork:processing_record_pdf", args=[wave.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    text = pdf_text(response.content, tmp_path)
    assert wave.name in text and "李敏" in text and "风险可控" in text
    assert f"{wave.retain_until:%Y-%m-%d}" in text
    assert "个人信息处理记录" in text
    # no respondent's number is in the record
    for unit in wave.draw.units.all():
        assert unit.phone not in text
    assert AuditEvent.objects.filter(kind=Kind.DOWNLOAD, wave=wave).exists()
