from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("print/", views.dashboard_print, name="dashboard_print"),
    path("export.xlsx", views.dashboard_export, name="dashboard_export"),
]
