"""Scoring an assessment: one pure function, used by pages, services, exports and tests.

Per item the score comes from standards.scoring.item_score. Per dimension the
scores add up against the dimension's maximum. The total is normalised to 100
over the items that apply to the organization (so a category with fewer items is
not penalised); where the set gives dimension weights, each dimension counts by
its weight instead of by its points. Then the grade and the stars follow the
campaign's rule.

The self score leaves out written-answer items, which only a reviewer scores.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from standards.models import ItemKind
from standards.scoring import item_score, meets

from .models import Grade

CENT = Decimal("0.01")
HUNDRED = Decimal("100")


def parse_value(item, raw):
    """The stored text of an answer as the value item_score expects; None if unanswered."""
    if raw is None or raw == "":
        return None
    if item.kind == ItemKind.CHECK:
        return raw in ("true", "1", "是", True)
    if item.kind in (ItemKind.NUMBER, ItemKind.TEXT):
        try:
            value = Decimal(str(raw))
        except InvalidOperation:
            return None
        return value if value.is_finite() else None
    return raw  # graded: the level's label


@dataclass
class ItemResult:
    item: object
    value: object
    score: Decimal | None
    max_score: Decimal
    short: bool = False

    @property
    def answered(self):
        return self.score is not None

    @property
    def fell_short(self):
        """Not fully met: what later becomes a problem to rectify."""
        return self.score is not None and (self.short or self.score < self.max_score)


@dataclass
class DimensionResult:
    name: str
    score: Decimal = Decimal("0")
    max_score: Decimal = Decimal("0")
    weight: Decimal | None = None

    @property
    def percent(self):
        if not self.max_score:
            return None
        return (self.score * HUNDRED / self.max_score).quantize(CENT, ROUND_HALF_UP)


@dataclass
class Result:
    items: list = field(default_factory=list)
    dimensions: dict = field(default_factory=dict)
    total: Decimal | None = None
    veto_failed: bool = False
    grade: str = ""
    stars: int | None = None

    @property
    def answered(self):
        return sum(1 for r in self.items if r.answered)

    def dimension_scores(self):
        """JSON-ready {dimension: {score, max, percent}} for storing on the assessment."""
        return {
            name: {"score": str(d.score), "max": str(d.max_score),
                   "percent": None if d.percent is None else str(d.percent)}
            for name, d in self.dimensions.items()
        }


def _short_of(item, value, earned, grade_shares):
    """Judged by the answer, not the points: a zero-point 否决项 answered "no" earns
    0 of 0 and must still fail."""
    if item.kind == ItemKind.CHECK:
        return value is False
    if item.kind == ItemKind.NUMBER:
        return not meets(item, value)
    if item.kind == ItemKind.GRADED and grade_shares is not None:
        return grade_shares.get(value, Decimal("0")) < 1
    return earned < item.max_score


def grade_for(total, veto_failed, rule):
    if total is None:
        return ""
    if veto_failed and rule.veto_forces_lagging:
        return Grade.LAGGING
    if total >= rule.advanced_min:
        return Grade.ADVANCED
    if total >= rule.general_min:
        return Grade.GENERAL
    return Grade.LAGGING


def stars_for(total, thresholds):
    """0–5: how many of the ascending thresholds the total reaches; None without thresholds."""
    if total is None or not thresholds:
        return None
    return sum(1 for minimum in thresholds if total >= Decimal(str(minimum)))


def score(*, items, values, rule, grade_shares, stage="final"):
    """Score the applicable `items` given `values` ({item_id: stored text}).

    `stage="self"` scores the secretary's values and skips written answers;
    `stage="final"` scores the values the caller resolved (reviewer's, else
    self; a spot-check finding overrides both). `rule` has advanced_min,
    general_min, veto_forces_lagging and star_thresholds (a Campaign).
    """
    result = Result()
    weighted = False
    for item in items:
        if stage == "self" and item.kind == ItemKind.TEXT:
            continue
        value = parse_value(item, values.get(item.pk))
        earned = None if value is None else item_score(item, value, grade_shares=grade_shares)
        short = earned is not None and _short_of(item, value, earned, grade_shares)
        result.items.append(ItemResult(item, value, earned, item.max_score, short))
        dimension = item.dimension
        d = result.dimensions.get(dimension.name)
        if d is None:
            d = result.dimensions[dimension.name] = DimensionResult(dimension.name, weight=dimension.weight)
            weighted = weighted or dimension.weight is not None
        d.max_score += item.max_score
        d.score += earned or Decimal("0")
        if item.is_veto and short:
            result.veto_failed = True

    if any(r.answered for r in result.items):
        if weighted:
            parts = [d for d in result.dimensions.values() if d.max_score and d.weight]
            total_weight = sum(d.weight for d in parts)
            total = (
                sum(d.weight * d.score / d.max_score for d in parts) * HUNDRED / total_weight
                if total_weight else Decimal("0")
            )
        else:
            full = sum(d.max_score for d in result.dimensions.values())
            total = sum(d.score for d in result.dimensions.values()) * HUNDRED / full if full else Decimal("0")
        result.total = total.quantize(CENT, ROUND_HALF_UP)
    result.grade = grade_for(result.total, result.veto_failed, rule)
    result.stars = stars_for(result.total, rule.star_thresholds)
    if result.stars and result.veto_failed and rule.veto_forces_lagging:
        # A branch made 后进 by a veto earns no star, whatever its points.
        result.stars = 0
    return result
