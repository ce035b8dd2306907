"""Jobs for administrators: everything a job recorded, the traceback of an unexpected error
included (the jobs page shows people the message, not the traceback). Read-only."""

from django.contrib import admin

from jobs.models import Job, ScheduleRun, Worker


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["pk", "kind", "subject", "status", "attempts", "created_at", "finished_at"]
    list_filter = ["status", "kind"]
    search_fields = ["subject", "kind"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Worker)
class WorkerAdmin(admin.ModelAdmin):
    list_display = ["worker_id", "hostname", "pid", "started_at", "seen_at"]


admin.site.register(ScheduleRun)
