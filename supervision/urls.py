from django.urls import path

from .views import badge, dispatches, inspections, jobs, notifications

app_name = "supervision"

urlpatterns = [
    # 月调度 (views/dispatches.py)
    path("dispatches/", dispatches.dispatch_board, name="dispatch_board"),
    path("dispatches.xlsx", dispatches.dispatch_board_export, name="dispatch_board_export"),
    path("dispatches/<int:pk>/", dispatches.dispatch_detail, name="dispatch_detail"),
    path("dispatches/<int:pk>/notes/", dispatches.dispatch_notes, name="dispatch_notes"),
    path("dispatches/<int:pk>/submit/", dispatches.dispatch_submit, name="dispatch_submit"),
    path("dispatches/<int:pk>/recompile/", dispatches.dispatch_recompile, name="dispatch_recompile"),
    path("dispatches/<int:pk>/reopen/", dispatches.dispatch_reopen, name="dispatch_reopen"),
    path("dispatches/<int:pk>/export.xlsx", dispatches.dispatch_export, name="dispatch_export"),
    # 季督查 and 通报 (views/inspections.py)
    path("inspections/", inspections.inspection_list, name="inspection_list"),
    path("inspections/<int:pk>/", inspections.inspection_detail, name="inspection_detail"),
    path("inspections/<int:pk>/inspectors/", inspections.inspection_inspectors,
         name="inspection_inspectors"),
    path("inspections/<int:pk>/finish/", inspections.inspection_finish, name="inspection_finish"),
    path("samples/<int:pk>/visit/", inspections.sample_visit, name="sample_visit"),
    path("samples/<int:pk>/findings/new/", inspections.finding_create, name="finding_create"),
    path("bulletin/", inspections.bulletin, name="bulletin"),
    path("bulletin.xlsx", inspections.bulletin_export, name="bulletin_export"),
    # 提醒 (views/notifications.py)
    path("notifications/", notifications.notification_list, name="notification_list"),
    path("notifications/badge/", badge.notification_badge, name="notification_badge"),
    path("notifications/read/", notifications.notification_mark_read, name="notification_mark_read"),
    path("notifications/<int:pk>/open/", notifications.notification_open, name="notification_open"),
    # Scheduled jobs (views/jobs.py)
    path("jobs/", jobs.job_status, name="job_status"),
    path("jobs/<str:job>/run/", jobs.job_run, name="job_run"),
]
