"""Every URL, walked as every role: the allowed/denied matrix.

The table below must name every URL of the product; a new view that is not added here fails
`test_every_url_is_in_the_matrix`, so no page ships without a decision on who may see it.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import Organisation, Team, User
from api.tokens import create_token
from demo.services import SMALL, load_demo
from fieldwork.models import Call, Case, Interview
from fieldwork.services import interviews as fieldwork
from jobs.services import start_job
from qc.models import Review
from sampling.models import Frame
from sampling.services.import_jobs import FRAME_IMPORT
from scoring.models import DistrictEdition
from tests.api.test_matrix import MATRIX as API_MATRIX
from tests.api.test_matrix import PUBLIC as API_PUBLIC

A, S, I, C = "analyst", "supervisor", "interviewer01", "client"  # noqa: E741
EVERYONE = {A, S, I, C}
PUBLIC = {"login", "logout", "set_language", "healthz"}
# Twilio's webhooks: no login; the request signature is checked instead (tests/fieldwork).
TWILIO_WEBHOOKS = {
    "fieldwork:telephony:twiml",
    "fieldwork:telephony:status_callback",
    "fieldwork:telephony:dial_action",
    "fieldwork:telephony:recording_callback",
}

# url name: (method, roles admitted). Object-level rules (an interviewer's own cases only) are
# checked separately below.
MATRIX = {
    "home": ("get", EVERYONE),
    "questionnaires:questionnaire_list": ("get", {A, S}),
    "questionnaires:upload": ("get", {A}),
    "questionnaires:load_standard": ("post", {A}),
    "questionnaires:version_detail": ("get", {A, S}),
    "questionnaires:version_changes": ("get", {A, S}),
    "questionnaires:download": ("get", {A, S}),
    "questionnaires:export": ("get", {A, S}),
    "questionnaires:printable": ("get", {A, S}),
    "sampling:frame_list": ("get", {A}),
    "sampling:locality_upload": ("get", {A}),
    "sampling:import_status": ("get", {A}),
    "sampling:import_progress": ("get", {A}),
    "sampling:frame_upload": ("get", {A}),
    "sampling:frame_errors": ("get", {A}),
    "sampling:frame_detail": ("get", {A}),
    "sampling:frame_allocation": ("get", {A}),
    "sampling:draw_detail": ("get", {A}),
    "sampling:draw_download": ("get", {A}),
    "fieldwork:wave_list": ("get", {A, S}),
    "fieldwork:wave_create": ("get", {A}),
    "fieldwork:wave_detail": ("get", {A, S}),
    "fieldwork:wave_live": ("get", {A, S}),
    "fieldwork:wave_plan": ("post", {A, S}),
    "fieldwork:wave_cases": ("get", {A, S}),
    "fieldwork:move_cases": ("post", {A, S}),
    "fieldwork:assign_street": ("post", {A, S}),
    "fieldwork:wave_appointments": ("get", {A, S}),
    "fieldwork:wave_interviewers": ("get", {A, S}),
    "fieldwork:wave_rates": ("get", {A, S}),
    "fieldwork:wave_quality": ("get", {A, S}),
    "fieldwork:my_calendar": ("get", {I}),
    "fieldwork:release_replicate": ("post", {A, S}),
    "fieldwork:quota_target": ("post", {A, S}),
    "fieldwork:rates_csv": ("get", {A, S}),
    "fieldwork:next_case": ("post", {I}),
    "fieldwork:my_cases": ("get", {I}),
    "fieldwork:due_now": ("get", {I}),
    "fieldwork:reopen_case": ("post", {A, S}),
    "fieldwork:case_detail": ("get", {A, S, I}),
    "fieldwork:start_interview": ("post", {I}),
    "fieldwork:record_attempt": ("post", {I}),
    "fieldwork:reveal_phone": ("post", {I}),
    "fieldwork:select_respondent": ("post", {I}),
    "fieldwork:households": ("get", {I}),
    "fieldwork:record_visit": ("post", {I}),
    "fieldwork:start_door_interview": ("post", {I}),
    "fieldwork:interview": ("get", {I}),
    "fieldwork:stop_interview": ("post", {I}),
    "fieldwork:interview_media": ("get", {A, S, I}),
    "fieldwork:locality_options": ("get", {A, S, I}),
    "fieldwork:switch_version": ("post", {A, S}),
    "fieldwork:trial_start": ("get", {A, S}),
    "fieldwork:trial_page": ("get", {A, S}),
    "fieldwork:telephony:dial": ("post", {I}),
    "fieldwork:telephony:call_list": ("get", {S}),
    "fieldwork:telephony:call_status": ("get", {I}),
    "fieldwork:telephony:confirm_call": ("post", {I}),
    "fieldwork:telephony:start_interview": ("post", {I}),
    "fieldwork:telephony:recording": ("get", {A, S}),
    "qc:review_list": ("get", {A, S}),
    "qc:review_detail": ("get", {A, S}),
    "qc:review_approve": ("post", {A, S}),
    "qc:review_reject": ("post", {A, S}),
    "qc:review_return": ("post", {A, S}),
    "qc:review_rerelease": ("post", {A}),
    "qc:review_bulk_approve": ("post", {A, S}),
    "qc:dashboard": ("get", {A, S}),
    "qc:export": ("get", {A, S}),
    "qc:review_export": ("get", {A, S}),
    "qc:settings": ("get", {A, S}),
    "qc:backchecks": ("get", {A, S}),
    "qc:my_backchecks": ("get", {I}),
    "qc:backcheck_form": ("get", {I}),
    "qc:interviewer_risk": ("get", {A, S}),
    "qc:interviewer_detail": ("get", {A, S}),
    "scoring:results": ("get", {A, S, C}),
    "scoring:report_pdf": ("get", {A, S, C}),
    "scoring:report_xlsx": ("get", {A, S, C}),
    "scoring:report_csv": ("get", {A, S, C}),
    "scoring:index": ("get", {A, S, C}),
    "scoring:weighting": ("get", {A}),
    "scoring:editions": ("get", {A, S}),
    "scoring:edition_file": ("get", {A, S}),
    "scoring:district_file": ("get", {A, S}),
    "scoring:targets": ("get", {A, S}),
    "scoring:objective_upload": ("get", {A}),
    "scoring:index_weights": ("get", {A}),
    "exports:wave_exports": ("get", {A}),
    "exports:package_download": ("get", {A}),
    "jobs:job_list": ("get", {A}),
    "jobs:job_progress": ("get", EVERYONE),
    "jobs:job_retry": ("post", {A}),
    "accounts:password_change": ("get", EVERYONE),
    "accounts:second_factor": ("get", EVERYONE),
    "accounts:second_factor_enrol": ("get", EVERYONE),
    "accounts:second_factor_verify": ("get", EVERYONE),
    "accounts:backup_codes": ("post", EVERYONE),
    # analysts must keep theirs (OTP_REQUIRED_FOR_ANALYSTS)
    "accounts:second_factor_disable": ("post", {S, I, C}),
    "accounts:user_list": ("get", {A}),
    "accounts:reset_password": ("get", {A}),
    "accounts:unlock": ("post", {A}),
    "accounts:user_create": ("get", {A}),
    "accounts:user_edit": ("get", {A}),
    "accounts:user_active": ("post", {A}),
    "accounts:team_list": ("get", {A}),
    "accounts:team_edit": ("get", {A}),
    "accounts:organisation_list": ("get", {A}),
    "accounts:organisation_edit": ("get", {A}),
    "accounts:audit_log": ("get", {A}),
    "accounts:audit_export": ("get", {A}),
    "fieldwork:wave_retention": ("post", {A}),
    "fieldwork:processing_record": ("get", {A}),
    "fieldwork:processing_record_pdf": ("get", {A}),
    "fieldwork:interviewer_profile": ("get", {A}),
    "api:token_list": ("get", {A}),
    "api:token_revoke": ("post", {A}),
    "fieldwork:external_import": ("get", {A}),
    "qc:backcheck_call": ("post", {I}),
    "fieldwork:wave_audio_audits": ("post", {A, S}),
    "privacy:wave_personal_data": ("get", {A}),
    "privacy:certificate_pdf": ("get", {A}),
    "privacy:certificate_json": ("get", {A}),
}
OWN_CASE_ONLY = {
    "fieldwork:case_detail",
    "fieldwork:start_interview",
    "fieldwork:record_attempt",
    "fieldwork:reveal_phone",
    "fieldwork:select_respondent",
    "fieldwork:record_visit",
    "fieldwork:start_door_interview",
    "fieldwork:interview",
    "fieldwork:stop_interview",
    "fieldwork:interview_media",
    "fieldwork:telephony:dial",
    "fieldwork:telephony:call_status",
    "fieldwork:telephony:confirm_call",
    "fieldwork:telephony:start_interview",
}


# Pages that answer 404 to an allowed user when there is nothing to show.
# The demo has no back-check assigned to interviewer01: 404 once the role is admitted.
# A job's progress: anyone may poll the jobs they started; the analyst's job is not found.
# An interview's photo: the demo's interviews have none (test_media.py serves real ones).
# No data package is built in the demo (tests/exports download one): 404 once admitted.
EMPTY_IS_NOT_FOUND = {
    "sampling:frame_errors",
    "qc:backcheck_form",
    "jobs:job_progress",
    "exports:package_download",
    "fieldwork:interview_media",
    "qc:backcheck_call",
    "privacy:certificate_pdf",  # the demo's waves are not purged (tests/privacy purge one)
    "privacy:certificate_json",
}


def _url_params(patterns=None, namespace=""):
    """{url name: [its path parameters]} for every named URL outside the admin."""
    found = {}
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            found.update(_url_params(pattern.url_patterns, inner))
        elif isinstance(pattern, URLPattern) and pattern.name:
            found[f"{namespace}{pattern.name}"] = list(pattern.pattern.converters)
    return found


def test_every_url_is_in_the_matrix():
    # the API's endpoints (a token, not a login) have their own matrix: tests/api/test_matrix.py
    api = {f"api-v1:{name}" for name in set(API_MATRIX) | API_PUBLIC}
    assert set(_url_params()) == set(MATRIX) | PUBLIC | TWILIO_WEBHOOKS | api


@pytest.fixture
def demo_world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    wave = load_demo(seed=7, size=SMALL, say=lambda line: None)
    own_case = Case.objects.filter(wave=wave, interviewer__username=I, status="pending").first()
    interview = fieldwork.start_interview(
        case=Case.objects.filter(wave=wave, interviewer__username=I, status="pending").last(),
        interviewer=own_case.interviewer,
        mode="phone",
    )
    review = Review.objects.filter(interview__case__wave=wave).first()
    call = Call.objects.create(
        case=own_case, interviewer=own_case.interviewer, recording_url="https://api.twilio.com/RE1"
    )
    analyst = User.objects.get(username=A)
    job = start_job(
        kind=FRAME_IMPORT, params={"upload_path": "none"}, subject="frame.csv", user=analyst
    )
    return {
        "wave_id": wave.pk,
        "case_id": own_case.pk,
        "interview_id": interview.pk,
        "review_interview_id": review.interview_id,
        "frame_id": Frame.objects.get().pk,
        "draw_id": wave.draw_id,
        "pk": wave.questionnaire_version_id,
        "call_id": call.pk,
        "job_id": job.pk,
        "table": "districts",
        "number": 1,
        "kind": "pdf",
        # a district of the demo's signed edition 1 of the wave (its part is in the storage)
        "code": DistrictEdition.objects.filter(edition__wave=wave, edition__number=1)
        .values_list("code", flat=True)
        .first(),
        "language": "zh",
        "name": "0" * 64 + ".jpg",
        "interviewer_id": review.interview.interviewer_id,  # has completed interviews
        "user_id": User.objects.get(username="interviewer02").pk,
        "team_id": Team.objects.get(name="一组").pk,
        "organisation_id": wave.client_id,
        "token_id": create_token(
            organisation=wave.client, name="平台", scope="read", days=30, user=analyst
        )[0].pk,
        "purge_id": 1,
    }


def _url(name: str, world: dict) -> str:
    params = _url_params()[name]
    values = dict(world)
    if name.startswith("qc:"):
        values["interview_id"] = world["review_interview_id"]
    return reverse(name, kwargs={param: values[param] for param in params})


def _assert_clean_title(body: str, name: str) -> None:
    """Full pages carry a plain-text <title>; fragments (htmx partials) have none."""
    title = re.search(r"<title>(.*?)</title>", body, re.S)
    if title is not None:
        assert "<" not in title.group(1) and "{%" not in title.group(1), name


def _request(client, method: str, url: str):
    return client.post(url) if method == "post" else client.get(url)


@pytest.mark.slow
def test_every_role_gets_exactly_the_pages_it_is_allowed(client, demo_world):
    denied = {}
    for username in sorted(EVERYONE):
        client.login(username=username, password="demo-pass-2026")
        for name, (method, roles) in MATRIX.items():
            response = _request(client, method, _url(name, demo_world))
            status = response.status_code
            if status == 200 and response["Content-Type"].startswith("text/html"):
                _assert_clean_title(response.content.decode(), name)
            if username in roles:
                refused = (403,) if name in EMPTY_IS_NOT_FOUND else (403, 404)
                assert status not in refused, f"{username} refused {name}: {status}"
            else:
                assert status == 403, f"{username} reached {name}: {status}"
                denied.setdefault(username, []).append(name)
        client.logout()
    # the interviewer is refused every page but their own work
    assert set(MATRIX) - set(denied[I]) == {n for n, (_, roles) in MATRIX.items() if I in roles}


def test_an_interviewer_cannot_reach_another_interviewers_case(client, demo_world):
    client.login(username="interviewer02", password="demo-pass-2026")
    for name in OWN_CASE_ONLY:
        method = MATRIX[name][0]
        status = _request(client, method, _url(name, demo_world)).status_code
        assert status == 404, f"interviewer02 reached {name}: {status}"
    assert (
        Interview.objects.filter(
            interviewer__username="interviewer02", case_id=demo_world["case_id"]
        ).count()
        == 0
    )


def test_anonymous_visitors_are_sent_to_log_in(client, demo_world):
    for name, (method, _) in MATRIX.items():
        response = _request(client, method, _url(name, demo_world))
        assert response.status_code == 302, name
        assert response.url.startswith(reverse("login")), name


# Row-level rules beyond the role: organisations (a client reads its own body's waves only)
# and teams (a supervisor acts on their own team's work only).

WAVE_PAGES_FOR_CLIENTS = [
    name for name, (_m, roles) in MATRIX.items() if C in roles and "wave_id" in _url_params()[name]
]


def test_a_client_of_another_organisation_gets_404_on_every_wave_page(client, demo_world):
    # given a client of another commissioning body
    other_body = Organisation.objects.create(name="邻市委政法委", kind=Organisation.Kind.CLIENT)
    User.objects.create_user(
        username="other-client", password="pw-other-2026", role="client", organisation=other_body
    )
    client.login(username="other-client", password="pw-other-2026")
    # when / then: the wave's results, files and index are not found, and no wave is offered
    assert {"scoring:report_pdf", "scoring:index"} <= set(WAVE_PAGES_FOR_CLIENTS)
    for name in WAVE_PAGES_FOR_CLIENTS:
        status = client.get(_url(name, demo_world)).status_code
        assert status == 404, f"other-client reached {name}: {status}"
    results = client.get(reverse("scoring:results"), {"wave": demo_world["wave_id"]})
    assert results.status_code in (200, 404)
    assert "平安市委政法委" not in results.content.decode()
    # while the wave's own client reads them
    client.login(username=C, password="demo-pass-2026")
    assert client.get(_url("scoring:report_csv", demo_world)).status_code == 200


TEAM_WORK = [
    "fieldwork:case_detail",
    "fieldwork:reopen_case",
    "qc:review_detail",
    "qc:review_approve",
    "qc:review_reject",
    "qc:review_return",
    "fieldwork:telephony:recording",
    "qc:interviewer_detail",
]


def test_a_supervisor_of_another_team_gets_404_on_the_teams_work(client, demo_world):
    # given 罗丽 leads 二组; the case, interview, review and call belong to 一组's interviewers
    client.login(username="supervisor2", password="demo-pass-2026")
    for name in TEAM_WORK:
        status = _request(client, MATRIX[name][0], _url(name, demo_world)).status_code
        assert status == 404, f"supervisor2 reached {name}: {status}"
    # lists leave the other team's work out: no review, and only unassigned cases in the grid
    reviews = client.get(reverse("qc:review_list"))
    assert reviews.status_code == 200 and reviews.context["total"] == 0
    grid = client.get(reverse("fieldwork:wave_cases", args=[demo_world["wave_id"]]))
    shown = grid.context["page"].object_list
    assert all(case.interviewer_id is None for case in shown)
    # and nothing of theirs can be moved
    moved = client.post(
        reverse("fieldwork:move_cases", args=[demo_world["wave_id"]]),
        {"cases": [demo_world["case_id"]], "to": "pool", "reason": "试试", "scope": "selected"},
    )
    assert moved.status_code in (302, 400)
    assert Case.objects.get(pk=demo_world["case_id"]).interviewer.username == I
    # while 何建国, who leads 一组, reaches every one of them
    client.login(username=S, password="demo-pass-2026")
    for name in ("fieldwork:case_detail", "qc:review_detail", "qc:interviewer_detail"):
        assert client.get(_url(name, demo_world)).status_code == 200, name
