"""The score of one answer to one item: a pure function of the item and the value.

Totals, grades and stars are the assessments' business; they call this for each item.
"""

from decimal import ROUND_HALF_UP, Decimal

from .models import Comparator, ItemKind

CENT = Decimal("0.01")


def meets(item, value) -> bool:
    """Does a number meet the item's threshold?"""
    value, threshold = Decimal(str(value)), item.threshold
    return {
        Comparator.GTE: value >= threshold,
        Comparator.GT: value > threshold,
        Comparator.LTE: value <= threshold,
        Comparator.LT: value < threshold,
        Comparator.EQ: value == threshold,
    }[item.comparator]


def item_score(item, value, *, grade_shares=None):
    """The score earned, or None when the item is not answered.

    check: yes → full, no → 0. number: met → full; short of a ≥/> threshold with
    `proportional` → the share reached; otherwise 0. graded: the level's share
    (from the set's grade levels). text: the reviewer's score, kept within 0..max.
    """
    if value is None or value == "":
        return None
    full = item.max_score
    if item.kind == ItemKind.CHECK:
        return full if value in (True, "true", "是", "1", 1) else Decimal("0.00")
    if item.kind == ItemKind.NUMBER:
        if meets(item, value):
            return full
        value = Decimal(str(value))
        if (
            item.proportional
            and item.comparator in (Comparator.GTE, Comparator.GT)
            and item.threshold > 0
            and value > 0
        ):
            share = (full * value / item.threshold).quantize(CENT, ROUND_HALF_UP)
            # Short of the threshold is never full marks: 69.99 of 70 would round up
            # to them, and "> 70" at 70 reaches 100 % without meeting the item.
            return max(min(share, full - CENT), Decimal("0.00"))
        return Decimal("0.00")
    if item.kind == ItemKind.GRADED:
        shares = grade_shares if grade_shares is not None else item.standard_set.grade_shares()
        if value not in shares:
            raise ValueError(f"unknown grade level {value!r}")
        return (full * shares[value]).quantize(CENT, ROUND_HALF_UP)
    # text: scored by hand
    score = Decimal(str(value))
    return min(max(score, Decimal("0")), full).quantize(CENT, ROUND_HALF_UP)
