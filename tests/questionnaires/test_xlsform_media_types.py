"""Location, photo and audio questions are asked; the types the interview cannot capture are
refused at import, every row named at once."""

import pytest

from questionnaires.xlsform import XLSFormError, parse_xlsform
from tests.questionnaires.test_xlsform import questions
from tests.questionnaires.workbooks import make_xlsx, survey_row, valid_survey


def test_location_photo_and_audio_questions_are_asked():
    survey = valid_survey()
    survey[3:3] = [survey_row("geopoint", "where", "位置"), survey_row("photo", "door", "门牌"),
                   survey_row("audio", "voice", "录音")]  # fmt: skip
    parsed = parse_xlsform(make_xlsx(survey=survey), "form.xlsx")
    found = questions(parsed.definition)
    assert [(found[n]["type"], found[n]["kind"]) for n in ("where", "door", "voice")] == [
        ("geopoint", "asked"), ("image", "asked"), ("audio", "asked")]  # fmt: skip
    assert not any("/page1/where" in str(warning) for warning in parsed.warnings)


def test_types_the_interview_cannot_capture_are_refused_each_row_named_at_once():
    survey = valid_survey()
    survey[3:3] = [survey_row("geotrace", "road", "路线"),
                   survey_row("geoshape", "area", "范围"),
                   survey_row("barcode", "code", "条码"),
                   survey_row("video", "film", "录像")]  # fmt: skip
    with pytest.raises(XLSFormError) as refused:
        parse_xlsform(make_xlsx(survey=survey), "form.xlsx")
    assert [str(error).split(":")[0] for error in refused.value.errors] == [
        f"survey sheet, row {row}, column type" for row in (5, 6, 7, 8)]  # fmt: skip
    assert "road asks for a line drawn on a map (geotrace)" in str(refused.value.errors[0])
    assert "code asks for a barcode scan" in str(refused.value.errors[2])
