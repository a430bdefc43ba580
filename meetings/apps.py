from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Organizational life")

    def ready(self):
        # supervision cannot import meetings either: the 主题党日 reminder and the dispatch's
        # 组织生活 section are registered from here.
        from . import dispatch as meeting_dispatch
        from . import reminders as meeting_reminders

        meeting_reminders.register()
        meeting_dispatch.register()
        # assessments cannot either: a self-check reads bound items' counts from the log.
        from assessments.prefill import register as register_prefill

        from .prefill import log_counts

        register_prefill(log_counts)
        # orgs cannot import meetings (dependencies point one way), so the organization
        # page learns of the 组织生活 panel from here.
        from orgs.panels import register

        from .panels import org_panel

        register(org_panel)
