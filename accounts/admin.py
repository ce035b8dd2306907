from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from accounts.models import Organisation, Team, User


@admin.register(User)
class RoleUserAdmin(UserAdmin):
    list_display = (
        "username",
        "first_name",
        "last_name",
        "role",
        "organisation",
        "team",
        "is_active",
    )
    list_filter = ("role", "is_active", "organisation", "team")
    fieldsets = (
        *UserAdmin.fieldsets,
        ("Role", {"fields": ("role", "organisation", "team", "must_change_password")}),
    )


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind")
    list_filter = ("kind",)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "supervisor")
