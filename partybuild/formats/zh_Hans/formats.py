"""Django's zh_Hans formats, with money grouped as county finance offices write it:
150,000.00 (Django's own zh_Hans has no separator and groups by four). Only numbers
asked for grouping ({{ x|floatformat:"2g" }}) are grouped: USE_THOUSAND_SEPARATOR
stays off, so years and ids never get a comma."""

from django.conf.locale.zh_Hans.formats import *  # noqa: F401,F403

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
