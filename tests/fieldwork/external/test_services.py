"""Loading another system's export as an external wave: real exports from the corpus
(tests/fieldwork/external/corpus/SOURCES.md) and exports in Kobo's and SurveyCTO's shapes of
the standard questionnaire, then quality control and scoring on them."""

import csv
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from fieldwork.external.services import ExternalImportError, ExternalOptions, import_external_wave
from fieldwork.models import Case, Interview, Wave
from qc.models import Review
from qc.services.reviews import approve_interview
from questionnaires.services import import_questionnaire_version
from scoring.score_tables import summarize
from scoring.weighting import weighted_sample
from tests.factories import CLIENT_ORGANISATION, make_organisation

# Messages are checked in English; one test asks for Chinese.
pytestmark = pytest.mark.usefixtures("english")
CORPUS = Path(__file__).parent / "corpus"
SAT_ITEMS = ["sat_public_order", "sat_patrol", "sat_crime_crackdown", "sat_mediation",
             "sat_petition", "sat_traffic_order", "sat_traffic_enforcement",
             "sat_info_protection", "sat_anti_fraud", "sat_police_service",
             "sat_law_enforcement", "sat_judicial", "sat_community_governance",
             "sat_grid_work"]  # fmt: skip


def _kobo_rows(n: int, *, sat: str = "4", separator: str = "/") -> tuple[list[str], list[list]]:
    """A Kobo export (group paths, select_multiple as a column and 0/1 columns, Kobo's own
    columns) of the standard questionnaire: n interviews, split between two districts."""
    g = separator
    header = [
        "start", "end", f"opening{g}consent", f"screening{g}age", f"screening{g}resident_6m",
        f"locality{g}district", f"locality{g}street", f"locality{g}community",
        f"safety{g}safety_overall", f"safety{g}safety_night",
        *[f"satisfaction{g}{item}" for item in SAT_ITEMS],
        f"victimisation{g}victim_past_year", f"victimisation_detail{g}victim_type",
        f"victimisation_detail{g}victim_type{g}theft",
        f"victimisation_detail{g}victim_type{g}fraud",
        f"victimisation_detail{g}reported_to_police", f"suggestions{g}suggestion",
        f"demographics{g}sex", f"demographics{g}years_residence", f"demographics{g}occupation",
        f"demographics{g}hukou", "meta/instanceID", "_id", "_uuid", "_submission_time",
        "_validation_status", "_notes", "_status", "_submitted_by", "__version__", "_tags",
        "_index",
    ]  # fmt: skip
    rows = []
    for i in range(n):
        place = ("D1", "S1", "S1C1") if i % 2 == 0 else ("D2", "S2", "S2C1")
        victim = i % 3 == 0
        rows.append([
            f"2026-11-0{1 + i % 5}T10:00:00.000+08:00", f"2026-11-0{1 + i % 5}T10:07:30.000+08:00",
            "yes", str(30 + i), "yes", *place, "4", "3", *[sat] * len(SAT_ITEMS),
            "yes" if victim else "no", "theft fraud" if victim else "", "1" if victim else "0",
            "1" if victim else "0", "yes" if victim else "", "路灯不够亮" if i == 1 else "",
            "male" if i % 2 else "female", "5to10", "retired", "local",
            f"uuid:k-{i}", str(1000 + i), f"k-{i}", f"2026-11-0{1 + i % 5}T02:08:00", "", "",
            "submitted_via_web", f"访员{i % 3}", "v1", "", str(i + 1),
        ])  # fmt: skip
    return header, rows


def _csv(header, rows, encoding="utf-8-sig") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def _load(version, data: bytes, name: str = "export.csv", **options) -> Wave:
    return import_external_wave(
        name="外部数据", client=make_organisation(CLIENT_ORGANISATION), version=version,
        data=data, source_name=name, user=None, options=ExternalOptions(**options),
    )  # fmt: skip


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk", "utf-16"])
def test_kobo_export_becomes_a_closed_wave_of_completed_interviews(
    standard_version, tree, encoding
):
    header, rows = _kobo_rows(6)

    wave = _load(standard_version, _csv(header, rows, encoding))

    assert wave.status == Wave.Status.CLOSED
    interviews = Interview.objects.filter(case__wave=wave).select_related("case__unit")
    by_id = {i.case.unit.unit_id: i for i in interviews}
    assert sorted(by_id) == [f"k-{i}" for i in range(6)]  # meta/instanceID without "uuid:"
    first = by_id["k-0"]
    assert first.status == Interview.Status.COMPLETED
    assert first.answers["/satisfaction/sat_patrol"] == "4"
    assert first.answers["/screening/age"] == 30
    assert first.answers["/victimisation_detail/victim_type"] == ["theft", "fraud"]
    assert "/victimisation_detail/victim_type" not in by_id["k-1"].answers
    assert by_id["k-1"].answers["/suggestions/suggestion"] == "路灯不够亮"
    assert first.duration_seconds == 450  # end − start
    assert first.completed_at.isoformat() == "2026-11-01T02:07:30+00:00"
    assert (first.district.code, first.street.code, first.community.code) == ("D1", "S1", "S1C1")
    assert by_id["k-1"].street.code == "S2"
    assert {i.interviewer.get_full_name() for i in interviews} == {"访员0", "访员1", "访员2"}
    assert not any(i.interviewer.is_active for i in interviews)
    assert set(Case.objects.filter(wave=wave).values_list("status", flat=True)) == {"completed"}


def test_group_paths_with_dashes_and_choice_flags_alone_are_read(standard_version, tree):
    header, rows = _kobo_rows(3, separator="-")
    at = header.index("victimisation_detail-victim_type")
    header, rows = header[:at] + header[at + 1 :], [r[:at] + r[at + 1 :] for r in rows]

    wave = _load(standard_version, _csv(header, rows))

    answers = Interview.objects.get(case__wave=wave, case__unit__unit_id="k-0").answers
    assert answers["/victimisation_detail/victim_type"] == ["theft", "fraud"]
    assert answers["/locality/street"] == "S1"


def test_surveycto_columns_give_id_times_and_duration(standard_version, tree):
    header, rows = _kobo_rows(2)
    rename = {"meta/instanceID": "KEY", "_submission_time": "SubmissionDate", "_id": "duration",
              "_submitted_by": "username"}  # fmt: skip
    header = [rename.get(c, c) for c in header]
    drop = [header.index(c) for c in ("start", "end", "_uuid")]
    header = [c for j, c in enumerate(header) if j not in drop]
    rows = [[v for j, v in enumerate(r) if j not in drop] for r in rows]

    wave = _load(standard_version, _csv(header, rows), time_zone="Asia/Shanghai")

    # KEY, its "uuid:" dropped
    interview = Interview.objects.get(case__wave=wave, case__unit__unit_id="k-0")
    assert interview.duration_seconds == 1000
    assert interview.completed_at.isoformat() == "2026-10-31T18:08:00+00:00"  # 02:08 in Shanghai


def test_bad_cells_are_all_named_and_nothing_is_written(standard_version, tree):
    header, rows = _kobo_rows(4)
    rows[1][header.index("satisfaction/sat_patrol")] = "7"
    rows[2][header.index("screening/age")] = "thirty"
    rows[3][header.index("meta/instanceID")] = "uuid:k-0"
    waves_before = Wave.objects.count()

    with pytest.raises(ExternalImportError) as caught:
        _load(standard_version, _csv(header, rows))

    assert caught.value.errors == [
        "Row 3, column satisfaction/sat_patrol: 7 is not a choice of question sat_patrol",
        "Row 4, column screening/age: thirty is not a whole number",
        "Row 5 repeats the interview id k-0 of row 2.",
    ]
    assert Wave.objects.count() == waves_before
    assert not Interview.objects.exists()


def test_unknown_columns_and_places_are_refused(standard_version, tree):
    header, rows = _kobo_rows(2)
    header[header.index("_tags")] = "group_x/q_not_in_form"
    rows[1][header.index("locality/street")] = "S9"
    rows[1][header.index("locality/community")] = ""

    with pytest.raises(ExternalImportError) as caught:
        _load(standard_version, _csv(header, rows))
    assert "group_x/q_not_in_form" in caught.value.errors[0]

    header[header.index("group_x/q_not_in_form")] = "_tags"
    with pytest.raises(ExternalImportError) as caught:
        _load(standard_version, _csv(header, rows))
    assert caught.value.errors == [
        "Row 3: D2, S9 is not one street or community of the locality tree (by code or by a "
        "name no other place has)."
    ]


def test_errors_come_in_the_readers_language(standard_version, tree):
    from django.utils import translation

    header, rows = _kobo_rows(2)
    rows[0][header.index("screening/age")] = "x"
    with translation.override("zh-hans"), pytest.raises(ExternalImportError) as caught:
        _load(standard_version, _csv(header, rows))
    assert caught.value.errors[0].startswith("第 2 行")


def test_qc_and_scoring_run_on_the_external_wave(
    standard_version, tree, supervisor, analyst, django_capture_on_commit_callbacks
):
    header, rows = _kobo_rows(20, sat="4")  # every satisfaction item "satisfied": 80 points

    with django_capture_on_commit_callbacks(execute=True):
        wave = _load(standard_version, _csv(header, rows))

    reviews = Review.objects.filter(interview__case__wave=wave)
    assert reviews.count() == 20  # qc checked every interview as it checks our own
    for review in reviews:  # proposed by one person, approved by another
        approve_interview(review=approve_interview(review=review, user=supervisor), user=analyst)
    tables = summarize(weighted_sample(wave=wave).long)
    overall = tables["overall"].set_index("scope")
    assert tables["n_interviews"] == 20
    assert overall.loc["satisfaction", "score"] == pytest.approx(80.0, abs=1e-9)


def _corpus_version(form: str):
    return import_questionnaire_version(data=(CORPUS / form).read_bytes(), source_name=form)


def test_real_ona_export_with_its_form_loads_and_is_checked(
    tree, django_capture_on_commit_callbacks
):
    version = _corpus_version("tutorial.xlsx")

    with django_capture_on_commit_callbacks(execute=True):
        wave = _load(version, (CORPUS / "tutorial.csv").read_bytes(), "tutorial.csv",
                     street=tree["street"])  # fmt: skip

    interview = Interview.objects.get(case__wave=wave)
    assert interview.case.unit.unit_id == "8dbb9e05-2116-4846-95fd-1c0261748677"
    assert interview.answers == {"/gps": "41.017082473263144 28.969059996306896 39.5 55.0"}
    assert Review.objects.filter(interview=interview).exists()


def test_real_ona_export_with_long_texts_is_refused_naming_row_and_column(tree, english):
    version = _corpus_version("form_with_multiple_select.xlsx")
    data = (CORPUS / "csv_import_with_multiple_select.csv").read_bytes()

    with pytest.raises(ExternalImportError) as caught:
        _load(version, data, "csv_import_with_multiple_select.csv", street=tree["street"])

    # its long essays are over the cap of a cell (settings.UPLOAD_MAX_CELL_CHARS)
    assert len(caught.value.errors) == 4
    assert caught.value.errors[0].startswith("csv_import_with_multiple_select.csv, row 2, column N")
    assert "4,152 characters" in caught.value.errors[0]


def test_real_ona_export_read_in_full_names_each_bad_cell(tree, settings, english):
    settings.UPLOAD_MAX_CELL_CHARS = 10_000
    version = _corpus_version("form_with_multiple_select.xlsx")
    data = (CORPUS / "csv_import_with_multiple_select.csv").read_bytes()

    with pytest.raises(ExternalImportError) as caught:
        _load(version, data, "csv_import_with_multiple_select.csv", street=tree["street"])

    assert caught.value.errors == [
        "Row 2, column section_B/year_established: 1890 is not a date",  # a year in a date
        "Row 2 has no interview id.",  # its meta/instanceID is empty
    ]


def test_real_ona_export_with_a_loop_is_refused_naming_the_columns(tree):
    version = _corpus_version("transportation.xlsx")

    with pytest.raises(ExternalImportError) as caught:
        _load(version, (CORPUS / "transportation.csv").read_bytes(), "transportation.csv",
              street=tree["street"])  # fmt: skip

    assert (
        "loop_over_transport_types_frequency/ambulance/frequency_to_referral_facility"
        in (caught.value.errors[0])
    )


def test_command_loads_and_reports(standard_version, tree, tmp_path, english):
    header, rows = _kobo_rows(2)
    path = tmp_path / "kobo.csv"
    path.write_bytes(_csv(header, rows))
    make_organisation(CLIENT_ORGANISATION)
    out = io.StringIO()

    call_command("import_external_interviews", str(path), wave="外部", client=CLIENT_ORGANISATION,
                 questionnaire=standard_version.questionnaire.code, stdout=out)  # fmt: skip

    assert "Loaded 2 interviews" in out.getvalue()
    rows[0][header.index("screening/age")] = "x"
    path.write_bytes(_csv(header, rows))
    with pytest.raises(CommandError, match="Row 2, column screening/age"):
        call_command("import_external_interviews", str(path), wave="外部2",
                     client=CLIENT_ORGANISATION,
                     questionnaire=standard_version.questionnaire.code)  # fmt: skip


def test_an_export_with_labels_for_headers_and_answers_is_read(standard_version, tree):
    header, rows = _kobo_rows(2)
    by_label = {
        "satisfaction/sat_patrol": "您对本地街面巡逻防控工作是否满意？",
        "demographics/sex": "Sex (interviewer records)",
    }
    header = [by_label.get(c, c) for c in header]
    rows[0][header.index("您对本地街面巡逻防控工作是否满意？")] = "满意"
    rows[0][header.index("Sex (interviewer records)")] = "Female"

    wave = _load(standard_version, _csv(header, rows))

    answers = Interview.objects.get(case__wave=wave, case__unit__unit_id="k-0").answers
    assert answers["/satisfaction/sat_patrol"] == "4"
    assert answers["/demographics/sex"] == "female"


def test_places_come_from_a_chosen_column_by_code_or_name(standard_version, tree):
    header, rows = _kobo_rows(3)
    keep = [i for i, c in enumerate(header) if not c.startswith("locality/")]
    header = [header[i] for i in keep] + ["村居"]
    rows = [[r[i] for i in keep] + [place] for r, place in
            zip(rows, ["S1C1", "青山村", "东湖街道"], strict=True)]  # fmt: skip

    wave = _load(standard_version, _csv(header, rows), locality_column="村居")

    places = {
        i.case.unit.unit_id: (i.district.code, i.street.code, i.community and i.community.code)
        for i in Interview.objects.filter(case__wave=wave).select_related("case__unit")
    }
    assert places == {
        "k-0": ("D1", "S1", "S1C1"),
        "k-1": ("D2", "S2", "S2C1"),
        "k-2": ("D1", "S1", None),
    }


def test_an_xlsx_export_is_read_like_a_csv(standard_version, tree):
    import openpyxl

    header, rows = _kobo_rows(2)
    book = openpyxl.Workbook()
    book.active.append(header)
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)

    wave = _load(standard_version, buffer.getvalue(), "export.xlsx")

    assert sorted(wave.cases.values_list("unit__unit_id", flat=True)) == ["k-0", "k-1"]
