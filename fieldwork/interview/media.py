"""Location, photo and audio questions: their fields, the captured files' checks and storage.

- geopoint: the tablet's position from the browser (static/js/capture.js fills it with the
  accuracy), or latitude and longitude typed in when there is no fix; stored as ODK stores it,
  "latitude longitude altitude accuracy" (altitude 0 when unknown).
- image and audio: taken in the browser door to door (a camera photo, shrunk in the browser,
  or a MediaRecorder recording) and posted as a data URL in a hidden field, so that a page kept
  offline (static/js/offline.js) carries its photo like any other answer. The server checks the
  type from the bytes themselves (Pillow opens an image; an audio file must start as its type
  says) and the size, then stores the file through the file storage under the interview
  (`interviews/<id>/<sha256>.<ext>`: the same bytes sent twice are one file). The answer is the
  file's name, as ODK's is. In a phone interview they are not asked (phone_page): a telephone
  interviewer cannot photograph the respondent's door, and a phone-only wave refuses a
  questionnaire that has them (fieldwork.services.waves).
"""

import base64
import binascii
import hashlib
import io
import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.crypto import Sealed

__all__ = [
    "MEDIA_TYPES",
    "Capture",
    "GeopointField",
    "MediaField",
    "media_field",
    "media_path",
    "phone_page",
    "store_captures",
]

MEDIA_TYPES = ("geopoint", "image", "audio")
CAPTURED = ("image", "audio")
# A photo is shrunk in the browser to 1600 pixels on its long side (a few hundred kB); a
# recording of a few minutes in Opus is well under the audio cap. Both must also fit in the
# tablet's offline queue (localStorage, about 5 MB per site).
MAX_BYTES = {"image": 3 * 1024 * 1024, "audio": 4 * 1024 * 1024}
MAX_PIXELS = 40_000_000
IMAGE_TYPES = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
AUDIO_TYPES = {  # content type → (extension, test of the first bytes)
    "audio/webm": ("webm", lambda b: b[:4] == b"\x1a\x45\xdf\xa3"),
    "audio/ogg": ("ogg", lambda b: b[:4] == b"OggS"),
    "audio/mp4": ("m4a", lambda b: b[4:8] == b"ftyp"),
    "audio/mpeg": ("mp3", lambda b: b[:3] == b"ID3" or (len(b) > 1 and b[0] == 0xFF)),
    "audio/wav": ("wav", lambda b: b[:4] == b"RIFF" and b[8:12] == b"WAVE"),
}
_STORED = re.compile(r"^[0-9a-f]{64}\.(jpg|png|webp|webm|ogg|m4a|mp3|wav)$")
_DATA_URL = re.compile(r"^data:([\w.+-]+/[\w.+-]+)((?:;[\w.+-]+=[\w.+-]+)*);base64,(.*)$", re.S)


class Capture(str):
    """A file captured on this page: its stored name (the answer) with its bytes, to be
    written by store_captures once the page is accepted."""

    content: bytes

    def __new__(cls, name: str, content: bytes) -> "Capture":
        self = super().__new__(cls, name)
        self.content = content
        return self


def media_path(interview_id: int, name: str) -> str:
    return f"interviews/{interview_id}/{name}"


def store_captures(*, interview_id: int, values) -> None:
    """Write the files captured on a page (the Capture values among `values`) to the storage.
    A name already stored holds the same bytes (the name is their hash) and is left alone."""
    for value in values:
        if isinstance(value, Capture):
            path = media_path(interview_id, value)
            if not default_storage.exists(path):
                default_storage.save(path, ContentFile(value.content))


def is_stored_name(value) -> bool:
    return isinstance(value, str) and bool(_STORED.match(value))


# --- photo and audio -------------------------------------------------------------------------


class MediaWidget(forms.Widget):
    """A hidden field for the answer and the controls static/js/capture.js works with."""

    def __init__(self, kind: str, attrs=None):
        super().__init__(attrs)
        self.kind = kind

    def render(self, name, value, attrs=None, renderer=None):
        value = "" if value in (None, "") else str(value)
        stored = value if is_stored_name(value) else ""
        file_id = f"{(attrs or {}).get('id') or 'id_' + name}_file"
        accept = "image/*" if self.kind == "image" else "audio/*"
        capture = "environment" if self.kind == "image" else "user"
        labels = {
            "image": (_("Take a photo"), _("Photo kept.")),
            "audio": (_("Choose a recording"), _("Recording kept.")),
        }[self.kind]
        buttons = ""
        if self.kind == "audio":
            buttons = format_html(
                '<button type="button" class="secondary" data-media-record>{}</button> '
                '<button type="button" class="secondary" data-media-stop hidden>{}</button>',
                _("Record"),
                _("Stop"),
            )
        data = {
            "data-media": self.kind,
            "data-stored": stored,
            "data-max-bytes": str(MAX_BYTES[self.kind]),
            "data-too-big": _("The file is over %(mb)s MB.") % {"mb": _mb(self.kind)},
            "data-kept": labels[1],
            "data-recording": _("Recording…"),
            "data-no-recorder": _("This browser cannot record: choose a recording instead."),
            "data-unreadable": _("The file could not be read."),
        }
        attributes = format_html_join(" ", '{}="{}"', data.items())
        return format_html(
            '<div class="media-capture" {}>'
            '<input type="hidden" name="{}" value="{}" data-media-value>'
            '<label class="button secondary" for="{}">{}</label> '
            '<input type="file" id="{}" accept="{}" capture="{}" data-media-file '
            'class="visually-hidden"> '
            '{}<span class="muted" data-media-status>{}</span>'
            '<div data-media-preview></div></div>',
            attributes, name, value, file_id, labels[0], file_id, accept, capture, buttons,
            labels[1] if value else "",
        )  # fmt: skip

    def value_from_datadict(self, data, files, name):
        return data.get(name)


def _mb(kind: str) -> str:
    return f"{MAX_BYTES[kind] / (1024 * 1024):g}"


class MediaField(forms.Field):
    """A photo or a recording, as a data URL from the browser (or the name of the file a
    submitted page already stored, when the page comes back); cleaned to a Capture or that
    name."""

    def __init__(self, *, kind: str, **kwargs):
        self.kind = kind
        super().__init__(widget=MediaWidget(kind), **kwargs)

    def to_python(self, value):
        if value in (None, ""):
            return None
        if is_stored_name(value):
            return value
        match = _DATA_URL.match(str(value))
        if not match:
            raise ValidationError(_("The file could not be read."), code="unreadable")
        content_type = match.group(1).lower()
        try:
            content = base64.b64decode(match.group(3), validate=True)
        except (binascii.Error, ValueError) as error:
            raise ValidationError(_("The file could not be read."), code="unreadable") from error
        if len(content) > MAX_BYTES[self.kind]:
            raise ValidationError(
                _("The file is over %(mb)s MB.") % {"mb": _mb(self.kind)}, code="too_big"
            )
        extension = (_image if self.kind == "image" else _audio)(content, content_type)
        return Capture(f"{hashlib.sha256(content).hexdigest()}.{extension}", content)


def _image(content: bytes, content_type: str) -> str:
    from PIL import Image, UnidentifiedImageError  # only a photo upload needs Pillow

    wrong = _("The photo is not a JPEG, PNG or WebP image.")
    try:
        with Image.open(io.BytesIO(content)) as image:
            kind = image.format
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError(_("The photo has too many pixels."), code="too_big")
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as error:
        raise ValidationError(wrong, code="type") from error
    if kind not in IMAGE_TYPES:
        raise ValidationError(wrong, code="type")
    return IMAGE_TYPES[kind]


def _audio(content: bytes, content_type: str) -> str:
    content_type = {"audio/x-wav": "audio/wav", "audio/wave": "audio/wav",
                    "audio/x-m4a": "audio/mp4", "audio/mp3": "audio/mpeg",
                    "video/webm": "audio/webm"}.get(content_type, content_type)  # fmt: skip
    found = AUDIO_TYPES.get(content_type)
    if found is None or not found[1](content):
        raise ValidationError(
            _("The recording is not a WebM, Ogg, MP4, MP3 or WAV audio file."), code="type"
        )
    return found[0]


# --- location ----------------------------------------------------------------------------------


class GeopointWidget(forms.MultiWidget):
    """Latitude, longitude and accuracy (metres) to type or to fill from the tablet, and the
    altitude, hidden. A page restored from saved answers gives the whole point under the
    question's own name, as it is stored."""

    def __init__(self, attrs=None):
        def named(role: str, text) -> dict:  # the name shows once the box is filled too
            return {"inputmode": "decimal", "autocomplete": "off", "data-geo": role,
                    "placeholder": text, "title": text, "aria-label": text}  # fmt: skip

        widgets = {
            "lat": forms.TextInput(named("latitude", gettext_lazy("Latitude"))),
            "lon": forms.TextInput(named("longitude", gettext_lazy("Longitude"))),
            "acc": forms.TextInput(named("accuracy", gettext_lazy("Accuracy (m)"))),
            "alt": forms.HiddenInput({"data-geo": "altitude"}),
        }
        super().__init__(widgets, attrs)

    def decompress(self, value):
        parts = str(value or "").split()
        parts += [""] * (4 - len(parts))
        latitude, longitude, altitude, accuracy = parts[:4]
        return [latitude, longitude, accuracy, altitude]

    def value_from_datadict(self, data, files, name):
        if name in data:  # a saved point put back as submitted data
            return self.decompress(data.get(name))
        return super().value_from_datadict(data, files, name)

    def render(self, name, value, attrs=None, renderer=None):
        inputs = super().render(name, value, attrs, renderer)
        return format_html(
            '<div class="geopoint" data-geopoint data-waiting="{}" data-found="{}" '
            'data-failed="{}" data-denied="{}">'
            '<button type="button" class="secondary" data-geo-locate>{}</button> '
            '<span class="muted" data-geo-status></span><div class="geo-inputs">{}</div></div>',
            _("Finding the position…"), _("Position found, accurate to"),
            _("No position: type latitude and longitude."),
            _("Location is not allowed in this browser: type latitude and longitude."),
            _("Record the location"), inputs,
        )  # fmt: skip


def _decimal(text: str, low: int, high: int, message: str) -> Decimal | None:
    if text in (None, ""):
        return None
    try:
        value = Decimal(str(text).strip().replace(",", "."))
    except ArithmeticError as error:
        raise ValidationError(message) from error
    if not value.is_finite() or not low <= value <= high:
        raise ValidationError(message)
    return value


class GeopointField(forms.MultiValueField):
    def __init__(self, **kwargs):
        fields = (forms.CharField(), forms.CharField(), forms.CharField(), forms.CharField())
        super().__init__(fields, widget=GeopointWidget(), require_all_fields=False, **kwargs)

    def clean(self, value):
        parts = list(value or []) + [""] * 4
        if not any(str(part or "").strip() for part in parts[:2]):
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return None
        latitude = _decimal(parts[0], -90, 90, _("Latitude is a number from -90 to 90."))
        longitude = _decimal(parts[1], -180, 180, _("Longitude is a number from -180 to 180."))
        if latitude is None or longitude is None:
            raise ValidationError(_("Give both latitude and longitude."), code="incomplete")
        accuracy = _decimal(parts[2], 0, 100_000, _("Accuracy is metres, 0 or more."))
        altitude = _decimal(parts[3], -1000, 10_000, _("Altitude is metres."))
        return Sealed(  # an exact position: it rests sealed (personal_answers)
            " ".join(
                _plain(number)
                for number in (latitude, longitude, altitude or Decimal(0), accuracy or Decimal(0))
            )
        )

    def compress(self, data_list):  # clean() does the work
        return data_list


def _plain(number: Decimal) -> str:
    text = format(number.normalize(), "f")
    return text if text not in ("-0",) else "0"


def media_field(question: dict, common: dict) -> forms.Field:
    if question["type"] == "geopoint":
        return GeopointField(**common)
    return MediaField(kind=question["type"], **common)


# --- phone interviews -------------------------------------------------------------------------


def phone_page(page: dict) -> dict:
    """The page as a phone interview asks it: a photo or audio question becomes a note saying
    it is taken door to door (nothing is asked or stored)."""
    group = page["group"]
    if not any(q.get("type") in CAPTURED for q in group["questions"]):
        return page
    questions = []
    for question in group["questions"]:
        if question.get("type") in CAPTURED:
            labels = question.get("label") or {"": question["name"]}
            text = (
                _("Photo “%(label)s”: taken door to door only, not asked on the phone.")
                if question["type"] == "image"
                else _("Recording “%(label)s”: taken door to door only, not asked on the phone.")
            )
            said = {code: text % {"label": label} for code, label in labels.items()}
            question = {**question, "type": "note", "required": False, "label": said}
        questions.append(question)
    return {**page, "group": {**group, "questions": questions}}


def door_only_questions(definition: dict) -> list[str]:
    """The names of the photo and audio questions, at any depth: a phone-only wave cannot ask
    them (fieldwork.services.waves refuses the questionnaire, naming them)."""

    def walk(items: list[dict]):
        for item in items:
            if item.get("type") == "repeat" and "questions" in item:
                yield from walk(item["questions"])
            elif item.get("type") in CAPTURED and item.get("kind", "asked") == "asked":
                yield item["name"]

    return [name for page in definition.get("groups", []) for name in walk(page["questions"])]
