import re
from django.urls import reverse
from questionnaires.services import load_standard_questionnaire
from tests.conftest import PASSWORD

def test_render(client, analyst, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    v = load_standard_questionnaire()
    client.login(username="analyst", password=PASSWORD)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("questionnaires:version_detail", args=[v.pk])).content.decode()
    text = re.sub(r"<[^>]+>", " ", html.split("<main>")[1])
    print(re.sub(r"\s+", " ", text)[:3000])
    html = client.get(reverse("questionnaires:questionnaire_list")).content.decode()
    print(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.split("<main>")[1])))
