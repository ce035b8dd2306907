from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from jobs.services import start_job
from sampling.models import Draw, Frame, FrameStratumCount, Level, Locality
from sampling.services.draws import draw_sample
from sampling.services.import_jobs import FRAME_IMPORT
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
def frame_draw(frame) -> Draw:
    return draw_sample(frame=frame, n=10, seed=99)


def all_urls(frame: Frame, draw: Draw) -> list[str]:
    job = start_job(kind=FRAME_IMPORT, params={"upload_path": "none"}, subject="f.csv")
    return [
        reverse("sampling:locality_upload"),
        reverse("sampling:import_status", args=[job.pk]),
        reverse("sampling:import_progress", args=[job.pk]),
        reverse("sampling:frame_list"),
        reverse("sampling:frame_upload"),
        reverse("sampling:frame_errors"),
        reverse("sampling:frame_detail", args=[frame.pk]),
        reverse("sampling:frame_allocation", args=[frame.pk]) + "?n=10",
        reverse("sampling:draw_detail", args=[draw.pk]),
        reverse("sampling:draw_download", args=[draw.pk]),
    ]


@pytest.mark.parametrize("role", ["supervisor", "interviewer", "client_user"])
def test_only_analysts_reach_sampling_pages(client, request, role, frame, frame_draw):
    client.force_login(request.getfixturevalue(role))

    for url in all_urls(frame, frame_draw):
        assert client.get(url).status_code == 403, url


def test_analyst_reaches_every_page(client, analyst, frame, frame_draw):
    client.force_login(analyst)

    for url in all_urls(frame, frame_draw):
        expected = 404 if url == reverse("sampling:frame_errors") else 200  # no failed import yet
        assert client.get(url).status_code == expected, url


def test_frame_list_shows_frames_and_draws_in_fixed_queries(
    client, analyst, frame_draw, django_assert_num_queries
):
    client.force_login(analyst)
    draw_sample(frame=frame_draw.frame, n=5, seed=1)

    # session, user, their second factor, frames, draws, the session's new idle expiry (an
    # update between savepoints)
    with django_assert_num_queries(8):
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


def test_draw_detail_masks_phones_and_download_does_not(client, analyst, frame_draw):
    client.force_login(analyst)
    phone = frame_draw.units.first().phone

    page = client.get(reverse("sampling:draw_detail", args=[frame_draw.pk])).content.decode()
    download = client.get(reverse("sampling:draw_download", args=[frame_draw.pk]))

    assert f"{phone[:3]}****{phone[-4:]}" in page and phone not in page
    assert '<div class="metric">99</div>' in page  # the seed
    text = download.content.decode("utf-8-sig")
    assert phone in text
    assert text.splitlines()[0].endswith("stratum,replicate,inclusion_probability,design_weight")
    assert len(text.splitlines()) == 11


def test_locality_upload_imports_or_lists_every_problem(client, analyst, db):
    client.force_login(analyst)
    url = reverse("sampling:locality_upload")
    good = "code,name,parent_code,level,M|16-29\n1,市,,city,5\n11,区,1,district,\n".encode()
    bad = "code,name,parent_code,level\n1,市,,city\n11,区,9,district\n12,区,1,town\n".encode()

    response = client.post(url, {"file": SimpleUploadedFile("t.csv", good)})
    failed = client.post(url, {"file": SimpleUploadedFile("bad.csv", bad)}, follow=True)

    assert response.status_code == 302 and Locality.objects.count() == 2
    page = failed.content.decode()
    assert "bad.csv: 2 problems" in page
    assert "Row 3 (11): unknown parent code 9" in page and "Row 4 (12): level" in page
    assert Locality.objects.count() == 2
    assert (
        "Upload a .csv or .xlsx file."
        in client.post(url, {"file": SimpleUploadedFile("t.txt", good)}).content.decode()
    )


def test_allocation_preview_takes_the_whole_plan(client, analyst, frame):
    client.force_login(analyst)
    url = reverse("sampling:frame_allocation", args=[frame.pk])

    page = client.get(
        url,
        {"n": 10, "strata": "district_code", "method": "equal", "reserves": 1,
         "reserve_fraction": "0.5"},
    ).content.decode()  # fmt: skip
    neyman = client.get(
        url, {"n": 10, "method": "neyman", "sds": "320102001,1\n320102002,x"}
    ).content.decode()
    fixed = client.get(url, {"method": "fixed", "fixed_sizes": "320102002,3"}).content.decode()

    assert "玄武区" in page and "秦淮区" in page
    assert '<td class="num">5</td>' in page  # equal: 5 and 5
    assert "Reserve" in page and '<th class="num">6</th>' in page  # 3 + 3 in reserve
    assert "Line 2: 'x' is not a number." in unescape(neyman)
    assert "新街口街道" in fixed and '<td class="num">3</td>' in fixed


def test_draw_form_draws_with_reserves_and_detail_shows_the_plan(client, analyst, frame):
    client.force_login(analyst)

    response = client.post(
        reverse("sampling:frame_detail", args=[frame.pk]),
        {"n": 10, "seed": 5, "strata": ["district_code"], "method": "proportional",
         "reserves": 2, "reserve_fraction": "0.5", "sort_columns": ["address"]},
    )  # fmt: skip

    draw = Draw.objects.get()
    assert response.status_code == 302
    assert (draw.strata_columns, draw.reserve_replicates, draw.sort_columns) == (
        ["district_code"], 2, ["address"],
    )  # fmt: skip
    page = client.get(reverse("sampling:draw_detail", args=[draw.pk])).content.decode()
    assert "systematic, sorted by Address" in page  # the frame's columns by what they hold
    assert "2 replicates of 0.5 × the stratum&#x27;s sample" in page
    assert "main sample" in page and "in reserve" in page
    assert "玄武区" in page  # the district strata are named


def test_draw_form_needs_a_size_unless_fixed(client, analyst, frame):
    client.force_login(analyst)

    response = client.post(reverse("sampling:frame_detail", args=[frame.pk]), {"seed": 1})

    assert "Give the sample size." in response.content.decode()
    assert Draw.objects.count() == 0


def test_the_sample_and_the_error_report_are_never_cached(client, analyst, frame_draw, settings):
    # The sample holds full phone numbers; the error report rows of the uploaded frame.
    client.force_login(analyst)
    client.post(reverse("sampling:frame_upload"), upload(b"bad,file\n1,2\n"))
    for url in (
        reverse("sampling:draw_download", args=[frame_draw.pk]),
        reverse("sampling:frame_errors"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
