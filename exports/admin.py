from django.contrib import admin

from .models import ExportJob


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    """Read-only: jobs are made by export pages. Staff see their own; superusers all."""

    list_display = ["title", "user", "status", "rows_done", "rows_total", "created_at", "finished_at"]
    list_filter = ["status", "created_at"]
    search_fields = ["title", "filename", "user__username"]
    readonly_fields = [f.name for f in ExportJob._meta.fields]

    def get_queryset(self, request):
        qs = super().get_queryset(request).select_related("user")
        return qs if request.user.is_superuser else qs.filter(user=request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
