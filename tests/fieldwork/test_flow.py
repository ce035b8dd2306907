from datetime import UTC, datetime, timedelta

from fieldwork import flow

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
    assert flow.scale_item_names(DEFINITION) == {"police"}


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
