"""Scoring in Django's admin: which district a client user is limited to (a sub-client)."""

from django.contrib import admin

from scoring.models import ClientDistrict


@admin.register(ClientDistrict)
class ClientDistrictAdmin(admin.ModelAdmin):
    list_display = ("user", "district")
    autocomplete_fields = ()
    raw_id_fields = ("user",)
    list_select_related = ("user", "district")
