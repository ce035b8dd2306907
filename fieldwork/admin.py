"""Fieldwork for administrators: the record of full numbers shown in manual-dial mode.
Read-only: an audit record is never edited."""

from django.contrib import admin

from fieldwork.models import PhoneReveal


@admin.register(PhoneReveal)
class PhoneRevealAdmin(admin.ModelAdmin):
    list_display = ["revealed_at", "interviewer", "case"]
    list_filter = ["interviewer"]
    list_select_related = ["interviewer", "case"]
    date_hierarchy = "revealed_at"
    search_fields = ["interviewer__username", "=case__id"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
