"""Location, photo and audio questions, and the metadata a device records.

A door-to-door interview takes a position (typed or from the tablet), a photo and a recording;
the files are checked from their bytes, stored through the file storage under the interview,
served only to those who may see the interview, and shown on the review page. A phone
interview does not ask for photos or recordings, and a phone-only wave refuses a questionnaire
that has them. start, end, today, deviceid, username and audit are recorded at their paths.
"""

import base64
import csv
import hashlib
import io
import wave
from datetime import date, datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.urls import reverse
from PIL import Image

from accounts.models import Team
from fieldwork.interview.device import COOKIE
from fieldwork.interview.media import media_path
from fieldwork.models import Interview
from fieldwork.services import waves
from qc.models import Review
from questionnaires.services import import_questionnaire_version
from tests.factories import make_organisation, make_wave
from tests.fieldwork.wizard_driver import page_of
from tests.questionnaires.workbooks import make_xlsx

HEADER = ["type", "name", "label", "required"]
SURVEY = [
    {"type": "start", "name": "began"},
    {"type": "end", "name": "ended"},
    {"type": "today", "name": "day"},
    {"type": "deviceid", "name": "device"},
    {"type": "username", "name": "who"},
    {"type": "audit", "name": "audit"},
    {"type": "begin group", "name": "door", "label": "门口"},
    {"type": "geopoint", "name": "where", "label": "位置", "required": "yes"},
    {"type": "image", "name": "photo", "label": "门牌照片"},
    {"type": "audio", "name": "voice", "label": "录音"},
    {"type": "text", "name": "note", "label": "备注"},
    {"type": "end group"},
    {"type": "begin group", "name": "more", "label": "其他"},
    {"type": "text", "name": "remark", "label": "说明"},
    {"type": "end group"},
]  # fmt: skip


def workbook(survey=SURVEY) -> bytes:
    return make_xlsx(survey=survey, choices=[], survey_header=HEADER,
                     choices_header=["list_name", "name", "label"],
                     settings={"form_title": "入户", "form_id": "door"})  # fmt: skip


def jpeg(width=64, height=48) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


def wav() -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(8000)
        writer.writeframes(b"\x00\x00" * 800)
    return out.getvalue()


def data_url(content: bytes, content_type: str) -> str:
    return f"data:{content_type};base64,{base64.b64encode(content).decode()}"


@pytest.fixture
def storage(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def door_version(db):
    return import_questionnaire_version(data=workbook(), source_name="door.xlsx")


@pytest.fixture
def door_case(db, draw, interviewer, door_version):
    wave_ = make_wave(draw=draw, version=door_version)  # mixed: phone and door
    waves.assign_cases(wave=wave_, interviewer=interviewer, count=2)
    return wave_.cases.filter(interviewer=interviewer).order_by("pk")


def start(browser, case, mode="door") -> Interview:
    response = browser.post(reverse("fieldwork:start_interview", args=[case.pk]), {"mode": mode})
    assert response.status_code == 302
    return Interview.objects.get(case=case)


def post(browser, interview, response, values: dict):
    step, form = page_of(response)
    prefix = response.context["wizard"]["management_form"].prefix
    data = {f"{prefix}-current_step": step}
    data.update({form.add_prefix(name): value for name, value in values.items()})
    return browser.post(reverse("fieldwork:interview", args=[interview.pk]), data)


def door_values(**changed) -> dict:
    return {"where_lat": "28.228001", "where_lon": "112.938812", "where_acc": "12.5",
            "where_alt": "", "photo": data_url(jpeg(), "image/jpeg"),
            "voice": data_url(wav(), "audio/wav"), "note": "", **changed}  # fmt: skip


def test_a_door_interview_stores_the_point_the_photo_and_the_recording(browser, storage, door_case):
    interview = start(browser, door_case[0])
    url = reverse("fieldwork:interview", args=[interview.pk])
    response = browser.get(url)
    _, form = page_of(response)
    assert {"where", "photo", "voice", "note"} == set(form.fields)
    assert b'capture="environment"' in response.content and b"data-geo-locate" in response.content

    response = post(browser, interview, response, door_values())
    assert page_of(response)[0] == "more"  # accepted: the next page
    interview.refresh_from_db()
    saved = interview.answers
    assert saved["/door/where"] == "28.228001 112.938812 0 12.5"  # ODK: lat lon alt accuracy
    photo_name = hashlib.sha256(jpeg()).hexdigest() + ".jpg"
    voice_name = hashlib.sha256(wav()).hexdigest() + ".wav"
    assert (saved["/door/photo"], saved["/door/voice"]) == (photo_name, voice_name)
    with default_storage.open(media_path(interview.pk, photo_name), "rb") as stored:
        assert stored.read() == jpeg()
    with default_storage.open(media_path(interview.pk, voice_name), "rb") as stored:
        assert stored.read() == wav()

    # Back on the page, the saved files are kept as they are (by name) when it is sent again.
    response = browser.get(url)
    response = post(browser, interview, browser.post(url, {
        f"{response.context['wizard']['management_form'].prefix}-current_step": "more",
        "wizard_goto_step": "door"}), {"where": saved["/door/where"], "photo": photo_name,
                                       "voice": voice_name, "note": "ok"})  # fmt: skip
    interview.refresh_from_db()
    assert interview.answers["/door/photo"] == photo_name
    assert interview.answers["/door/note"] == "ok"


def test_the_files_are_served_to_the_interviewer_and_staff_only(
    browser, client, storage, door_case, supervisor, other_interviewer
):
    interview = start(browser, door_case[0])
    url = reverse("fieldwork:interview", args=[interview.pk])
    post(browser, interview, browser.get(url), door_values())
    interview.refresh_from_db()
    photo = interview.answers["/door/photo"]
    media = reverse("fieldwork:interview_media", args=[interview.pk, photo])
    response = browser.get(media)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content) == jpeg()
    assert "no-store" in response["Cache-Control"]
    # a name the answers do not hold is not served, even if it is well formed
    other = reverse("fieldwork:interview_media", args=[interview.pk, "0" * 64 + ".jpg"])
    assert browser.get(other).status_code == 404

    client.force_login(other_interviewer)
    assert client.get(media).status_code == 404
    client.force_login(supervisor)
    assert client.get(media).status_code == 200
    # a team's supervisor: their own team's interviews only (accounts.teams)
    team = Team.objects.create(name="一组", supervisor=supervisor)
    assert client.get(media).status_code == 404
    interview.interviewer.team = team
    interview.interviewer.save(update_fields=["team"])
    assert client.get(media).status_code == 200


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("photo", data_url(b"not an image at all", "image/png"), "不是 JPEG、PNG 或 WebP 图片"),
     ("photo", "data:image/jpeg;base64,@@@", "无法读取该文件"),
     ("photo", data_url(jpeg(2400, 2400) + b"\0" * (3 * 1024 * 1024), "image/jpeg"),
      "文件超过 3 MB"),
     ("voice", data_url(jpeg(), "audio/wav"), "不是 WebM、Ogg、MP4、MP3 或 WAV"),
     ("where_lat", "95", "纬度是 -90 到 90 之间的数"),
     ("where_lon", "", "请同时给出纬度和经度")],
)  # fmt: skip
def test_bad_files_and_points_are_refused_and_nothing_is_stored(
    browser, storage, door_case, field, value, message
):
    interview = start(browser, door_case[0])
    response = post(browser, interview, browser.get(reverse("fieldwork:interview",
                                                            args=[interview.pk])),
                    door_values(**{field: value}))  # fmt: skip
    assert response.status_code == 200
    assert message in response.content.decode()
    interview.refresh_from_db()
    assert "/door/photo" not in interview.answers
    assert not (storage / "interviews").exists()


def test_a_phone_interview_does_not_ask_for_photos_or_recordings(browser, storage, door_case):
    interview = start(browser, door_case[0], mode="phone")
    response = browser.get(reverse("fieldwork:interview", args=[interview.pk]))
    _, form = page_of(response)
    assert set(form.fields) == {"where", "note"}
    content = response.content.decode()
    assert "门牌照片" in content and "仅入户拍摄，电话访问不问" in content
    response = post(
        browser,
        interview,
        response,
        {"where_lat": "28.2", "where_lon": "112.9", "photo": data_url(jpeg(), "image/jpeg")},
    )
    assert page_of(response)[0] == "more"
    interview.refresh_from_db()
    assert "/door/photo" not in interview.answers  # a crafted photo is ignored
    assert not (storage / "interviews").exists()


def test_a_phone_only_wave_refuses_a_questionnaire_with_photos_naming_them(db, draw, door_version):
    with pytest.raises(ValidationError) as refused:
        waves.create_wave(
            name="电话",
            client=make_organisation("委托方"),
            questionnaire_version=door_version,
            draw=draw,
            mode="phone",
        )
    assert "photo、voice" in refused.value.messages[0]
    assert waves.create_wave(
        name="入户",
        client=make_organisation("委托方"),
        draw=draw,
        questionnaire_version=door_version,
        mode="door",
    )


def test_metadata_is_recorded_at_its_paths(browser, storage, door_case, interviewer):
    interview = start(browser, door_case[0])
    device = browser.cookies[COOKIE].value
    assert device.startswith("web:")
    saved = interview.answers
    began = datetime.fromisoformat(saved["/began"])
    assert began.utcoffset() is not None and abs((began - interview.started_at).total_seconds()) < 1
    assert saved["/day"] == began.date().isoformat()
    assert (saved["/who"], saved["/device"]) == (interviewer.username, device)
    assert "/ended" not in saved and "/meta/audit" not in saved

    url = reverse("fieldwork:interview", args=[interview.pk])
    post(browser, interview, browser.get(url), door_values())
    response = post(browser, interview, browser.get(url), {"remark": "无"})
    assert response.status_code == 302
    interview.refresh_from_db()
    assert interview.status != Interview.Status.IN_PROGRESS
    saved = interview.answers
    assert saved["/began"] == began.isoformat(timespec="milliseconds")  # kept through the pages
    ended = datetime.fromisoformat(saved["/ended"])
    assert abs((ended - interview.completed_at).total_seconds()) < 1
    rows = list(csv.DictReader(io.StringIO(saved["/meta/audit"])))
    assert [row["event"] for row in rows] == [
        "form start", "group questions", "group questions", "form finalize"]  # fmt: skip
    assert [row["node"] for row in rows[1:3]] == ["door", "more"]
    assert all(int(row["end"]) >= int(row["start"]) for row in rows[1:3])
    assert int(rows[0]["start"]) == round(interview.started_at.timestamp() * 1000)

    # The same browser is the same device for its next interview.
    second = start(browser, door_case[1])
    assert second.answers["/device"] == device


def test_the_review_page_shows_the_photo_the_recording_and_the_point(
    browser, client, storage, door_case, supervisor
):
    interview = start(browser, door_case[0])
    url = reverse("fieldwork:interview", args=[interview.pk])
    post(browser, interview, browser.get(url), door_values())
    post(browser, interview, browser.get(url), {"remark": "无"})
    interview.refresh_from_db()
    Review.objects.create(interview=interview, state=Review.State.CLEAN)
    client.force_login(supervisor)
    content = client.get(reverse("qc:review_detail", args=[interview.pk])).content.decode()
    photo = reverse(
        "fieldwork:interview_media", args=[interview.pk, interview.answers["/door/photo"]]
    )
    assert f'<img class="answer-photo" src="{photo}"' in content
    assert '<audio class="answer-audio" controls' in content
    assert "28.228001, 112.938812" in content


def test_today_is_the_local_day_the_interview_began():
    from fieldwork.interview.metadata import at_start

    definition = {"metadata": [{"name": "day", "path": "/day", "type": "today",
                                "xlsform_type": "today"}]}  # fmt: skip
    from zoneinfo import ZoneInfo

    late = datetime(2026, 5, 1, 23, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert at_start(definition, started=late, username="u", device="d") == {"/day": "2026-05-01"}
    assert date(2026, 5, 1).isoformat() == "2026-05-01"
