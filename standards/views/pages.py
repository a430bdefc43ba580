"""Standards pages: browse, print, search, compare, and edit drafts.

Every view reaches a set or an item through standards.access (404 outside the
user's county, 403 for who may not browse or change); reads come from
standards.selectors, writes go through standards.services or a plain model save
that records the user in the history. The freeze itself is the models': a view
that lets a change through to a published set still gets a FrozenError.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from orgs.models import Category

from .. import selectors, services
from ..access import (
    can_browse_sets,
    can_create_sets,
    checklist_category_ids,
    get_item_for_user,
    get_set_for_user,
)
from ..conditions import format_conditions
from ..forms import (
    DimensionForm,
    ItemForm,
    ItemSearchForm,
    SetCreateForm,
    SetForm,
    SetListFilterForm,
)
from ..models import Dimension, FrozenError, SetStatus

SET_PAGE_SIZE = 25
ITEM_PAGE_SIZE = 50


def _query_without_page(request) -> str:
    """The current GET parameters less `page`, ready to take `page=N` (pagination.html)."""
    params = request.GET.copy()
    params.pop("page", None)
    encoded = params.urlencode()
    return f"{encoded}&" if encoded else ""


def _bad_request(request, message):
    return render(request, "standards/bad_request.html", {"message": message}, status=400)


def _error_text(error):
    return "；".join(error.messages) if isinstance(error, ValidationError) else str(error)


def _editable_set(request, pk):
    """A set the user may change, or 403; (set, None) or (set, redirect) when it is frozen."""
    standard_set, can_edit = get_set_for_user(request, pk)
    if not can_edit:
        raise PermissionDenied
    if not standard_set.is_draft:
        messages.error(request, _("A published set cannot change; make a new version instead."))
        return standard_set, redirect("standards:set_detail", pk=standard_set.pk)
    return standard_set, None


# ---------------------------------------------------------------- browsing


@login_required
@require_GET
def set_list(request):
    if not can_browse_sets(request.user):
        raise PermissionDenied
    form = SetListFilterForm(
        request.GET, issuers=selectors.issuers_for_user(user=request.user)
    )
    f = form.filters()
    page = Paginator(
        selectors.sets_for_user(
            user=request.user,
            q=f.get("q", ""),
            status=f.get("status", ""),
            year=f.get("year"),
            issuer=f.get("issuer"),
        ),
        SET_PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "standards/set_list.html",
        {
            "form": form,
            "page_obj": page,
            "sets": list(page.object_list),
            "can_create": can_create_sets(request.user),
            "querystring_without_page": _query_without_page(request),
        },
    )


def _category_from_query(request, categories):
    """(category or None, error message or None) from `?category=<code>`."""
    code = request.GET.get("category", "")
    if not code:
        return None, None
    for category in categories:
        if category.code == code:
            return category, None
    return None, _("Unknown organization category “%(code)s”.") % {"code": code[:50]}


@login_required
@require_GET
def set_detail(request, pk):
    standard_set, can_edit = get_set_for_user(request, pk)
    categories = list(Category.objects.filter(is_active=True))
    category, error = _category_from_query(request, categories)
    if error:
        return _bad_request(request, error)
    dimension_id = request.GET.get("dimension") or None
    if dimension_id is not None:
        try:
            dimension_id = int(dimension_id)
        except ValueError:
            return _bad_request(request, _("Unknown dimension."))
    groups = selectors.items_by_dimension(standard_set, category=category)
    all_dimensions = [g.dimension for g in groups]
    if dimension_id is not None:
        if dimension_id not in {d.pk for d in all_dimensions}:
            return _bad_request(request, _("Unknown dimension."))
        groups = [g for g in groups if g.dimension.pk == dimension_id]
    versions = selectors.version_history(standard_set)
    has_next = any(v.version > standard_set.version for v in versions)
    is_draft = standard_set.is_draft
    context = {
        "set": standard_set,
        "groups": groups,
        "dimensions": all_dimensions,
        "categories": categories,
        "category": category,
        "dimension_id": dimension_id,
        "item_count": sum(g.item_count for g in groups),
        "score_total": sum(g.score_total for g in groups),
        "versions": versions,
        "can_edit": can_edit and is_draft,
        "can_publish": can_edit and is_draft,
        "can_new_version": can_edit and not is_draft
        and not any(v.is_draft for v in versions),
        "can_retire": can_edit and standard_set.status == SetStatus.PUBLISHED,
        "can_delete": can_edit and is_draft and not has_next,
        "problems": services.check_publishable(standard_set) if can_edit and is_draft else [],
    }
    return render(request, "standards/set_detail.html", context)


@login_required
@require_GET
def checklist(request, pk):
    """一单在手: the printable checklist, one page per organization category."""
    standard_set, _can_edit = get_set_for_user(request, pk, browse=False)
    allowed = checklist_category_ids(request.user)
    categories = list(Category.objects.filter(is_active=True))
    category, error = _category_from_query(request, categories)
    if error:
        return _bad_request(request, error)
    if allowed is not None:
        if not allowed or (category is not None and category.pk not in allowed):
            raise PermissionDenied
        categories = [c for c in categories if c.pk in allowed]
    groups = selectors.items_by_dimension(standard_set, keep_empty=False)
    wanted = [category] if category is not None else categories
    pages = []
    for cat in selectors.categories_with_items(groups, wanted):
        cat_groups = [
            selectors.DimensionGroup(
                g.dimension,
                [i for i in g.items if selectors.applies_to_category(i, cat.pk)],
            )
            for g in groups
        ]
        cat_groups = [g for g in cat_groups if g.items]
        pages.append(
            {
                "category": cat,
                "groups": cat_groups,
                "item_count": sum(g.item_count for g in cat_groups),
                "score_total": sum(g.score_total for g in cat_groups),
            }
        )
    return render(
        request,
        "standards/checklist.html",
        {
            "set": standard_set,
            "pages": pages,
            "category": category,
            "categories": categories,
            "can_browse": allowed is None,
        },
    )


@login_required
@require_GET
def item_search(request):
    if not can_browse_sets(request.user):
        raise PermissionDenied
    form = ItemSearchForm(request.GET)
    page = Paginator(
        selectors.search_items(user=request.user, **form.selector_kwargs()), ITEM_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    items = list(page.object_list)
    for item in items:
        item.conditions_text = format_conditions(item.conditions)
    return render(
        request,
        "standards/item_search.html",
        {
            "form": form,
            "page_obj": page,
            "items": items,
            "querystring_without_page": _query_without_page(request),
        },
    )


@login_required
@require_GET
def compare(request):
    """Two versions side by side: `?b=<pk>` (the newer) and `?a=<pk>` (default b's previous)."""
    if not request.GET.get("b"):
        return _bad_request(request, _("Choose the set to compare (b)."))
    new, _can_edit = get_set_for_user(request, request.GET["b"])
    if request.GET.get("a"):
        old, _can_edit = get_set_for_user(request, request.GET["a"])
    elif new.previous_id:
        old, _can_edit = get_set_for_user(request, new.previous_id)
    else:
        old = None
    context = {"new": new, "old": old, "choices": selectors.compare_choices(new)}
    if old is not None:
        if old.pk == new.pk:
            return _bad_request(request, _("Choose two different sets to compare."))
        context["comparison"] = selectors.compare_sets(old, new)
    return render(request, "standards/compare.html", context)


@login_required
@require_GET
def my_checklist(request):
    """The checklist of the user's own organizations: only the items that apply to each."""
    checklists, total = selectors.checklists_for_user(user=request.user)
    return render(
        request,
        "standards/my_checklist.html",
        {
            "checklists": checklists,
            "more_orgs": max(total - len(checklists), 0),
            "can_browse": can_browse_sets(request.user),
        },
    )


# ---------------------------------------------------------------- editing drafts


@login_required
@require_http_methods(["GET", "POST"])
def set_create(request):
    if not can_create_sets(request.user):
        raise PermissionDenied
    issuers = selectors.set_issuers_for_creator(user=request.user)
    form = SetCreateForm(request.POST or None, issuers=issuers)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            standard_set = services.set_create(
                organization=data["organization"],
                code=data["code"],
                name=data["name"],
                year=data["year"],
                by=request.user,
                source_document=data["source_document"],
                description=data["description"],
                grade_levels=data["grade_levels"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Draft %(name)s was created; add its dimensions and items.")
                % {"name": standard_set.name},
            )
            return redirect("standards:set_detail", pk=standard_set.pk)
    return render(request, "standards/set_form.html", {"form": form, "set": None})


@login_required
@require_http_methods(["GET", "POST"])
def set_edit(request, pk):
    standard_set, refused = _editable_set(request, pk)
    if refused:
        return refused
    form = SetForm(request.POST or None, instance=standard_set)
    if request.method == "POST" and form.is_valid():
        standard_set = form.save(commit=False)
        standard_set._history_user = request.user
        try:
            standard_set.save()
        except FrozenError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("standards:set_detail", pk=standard_set.pk)
    return render(request, "standards/set_form.html", {"form": form, "set": standard_set})


def _save_with_user(request, form):
    """Save a form's instance (and its categories) recording who did it."""
    with transaction.atomic():
        obj = form.save(commit=False)
        obj._history_user = request.user
        obj.save()
        form.save_m2m()
    return obj


@login_required
@require_http_methods(["GET", "POST"])
def dimension_create(request, pk):
    standard_set, refused = _editable_set(request, pk)
    if refused:
        return refused
    next_ordering = standard_set.dimensions.count() + 1
    form = DimensionForm(
        request.POST or None,
        instance=Dimension(standard_set=standard_set, ordering=next_ordering),
        standard_set=standard_set,
    )
    return _dimension_form(request, form, standard_set)


@login_required
@require_http_methods(["GET", "POST"])
def dimension_edit(request, pk):
    set_id = Dimension.objects.filter(pk=pk).values_list("standard_set_id", flat=True).first()
    if set_id is None:
        raise Http404("No such dimension")
    # Through the set's access helper: 404 outside the county, 403 for readers.
    standard_set, refused = _editable_set(request, set_id)
    if refused:
        return refused
    dimension = standard_set.dimensions.get(pk=pk)
    form = DimensionForm(request.POST or None, instance=dimension, standard_set=standard_set)
    return _dimension_form(request, form, standard_set)


def _dimension_form(request, form, standard_set):
    if request.method == "POST" and form.is_valid():
        try:
            _save_with_user(request, form)
        except FrozenError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("Changes saved."))
        return redirect("standards:set_detail", pk=standard_set.pk)
    return render(
        request,
        "standards/dimension_form.html",
        {"form": form, "set": standard_set, "dimension": form.instance if form.instance.pk else None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_create(request, pk):
    standard_set, refused = _editable_set(request, pk)
    if refused:
        return refused
    if not standard_set.dimensions.exists():
        messages.error(request, _("Add a dimension first: every item belongs to one."))
        return redirect("standards:dimension_create", pk=standard_set.pk)
    initial = {}
    if request.GET.get("dimension", "").isdigit():
        initial["dimension"] = int(request.GET["dimension"])
    form = ItemForm(request.POST or None, standard_set=standard_set, initial=initial)
    return _item_form(request, form, standard_set)


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request, pk):
    item, can_edit = get_item_for_user(request, pk)
    if not can_edit:
        raise PermissionDenied
    standard_set = item.standard_set
    if not standard_set.is_draft:
        messages.error(request, _("A published set cannot change; make a new version instead."))
        return redirect("standards:set_detail", pk=standard_set.pk)
    form = ItemForm(request.POST or None, instance=item, standard_set=standard_set)
    return _item_form(request, form, standard_set)


def _item_form(request, form, standard_set):
    if request.method == "POST" and form.is_valid():
        try:
            item = _save_with_user(request, form)
        except FrozenError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Item %(code)s was saved.") % {"code": item.code})
            return redirect(f"{_set_url(standard_set)}#item-{item.pk}")
    return render(
        request,
        "standards/item_form.html",
        {"form": form, "set": standard_set, "item": form.instance if form.instance.pk else None},
    )


def _set_url(standard_set):
    return reverse("standards:set_detail", args=[standard_set.pk])


@login_required
@require_POST
def item_delete(request, pk):
    item, can_edit = get_item_for_user(request, pk)
    if not can_edit:
        raise PermissionDenied
    item._history_user = request.user
    try:
        item.delete()
    except FrozenError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Item %(code)s was deleted.") % {"code": item.code})
    return redirect("standards:set_detail", pk=item.standard_set_id)


# ---------------------------------------------------------------- the set's life


def _set_action(request, pk):
    standard_set, can_edit = get_set_for_user(request, pk)
    if not can_edit:
        raise PermissionDenied
    return standard_set


@login_required
@require_POST
def set_publish(request, pk):
    standard_set = _set_action(request, pk)
    try:
        services.set_publish(standard_set=standard_set, by=request.user)
    except ValidationError as error:
        messages.error(
            request, _("Not published: %(reasons)s") % {"reasons": _error_text(error)}
        )
    else:
        messages.success(
            request,
            _("Version %(version)s is published; earlier published versions were retired.")
            % {"version": standard_set.version},
        )
    return redirect("standards:set_detail", pk=standard_set.pk)


@login_required
@require_POST
def set_new_version(request, pk):
    standard_set = _set_action(request, pk)
    try:
        copy = services.set_new_version(standard_set=standard_set, by=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect("standards:set_detail", pk=standard_set.pk)
    messages.success(
        request,
        _("Version %(version)s is a new draft copied from version %(previous)s.")
        % {"version": copy.version, "previous": standard_set.version},
    )
    return redirect("standards:set_detail", pk=copy.pk)


@login_required
@require_POST
def set_retire(request, pk):
    standard_set = _set_action(request, pk)
    try:
        services.set_retire(standard_set=standard_set, by=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("The set was retired; it stays readable."))
    return redirect("standards:set_detail", pk=standard_set.pk)


@login_required
@require_POST
def set_delete(request, pk):
    standard_set = _set_action(request, pk)
    if standard_set.next_versions.exists():
        messages.error(request, _("A set that later versions were made from cannot be deleted."))
        return redirect("standards:set_detail", pk=standard_set.pk)
    standard_set._history_user = request.user
    try:
        standard_set.delete()
    except FrozenError as error:
        messages.error(request, _error_text(error))
        return redirect("standards:set_detail", pk=standard_set.pk)
    messages.success(request, _("Draft %(name)s was deleted.") % {"name": standard_set.name})
    return redirect("standards:set_list")
