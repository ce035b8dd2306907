from datetime import UTC, datetime, timedelta

from fieldwork.interview import flow

SAT = [
    {"value": "5", "label": {"zh": "非常满意"}, "score": 100.0, "positive": True},
    {"value": "4", "label": {"zh": "满意"}, "score": 80.0, "positive": True},
    {"value": "9", "label": {"zh": "不知道"}, "score": None, "positive": None},
]
YES_NO = [
    {"value": "yes", "label": {"zh": "是"}, "score": None, "positive": None},
    {"value": "no", "label": {"zh": "否"}, "score": None, "positive": None},
]


def q(name, type_="select_one", list_=None, **extra):
    return {"name": name, "type": type_, "list": list_, "label": {"zh": name}, **extra}


DEFINITION = {
    "choice_lists": {"sat5": SAT, "yes_no": YES_NO},
    "groups": [
        {"name": "consent", "relevant": None, "questions": [q("consent", list_="yes_no")]},
        {
            "name": "screening",
            "relevant": "${consent} = 'yes'",
            "questions": [q("age", "integer")],
        },
        {
            "name": "items",
            "relevant": "${consent} = 'yes' and ${age} >= 16",
            "questions": [
                q("police", list_="sat5", dimension="police_conduct"),
                q("why", "text", relevant="${police} = '9'"),
            ],
        },
    ],
}


def test_outcome_with_a_scored_page_reached_is_complete():
    assert flow.outcome(DEFINITION, {"consent": "yes", "age": 40}) == "1.1"


def test_outcome_when_consent_refused_is_respondent_refusal():
    assert flow.outcome(DEFINITION, {"consent": "no"}) == "2.112"


def test_outcome_when_too_young_is_no_eligible_respondent():
    assert flow.outcome(DEFINITION, {"consent": "yes", "age": 12}) == "4.70"


def test_prune_drops_answers_of_pages_no_longer_on_path():
    # Given answers from a path the respondent later left by changing their age
    answers = {"consent": "yes", "age": 12, "police": "9", "why": "不了解"}
    # Then only the answers still on the path remain
    assert flow.prune(DEFINITION, answers) == {"consent": "yes", "age": 12}


def test_prune_drops_a_question_whose_condition_no_longer_holds():
    answers = {"consent": "yes", "age": 30, "police": "5", "why": "old text"}
    assert flow.prune(DEFINITION, answers) == {"consent": "yes", "age": 30, "police": "5"}


def test_scale_items_are_tagged_questions_on_scored_lists():
    assert flow.scale_item_keys(DEFINITION) == {"police"}


def _event(kind, step, at):
    return {"event": kind, "step": step, "at": at.isoformat()}


def test_active_seconds_sums_page_visits_and_caps_long_gaps():
    t0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    paradata = [
        _event("page_shown", "consent", t0),
        _event("page_submitted", "consent", t0 + timedelta(seconds=20)),
        _event("page_shown", "items", t0 + timedelta(seconds=20)),
        # the browser died here; the interviewer came back three hours later
        _event("page_shown", "items", t0 + timedelta(hours=3)),
        _event("page_submitted", "items", t0 + timedelta(hours=3, seconds=45)),
        _event("page_shown", "consent", t0 + timedelta(hours=3, seconds=50)),
        _event("page_submitted", "consent", t0 + timedelta(hours=3, seconds=60)),
    ]
    # The abandoned showing is superseded by the later one: 20 + 45 + 10 seconds
    assert flow.page_seconds(paradata) == {"consent": 30.0, "items": 45.0}
    assert flow.active_seconds(paradata) == 75


def test_a_single_page_left_open_counts_at_most_the_cap():
    t0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    paradata = [
        _event("page_shown", "items", t0),
        _event("page_submitted", "items", t0 + timedelta(hours=2)),
    ]
    assert flow.active_seconds(paradata) == flow.MAX_PAGE_SECONDS


def test_stopped_after_every_key_item_is_a_partial():
    assert flow.stop_code(DEFINITION, {"consent": "yes", "age": 40, "police": "4"}) == "1.2"


def test_stopped_before_the_key_items_is_a_break_off():
    assert flow.stop_code(DEFINITION, {"consent": "yes", "age": 40}) == "2.12"
    assert flow.stop_code(DEFINITION, {}) == "2.12"


# --- settling answers after a page: calculates, rosters -------------------------------------

ROSTER_DEFINITION = {
    "choice_lists": {"yes_no": YES_NO},
    "groups": [
        {
            "name": "size",
            "relevant": None,
            "questions": [
                q("household_size", "integer"),
                q("adults", "calculate", calculation="${household_size} - ${children}"),
                q("children", "integer"),
                q("big", "calculate", calculation="if(${household_size} > 4, 'yes', 'no')"),
            ],
        },
        {
            "name": "household",
            "relevant": "${household_size} > 0",
            "repeat": {"count": "${household_size}", "max": 3},
            "questions": [
                q("member_age", "integer"),
                q("works", list_="yes_no", relevant="${member_age} >= 16"),
                q("adult", "calculate", calculation="if(${member_age} >= 18, 1, 0)"),
            ],
        },
    ],
}


def test_settle_computes_calculates_in_order_from_the_answers():
    answers = {"household_size": 5, "children": 2}
    assert flow.settle(ROSTER_DEFINITION, answers) == {
        "household_size": 5,
        "children": 2,
        "adults": "3",
        "big": "yes",
    }


def test_settle_replaces_a_stale_or_forged_calculate():
    answers = {"household_size": 2, "children": 0, "adults": "99", "big": "yes"}
    settled = flow.settle(ROSTER_DEFINITION, answers)
    assert (settled["adults"], settled["big"]) == ("2", "no")


def test_settle_leaves_out_a_calculate_that_evaluates_to_nothing():
    # '' - '' is NaN: no value, as ODK leaves it empty
    assert "adults" not in flow.settle(ROSTER_DEFINITION, {})


def test_settle_keeps_roster_rows_with_only_their_relevant_answers_and_row_calculates():
    answers = {
        "household_size": 2,
        "household": [
            {"member_age": 40, "works": "yes"},
            {"member_age": 9, "works": "no"},  # a child: `works` is off the path
        ],
    }
    assert flow.settle(ROSTER_DEFINITION, answers)["household"] == [
        {"member_age": 40, "works": "yes", "adult": "1"},
        {"member_age": 9, "adult": "0"},
    ]


def test_prune_drops_a_roster_whose_page_left_the_path_and_keeps_it_otherwise():
    rows = [{"member_age": 9, "works": "no"}]
    assert "household" not in flow.prune(
        ROSTER_DEFINITION, {"household_size": 0, "household": rows}
    )
    assert flow.prune(ROSTER_DEFINITION, {"household_size": 1, "household": rows}) == {
        "household_size": 1,
        "household": [{"member_age": 9}],
    }


def test_row_count_follows_the_expression_within_zero_and_the_maximum():
    counts = [flow.row_count("${n}", {"n": n}, maximum=3) for n in (2, "2", 7, -1, "", "abc", 2.7)]
    assert counts == [2, 2, 3, 0, 0, 0, 2]


def test_calculates_and_notes_are_never_asked():
    group = ROSTER_DEFINITION["groups"][0]
    assert [x["name"] for x in flow.relevant_questions(group, {})] == [
        "household_size",
        "children",
    ]


def test_settle_drops_later_answers_when_an_earlier_answer_takes_their_page_off_the_path():
    answers = {"consent": "no", "age": 30, "police": "5"}
    assert flow.settle(DEFINITION, answers) == {"consent": "no"}


def test_settle_shortens_a_roster_whose_count_answer_shrank():
    rows = [{"member_age": 40}, {"member_age": 38}, {"member_age": 9}]
    settled = flow.settle(ROSTER_DEFINITION, {"household_size": 2, "household": rows})
    assert [row["member_age"] for row in settled["household"]] == [40, 38]


CHAIN = {
    "choice_lists": {},
    "groups": [
        {
            "name": "p",
            "relevant": None,
            "questions": [
                {"name": "q1", "type": "text", "relevant": None},
                {"name": "q2", "type": "text", "relevant": "${q1} = 'yes'"},
                {"name": "q3", "type": "text", "relevant": "${q2} = 'a'"},
                {"name": "c", "type": "calculate", "relevant": None, "calculation": "${q3}"},
            ],
        }
    ],
}


def test_dropping_an_answer_cascades_to_the_questions_that_depend_on_it():
    # given q2 is asked only if q1 = yes, and q3 only if q2 = a; q1 was changed to no
    answers = {"q1": "no", "q2": "a", "q3": "x"}
    # when / then: q2 leaves the path, so q3 (and the calculate built on it) go too
    assert flow.settle(CHAIN, answers) == {"q1": "no"}
    assert flow.prune(CHAIN, answers) == {"q1": "no"}
    # and with q1 = yes everything stays
    kept = flow.settle(CHAIN, {"q1": "yes", "q2": "a", "q3": "x"})
    assert kept == {"q1": "yes", "q2": "a", "q3": "x", "c": "x"}


def test_a_stored_relevant_too_deep_to_parse_hides_its_page_instead_of_stopping():
    # Definitions stored before the import refused such expressions still run.
    import copy

    definition = copy.deepcopy(DEFINITION)
    definition["groups"][1]["relevant"] = "(" * 500 + "${consent} = 'yes'" + ")" * 500
    definition["groups"][2]["questions"][1]["relevant"] = "-" * 300 + "1"
    answers = {"consent": "yes", "age": 30, "police": "9", "why": "太忙"}
    assert [g["name"] for g in flow.relevant_groups(definition, answers)] == ["consent", "items"]
    # the hidden screening page takes the age with it, and so the items page
    assert flow.settle(definition, answers) == {"consent": "yes"}
    assert flow.prune(definition, answers) == {"consent": "yes"}
    answers_without_screening = {"consent": "yes", "police": "9", "why": "太忙"}
    definition["groups"][2]["relevant"] = "${consent} = 'yes'"
    assert flow.settle(definition, answers_without_screening) == {"consent": "yes", "police": "9"}
