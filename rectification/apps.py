from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RectificationConfig(AppConfig):
    name = "rectification"
    verbose_name = _("Rectification")

    def ready(self):
        # orgs and assessments cannot import rectification (dependencies point one way),
        # so their pages learn of the problems-and-tasks panels from here.
        from assessments.panels import register_assessment_panel
        from orgs.panels import register

        from .panels import assessment_panel, org_panel

        register(org_panel)
        register_assessment_panel(assessment_panel)
