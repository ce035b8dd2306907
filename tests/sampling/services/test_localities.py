import io

import openpyxl
import pytest

from sampling.errors import SamplingInputError
from sampling.models import Locality
from sampling.selectors import locality_lookup
from sampling.services.localities import import_localities, import_locality_file
from tests.sampling.conftest import KNOWN, LOCALITIES

HEADER = "code,name,parent_code,level,area_type,M|16-29,F|16-29,M|60+\n"
GOOD = HEADER + (
    "3201,南京市,,市,,,,\n"
    "320102,玄武区,3201,区县,中心城区,1200,1150,300\n"
    "320102001,梅园新村街道,320102,street,central,100,90,\n"
    "320102001001,长江路社区,320102001,community,,50,40,7\n"
)


def csv(text: str) -> io.BytesIO:
    return io.BytesIO(text.encode("utf-8"))


def test_csv_tree_with_population_imports(db):
    count = import_locality_file(file=csv(GOOD), source_name="tree.csv")

    assert count == 4
    district = Locality.objects.get(code="320102")
    assert district.area_type == "central" and district.level == "district"
    assert district.population == {"M|16-29": 1200, "F|16-29": 1150, "M|60+": 300}
    assert Locality.objects.get(code="320102001").population == {"M|16-29": 100, "F|16-29": 90}
    assert Locality.objects.get(code="320102001001").parent.code == "320102001"


def test_xlsx_tree_imports(db):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["code", "name", "parent_code", "level", "area_type", "F|30-44"])
    sheet.append(["3201", "南京市", None, "city", None, None])
    sheet.append(["320102", "玄武区", "3201", "district", "农村", 88])  # a number cell
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)

    assert import_locality_file(file=buffer, source_name="tree.xlsx") == 2
    assert Locality.objects.get(code="320102").population == {"F|30-44": 88}


def test_every_problem_is_reported_with_file_rows_and_nothing_is_written(db):
    text = HEADER + (
        "3201,南京市,,city,,,,\n"  # row 2
        "320102,玄武区,9999,district,,x,,\n"  # row 3: unknown parent, bad count
        "320102,玄武区,3201,district,,,,\n"  # row 4: duplicate code
        "\n"  # row 5: blank
        "3201001,街,3201,street,suburb,,-3,\n"  # row 6: skips a level, bad area type, count
        "A,甲,B,street,,,,\n"  # row 7
        "B,乙,A,street,,,,\n"  # row 8: A ↔ B cycle
    )

    with pytest.raises(SamplingInputError) as raised:
        import_locality_file(file=csv(text), source_name="tree.csv")

    errors = raised.value.errors
    assert "Row 3, column M|16-29: 'x' is not a count of 0 or more." in errors
    assert "Row 6, column F|16-29: '-3' is not a count of 0 or more." in errors
    text = "\n".join(errors)
    assert "Row 3 (320102): unknown parent code 9999" in text
    assert "Row 4 (320102): the code is already used on row 3" in text
    assert "Row 6 (3201001): a Street/township's parent must be a District, not a City" in text
    assert "Row 6 (3201001): area type 'suburb' is not one of" in text
    assert "Rows 7, 8: parent codes form a cycle (A → B → A)" in text
    assert Locality.objects.count() == 0


def test_missing_and_unknown_columns_are_named(db):
    with pytest.raises(SamplingInputError, match="missing columns parent_code, level"):
        import_locality_file(file=csv("code,name\n1,市\n"), source_name="t.csv")
    with pytest.raises(SamplingInputError, match="columns age are neither"):
        import_locality_file(
            file=csv("code,name,parent_code,level,age\n1,市,,city,3\n"), source_name="t.csv"
        )


def test_unreadable_or_empty_files_are_refused(db):
    with pytest.raises(SamplingInputError, match="unsupported file type .txt"):
        import_locality_file(file=csv(GOOD), source_name="t.txt")
    with pytest.raises(SamplingInputError) as raised:
        import_locality_file(file=io.BytesIO(b"not a zip"), source_name="t.xlsx")
    # our own words, never the library's ("File is not a zip file")
    assert raised.value.errors == [
        "t.xlsx: the file is not an Excel workbook (.xlsx), or it is damaged"
    ]
    with pytest.raises(SamplingInputError, match="no data rows"):
        import_locality_file(file=csv(HEADER), source_name="t.csv")


def test_localities_import_as_a_tree(localities):
    assert localities == len(LOCALITIES)
    community = Locality.objects.get(code="320102001001")
    assert community.parent.code == "320102001"
    assert community.parent.parent.parent.code == "3201"
    assert locality_lookup() == KNOWN


def test_reimporting_localities_updates_in_place(localities):
    renamed = [dict(row, name="改名") if row["code"] == "320102" else row for row in LOCALITIES]

    import_localities(rows=renamed)

    assert Locality.objects.count() == len(LOCALITIES)
    assert Locality.objects.get(code="320102").name == "改名"


def test_locality_tree_errors_are_reported_all_at_once(db):
    rows = [
        {"code": "1", "name": "市", "parent_code": "", "level": "city"},
        {"code": "11", "name": "区", "parent_code": "9", "level": "district"},  # unknown parent
        {"code": "11", "name": "区", "parent_code": "1", "level": "district"},  # duplicate
        {"code": "111", "name": "街", "parent_code": "1", "level": "street"},  # skips a level
        {"code": "A", "name": "甲", "parent_code": "B", "level": "street"},  # A ↔ B cycle
        {"code": "B", "name": "乙", "parent_code": "A", "level": "street"},
        {"code": "X", "name": "", "parent_code": "1", "level": "town"},
    ]

    with pytest.raises(SamplingInputError) as raised:
        import_localities(rows=rows)

    text = "\n".join(raised.value.errors)
    assert "Row 2 (11): unknown parent code 9" in text
    assert "Row 3 (11): the code is already used on row 2" in text
    assert "Row 4 (111): a Street/township's parent must be a District, not a City" in text
    assert "Rows 5, 6: parent codes form a cycle (A → B → A)" in text
    assert "Row 7 (X): the name must have" in text
    assert "Row 7 (X): level 'town' is not one of" in text
    assert Locality.objects.count() == 0


def test_chinese_level_and_area_names_are_accepted(db):
    import_localities(
        rows=[
            {"code": "1", "name": "市", "parent_code": "", "level": "市"},
            {"code": "11", "name": "区", "parent_code": "1", "level": "区县", "area_type": "农村"},
        ]
    )

    assert Locality.objects.get(code="11").area_type == "rural"


def test_a_file_without_population_columns_keeps_the_stored_population(db):
    import_locality_file(file=csv(GOOD), source_name="tree.csv")
    renamed = "code,name,parent_code,level\n3201,南京市,,市\n320102,玄武区（新）,3201,区县\n"

    import_locality_file(file=csv(renamed), source_name="names.csv")

    district = Locality.objects.get(code="320102")
    assert district.name == "玄武区（新）"
    assert district.population == {"M|16-29": 1200, "F|16-29": 1150, "M|60+": 300}
    assert district.area_type == "central"  # no area_type column either: kept


def test_population_columns_in_the_file_replace_only_those_groups(db):
    import_locality_file(file=csv(GOOD), source_name="tree.csv")
    some = "code,name,parent_code,level,M|16-29,F|16-29\n320102,玄武区,3201,区县,1300,\n"

    import_locality_file(file=csv(some), source_name="some.csv")

    # F|16-29 is in the file but blank: no figure now; M|60+ is not in the file: kept.
    assert Locality.objects.get(code="320102").population == {"M|16-29": 1300, "M|60+": 300}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a ragged first row used to shift every column by one
        ("code,name,parent_code,level\n3201,南京市,,city,extra\n", "t.csv, row 2: the row has 5"),
        # a short row used to be read with empty cells
        ("code,name,parent_code,level\n3201,南京市,,city\n320102,玄武区\n", "row 3: the row has 2"),
        ("code,name,code,level\n3201,南京市,,city\n", "column C: the column name “code” is used"),
        ("code,name,parent_code,level\n3201,南\x00京,,city\n", "control character (U+0000)"),
    ],
)
def test_malformed_rows_and_headers_are_refused_by_row_and_column(db, text, expected):
    with pytest.raises(SamplingInputError) as raised:
        import_locality_file(file=csv(text), source_name="t.csv")

    assert expected in "\n".join(raised.value.errors)
    assert Locality.objects.count() == 0


def test_an_over_long_cell_is_refused_and_never_repeated_in_full(db):
    name = "长" * 50_000
    text = f"code,name,parent_code,level\n3201,{name},,city\n"

    with pytest.raises(SamplingInputError) as raised:
        import_locality_file(file=csv(text), source_name="t.csv")

    message = "\n".join(raised.value.errors)
    assert "row 2, column B (name): the cell has 50,000 characters, more than 2,000" in message
    assert len(message) < 300
    assert Locality.objects.count() == 0


def test_more_rows_than_the_cap_are_refused_with_the_cap_stated(db, settings):
    settings.TABLE_LIMITS = {**settings.TABLE_LIMITS, "localities": {"max_mb": 1, "max_rows": 3}}
    rows = "".join(f"C{i},市{i},,city\n" for i in range(4))

    with pytest.raises(SamplingInputError) as raised:
        import_locality_file(file=csv("code,name,parent_code,level\n" + rows), source_name="t.csv")

    assert raised.value.errors == [
        "t.csv: the file has more than 3 data rows, the limit for this kind of file"
    ]
    assert Locality.objects.count() == 0


def test_a_formula_without_a_saved_value_is_refused_by_cell(db):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["code", "name", "parent_code", "level", "M|16-29"])
    sheet.append(["3201", "南京市", None, "city", "=100*12"])  # written by a program: no value
    buffer = io.BytesIO()
    workbook.save(buffer)

    with pytest.raises(SamplingInputError) as raised:
        import_locality_file(file=io.BytesIO(buffer.getvalue()), source_name="t.xlsx")

    assert raised.value.errors == [
        "t.xlsx, sheet Sheet, row 2, column E (M|16-29): the formula “=100*12” has no saved "
        "value: open the file in Excel and save it, or type the value"
    ]
