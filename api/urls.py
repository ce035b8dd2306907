from django.urls import path

from api import views

app_name = "api"
urlpatterns = [
    path("", views.token_list, name="token_list"),
    path("<id:token_id>/revoke/", views.token_revoke, name="token_revoke"),
]
