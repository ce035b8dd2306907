from django.urls import path

from fieldwork import views

app_name = "fieldwork"
urlpatterns = [
    path("waves/", views.wave_list, name="wave_list"),
    path("my-cases/", views.my_cases, name="my_cases"),
]
