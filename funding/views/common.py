"""What every funding page shares: who may read, the filter form, paging, the 范围 text."""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator

from orgs.selectors.committees import category_choices, committee_choices, scope_names

from .. import access
from ..forms_filters import MoneyFilterForm
from ..models import FundingPolicy

PAGE_SIZE = 50


def reader(request):
    """Anyone with a role reads their scope's money; anyone else gets 403."""
    if not access.can_read(request.user):
        raise PermissionDenied
    return request.user


def filter_form(request, *, with_policies=True) -> MoneyFilterForm:
    """The shared filter form: committees in scope (one query), categories (one query),
    the policies the user reads (one query)."""
    policies = (
        list(FundingPolicy.objects.visible_to(request.user).only("pk", "name").order_by("kind", "code"))
        if with_policies else []
    )
    return MoneyFilterForm(
        request.GET, committees=committee_choices(request.user), categories=category_choices(),
        policies=policies,
    )


def page(request, queryset, size=PAGE_SIZE):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def query_without_page(request) -> str:
    """The current GET parameters less `page`, ready to take `page=N` (pagination.html)."""
    params = request.GET.copy()
    params.pop("page", None)
    encoded = params.urlencode()
    return f"{encoded}&" if encoded else ""


# The 范围 row of an export, in the file's fixed Chinese vocabulary.
FILTER_NAMES = {
    "year": "年度", "q": "搜索", "committee": "党(工)委", "category": "类别", "kind": "经费类型",
    "policy": "经费标准", "short": "缺口",
}


def scope_text(request, form: MoneyFilterForm) -> str:
    names = scope_names(request.user)
    text = "、".join(names) if names else "全部"
    parts = [f"{FILTER_NAMES[k]} {v}" for k, v in form.labels().items()]
    return text + "；筛选：" + "，".join(parts)
