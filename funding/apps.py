from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundingConfig(AppConfig):
    name = "funding"
    verbose_name = _("Funding")

    def ready(self):
        # orgs cannot import funding (dependencies point one way), so the organization
        # page learns of the money panel from here.
        from orgs.panels import register

        from .panels import org_panel

        register(org_panel)
