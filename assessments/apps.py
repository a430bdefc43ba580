from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = _("Assessments")

    def ready(self):
        # orgs cannot import assessments (dependencies point one way), so the
        # organization page learns of the grades-and-stars panel from here.
        from orgs.panels import register

        from .panels import assessment_panel

        register(assessment_panel)
