"""Reads: querysets with their joins applied, already scoped to the user."""

from django.db.models import Count, Sum

from .models import Organization


def home_summary(*, user):
    """Counts for the home page over the user's scope (two aggregate queries)."""
    orgs = Organization.objects.visible_to(user).filter(is_active=True)
    totals = orgs.aggregate(
        org_count=Count("pk"), member_total=Sum("member_count")
    )
    return {"totals": totals}
