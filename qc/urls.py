from django.urls import path

from qc import views
from qc.risk import views as risk_views

app_name = "qc"
urlpatterns = [
    path("", views.review_list, name="review_list"),
    path("download/", views.review_export, name="review_export"),
    path("interviews/<id:interview_id>/", views.review_detail, name="review_detail"),
    path("interviews/<id:interview_id>/approve/", views.review_approve, name="review_approve"),
    path("interviews/<id:interview_id>/reject/", views.review_reject, name="review_reject"),
    path("interviews/<id:interview_id>/return/", views.review_return, name="review_return"),
    path(
        "interviews/<id:interview_id>/rerelease/",
        views.review_rerelease,
        name="review_rerelease",
    ),
    path("bulk-approve/", views.review_bulk_approve, name="review_bulk_approve"),
    path("waves/<id:wave_id>/dashboard/", views.dashboard, name="dashboard"),
    path("waves/<id:wave_id>/export/", views.export, name="export"),
    path("waves/<id:wave_id>/settings/", views.qc_settings, name="settings"),
    path("waves/<id:wave_id>/backchecks/", views.backchecks, name="backchecks"),
    path("backchecks/", views.my_backchecks, name="my_backchecks"),
    path("backchecks/<id:interview_id>/", views.backcheck_form, name="backcheck_form"),
    path("backchecks/<id:interview_id>/call/", views.backcheck_call, name="backcheck_call"),
    path(
        "waves/<id:wave_id>/interviewers/",
        risk_views.interviewer_risk,
        name="interviewer_risk",
    ),
    path(
        "waves/<id:wave_id>/interviewers/<id:interviewer_id>/",
        risk_views.interviewer_detail,
        name="interviewer_detail",
    ),
]
