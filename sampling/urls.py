from django.urls import path

from sampling import views

app_name = "sampling"
urlpatterns = [
    path("", views.frame_list, name="frame_list"),
]
