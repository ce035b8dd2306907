from django.urls import path

from scoring import edition_views, target_views, views
from scoring.index import views as index_views

app_name = "scoring"
urlpatterns = [
    path("", views.results, name="results"),
    path("waves/<id:wave_id>/report.pdf", views.report_pdf, name="report_pdf"),
    path("waves/<id:wave_id>/results.xlsx", views.report_xlsx, name="report_xlsx"),
    path("waves/<id:wave_id>/<slug:table>.csv", views.report_csv, name="report_csv"),
    path("waves/<id:wave_id>/weighting/", views.weighting, name="weighting"),
    path("waves/<id:wave_id>/targets/", target_views.targets, name="targets"),
    path("waves/<id:wave_id>/editions/", edition_views.edition_list, name="editions"),
    path(
        "waves/<id:wave_id>/editions/<id:number>.<slug:kind>",
        edition_views.edition_file,
        name="edition_file",
    ),
    path(
        "waves/<id:wave_id>/editions/<id:number>/districts/<slug:code>.<slug:kind>",
        edition_views.district_file,
        name="district_file",
    ),
    path("waves/<id:wave_id>/index/", index_views.index, name="index"),
    path(
        "waves/<id:wave_id>/index/objective/",
        index_views.objective_upload,
        name="objective_upload",
    ),
    path("waves/<id:wave_id>/index/weights/", index_views.index_weights, name="index_weights"),
]
