from datetime import date

import pytest

from sampling.household import (
    KISH_SERIES,
    KISH_TABLES,
    Adult,
    kish_line,
    kish_listing,
    kish_probability,
    kish_select,
    kish_table,
    last_birthday,
    next_birthday,
)

FAMILY = [
    Adult("王芳", "F", 45, date(1981, 3, 2)),
    Adult("王强", "M", 47, date(1979, 11, 20)),
    Adult("王磊", "M", 20, date(2006, 6, 15)),
    Adult("李秀英", "F", 72, date(1954, 8, 30)),
]


def test_listing_puts_men_oldest_first_then_women_oldest_first():
    assert [a.name for a in kish_listing(FAMILY)] == ["王强", "王磊", "李秀英", "王芳"]


def test_kish_tables_by_hand():
    # Table D with 4 adults selects line 3: 李秀英 (the older woman).
    assert kish_select(FAMILY, table="D").name == "李秀英"
    # Table A always takes line 1, the oldest man.
    assert kish_select(FAMILY, table="A").name == "王强"
    # Table E2 with 4 adults: line 4, 王芳.
    assert kish_select(FAMILY, table="E2").name == "王芳"
    # More than 6 adults read the 6+ column: table F → line 6.
    assert kish_line("F", 9) == 6
    assert kish_line("E1", 5) == 3


def test_kish_series_gives_each_line_its_share():
    # Over the series of twelve, 1–4 adults: every line exactly equally often (Kish 1949).
    for adults in range(1, 5):
        lines = [kish_line(table, adults) for table in KISH_SERIES]
        assert sorted(lines) == sorted(list(range(1, adults + 1)) * (12 // adults))
    # 5 adults: lines 1–5 get 2, 2, 3, 2, 3 of the twelve (Kish's approximation).
    lines = [kish_line(table, 5) for table in KISH_SERIES]
    assert [lines.count(i) for i in range(1, 6)] == [2, 2, 3, 2, 3]


def test_tables_match_kish_1949():
    assert KISH_TABLES["B1"] == (1, 1, 1, 1, 2, 2)
    assert KISH_TABLES["B2"] == (1, 1, 1, 2, 2, 2)
    assert KISH_TABLES["C"] == (1, 1, 2, 2, 3, 3)
    assert KISH_TABLES["E1"] == (1, 2, 3, 3, 3, 5)
    assert KISH_SERIES.count("A") == 2 and KISH_SERIES.count("B1") == 1


def test_table_follows_the_serial_number_and_start():
    assert [kish_table(i) for i in range(13)] == [*KISH_SERIES, "A"]
    assert kish_table(0, start=4) == "C"


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError, match="Unknown Kish table 'G'"):
        kish_line("G", 2)
    with pytest.raises(ValueError, match="at least one"):
        kish_line("A", 0)
    with pytest.raises(ValueError, match="must be 'M' or 'F'"):
        kish_listing([Adult("某", "X", 30)])
    with pytest.raises(ValueError, match="No birthday"):
        last_birthday([Adult("某", "M", 30)], on=date(2026, 1, 1))


def test_birthday_methods_by_hand():
    visit = date(2026, 9, 10)
    # Last birthdays before 10 Sep 2026: 王芳 2 Mar, 王强 20 Nov 2025, 王磊 15 Jun,
    # 李秀英 30 Aug → 李秀英 (11 days ago). Next: 王强 (20 Nov, 71 days).
    assert last_birthday(FAMILY, on=visit).name == "李秀英"
    assert next_birthday(FAMILY, on=visit).name == "王强"


def test_birthday_today_is_the_last_not_the_next():
    visit = date(2026, 8, 30)

    assert last_birthday(FAMILY, on=visit).name == "李秀英"
    assert next_birthday(FAMILY, on=visit).name == "王强"


def test_leap_day_birthday_counts_as_28_february():
    leap = [Adult("甲", "M", 30, date(1996, 2, 29)), Adult("乙", "F", 30, date(1990, 3, 1))]

    assert last_birthday(leap, on=date(2027, 2, 28)).name == "甲"
    assert next_birthday(leap, on=date(2027, 2, 27)).name == "甲"


@pytest.mark.parametrize("n_adults", range(1, 10))
def test_kish_selection_probabilities_are_the_share_of_households_whose_table_picks_the_line(
    n_adults,
):
    # second method: deal the tables to twelve households in turn and count who is picked
    picked = [kish_line(kish_table(serial), n_adults) for serial in range(12)]
    for line in range(1, n_adults + 1):
        assert kish_probability(n_adults, line) == pytest.approx(picked.count(line) / 12)
    # beyond six adults, lines 7 on are never picked
    assert picked.count(7) == 0 and max(picked) <= 6
