"""Fixtures shared by the fieldwork tests: the interviewer's logged-in client, a local fake
Twilio and an interviewer's line."""

import pytest

from fieldwork.telephony import services as telephony_services
from tests.factories import PASSWORD
from tests.fieldwork.telephony_fakes import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    CALLER_ID,
    LINE,
    PUBLIC_BASE_URL,
    start_fake_twilio,
)


@pytest.fixture
def browser(client, interviewer):
    """The interviewer's browser: Django's test client, logged in."""
    client.login(username=interviewer.username, password=PASSWORD)
    return client


@pytest.fixture
def fake_twilio(settings):
    state, server = start_fake_twilio()
    settings.TWILIO_ACCOUNT_SID = ACCOUNT_SID
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.TWILIO_CALLER_ID = CALLER_ID
    settings.TWILIO_API_BASE_URL = state.url
    settings.PUBLIC_BASE_URL = PUBLIC_BASE_URL
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def line(interviewer):
    return telephony_services.set_interviewer_line(user=interviewer, phone=LINE)
