from django.urls import path

from questionnaires import views

app_name = "questionnaires"
urlpatterns = [
    path("", views.questionnaire_list, name="questionnaire_list"),
    path("upload/", views.upload, name="upload"),
    path("standard/", views.load_standard, name="load_standard"),
    path("versions/<id:pk>/", views.version_detail, name="version_detail"),
    path("versions/<id:pk>/download/", views.download, name="download"),
    path("versions/<id:pk>/export/", views.export, name="export"),
    path("versions/<id:pk>/changes/", views.version_changes, name="version_changes"),
    path("versions/<id:pk>/print/<str:language>.pdf", views.printable, name="printable"),
]
