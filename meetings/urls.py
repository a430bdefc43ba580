from django.urls import path

from .views import bindings, compliance, importing, log

app_name = "meetings"

urlpatterns = [
    # The log: entry on a phone, a meeting, its files, lists and calendars (views/log.py)
    path("", log.meeting_list, name="meeting_list"),
    path("export.xlsx", log.meeting_export, name="meeting_export"),
    path("new/", log.meeting_create, name="meeting_create"),
    path("<int:pk>/", log.meeting_detail, name="meeting_detail"),
    path("<int:pk>/edit/", log.meeting_edit, name="meeting_edit"),
    path("<int:pk>/delete/", log.meeting_delete, name="meeting_delete"),
    path("<int:pk>/attachments/", log.attachment_add, name="attachment_add"),
    path("attachments/<int:pk>/", log.attachment_download, name="attachment_download"),
    path("attachments/<int:pk>/delete/", log.attachment_delete, name="attachment_delete"),
    path("orgs/<int:pk>/", log.org_log, name="org_log"),
    # Compliance against the rules, and who met (views/compliance.py)
    path("compliance/", compliance.compliance_table, name="compliance"),
    path("compliance.xlsx", compliance.compliance_export, name="compliance_export"),
    path("who-met/", compliance.who_met, name="who_met"),
    # Import of past meetings (views/importing.py)
    path("import/", importing.meeting_import, name="meeting_import"),
    path("import/template.xlsx", importing.import_template, name="import_template"),
    # Standard items answered from the log (views/bindings.py)
    path("bindings/", bindings.binding_list, name="binding_list"),
    path("bindings/<int:pk>/delete/", bindings.binding_delete, name="binding_delete"),
]
