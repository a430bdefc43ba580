"""Organization pages: the tree, the list, one organization, and its create/edit/move/deactivate.

Every view reaches an organization through scoping.get_org_for_user (404 outside
the scope) and checks the returned access for changes (403); every write goes
through orgs.services so the history records who did it.
"""

import copy
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import selectors, services
from ..forms import OrgDetailsForm, OrgForm, OrgListFilterForm, OrgMoveForm, TreeFilterForm
from ..models import Organization
from ..panels import panels_for
from ..scoping import get_org_for_user, is_scope_root

PAGE_SIZE = 50


def _query_without_page(request) -> str:
    """The current GET parameters less `page`, ready to take `page=N` (pagination.html)."""
    params = request.GET.copy()
    params.pop("page", None)
    encoded = params.urlencode()
    return f"{encoded}&" if encoded else ""


def _page(request, queryset, size=PAGE_SIZE):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


@login_required
@require_GET
def org_tree(request):
    form = TreeFilterForm(request.GET)
    include_inactive = bool(form.filters().get("inactive"))
    context = {"form": form, "include_inactive": include_inactive}
    if form.is_search():
        f = form.filters()
        qs = selectors.orgs_for_user(
            user=request.user,
            q=f.get("q", ""),
            category=f.get("category"),
            level=f.get("level", ""),
            active=None if include_inactive else True,
        )
        page = _page(request, qs)
        rows = list(page.object_list)
        selectors.attach_ancestors(user=request.user, orgs=rows)
        selectors.attach_subtree_counts(rows, include_inactive=include_inactive)
        context.update(
            page_obj=page, rows=rows, querystring_without_page=_query_without_page(request)
        )
    else:
        roots = selectors.tree_top(user=request.user, include_inactive=include_inactive)
        nodes = roots + [child for root in roots for child in root.loaded_children]
        selectors.attach_subtree_counts(nodes, include_inactive=include_inactive)
        for root in roots:
            # tree_top loads TREE_CHUNK children per root; the rest come with "load more".
            chunk = selectors.TREE_CHUNK
            has_more = len(root.loaded_children) == chunk and root.numchild > chunk
            root.more_url = _children_url(root, 2, include_inactive) if has_more else ""
        context["roots"] = roots
    return render(request, "orgs/tree.html", context)


def _children_url(node, page_number, include_inactive):
    params = {"page": page_number}
    if include_inactive:
        params["inactive"] = "1"
    return f"{reverse('orgs:tree_children', args=[node.pk])}?{urlencode(params)}"


@login_required
@require_GET
def tree_children(request, pk):
    """The `<ul>` of a node's children, loaded by htmx when the node is expanded.

    Children come TREE_CHUNK at a time; a page past the end is empty (the root's
    "load more" on the tree page asks for page 2 without knowing how many are active).
    """
    org, _access = get_org_for_user(request, pk)
    include_inactive = request.GET.get("inactive") == "1"
    paginator = Paginator(
        selectors.tree_children_of(org=org, include_inactive=include_inactive),
        selectors.TREE_CHUNK,
    )
    try:
        number = max(int(request.GET.get("page", 1)), 1)
    except (TypeError, ValueError):
        number = 1
    nodes, more_url = [], ""
    if number <= paginator.num_pages:
        page = paginator.page(number)
        nodes = selectors.attach_subtree_counts(
            list(page.object_list), include_inactive=include_inactive
        )
        if page.has_next():
            more_url = _children_url(org, number + 1, include_inactive)
    return render(
        request,
        "orgs/_tree_children.html",
        {
            "nodes": nodes,
            "more_url": more_url,
            "include_inactive": include_inactive,
            "continued": number > 1,
        },
    )


def _url_for_pk(name):
    """`reverse(name, args=[pk])` for any pk from one reverse(): a list page links each
    of its rows (and their superiors), a hundred reverses a page otherwise."""
    marker = 987654321
    head, _found, tail = reverse(name, args=[marker]).partition(str(marker))
    return lambda pk: f"{head}{pk}{tail}"


@login_required
@require_GET
def org_list(request):
    form = OrgListFilterForm(request.GET, user=request.user)
    page = _page(request, selectors.orgs_for_user(user=request.user, **form.selector_kwargs()))
    rows = selectors.attach_ancestors(user=request.user, orgs=list(page.object_list))
    detail_url = _url_for_pk("orgs:detail")
    for org in rows:
        org.url = detail_url(org.pk)
        if org.parent_org is not None:
            org.parent_org.url = detail_url(org.parent_org.pk)
    sort_base = request.GET.copy()  # the sort links keep the filters, start at page 1
    sort_base.pop("page", None)
    sort_base.pop("sort", None)
    return render(
        request,
        "orgs/list.html",
        {
            "form": form,
            "page_obj": page,
            "rows": rows,
            "sort": form.filters().get("sort", ""),
            "sort_base": sort_base.urlencode(),
            "export_query": urlencode(form.export_params()),
            "querystring_without_page": _query_without_page(request),
        },
    )


@login_required
@require_GET
def org_detail(request, pk):
    org, access = get_org_for_user(
        request, pk, queryset=Organization.objects.select_related("category")
    )
    selectors.attach_ancestors(user=request.user, orgs=[org])
    children_page = _page(request, selectors.tree_children_of(org=org, include_inactive=True))
    children = selectors.attach_subtree_counts(
        list(children_page.object_list), include_inactive=False
    )
    scope_root = is_scope_root(request.user, org)
    return render(
        request,
        "orgs/detail.html",
        {
            "org": org,
            "access": access,
            "can_add_child": access.can_manage and org.is_active and not org.is_branch,
            "can_move_or_deactivate": access.can_manage and not scope_root,
            "children": children,
            "page_obj": children_page,
            "querystring_without_page": _query_without_page(request),
            "role_holders": selectors.org_role_holders(org=org),
            "audit_trail": selectors.org_audit_trail(org=org),
            "assignment_history": selectors.org_assignment_history(org=org),
            "panels": panels_for(request, org),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def org_create(request, parent_pk):
    parent, access = get_org_for_user(request, parent_pk)
    if not access.can_manage:
        raise PermissionDenied
    if not parent.is_active or parent.is_branch:
        messages.error(
            request,
            _("Cannot add an organization under an inactive one.")
            if not parent.is_active
            else _("A party branch cannot hold subordinate organizations."),
        )
        return redirect("orgs:detail", pk=parent.pk)
    form = OrgForm(request.POST or None, parent=parent)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.org_create(parent=parent, by=request.user, **form.changed_fields())
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Organization %(name)s was created.") % {"name": org.name})
            return redirect("orgs:detail", pk=org.pk)
    context = {"form": form, "parent": parent, "org": None}
    return render(request, "orgs/form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def org_edit(request, pk):
    org, access = get_org_for_user(request, pk)
    if access.can_manage:
        form_class = OrgForm
    elif access.can_edit_details:
        form_class = OrgDetailsForm
    else:
        raise PermissionDenied
    # The form writes into its instance while validating, so it gets a copy: the
    # service must compare with the saved values (a level change is checked against
    # the children only when the level differs), and the page's heading keeps them
    # if the change is refused.
    form = form_class(request.POST or None, instance=copy.copy(org))
    if request.method == "POST" and form.is_valid():
        try:
            services.org_update(
                org=copy.copy(org),
                by=request.user,
                fields=form.changed_fields(),
                reason=form.cleaned_data.get("reason", ""),
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("orgs:detail", pk=org.pk)
    context = {"form": form, "org": org, "details_only": form_class is OrgDetailsForm}
    return render(request, "orgs/form.html", context)


def _check_can_restructure(request, org, access):
    """Moving and deactivating are for managers, and never on the user's own scope root."""
    if not access.can_manage or is_scope_root(request.user, org):
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def org_move(request, pk):
    org, access = get_org_for_user(request, pk)
    _check_can_restructure(request, org, access)
    form = OrgMoveForm(request.POST or None, org=org, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.org_move(org=org, new_parent=form.cleaned_data["new_parent"], by=request.user)
        except ValidationError as error:
            form.add_error("new_parent", error)
        else:
            messages.success(request, _("Organization %(name)s was moved.") % {"name": org.name})
            return redirect("orgs:detail", pk=org.pk)
    selectors.attach_ancestors(user=request.user, orgs=[org])
    return render(request, "orgs/move.html", {"form": form, "org": org})


@login_required
@require_POST
def org_set_active(request, pk):
    org, access = get_org_for_user(request, pk)
    _check_can_restructure(request, org, access)
    value = request.POST.get("active")
    if value not in ("0", "1"):
        return HttpResponseBadRequest(_("Unknown action."))
    try:
        services.org_set_active(org=org, active=value == "1", by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Organization %(name)s was reactivated.") % {"name": org.name}
            if value == "1"
            else _("Organization %(name)s was deactivated.") % {"name": org.name},
        )
    return redirect("orgs:detail", pk=org.pk)
