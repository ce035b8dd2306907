import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from questionnaires.models import Questionnaire, QuestionnaireVersion
from questionnaires.services import import_questionnaire_version
from questionnaires.xlsform import parse_xlsform
from tests.factories import PASSWORD
from tests.questionnaires.test_presenters import make_version, rich_definition
from tests.questionnaires.workbooks import make_xlsx, survey_row, valid_survey

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def xlsx_upload(data: bytes, name: str = "form.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=XLSX)


def publishing_urls() -> list[tuple[str, str]]:
    return [
        ("get", reverse("questionnaires:upload")),
        ("post", reverse("questionnaires:load_standard")),
    ]


def reading_urls(version) -> list[tuple[str, str]]:
    return [
        ("get", reverse("questionnaires:questionnaire_list")),
        ("get", reverse("questionnaires:version_detail", args=[version.pk])),
        ("get", reverse("questionnaires:version_changes", args=[version.pk])),
        ("get", reverse("questionnaires:download", args=[version.pk])),
        ("get", reverse("questionnaires:export", args=[version.pk])),
    ]


def all_urls(version) -> list[tuple[str, str]]:
    return publishing_urls() + reading_urls(version)


@pytest.mark.parametrize("role", ["interviewer", "client_user"])
def test_other_roles_are_denied(client, request, role, standard_version):
    login(client, request.getfixturevalue(role))
    for method, url in all_urls(standard_version):
        assert getattr(client, method)(url).status_code == 403, url
    assert QuestionnaireVersion.objects.count() == 1


def test_supervisors_read_but_do_not_publish(client, supervisor, standard_version):
    login(client, supervisor)
    for method, url in publishing_urls():
        assert getattr(client, method)(url).status_code == 403, url
    for method, url in reading_urls(standard_version):
        assert getattr(client, method)(url).status_code == 200, url
    content = client.get(reverse("questionnaires:questionnaire_list")).content.decode()
    assert reverse("questionnaires:upload") not in content
    assert QuestionnaireVersion.objects.count() == 1


def test_anonymous_is_sent_to_login(client, standard_version):
    for method, url in all_urls(standard_version):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_list_shows_questionnaires_and_versions(
    client, analyst, standard_version, django_assert_num_queries
):
    import_questionnaire_version(data=make_xlsx(), source_name="mine.xlsx", code="mine")
    login(client, analyst)
    # session, user, their second factor, questionnaires, their versions, the session's new
    # idle expiry (an update between savepoints)
    with django_assert_num_queries(8):
        response = client.get(reverse("questionnaires:questionnaire_list"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "safety-standard" in content and "mine.xlsx" in content
    assert reverse("questionnaires:version_detail", args=[standard_version.pk]) in content
    assert reverse("questionnaires:upload") in content


def test_detail_shows_labels_and_logic_in_words(
    client, analyst, standard_version, django_assert_num_queries
):
    login(client, analyst)
    url = reverse("questionnaires:version_detail", args=[standard_version.pk])
    # session, user, their second factor, the version, its attached files, its
    # questionnaire's versions, the session's new idle expiry (an update between savepoints)
    with django_assert_num_queries(9):
        content = client.get(url).content.decode()
    assert "您对本地社会治安状况是否满意？" in content  # zh-hans is the default
    assert "Satisfaction with public order in your area" in content  # every language shown
    assert "社会治安" in content and "public_order" in content
    # relevance: the referenced question's label and name, the choice's label
    assert "您是否愿意接受访问？ (consent)</span> = " in content
    assert '<span class="ref" title="&#x27;yes&#x27;">是</span>' in content
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    content = client.get(url).content.decode()
    assert "Are you willing to take part? (consent)</span> = " in content
    assert reverse("questionnaires:version_changes", args=[standard_version.pk]) in content


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
    (row,) = response.context["import_errors"]
    assert (row["sheet"], row["row"], row["column"]) == ("survey", 3, "dimension")
    assert row["problem"] == "未知维度“nope”（不在“dimensions”列表中：public_order）"
    assert 'id="import-errors"' in response.content.decode()
    assert not Questionnaire.objects.exists()


@pytest.mark.parametrize(
    ("language", "problem"),
    [
        ("zh-hans", "名称“age”在同一分组或重复组中（或在所有分组之外）出现了两次；"
                    "同一层级的名称须各不相同"),
        ("en", "the name 'age' is used twice in the same group or repeat (or twice outside any "
               "group); names must differ there"),
    ],
)  # fmt: skip
def test_pyxforms_refusal_is_shown_at_its_cell_in_the_readers_language(
    client, analyst, language, problem
):
    survey = valid_survey()
    survey.insert(3, {"type": "text", "name": "age", "label": "again"})
    login(client, analyst)
    response = client.post(
        reverse("questionnaires:upload"),
        {"file": xlsx_upload(make_xlsx(survey=survey)), "code": "q2025"},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    (row,) = response.context["import_errors"]
    assert (row["sheet"], row["row"], row["column"], row["problem"]) == (
        "survey",
        5,
        "name",
        problem,
    )
    assert "must be unique within their nearest parent" not in response.content.decode()


def test_upload_lists_every_problem_of_the_workbook(client, analyst):
    survey = valid_survey()
    survey[1]["dimension"] = "nope"
    survey[2]["constraint"] = ". >= ${nowhere}"
    login(client, analyst)
    response = client.post(
        reverse("questionnaires:upload"),
        {"file": xlsx_upload(make_xlsx(survey=survey)), "code": "q2025"},
    )
    rows = response.context["import_errors"]
    assert [(row["row"], row["column"]) for row in rows] == [(3, "dimension"), (4, "constraint")]
    assert "nowhere" in rows[1]["problem"]
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


def test_download_returns_the_source_spreadsheet(client, analyst, standard_version):
    login(client, analyst)
    response = client.get(reverse("questionnaires:download", args=[standard_version.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert 'filename="standard_questionnaire.xlsx"' in response["Content-Disposition"]
    assert response.content == bytes(standard_version.source_xlsx)


def test_changes_page_compares_with_the_previous_version(client, analyst):
    import_questionnaire_version(data=make_xlsx(), source_name="v1.xlsx", code="mine")
    survey = valid_survey()
    survey[1]["label"] = "您满意吗"
    survey.insert(3, survey_row("integer", "children", "孩子数"))
    second = import_questionnaire_version(
        data=make_xlsx(survey=survey), source_name="v2.xlsx", code="mine"
    )
    login(client, analyst)
    response = client.get(reverse("questionnaires:version_changes", args=[second.pk]))
    diff = response.context["changes"]["diff"]
    assert [item["name"] for item in diff["questions_added"]] == ["/page1/children"]
    assert [item["name"] for item in diff["questions_changed"]] == ["/page1/q1"]
    assert diff["counts"]["added"] == 1 and diff["counts"]["label"] == 1
    content = response.content.decode()
    assert "孩子数" in content and "您满意吗" in content
    listing = client.get(reverse("questionnaires:questionnaire_list")).content.decode()
    assert reverse("questionnaires:version_changes", args=[second.pk]) in listing


def test_changes_page_of_a_first_version_says_so(client, analyst, standard_version):
    login(client, analyst)
    response = client.get(reverse("questionnaires:version_changes", args=[standard_version.pk]))
    assert response.status_code == 200 and response.context["changes"]["diff"] is None


def test_export_writes_the_definition_back_as_an_xlsform(client, analyst, standard_version):
    login(client, analyst)
    response = client.get(reverse("questionnaires:export", args=[standard_version.pk]))
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert 'filename="safety-standard-v1.xlsx"' in response["Content-Disposition"]
    reparsed = parse_xlsform(response.content, "export.xlsx").definition
    assert [g["name"] for g in reparsed["groups"]] == [
        g["name"] for g in standard_version.definition["groups"]
    ]
    assert reparsed["choice_lists"] == standard_version.definition["choice_lists"]


def test_detail_shows_rosters_calculations_and_qc_checks(client, supervisor):
    version = make_version(rich_definition())
    login(client, supervisor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("questionnaires:version_detail", args=[version.pk]))
    household = response.context["version"]["groups"][1]
    assert household["repeat"]["max"] == 20
    content = response.content.decode()
    page = content[content.index('id="page-household"') : content.index('id="page-rating"')]
    assert "Roster" in page and "household_size？ (household_size)" in page
    assert "Calculated as" in content and "Back-check" in content
    assert "QC check" in content and "Inconsistent" in content
    assert 'class="ref error" title="ghost"' in content  # unknown name in a choice filter


def circular_and_deep_survey() -> list[dict]:
    survey = valid_survey()
    survey[2]["relevant"] = "${q1} = '5' and ${age} > 0"  # age shown by its own answer
    survey[1]["constraint"] = "(" * 140 + ". = '5'" + ")" * 140
    return survey


def test_upload_refuses_deep_and_circular_logic_in_chinese_by_default(client, analyst):
    login(client, analyst)
    response = client.post(
        reverse("questionnaires:upload"),
        {"file": xlsx_upload(make_xlsx(survey=circular_and_deep_survey())), "code": "q2025"},
    )
    assert response.status_code == 200
    deep, cycle = response.context["import_errors"]  # every problem at once
    assert (deep["sheet"], deep["row"], deep["column"]) == ("survey", 3, "constraint")
    assert (cycle["sheet"], cycle["row"], cycle["column"]) == ("survey", 4, "relevant")
    assert "嵌套超过 40 层" in deep["problem"]
    assert not Questionnaire.objects.exists()

    survey = circular_and_deep_survey()
    survey[1]["constraint"] = None
    response = client.post(
        reverse("questionnaires:upload"),
        {"file": xlsx_upload(make_xlsx(survey=survey)), "code": "q2025"},
    )
    [cycle] = response.context["import_errors"]
    assert (cycle["sheet"], cycle["row"], cycle["column"]) == ("survey", 4, "relevant")
    assert cycle["problem"] == "逻辑循环：age 的 relevant 依赖 age"
    assert not Questionnaire.objects.exists()


def test_upload_refuses_deep_logic_in_english_on_request(client, analyst, english):
    login(client, analyst)
    response = client.post(
        reverse("questionnaires:upload"),
        {"file": xlsx_upload(make_xlsx(survey=circular_and_deep_survey())), "code": "q2025"},
    )
    deep, _cycle = response.context["import_errors"]
    assert "nested more than 40 levels deep" in deep["problem"]
    assert "nested more than 40 levels deep" in response.content.decode()


def test_upload_keeps_the_attached_files_and_says_what_the_interview_does_not_run_yet(
    client, analyst
):
    login(client, analyst)
    survey = [
        survey_row("begin group", "p", "页"),
        survey_row("select_one_from_file towns.csv", "town", "镇"),
        survey_row("geopoint", "where", "位置"),
        survey_row("end group"),
    ]
    towns = SimpleUploadedFile("towns.csv", "name,label\nt1,东镇\n".encode(), "text/csv")
    response = client.post(
        reverse("questionnaires:upload"),
        {"file": xlsx_upload(make_xlsx(survey=survey, choices=[])), "code": "towns",
         "attachments": [towns]},
        follow=True,
    )  # fmt: skip
    version = QuestionnaireVersion.objects.get()
    assert [a.name for a in version.attachments.all()] == ["towns.csv"]
    content = response.content.decode()
    assert "not asked" not in content  # a location question is asked now
    assert 'id="attachments"' in content and "towns.csv" in content


def test_upload_names_every_cell_whose_functions_the_interview_does_not_run(client, analyst):
    login(client, analyst)
    survey = [
        survey_row("begin group", "p", "页", relevant="device-info('imei') != ''"),
        survey_row("text", "q1", "问题", constraint="regex(., '^[0-9]+$') and lower(.) = ."),
        survey_row("end group"),
    ]
    response = client.post(
        reverse("questionnaires:upload"),
        {"file": xlsx_upload(make_xlsx(survey=survey, choices=[])), "code": "funcs"},
        follow=True,
    )
    content = response.content.decode()
    # in the page's language, every cell in one message
    assert "有 2 个表达式已保留，但访问无法运行" in content
    assert "survey 工作表第 2 行 relevant 列：访问不支持的函数：device-info()" in content
    assert "survey 工作表第 3 行 constraint 列：访问不支持的函数：lower()" in content
