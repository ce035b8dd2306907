"""The crawl's reading of a page (tests/visible_text.py): what counts as seen, what as a code."""

from tests.visible_text import raw_tokens, read_page, untranslated


def _pieces(html: str, language: str = "zh-hans") -> list[str]:
    return read_page(html, language=language).pieces


def test_scripts_styles_and_markup_shown_as_it_is_are_not_read():
    pieces = _pieces(
        "<title>单选题</title><style>.a_b{}</style><script>var raw_code = 1;</script>"
        "<p>题目 <code>q1_name</code> <span translate=no>H000123</span>"
        '<span lang="en">Very safe</span><br>城镇</p>'
    )
    assert pieces == ["单选题", "题目", "城镇"]


def test_attributes_people_read_are_read_and_links_are_collected():
    page = read_page(
        '<p title="fast_items">x</p><input placeholder="q1.label" value="kept_out">'
        '<input type="submit" value="Save"><a href="/fieldwork/" aria-label="工作">工作</a>'
        '<div hx-get="/qc/live/"></div><a href="/report.xlsx" download>表</a>',
        language="zh-hans",
    )
    assert page.pieces == ["fast_items", "x", "q1.label", "Save", "工作", "工作", "表"]
    assert page.links == ["/fieldwork/", "/qc/live/"]


def test_codes_choice_values_and_english_words_are_tokens():
    tokens = raw_tokens(
        [
            "迁移 migrant_worker",
            "规则 q1.label",
            "户籍 urban",
            "Whole wave",
            "AAPOR 2.33 RR1 p < 0.05",
        ],
        choice_values={"urban"},
        shown_on_purpose=set(),
    )
    assert tokens == [
        "snake_case migrant_worker",
        "code q1.label",
        "choice value urban",
        "English Whole",
        "English wave",
    ]


def test_the_datas_own_texts_are_not_tokens():
    shown = {"interviewer01", "Hello, on behalf of the XX City"}
    pieces = ["访员 interviewer01", "Hello, on behalf of the XX City", "XX"]
    assert raw_tokens(pieces, choice_values=set(), shown_on_purpose=shown) == ["English XX"]


def test_chinese_in_an_english_page_is_untranslated_unless_the_data_holds_it():
    pieces = _pieces("<p>Street 东城区 层数</p><p lang=zh-hans>很安全</p>", language="en")
    assert untranslated(pieces, data="城关街道\0东城区") == ["层数"]
