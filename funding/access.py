"""Who may see and change money.

Reading follows the one scope mechanism: policies are read down the tree
(`lineage_q`: a branch reads its county's rules), allocations and payments within
the scope (`scope_q`). Changing: county staff over a policy's issuer edit the
policy; committee and county staff over an organization plan and record its
money. A branch secretary reads its own branch's money and changes nothing.
"""

from dataclasses import dataclass

from django.http import Http404

from orgs.models import MANAGING_ROLES, Role
from orgs.scoping import grants, has_role, is_unrestricted, path_in_scope

from .models import Allocation, Disbursement, FundingPolicy


def can_read(user) -> bool:
    """Anyone holding a role reads the money of their scope."""
    return is_unrestricted(user) or bool(grants(user))


def can_manage_money(user, org) -> bool:
    """Plan allocations, record and import payments for the organization."""
    return path_in_scope(user, org.path, MANAGING_ROLES)


def can_manage_any_money(user) -> bool:
    return has_role(user, *MANAGING_ROLES)


def can_manage_policy(user, policy: FundingPolicy) -> bool:
    return path_in_scope(user, policy.owner.path, {Role.COUNTY_STAFF})


def can_create_policies(user) -> bool:
    return has_role(user, Role.COUNTY_STAFF)


def get_policy_for_user(request, pk):
    """(policy, can_manage); a policy from outside the user's lineage is a 404."""
    try:
        policy = (
            FundingPolicy.objects.select_related("owner").visible_to(request.user).get(pk=pk)
        )
    except (FundingPolicy.DoesNotExist, ValueError, TypeError):
        raise Http404("No such policy") from None
    return policy, can_manage_policy(request.user, policy)


@dataclass(frozen=True)
class AllocationAccess:
    can_manage: bool


def get_allocation_for_user(request, pk):
    try:
        allocation = (
            Allocation.objects.select_related("organization__category", "policy")
            .visible_to(request.user).get(pk=pk)
        )
    except (Allocation.DoesNotExist, ValueError, TypeError):
        raise Http404("No such allocation") from None
    return allocation, AllocationAccess(
        can_manage=can_manage_money(request.user, allocation.organization)
    )


def get_disbursement_for_user(request, pk):
    try:
        payment = (
            Disbursement.objects.select_related("allocation__organization", "allocation__policy")
            .visible_to(request.user).get(pk=pk)
        )
    except (Disbursement.DoesNotExist, ValueError, TypeError):
        raise Http404("No such payment") from None
    return payment, can_manage_money(request.user, payment.allocation.organization)
