"""Adding many organizations to the tree in a few queries.

treebeard's add_child costs several queries per node; an import of 3,000 rows
or a generated benchmark county cannot afford that. Here the paths are computed
in memory (with treebeard's own path encoding) and the rows inserted with one
bulk insert, with their history records.
"""

from collections import defaultdict

from django.db.models import F, Max
from django.db.models.functions import Length, Substr
from simple_history.utils import bulk_create_with_history

from .models import Organization


def _last_steps(parent_paths):
    """For each existing parent path, the step number of its last child (0 if none)."""
    if not parent_paths:
        return {}
    steplen = Organization.steplen
    rows = (
        Organization.objects.order_by()
        .annotate(parent_path=Substr("path", 1, Length("path") - steplen))
        .filter(parent_path__in=list(parent_paths))
        .values("parent_path")
        .annotate(last=Max("path"))
    )
    return {row["parent_path"]: Organization._str2int(row["last"][-steplen:]) for row in rows}


def bulk_add(items, *, by=None, reason=""):
    """Insert new organizations.

    `items` is a list of (organization, parent) pairs in an order where every
    new parent comes before its children; a parent is either a saved
    organization or an earlier new one. Roots (parent None) are not supported:
    a county is created once, by hand or by the demo loader.
    Returns the new organizations, saved.
    """
    saved_parents = {p.path: p for _, p in items if p is not None and p.pk is not None}
    last_step = _last_steps(saved_parents.keys())
    new_children = defaultdict(int)
    for org, parent in items:
        if parent is None:
            raise ValueError("bulk_add cannot create roots")
        if not parent.path:
            raise ValueError(f"parent of {org.code} has no path yet: order parents first")
        step = last_step.get(parent.path, 0) + 1
        last_step[parent.path] = step
        org.depth = parent.depth + 1
        org.path = Organization._get_path(parent.path, org.depth, step)
        org.numchild = 0
        if parent.pk is None:
            parent.numchild += 1
        else:
            new_children[parent.pk] += 1
    orgs = [org for org, _ in items]
    created = bulk_create_with_history(
        orgs,
        Organization,
        batch_size=500,
        default_user=by,
        default_change_reason=reason or None,
    )
    for parent_pk, count in new_children.items():
        Organization.objects.filter(pk=parent_pk).update(numchild=F("numchild") + count)
    return created
