import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from questionnaires.models import Questionnaire, QuestionnaireVersion
from questionnaires.services import import_questionnaire_version, load_standard_questionnaire
from tests.conftest import PASSWORD
from tests.questionnaires.workbooks import make_xlsx, valid_survey

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def xlsx_upload(data: bytes, name: str = "form.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=XLSX)


@pytest.fixture
def version(db):
    return load_standard_questionnaire()


def all_urls(version) -> list[tuple[str, str]]:
    return [
        ("get", reverse("questionnaires:questionnaire_list")),
        ("get", reverse("questionnaires:upload")),
        ("post", reverse("questionnaires:load_standard")),
        ("get", reverse("questionnaires:version_detail", args=[version.pk])),
        ("get", reverse("questionnaires:download", args=[version.pk])),
    ]


@pytest.mark.parametrize("role", ["supervisor", "interviewer", "client_user"])
def test_other_roles_are_denied(client, request, role, version):
    login(client, request.getfixturevalue(role))
    for method, url in all_urls(version):
        assert getattr(client, method)(url).status_code == 403, url
    assert QuestionnaireVersion.objects.count() == 1


def test_anonymous_is_sent_to_login(client, version):
    for method, url in all_urls(version):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_list_shows_questionnaires_and_versions(
    client, analyst, version, django_assert_num_queries
):
    import_questionnaire_version(data=make_xlsx(), source_name="mine.xlsx", code="mine")
    login(client, analyst)
    # session, user, questionnaires, their versions
    with django_assert_num_queries(4):
        response = client.get(reverse("questionnaires:questionnaire_list"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "safety-standard" in content and "mine.xlsx" in content
    assert reverse("questionnaires:version_detail", args=[version.pk]) in content


def test_detail_shows_labels_in_the_ui_language(client, analyst, version):
    login(client, analyst)
    url = reverse("questionnaires:version_detail", args=[version.pk])
    content = client.get(url).content.decode()
    assert "您对本地社会治安状况是否满意？" in content  # zh-hans is the default
    assert "社会治安" in content and "public_order" in content
    assert "${consent} = &#x27;yes&#x27;" in content  # relevance shown (escaped)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    content = client.get(url).content.decode()
    assert "Satisfaction with public order in your area" in content
    assert "您对本地社会治安状况是否满意？" not in content


def test_detail_of_missing_version_is_404(client, analyst):
    login(client, analyst)
    assert client.get(reverse("questionnaires:version_detail", args=[999])).status_code == 404


def test_upload_good_file_publishes_a_version(client, analyst):
    login(client, analyst)
    response = client.post(
        reverse("questionnaires:upload"), {"file": xlsx_upload(make_xlsx()), "code": "q2025"}
    )
    version = QuestionnaireVersion.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("questionnaires:version_detail", args=[version.pk])
    assert (version.questionnaire.code, version.number) == ("q2025", 1)
    assert version.published_by == analyst
    assert version.source_name == "form.xlsx"


def test_upload_bad_file_shows_errors_and_writes_nothing(client, analyst):
    survey = valid_survey()
    survey[1]["dimension"] = "nope"
    login(client, analyst)
    response = client.post(
        reverse("questionnaires:upload"),
        {"file": xlsx_upload(make_xlsx(survey=survey)), "code": "q2025"},
    )
    assert response.status_code == 200
    assert "survey sheet, row 3, column dimension: unknown dimension" in response.content.decode()
    assert not Questionnaire.objects.exists()


def test_upload_refuses_other_file_types(client, analyst):
    login(client, analyst)
    response = client.post(
        reverse("questionnaires:upload"),
        {"file": xlsx_upload(b"a,b", "form.csv"), "code": "q2025"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not Questionnaire.objects.exists()


def test_load_standard_imports_it_once(client, analyst):
    login(client, analyst)
    first = client.post(reverse("questionnaires:load_standard"))
    second = client.post(reverse("questionnaires:load_standard"))
    version = QuestionnaireVersion.objects.get()
    assert first.url == second.url == reverse("questionnaires:version_detail", args=[version.pk])
    assert client.get(reverse("questionnaires:load_standard")).status_code == 405


def test_download_returns_the_source_spreadsheet(client, analyst, version):
    login(client, analyst)
    response = client.get(reverse("questionnaires:download", args=[version.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert 'filename="standard_questionnaire.xlsx"' in response["Content-Disposition"]
    assert response.content == bytes(version.source_xlsx)
