from django.urls import path

from qc import views

app_name = "qc"
urlpatterns = [
    path("", views.review_list, name="review_list"),
]
