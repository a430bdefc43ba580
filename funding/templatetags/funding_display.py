"""{% load funding_display %}: {{ policy|rate_text }} (a rate with its unit) and
{{ amount|yuan }} ("1,234.50").

`yuan` exists because `floatformat:"2g"` follows the locale, and Django's zh_Hans
formats have no thousands separator (THOUSAND_SEPARATOR = ""): 1234567.50 would
read as 1234567.50 on a Chinese page.
"""

from decimal import Decimal, InvalidOperation

from django import template

from .. import display

register = template.Library()


@register.filter
def rate_text(policy):
    return display.rate_text(policy)


@register.filter
def yuan(value):
    if value is None or value == "":
        return "—"
    try:
        return display.yuan_text(Decimal(value))
    except (InvalidOperation, TypeError, ValueError):
        return value
