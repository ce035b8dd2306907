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
