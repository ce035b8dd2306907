"""Manual dialling in the browser: the number appears in place, and past the hourly limit the
interviewer reads why instead of a button that does nothing."""

import pytest

from fieldwork.models import PhoneReveal
from tests.e2e.conftest import log_in
from tests.factories import PASSWORD


@pytest.mark.django_db(transaction=True)
def test_the_number_then_the_limit_message_replace_the_masked_number(
    live_server, new_page, rate_limits, settings, my_case, interviewer
):
    settings.TWILIO_ACCOUNT_SID = settings.TWILIO_AUTH_TOKEN = settings.TWILIO_CALLER_ID = ""
    rate_limits(reveal_phone="1/h")
    page = new_page()
    log_in(page, live_server.url, interviewer.username, PASSWORD)
    page.goto(f"{live_server.url}/fieldwork/cases/{my_case.pk}/")
    phone = page.locator("#phone")
    assert my_case.unit.phone not in phone.inner_text()
    button = page.locator("button[hx-post$='/phone/']")
    button.click()
    page.wait_for_function(
        "n => document.querySelector('#phone').textContent.includes(n)", arg=my_case.unit.phone
    )
    button.click()
    page.wait_for_function(
        "() => document.querySelector('#phone').textContent.includes('请求过于频繁')"
    )
    assert my_case.unit.phone not in phone.inner_text()
    assert PhoneReveal.objects.filter(case=my_case).count() == 1
