from django.urls import path

from sampling import views

app_name = "sampling"
urlpatterns = [
    path("", views.frame_list, name="frame_list"),
    path("frames/upload/", views.frame_upload, name="frame_upload"),
    path("frames/errors.csv", views.frame_errors, name="frame_errors"),
    path("frames/<int:frame_id>/", views.frame_detail, name="frame_detail"),
    path("frames/<int:frame_id>/allocation/", views.frame_allocation, name="frame_allocation"),
    path("draws/<int:draw_id>/", views.draw_detail, name="draw_detail"),
    path("draws/<int:draw_id>/sample.csv", views.draw_download, name="draw_download"),
]
