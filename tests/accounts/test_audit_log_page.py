"""The analyst's audit log page: filters, pages, exports (each export logged), analysts only."""

import io
from datetime import timedelta

import openpyxl
import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.auditlog.views import PAGE_SIZE
from audit.kinds import Kind
from audit.models import AuditEvent
from audit.services import record
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _aged(days: int, kind: str, actor: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditevent (created_at, actor_name, actor_role,"
            " actor_organisation, kind, subject, detail)"
            " VALUES (%s, %s, 'analyst', '', %s, 'x', '{}')",
            [timezone.now() - timedelta(days=days), actor, kind],
        )


@pytest.fixture
def logged_in(client, analyst):
    client.login(username=analyst.username, password=PASSWORD)
    return client


@pytest.mark.parametrize("role", ["supervisor", "interviewer", "client_user"])
def test_only_analysts_read_or_export_the_log(client, request, role):
    user = request.getfixturevalue(role)
    client.login(username=user.username, password=PASSWORD)
    assert client.get(reverse("accounts:audit_log")).status_code == 403
    assert client.get(reverse("accounts:audit_export")).status_code == 403
    assert not AuditEvent.objects.filter(kind=Kind.AUDIT_EXPORTED).exists()


def test_filters_select_by_period_kind_and_user(logged_in, english):
    # given events by two users on different days
    _aged(10, Kind.DOWNLOAD, "li")
    _aged(3, Kind.DOWNLOAD, "zhao")
    _aged(3, Kind.PHONE_REVEALED, "li")
    today = timezone.localdate()
    # when the page is filtered to the last week's downloads
    query = {"since": str(today - timedelta(days=7)), "until": str(today), "kind": Kind.DOWNLOAD}
    page = logged_in.get(reverse("accounts:audit_log"), query).content.decode()
    # then only zhao's download of three days ago is listed
    assert "1 event" in page and "zhao" in page and "File downloaded" in page
    assert "Phone number shown" not in page.split("<tbody>")[1]
    # and by user
    page = logged_in.get(reverse("accounts:audit_log"), {"actor": "li"}).content.decode()
    assert "2 events" in page


def test_a_period_that_ends_before_it_starts_is_refused_in_words(logged_in, english):
    _aged(3, Kind.DOWNLOAD, "li")
    response = logged_in.get(
        reverse("accounts:audit_log"), {"since": "2026-05-02", "until": "2026-05-01"}
    )
    assert response.status_code == 400
    assert "The end of the period is before its start." in response.content.decode()


def test_the_log_is_paged(logged_in):
    for i in range(PAGE_SIZE + 5):
        record(Kind.DOWNLOAD, subject=f"file-{i}.csv")
    first = logged_in.get(reverse("accounts:audit_log")).content.decode()
    second = logged_in.get(reverse("accounts:audit_log"), {"page": 2}).content.decode()
    assert first.count("file-") == PAGE_SIZE and "file-54.csv" in first
    assert second.count("file-") == 5 and "file-0.csv" in second


def test_csv_export_has_a_bom_the_filtered_rows_and_is_itself_logged(logged_in, analyst):
    # given a reveal with a detail and a download
    wave_less = record(Kind.DOWNLOAD, actor=analyst, subject="results.csv")
    record(Kind.PHONE_REVEALED, actor=analyst, subject="H1", detail={"case": 7})
    # when the reveals are exported as CSV
    response = logged_in.get(
        reverse("accounts:audit_export"), {"kind": Kind.PHONE_REVEALED, "format": "csv"}
    )
    # then the file is UTF-8 with a byte-order mark, one header and the one reveal
    assert response.content.startswith("\ufeff".encode())
    lines = response.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 2 and "H1" in lines[1] and "7" in lines[1]
    assert "results.csv" not in response.content.decode("utf-8-sig")
    assert "no-store" in response["Cache-Control"]
    # and the export is an event naming its filter and row count
    exported = AuditEvent.objects.get(kind=Kind.AUDIT_EXPORTED)
    assert exported.detail == {"rows": 1, "filters": {"kind": Kind.PHONE_REVEALED}}
    assert wave_less.pk != exported.pk


def test_xlsx_export_is_a_workbook_of_the_events(logged_in, analyst):
    record(Kind.LOGIN, actor=analyst, subject="analyst")
    response = logged_in.get(reverse("accounts:audit_export"), {"format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    # the header, the login of the fixture's own client.login and the one recorded here
    assert len(rows) == 1 + AuditEvent.objects.exclude(kind=Kind.AUDIT_EXPORTED).count()
    assert any(row[6] == "analyst" for row in rows[1:])


def test_a_formula_in_a_typed_user_name_is_not_run_by_the_spreadsheet(logged_in):
    # given a failed sign-in whose typed name is a spreadsheet formula
    logged_in.post(reverse("login"), {"username": "=HYPERLINK(1)", "password": "x"})
    # when the log is exported, the cell is text, not a formula
    text = logged_in.get(reverse("accounts:audit_export"), {"format": "csv"}).content
    assert "'=HYPERLINK(1)" in text.decode("utf-8-sig")


def test_the_page_costs_the_same_queries_for_few_or_many_events(logged_in, wave):
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(db) as captured:
            assert logged_in.get(reverse("accounts:audit_log")).status_code == 200
        return len(captured)

    queries()  # the first request after the login also writes the session's idle expiry
    record(Kind.DOWNLOAD, wave=wave, subject="a.csv")
    few = queries()
    for i in range(30):
        record(Kind.DOWNLOAD, wave=wave, subject=f"{i}.csv", detail={"rows": i})
    assert queries() == few


# The kinds the issue lists: sign-ins and failed ones, number reveals, exports and downloads,
# API token use, role and team changes, review decisions, edition sign-offs, purges.
ISSUE_KINDS = [
    Kind.LOGIN, Kind.LOGIN_FAILED, Kind.PHONE_REVEALED, Kind.DOWNLOAD, Kind.EXPORT_STARTED,
    Kind.API_TOKEN_USED, Kind.USER_CHANGED, Kind.TEAM_SAVED, Kind.REVIEW_DECIDED,
    Kind.EDITION_SIGNED, Kind.PURGE,
]  # fmt: skip


@pytest.mark.parametrize("kind", ISSUE_KINDS)
def test_every_kind_the_issue_lists_is_filtered_and_exported_in_words(logged_in, kind):
    from django.utils import translation

    # given one event of the kind among events of another
    record(kind, subject="the-one")
    record(Kind.AUDIT_PRUNED if kind != Kind.AUDIT_PRUNED else Kind.LOGOUT, subject="other")
    for language in ("en", "zh-hans"):
        with translation.override(language):
            label = str(Kind(kind).label)
        headers = {"HTTP_ACCEPT_LANGUAGE": language}
        # when the page is filtered to the kind, then it lists that one event, in words
        page = logged_in.get(reverse("accounts:audit_log"), {"kind": kind}, **headers)
        body = page.content.decode().split("<tbody>")[1]
        assert "the-one" in body and "other" not in body and label in body
        assert f">{kind}<" not in body
        # and the export of the kind holds its rows (the test's sign-in is one), in words
        export = logged_in.get(
            reverse("accounts:audit_export"), {"kind": kind, "format": "csv"}, **headers
        )
        rows = export.content.decode("utf-8-sig").splitlines()[1:]
        assert len(rows) == AuditEvent.objects.filter(kind=kind).count()  # the sign-in too
        assert all(label in row for row in rows)
        assert [row for row in rows if "the-one" in row] and not [r for r in rows if "other" in r]


def test_a_token_use_and_a_purge_show_their_details_in_words(logged_in, analyst, wave, english):
    from api.tokens import create_token
    from privacy.services import purge_wave

    # given an API call with a client's token and a purge of a closed wave, by their own code
    _token, secret = create_token(
        organisation=wave.client, name="市局接口", scope="read", days=30, user=analyst
    )
    assert logged_in.get("/api/v1/waves", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200
    wave.status = "closed"
    wave.save(update_fields=["status"])
    purge_wave(wave=wave, user=analyst)
    # when the log is read, each filtered to its kind
    used = logged_in.get(reverse("accounts:audit_log"), {"kind": Kind.API_TOKEN_USED})
    purged = logged_in.get(reverse("accounts:audit_log"), {"kind": Kind.PURGE})
    used, purged = used.content.decode(), purged.content.decode()
    # then the token is named by its label and name, and the purge's counts by what went
    assert "token:" in used.lower() and "市局接口" in used and secret not in used
    assert "Respondents&#x27; phone numbers" in purged or "Respondents' phone numbers" in purged
    assert "sample.phone" not in purged and "counts" not in purged
