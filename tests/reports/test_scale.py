"""The dashboard's heavy panels at scale (issue 10): `weakest` counts the item responses
in one pass and sums its two tables in Python, `funding` sums each allocation's
payments once — with exactly the figures of the grouped queries they replaced, and
the whole dashboard in fewer queries, the same at two sizes."""

from decimal import Decimal

import pytest
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import Coalesce
from django.test import RequestFactory

from assessments.models import Assessment, ItemResponse
from funding import selectors as funding_selectors
from reports import selectors
from reports.views import dashboard_data
from standards.models import StandardItem

from .dashboard_data import SIZES, grow, scope_for

pytestmark = pytest.mark.django_db
SCORE = DecimalField(max_digits=8, decimal_places=2)


def weakest_reference(scope, campaign):
    """The two grouped queries `weakest` ran before (every failed item, no limit)."""
    responses = (
        ItemResponse.objects.filter(assessment__campaign=campaign)
        .filter(scope.q("assessment__organization__"))
        .annotate(score=Coalesce("final_score", "self_score")).exclude(score=None)
    )
    items = list(
        responses.order_by().values("item_id", "item__code", "item__requirement",
                                    "item__dimension__name")
        .annotate(answered=Count("pk"),
                  failed=Count("pk", filter=Q(score__lt=F("item__max_score"))),
                  lost=Sum(ExpressionWrapper(F("item__max_score") - F("score"),
                                             output_field=SCORE)))
        .filter(failed__gt=0).order_by("-failed", "-lost", "item__code")
    )
    dimensions = list(
        responses.order_by().values("item__dimension_id", "item__dimension__name",
                                    "item__dimension__ordering")
        .annotate(possible=Sum("item__max_score"), won=Sum("score"),
                  failed=Count("pk", filter=Q(score__lt=F("item__max_score"))))
        .order_by("item__dimension__ordering", "item__dimension_id")
    )
    return items, dimensions


@pytest.fixture
def answered(world, campaign, county, people):
    """The grown branches' 2026 assessments answered with scores of every kind: full,
    partial, zero, reviewed over the self score, and not yet scored."""
    grow(county, people, 60)
    items = list(StandardItem.objects.filter(standard_set=campaign.standard_set))
    assessments = Assessment.objects.filter(campaign__year=2026).exclude(responses__isnull=False)
    rows = []
    for i, assessment in enumerate(assessments):
        for j, item in enumerate(items):
            kind = (i + j) % 5
            self_score = [item.max_score, item.max_score / 2, Decimal(0), item.max_score, None][kind]
            final = item.max_score / 4 if kind == 3 and i % 2 else None
            rows.append(ItemResponse(assessment=assessment, item=item, self_score=self_score,
                                     final_score=final))
    ItemResponse.objects.bulk_create(rows)
    return assessments


@pytest.mark.parametrize("who", ["alice", "bob", "charlie"])
def test_weakest_is_the_grouped_queries_figures(answered, campaign, people, who):
    scope = scope_for(getattr(people, who))
    items, dimensions = weakest_reference(scope, campaign)
    data = selectors.weakest(scope, campaign, limit=None)
    keys = ["item_id", "item__code", "item__requirement", "item__dimension__name", "answered",
            "failed", "lost"]
    assert [{k: r[k] for k in keys} for r in data["items"]] == items
    assert [{k: r[k] for k in r if k != "rate"} for r in data["dimensions"]] == dimensions
    assert all(r["rate"] == round(100 * r["failed"] / r["answered"]) for r in data["items"])
    assert selectors.weakest(scope, campaign)["items"] == data["items"][:selectors.TOP]
    assert selectors.weakest(scope, campaign, limit=0)["items"] == []


@pytest.mark.parametrize("who", ["alice", "bob", "charlie", "victor"])
def test_funding_is_the_per_allocation_subquerys_figures(world, paid, people, who):
    user = getattr(people, who)
    scope = scope_for(user)
    data = selectors.funding(scope, 2026)
    qs = funding_selectors.allocations_for_user(
        user=user, filters=funding_selectors.MoneyFilters(year=2026, committee=scope.root),
        order=()).filter(scope.q("organization__"))
    expected = funding_selectors.rollup_by_prefix(qs, scope.group_length)
    assert {row["key"]: {k: row[k] for k in expected[row["key"]]}
            for row in data["rows"] if row["key"] in expected} == expected
    totals = funding_selectors.money_totals(qs)
    assert {k: data["totals"][k] for k in totals} == totals
    assert totals["n"] > 0 and totals["paid"] > 0


@pytest.fixture(params=SIZES, ids=lambda n: f"{n}orgs")
def big(request, campaign, county, people):
    return grow(county, people, request.param)


def test_the_dashboard_reads_in_22_queries_at_any_size(big, people, paid,
                                                        django_assert_max_num_queries):
    request = RequestFactory().get("/reports/")
    request.user = people.alice
    # As tests/reports/test_selectors.py counts, with funding in one query (was two).
    with django_assert_max_num_queries(22):
        data = dashboard_data(request)
    assert data["funding"]["totals"]["n"] > 0
