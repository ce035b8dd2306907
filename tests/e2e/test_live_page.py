"""The interview page in a real browser: questions appear and disappear as the interviewer
answers, without a submit (static/js/live.js), and a door-to-door page takes the tablet's
position and a photo (static/js/capture.js), which the server stores and the review shows.

Screenshots (desktop 1366×900 and tablet 820×1180) go to $SCREENSHOTS (/tmp/screenshots).
"""

import hashlib
import os
from pathlib import Path

import pytest
from django.urls import reverse
from PIL import Image

from fieldwork.models import Interview
from questionnaires.services import import_questionnaire_version
from tests.e2e.conftest import CHROMIUM, log_in
from tests.factories import PASSWORD, make_wave, start_first_interview
from tests.questionnaires.workbooks import make_xlsx

SHOTS = Path(os.environ.get("SCREENSHOTS", "/tmp/screenshots"))
HEADER = ["type", "name", "label", "relevant", "calculation", "required"]
SURVEY = [
    {"type": "begin group", "name": "car", "label": "出行"},
    {"type": "select_one yn", "name": "has_car", "label": "家里有汽车吗", "required": "yes"},
    {"type": "integer", "name": "cars", "label": "有几辆", "relevant": "${has_car} = 'yes'"},
    {"type": "calculate", "name": "many", "calculation": "if(${cars} > 2, 'yes', 'no')"},
    {"type": "text", "name": "parking", "label": "停车是否困难", "relevant": "${many} = 'yes'"},
    {"type": "geopoint", "name": "where", "label": "住户位置"},
    {"type": "image", "name": "door", "label": "门牌照片"},
    {"type": "end group"},
    {"type": "begin group", "name": "end", "label": "结束"},
    {"type": "text", "name": "remark", "label": "备注"},
    {"type": "end group"},
]  # fmt: skip
CHOICES = [
    {"list_name": "yn", "name": "yes", "label": "是"},
    {"list_name": "yn", "name": "no", "label": "否"},
]


@pytest.fixture
def door_interview(db, draw, interviewer):
    data = make_xlsx(survey=SURVEY, choices=CHOICES, survey_header=HEADER,
                     choices_header=["list_name", "name", "label"],
                     settings={"form_title": "出行", "form_id": "live"})  # fmt: skip
    version = import_questionnaire_version(data=data, source_name="live.xlsx")
    wave = make_wave(draw=draw, version=version)
    return start_first_interview(wave=wave, interviewer=interviewer, mode="door")


def _photo(tmp_path: Path) -> Path:
    path = tmp_path / "door.jpg"
    Image.new("RGB", (2400, 1800), (40, 90, 160)).save(path, "JPEG")
    return path


@pytest.mark.django_db(transaction=True)
def test_questions_appear_as_answered_and_the_door_page_takes_position_and_photo(
    live_server, chromium, door_interview, interviewer, supervisor, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = chromium.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900},
                                   geolocation={"latitude": 28.228, "longitude": 112.9388,
                                                "accuracy": 8},
                                   permissions=["geolocation"])  # fmt: skip
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, live_server.url, interviewer.username, PASSWORD)
    page.goto(f"{live_server.url}/fieldwork/interviews/{door_interview.pk}/")
    cars = page.locator("[data-question=cars]")
    parking = page.locator("[data-question=parking]")
    assert cars.is_hidden() and parking.is_hidden()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.method))

    page.get_by_label("是").check()  # has_car = yes: "how many" appears, no request made
    cars.wait_for(state="visible")
    page.fill("input[name$='-cars']", "3")  # the calculate says "many": parking appears
    parking.wait_for(state="visible")
    page.get_by_label("否").check()  # and both go again
    cars.wait_for(state="hidden")
    assert parking.is_hidden()
    assert "POST" not in requests
    page.get_by_label("是").check()
    cars.wait_for(state="visible")
    assert page.input_value("input[name$='-cars']") == "3"  # what was typed is kept
    parking.wait_for(state="visible")
    page.fill("[data-question=parking] textarea", "很难")

    page.click("[data-geo-locate]")
    page.wait_for_function("() => document.querySelector('[data-geo=latitude]').value !== ''")
    page.set_input_files("[data-media-file]", str(_photo(tmp_path)))
    page.locator("[data-media-preview] img").wait_for()
    page.screenshot(path=str(SHOTS / "live_page_desktop.png"), full_page=True)
    page.set_viewport_size({"width": 820, "height": 1180})
    page.screenshot(path=str(SHOTS / "live_page_tablet.png"), full_page=True)

    page.click("#next")
    page.wait_for_load_state()
    assert page.inner_text("h1").strip() == "结束"
    interview = Interview.objects.get(pk=door_interview.pk)
    saved = interview.answers
    assert (saved["/car/has_car"], saved["/car/cars"], saved["/car/parking"]) == ("yes", 3, "很难")
    assert saved["/car/many"] == "yes"
    latitude, longitude, _altitude, accuracy = saved["/car/where"].split()
    assert (float(latitude), float(longitude), float(accuracy)) == (28.228, 112.9388, 8.0)
    photo = saved["/car/door"]
    assert photo.endswith(".jpg")
    stored = Image.open(settings.MEDIA_ROOT / "interviews" / str(interview.pk) / photo)
    assert max(stored.size) == 1600  # shrunk in the browser before it was sent

    # Opened again later and back on the page, the stored photo is shown from the server
    page.goto(f"{live_server.url}/fieldwork/interviews/{door_interview.pk}/")
    page.click("button[name=wizard_goto_step]")
    page.wait_for_load_state()
    preview = page.locator("[data-media-preview] img")
    preview.wait_for()
    assert f"/media/{photo}" in preview.get_attribute("src")
    assert page.evaluate("document.querySelector('[data-media-preview] img').naturalWidth") == 1600
    assert errors == []  # no script error, no Content-Security-Policy violation
    context.close()


@pytest.mark.django_db(transaction=True)
def test_an_answer_that_hides_a_question_again_sends_nothing_of_it(
    live_server, new_page, door_interview, interviewer
):
    page = new_page()
    log_in(page, live_server.url, interviewer.username, PASSWORD)
    page.goto(f"{live_server.url}/fieldwork/interviews/{door_interview.pk}/")
    page.get_by_label("是").check()
    page.fill("input[name$='-cars']", "5")
    page.get_by_label("否").check()
    page.click("#next")
    page.wait_for_load_state()
    assert page.inner_text("h1").strip() == "结束"
    saved = Interview.objects.get(pk=door_interview.pk).answers
    assert saved["/car/has_car"] == "no"
    assert "/car/cars" not in saved and "/car/parking" not in saved
    assert saved["/car/many"] == "no"


@pytest.mark.django_db(transaction=True)
def test_a_photo_taken_offline_waits_on_the_tablet_and_is_stored_when_sent(
    live_server, new_page, door_interview, interviewer, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    page = new_page()
    log_in(page, live_server.url, interviewer.username, PASSWORD)
    page.goto(f"{live_server.url}/fieldwork/interviews/{door_interview.pk}/")
    page.get_by_label("否").check()
    page.fill("[data-geo=latitude]", "28.2")
    page.fill("[data-geo=longitude]", "112.9")
    page.set_input_files("[data-media-file]", str(_photo(tmp_path)))
    page.locator("[data-media-preview] img").wait_for()

    page.context.set_offline(True)
    page.click("#next")
    page.locator("#offline-queue li").wait_for()  # kept on the device, photo and all
    assert Interview.objects.get(pk=door_interview.pk).answers.get("/car/door") is None

    page.context.set_offline(False)
    page.wait_for_function("() => document.querySelector('h1').textContent.trim() === '结束'")
    saved = Interview.objects.get(pk=door_interview.pk).answers
    photo = settings.MEDIA_ROOT / "interviews" / str(door_interview.pk) / saved["/car/door"]
    assert max(Image.open(photo).size) == 1600
    assert saved["/car/where"] == "28.2 112.9 0 0"


@pytest.mark.django_db(transaction=True)
def test_the_review_page_shows_the_photo_and_the_point(
    live_server, chromium, door_interview, interviewer, supervisor, tmp_path, settings
):
    from fieldwork.interview.media import media_path
    from qc.models import Review

    settings.MEDIA_ROOT = tmp_path / "media"
    SHOTS.mkdir(parents=True, exist_ok=True)
    photo = _photo(tmp_path).read_bytes()
    name = hashlib.sha256(photo).hexdigest() + ".jpg"
    path = settings.MEDIA_ROOT / media_path(door_interview.pk, name)
    path.parent.mkdir(parents=True)
    path.write_bytes(photo)
    Interview.objects.filter(pk=door_interview.pk).update(
        answers={**door_interview.answers, "/car/has_car": "no", "/car/door": name,
                 "/car/where": "28.228 112.9388 0 8"},
        status=Interview.Status.COMPLETED)  # fmt: skip
    Review.objects.create(interview=door_interview, state=Review.State.CLEAN)
    for width, height, label in ((1366, 900, "desktop"), (820, 1180, "tablet")):
        context = chromium.new_context(locale="zh-CN", viewport={"width": width, "height": height})
        page = context.new_page()
        log_in(page, live_server.url, supervisor.username, PASSWORD)
        page.goto(f"{live_server.url}{reverse('qc:review_detail', args=[door_interview.pk])}")
        image = page.locator("img.answer-photo")
        image.wait_for()
        page.wait_for_function("document.querySelector('img.answer-photo').complete")
        assert page.evaluate("document.querySelector('img.answer-photo').naturalWidth") == 2400
        assert "28.228, 112.9388 （精度 8 米）" in page.content()
        image.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / f"review_photo_{label}.png"))
        context.close()


# Expressions live.js runs, each evaluated in the browser and by the server's evaluator on the
# same answers (answers as a page holds them: text, and lists for multiple choices).
AGREEMENT_ANSWERS = {"a": "yes", "n": "45", "e": "", "m": ["x", "y"], "d": "2026-05-01",
                     "z": "0", "f": "2.5", "s": "  3 "}  # fmt: skip
AGREEMENT = [
    "${a} = 'yes'", "${a} != 'no'", "${n} > 18", "${n} >= 45.0", "${e} < 5", "${e} = ''",
    "${e} > -1", "${n} = 45", "${n} = '45'", "${s} = 3", "${s} = '3'", "${z}", "${e}",
    "not(${z} = 0)", "selected(${m}, 'x')", "selected(${m}, 'q')", "count-selected(${m}) = 2",
    "count-selected(${e})", "string-length(${a}) + 1", "${n} div 0", "-${n} div 0",
    "0 div 0 = 0 div 0", "${f} * 2 - 1", "int(${f}) = 2", "int(-${f})", "concat(${a}, '-', ${n})",
    "if(${n} > 40, 'old', 'young')", "coalesce(${e}, ${a})", "contains(${a}, 'es')",
    "starts-with(${a}, 'y') and ends-with(${a}, 's')", "${d} > '2026-01-01'", "${d} < 20500",
    "number(${a})", "string(${n} + 0.5)", "boolean(${e}) or true()", "${e} + 1 = ${e} + 1",
    "${a} = true()", "${z} = false()", "number('1e3')", "string(1 div 3)",
]  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_the_browser_evaluates_the_expressions_it_runs_as_the_server_does(
    live_server, new_page, door_interview, interviewer
):
    from questionnaires.xpath import compute
    from questionnaires.xpath.browser import browser_program
    from questionnaires.xpath.values import to_string

    page = new_page()
    log_in(page, live_server.url, interviewer.username, PASSWORD)
    page.goto(f"{live_server.url}/fieldwork/interviews/{door_interview.pk}/")
    page.wait_for_function("() => window.liveExpressions !== undefined")
    for expression in AGREEMENT:
        program = browser_program(expression)
        assert program is not None, expression
        server = compute(expression, AGREEMENT_ANSWERS)
        browser = page.evaluate(
            "([program, env]) => window.liveExpressions.string("
            "window.liveExpressions.evaluate(program, env))",
            [program, AGREEMENT_ANSWERS],
        )
        assert browser == to_string(server), expression


AUDIO_SURVEY = [
    {"type": "begin group", "name": "talk", "label": "录音"},
    {"type": "audio", "name": "voice", "label": "受访者的原话"},
    {"type": "end group"},
    {"type": "begin group", "name": "end", "label": "结束"},
    {"type": "text", "name": "remark", "label": "备注"},
    {"type": "end group"},
]


@pytest.mark.django_db(transaction=True)
def test_a_recording_made_in_the_browser_is_stored_with_the_interview(
    live_server, chromium, draw, interviewer, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    data = make_xlsx(survey=AUDIO_SURVEY, choices=[], survey_header=["type", "name", "label"],
                     choices_header=["list_name", "name", "label"],
                     settings={"form_title": "录音", "form_id": "voice"})  # fmt: skip
    version = import_questionnaire_version(data=data, source_name="voice.xlsx")
    wave = make_wave(draw=draw, version=version)
    interview = start_first_interview(wave=wave, interviewer=interviewer, mode="door")
    # Chromium's fake microphone (a tone) and no permission prompt
    browser = chromium.browser_type.launch(
        executable_path=CHROMIUM, headless=True,
        args=["--no-sandbox", "--disable-gpu", "--use-fake-ui-for-media-stream",
              "--use-fake-device-for-media-stream"])  # fmt: skip
    try:
        page = browser.new_context(locale="zh-CN").new_page()
        log_in(page, live_server.url, interviewer.username, PASSWORD)
        page.goto(f"{live_server.url}/fieldwork/interviews/{interview.pk}/")
        page.click("[data-media-record]")
        page.locator("[data-media-stop]").wait_for()
        page.wait_for_timeout(1500)
        page.click("[data-media-stop]")
        page.locator("[data-media-preview] audio").wait_for(state="attached")
        page.click("#next")
        page.wait_for_function("() => document.querySelector('h1').textContent.trim() === '结束'")
    finally:
        browser.close()
    name = Interview.objects.get(pk=interview.pk).answers["/talk/voice"]
    assert name.endswith(".webm")
    content = (settings.MEDIA_ROOT / "interviews" / str(interview.pk) / name).read_bytes()
    assert content[:4] == b"\x1a\x45\xdf\xa3" and len(content) > 1000  # a WebM (EBML) file
    assert name == hashlib.sha256(content).hexdigest() + ".webm"
