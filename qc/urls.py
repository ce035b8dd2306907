from django.urls import path

from qc import views

app_name = "qc"
urlpatterns = [
    path("", views.review_list, name="review_list"),
    path("interviews/<int:interview_id>/", views.review_detail, name="review_detail"),
    path("interviews/<int:interview_id>/approve/", views.review_approve, name="review_approve"),
    path("interviews/<int:interview_id>/reject/", views.review_reject, name="review_reject"),
]
