from django.urls import path

from questionnaires import views

app_name = "questionnaires"
urlpatterns = [
    path("", views.questionnaire_list, name="questionnaire_list"),
]
