from django.urls import path

from sampling import views

app_name = "sampling"
urlpatterns = [
    path("", views.frame_list, name="frame_list"),
    path("localities/upload/", views.locality_upload, name="locality_upload"),
    path("frames/upload/", views.frame_upload, name="frame_upload"),
    path("imports/<id:job_id>/", views.import_status, name="import_status"),
    path("imports/<id:job_id>/progress/", views.import_progress, name="import_progress"),
    path("frames/errors.csv", views.frame_errors, name="frame_errors"),
    path("frames/<id:frame_id>/", views.frame_detail, name="frame_detail"),
    path("frames/<id:frame_id>/allocation/", views.frame_allocation, name="frame_allocation"),
    path("draws/<id:draw_id>/", views.draw_detail, name="draw_detail"),
    path("draws/<id:draw_id>/sample.csv", views.draw_download, name="draw_download"),
]
