from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language

from . import views

admin.site.site_header = "基层党建管理"
admin.site.site_title = "基层党建管理"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("orgs/", include("orgs.urls")),
    path("standards/", include("standards.urls")),
    path("assessments/", include("assessments.urls")),
    path("rectification/", include("rectification.urls")),
    path("funding/", include("funding.urls")),
    path("supervision/", include("supervision.urls")),
    path("meetings/", include("meetings.urls")),
    path("exports/", include("exports.urls")),
    path("reports/", include("reports.urls")),
    path("audit/", include("audit.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
