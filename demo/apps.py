from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo county, across every app: it depends on all of them, none on it."""

    name = "demo"
    verbose_name = _("Demo data")
