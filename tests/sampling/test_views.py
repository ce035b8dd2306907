import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from sampling.models import Draw, Frame, FrameStratumCount, Level
from sampling.services import draw_sample, import_frame
from tests.sampling.conftest import FRAME_SIZES, MAPPING, frame_rows


def upload(content: bytes, name: str = "frame.csv") -> dict:
    return {
        "file": SimpleUploadedFile(name, content, content_type="text/csv"),
        "name": "南京 2026",
        "unit_id_column": MAPPING["unit_id"],
        "phone_column": MAPPING["phone"],
        "locality_column": MAPPING["locality_code"],
        "address_column": MAPPING["address"],
    }


@pytest.fixture
def frame(localities, frame_file) -> Frame:
    with frame_file.open("rb") as file:
        return import_frame(file=file, source_name="frame.csv", name="南京 2026", mapping=MAPPING)


@pytest.fixture
def draw(frame) -> Draw:
    return draw_sample(frame=frame, n=10, seed=99)


def all_urls(frame: Frame, draw: Draw) -> list[str]:
    return [
        reverse("sampling:frame_list"),
        reverse("sampling:frame_upload"),
        reverse("sampling:frame_errors"),
        reverse("sampling:frame_detail", args=[frame.pk]),
        reverse("sampling:frame_allocation", args=[frame.pk]) + "?n=10",
        reverse("sampling:draw_detail", args=[draw.pk]),
        reverse("sampling:draw_download", args=[draw.pk]),
    ]


@pytest.mark.parametrize("role", ["supervisor", "interviewer", "client_user"])
def test_only_analysts_reach_sampling_pages(client, request, role, frame, draw):
    client.force_login(request.getfixturevalue(role))

    for url in all_urls(frame, draw):
        assert client.get(url).status_code == 403, url


def test_analyst_reaches_every_page(client, analyst, frame, draw):
    client.force_login(analyst)

    for url in all_urls(frame, draw):
        expected = 404 if url == reverse("sampling:frame_errors") else 200  # no failed import yet
        assert client.get(url).status_code == expected, url


def test_frame_list_shows_frames_and_draws_in_fixed_queries(
    client, analyst, draw, django_assert_num_queries
):
    client.force_login(analyst)
    draw_sample(frame=draw.frame, n=5, seed=1)

    with django_assert_num_queries(4):  # session, user, frames, draws
        response = client.get(reverse("sampling:frame_list"))

    assert response.status_code == 200
    assert "南京 2026" in response.content.decode()
    assert "99" in response.content.decode()


def test_good_upload_imports_and_redirects(client, analyst, localities, frame_file):
    client.force_login(analyst)

    response = client.post(reverse("sampling:frame_upload"), upload(frame_file.read_bytes()))

    frame = Frame.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("sampling:frame_detail", args=[frame.pk])
    assert frame.created_by == analyst and frame.n_rows == 100


def test_bad_upload_shows_rows_and_columns_and_saves_nothing(client, analyst, localities):
    client.force_login(analyst)
    data = frame_rows(FRAME_SIZES)
    data.loc[0, "tel"] = "1381234567"
    data.loc[5, "loc"] = "999"

    response = client.post(
        reverse("sampling:frame_upload"), upload(data.to_csv(index=False).encode())
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "frame.csv: 2 problems" in page
    assert '<td class="num">2</td>\n        <td>tel</td>\n        <td>138****4567</td>' in page
    assert "1381234567" not in page
    assert "<td>loc</td>" in page and "unknown locality code" in page
    assert Frame.objects.count() == 0 and FrameStratumCount.objects.count() == 0

    report = client.get(reverse("sampling:frame_errors"))
    text = b"".join(report.streaming_content).decode("utf-8-sig")
    assert text.splitlines() == [
        "Row,Column,Value,Problem",
        "2,tel,138****4567,not a mainland mobile number (11 digits starting 13–19)",
        "7,loc,999,unknown locality code",
    ]


def test_error_report_is_written_in_the_language_of_the_upload(client, analyst, localities):
    client.force_login(analyst)
    data = frame_rows(FRAME_SIZES)
    data.loc[0, "loc"] = "320102"  # a district

    response = client.post(
        reverse("sampling:frame_upload"),
        upload(data.to_csv(index=False).encode()),
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    report = client.get(reverse("sampling:frame_errors"), HTTP_ACCEPT_LANGUAGE="en")

    with translation.override("zh-hans"):
        header = ",".join(_(word) for word in ("Row", "Column", "Value", "Problem"))
        district = str(Level.DISTRICT.label)
    lines = b"".join(report.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0] == header != "Row,Column,Value,Problem"
    assert district in lines[1] and district in response.content.decode()


def test_error_report_is_per_user(client, analyst, db):
    client.force_login(analyst)

    assert client.get(reverse("sampling:frame_errors")).status_code == 404


def test_wrong_extension_is_a_form_error(client, analyst, localities):
    client.force_login(analyst)

    response = client.post(reverse("sampling:frame_upload"), upload(b"x", name="frame.xls"))

    assert "Upload a .csv or .xlsx file." in response.content.decode()


def test_frame_detail_shows_street_counts(client, analyst, frame):
    client.force_login(analyst)

    page = client.get(reverse("sampling:frame_detail", args=[frame.pk])).content.decode()

    assert "夫子庙街道" in page and "秦淮区" in page


def test_allocation_preview_partial(client, analyst, frame):
    client.force_login(analyst)
    url = reverse("sampling:frame_allocation", args=[frame.pk])

    page = client.get(url, {"n": 30, "minimum_per_stratum": ""}).content.decode()
    too_big = client.get(url, {"n": 500}).content.decode()

    assert '<div id="allocation">' in page
    assert "新街口街道" in page and '<td class="num">6</td>' in page
    assert "larger than the frame" in too_big


def test_draw_form_draws_and_redirects(client, analyst, frame):
    client.force_login(analyst)

    response = client.post(
        reverse("sampling:frame_detail", args=[frame.pk]),
        {"n": 10, "seed": 5, "minimum_per_stratum": 0, "name": ""},
    )

    draw = Draw.objects.get()
    assert response["Location"] == reverse("sampling:draw_detail", args=[draw.pk])
    assert (draw.seed, draw.created_by, draw.units.count()) == (5, analyst, 10)


def test_draw_form_reports_impossible_sizes(client, analyst, frame):
    client.force_login(analyst)

    response = client.post(reverse("sampling:frame_detail", args=[frame.pk]), {"n": 1000})

    assert "larger than the frame" in response.content.decode()
    assert Draw.objects.count() == 0


def test_draw_detail_masks_phones_and_download_does_not(client, analyst, draw):
    client.force_login(analyst)
    phone = draw.units.first().phone

    page = client.get(reverse("sampling:draw_detail", args=[draw.pk])).content.decode()
    download = client.get(reverse("sampling:draw_download", args=[draw.pk]))

    assert f"{phone[:3]}****{phone[-4:]}" in page and phone not in page
    assert '<div class="metric">99</div>' in page  # the seed
    text = download.content.decode("utf-8-sig")
    assert phone in text
    assert text.splitlines()[0].endswith("stratum,replicate,inclusion_probability,design_weight")
    assert len(text.splitlines()) == 11
