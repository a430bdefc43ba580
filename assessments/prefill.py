"""Answers another app already knows: a self-check item pre-filled from elsewhere.

The meeting log knows how many 主题党日 a branch held; a number item bound to that
meeting type need not be typed. Apps that know such answers register a provider
here (meetings does in MeetingsConfig.ready()), as panels are registered in
assessments.panels, so assessments never imports them.

A provider is a function (assessment, items) -> {item id: Prefill} for the items
it can answer, costing a fixed number of queries for the whole list: the fill
page and the review page call `values_for` once, never per item. The
assessment comes with its organization and campaign loaded.
"""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

_PROVIDERS = []


@dataclass(frozen=True)
class Prefill:
    """What another record says an item's value is.

    `value` is the text the number input would hold ("5"); `source` names where it comes
    from ("From the meeting log"), `note` says what it covers, for people; `links` are
    (label, url) pairs to the records behind it.
    """

    value: str
    source: str = ""
    note: str = ""
    links: list = field(default_factory=list)


def register(provider):
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)
    return provider


def unregister(provider):
    """For tests that register a provider of their own, and clean up after."""
    if provider in _PROVIDERS:
        _PROVIDERS.remove(provider)


def values_for(assessment, items):
    """{item id: Prefill} from every provider; a later provider does not replace an
    earlier one's answer for the same item."""
    items = list(items)
    out = {}
    if not items:
        return out
    for provider in _PROVIDERS:
        for item_id, prefill in (provider(assessment, items) or {}).items():
            out.setdefault(item_id, prefill)
    return out


def differs(prefill, self_value) -> bool:
    """The secretary's stored value is not the one the record gives (as numbers:
    "5" and "5.0" agree). Nothing stored yet is no difference."""
    if prefill is None or self_value in ("", None):
        return False
    try:
        return Decimal(str(self_value)) != Decimal(str(prefill.value))
    except (InvalidOperation, ValueError):
        return str(self_value) != str(prefill.value)
