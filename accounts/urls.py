from django.urls import path

from accounts import people_views, views
from accounts.auditlog import views as audit_views

app_name = "accounts"
urlpatterns = [
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("two-step/", views.second_factor, name="second_factor"),
    path("two-step/set-up/", views.second_factor_enrol, name="second_factor_enrol"),
    path("two-step/verify/", views.second_factor_verify, name="second_factor_verify"),
    path("two-step/backup-codes/", views.backup_codes, name="backup_codes"),
    path("two-step/off/", views.second_factor_disable, name="second_factor_disable"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", people_views.user_create, name="user_create"),
    path("users/<id:user_id>/", people_views.user_edit, name="user_edit"),
    path("users/<id:user_id>/active/", people_views.user_active, name="user_active"),
    path("teams/", people_views.team_list, name="team_list"),
    path("teams/<id:team_id>/", people_views.team_edit, name="team_edit"),
    path("organisations/", people_views.organisation_list, name="organisation_list"),
    path(
        "organisations/<id:organisation_id>/",
        people_views.organisation_edit,
        name="organisation_edit",
    ),
    path("users/<id:user_id>/reset-password/", views.reset_password, name="reset_password"),
    path("users/<id:user_id>/unlock/", views.unlock, name="unlock"),
    path("audit/", audit_views.audit_log, name="audit_log"),
    path("audit/export/", audit_views.audit_export, name="audit_export"),
]
