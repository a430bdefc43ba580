"""Writes to the organization tree and to users' assignments.

Views, admin, the Excel import and the demo loader all call these, so the tree's
rules (levels, no cycles) and the audit trail hold whichever way a change comes in.
Permission checks stay with the caller (the access helper in scoping.py); these
functions check the business rules.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Assignment, Level, Organization, level_can_hold

TREE_FIELDS = {"path", "depth", "numchild"}


def check_level(*, parent: Organization | None, level: str):
    if parent is None:
        return
    if not level_can_hold(parent.level, level):
        raise ValidationError(
            _("A %(parent)s cannot hold a %(child)s.")
            % {"parent": Level(parent.level).label, "child": Level(level).label},
            code="level",
        )


def check_children_levels(*, org: Organization, level: str):
    """Changing an organization's level must not put it below one of its children."""
    child_levels = set(
        Organization.objects.filter(path__startswith=org.path, depth=org.depth + 1).values_list(
            "level", flat=True
        )
    )
    bad = [lvl for lvl in child_levels if not level_can_hold(level, lvl)]
    if bad:
        raise ValidationError(
            _("A %(parent)s cannot hold its current children (%(children)s).")
            % {
                "parent": Level(level).label,
                "children": "、".join(str(Level(lvl).label) for lvl in sorted(bad)),
            },
            code="level",
        )


# simple-history stores the reason in a varchar(100); long names must not break a move.
REASON_MAX = 100


def _record(org: Organization, by, reason: str):
    org._history_user = by
    org._change_reason = reason[:REASON_MAX]


@transaction.atomic
def org_create(*, parent: Organization | None, by, reason: str = "", **fields) -> Organization:
    level = fields.get("level")
    check_level(parent=parent, level=level)
    if parent is not None and not parent.is_active:
        raise ValidationError(_("Cannot add an organization under an inactive one."))
    org = Organization(**fields)
    org.full_clean(exclude=TREE_FIELDS)
    _record(org, by, reason or _("Created"))
    if parent is None:
        return Organization.objects.add_root(instance=org)
    # treebeard needs the parent's current path and child count.
    parent.refresh_from_db()
    return Organization.objects.add_child(parent, instance=org)


@transaction.atomic
def org_update(*, org: Organization, by, fields: dict, reason: str = "") -> Organization:
    if "level" in fields and fields["level"] != org.level:
        parent = Organization.objects.get_parent(org)
        check_level(parent=parent, level=fields["level"])
        check_children_levels(org=org, level=fields["level"])
    for name, value in fields.items():
        if name in TREE_FIELDS:
            raise ValueError(f"{name} is changed by org_move only")
        setattr(org, name, value)
    org.full_clean(exclude=TREE_FIELDS)
    _record(org, by, reason or _("Edited"))
    org.save()
    return org


def check_move(*, org: Organization, new_parent: Organization):
    if new_parent.path.startswith(org.path):
        raise ValidationError(
            _("Cannot move an organization under itself or one of its own subordinates."),
            code="cycle",
        )
    if not new_parent.is_active:
        raise ValidationError(_("Cannot add an organization under an inactive one."))
    check_level(parent=new_parent, level=org.level)


@transaction.atomic
def org_move(*, org: Organization, new_parent: Organization, by) -> Organization:
    """Move an organization with its whole subtree under another parent.

    treebeard rewrites the paths of the subtree in bulk without saving each row;
    only the moved organization's parent changed, so one history record for it,
    with the old and new parent named in the reason, is the whole story.
    """
    org.refresh_from_db()
    new_parent.refresh_from_db()
    old_parent = Organization.objects.get_parent(org)
    if old_parent is not None and old_parent.pk == new_parent.pk:
        return org
    check_move(org=org, new_parent=new_parent)
    Organization.objects.move(org, new_parent, pos="last-child")
    org.refresh_from_db()
    _record(
        org,
        by,
        _("Moved from %(old)s to %(new)s")
        % {"old": old_parent.name if old_parent else "-", "new": new_parent.name},
    )
    org.save()
    return org


@transaction.atomic
def org_set_active(*, org: Organization, active: bool, by) -> Organization:
    if not active:
        if (
            Organization.objects.filter(path__startswith=org.path, is_active=True)
            .exclude(pk=org.pk)
            .exists()
        ):
            raise ValidationError(
                _("Deactivate its subordinate organizations first."), code="active_children"
            )
    else:
        parent = Organization.objects.get_parent(org)
        if parent is not None and not parent.is_active:
            raise ValidationError(_("Reactivate the superior organization first."))
    if org.is_active == active:
        return org
    org.is_active = active
    _record(org, by, _("Reactivated") if active else _("Deactivated"))
    org.save()
    return org


@transaction.atomic
def assignment_add(*, user, organization: Organization, role: str, by, note: str = ""):
    existing = Assignment.objects.filter(user=user, organization=organization, role=role).first()
    if existing is not None:
        return existing
    assignment = Assignment(user=user, organization=organization, role=role, note=note)
    assignment._history_user = by
    assignment.save()
    return assignment


@transaction.atomic
def assignment_remove(*, assignment: Assignment, by):
    assignment._history_user = by
    assignment.delete()
