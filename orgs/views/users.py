"""Users and their roles, managed by the county organization department.

Only county staff (and superusers) reach these pages; everyone else gets 403.
County staff see the users holding a role inside their scope: the subtrees of
their county-staff roles (`staff_scope_q`); any other user is a 404. They may
change a user's account (name, password, active) only when every role the user
holds lies inside that scope and the user has no admin rights: otherwise setting
a password would hand them someone else's county, or the admin.
"""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..models import Assignment, Role, User
from ..scoping import forget_grants, is_county_staff, is_unrestricted
from ..selectors import (
    split_assignments,
    staff_scope_q,
    user_filter_orgs,
    user_history,
    users_for_staff,
)
from ..services import assignment_add, assignment_remove
from ..user_forms import AssignmentForm, UserCreateForm, UserEditForm
from ..user_services import user_create as create_user
from ..user_services import user_set_password, user_update

PAGE_SIZE = 50


def _require_county_staff(request):
    if not is_county_staff(request.user):
        raise PermissionDenied


def get_user_for_staff(request, pk):
    """The access helper for a user account: (user, can_change).

    404 unless the user holds a role inside the actor's scope; `can_change` is
    False for accounts with a role elsewhere or with admin rights.
    """
    _require_county_staff(request)
    actor = request.user
    qs = User.objects.filter(pk=pk)
    if not is_unrestricted(actor):
        qs = qs.filter(staff_scope_q(actor, "assignments__organization__"))
    target = qs.distinct().first()
    if target is None:
        raise Http404("No such user")
    inside, outside = split_assignments(actor=actor, target=target)
    target.scoped_assignments = inside
    target.outside_count = outside
    can_change = is_unrestricted(actor) or (
        outside == 0 and not target.is_staff and not target.is_superuser
    )
    return target, can_change


def _querystring_without_page(request):
    query = request.GET.copy()
    query.pop("page", None)
    encoded = query.urlencode()
    return f"{encoded}&" if encoded else ""


@login_required
def user_list(request):
    _require_county_staff(request)
    actor = request.user
    filter_orgs = list(user_filter_orgs(actor=actor))
    # PostgreSQL refuses a NUL in a string (a 500); forms drop it, this raw filter must too.
    search = request.GET.get("q", "").replace("\x00", "").strip()
    role = request.GET.get("role", "")
    if role not in Role.values:
        role = ""
    org = None
    org_param = request.GET.get("org", "")
    if org_param.isdigit():
        org = next((o for o in filter_orgs if o.pk == int(org_param)), None)
    active = {"1": True, "0": False}.get(request.GET.get("active", ""))

    users = users_for_staff(actor=actor, search=search, role=role, org=org, active=active)
    page = Paginator(users, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "orgs/users/list.html",
        {
            "page_obj": page,
            "users": page.object_list,
            "filter_orgs": filter_orgs,
            "roles": Role.choices,
            "search": search,
            "role": role,
            "org": org,
            "active": request.GET.get("active", ""),
            "querystring_without_page": _querystring_without_page(request),
        },
    )


@login_required
def user_create(request):
    _require_county_staff(request)
    actor = request.user
    initial = {"org_code": request.GET.get("org", "")[:32]}
    form = UserCreateForm(request.POST or None, actor=actor, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = create_user(
                by=actor,
                username=data["username"],
                password=data["password1"],
                organization=form.organization,
                role=data["role"],
                full_name=data["full_name"],
                phone=data["phone"],
                email=data["email"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("User %(name)s created.") % {"name": user.display_name})
            return redirect("orgs:user_detail", pk=user.pk)
    return render(request, "orgs/users/create.html", {"form": form})


def _detail_context(request, target, can_change, **forms):
    context = {
        "target": target,
        "can_change": can_change,
        "is_self": target.pk == request.user.pk,
        "history": user_history(actor=request.user, target=target),
        "edit_form": UserEditForm(instance=target, actor=request.user),
        "assignment_form": AssignmentForm(actor=request.user),
    }
    context.update(forms)
    return context


@login_required
def user_detail(request, pk):
    target, can_change = get_user_for_staff(request, pk)
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied
        form = UserEditForm(request.POST, instance=target, actor=request.user)
        if form.is_valid():
            fields = {name: form.cleaned_data[name] for name in form.changed_data}
            if fields:
                # The form wrote its values onto `target`; start the service from the stored row.
                target.refresh_from_db()
                try:
                    user_update(user=target, by=request.user, fields=fields)
                except ValidationError as error:
                    form.add_error(None, error)
            if not form.errors:
                messages.success(request, _("Saved."))
                return redirect("orgs:user_detail", pk=target.pk)
        target.refresh_from_db()
        return render(
            request,
            "orgs/users/detail.html",
            _detail_context(request, target, can_change, edit_form=form),
            status=400,
        )
    return render(request, "orgs/users/detail.html", _detail_context(request, target, can_change))


@login_required
def user_password(request, pk):
    target, can_change = get_user_for_staff(request, pk)
    if not can_change:
        raise PermissionDenied
    form = SetPasswordForm(target, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user_set_password(user=target, password=form.cleaned_data["new_password1"], by=request.user)
        if target.pk == request.user.pk:
            update_session_auth_hash(request, target)
        messages.success(
            request, _("The password of %(name)s was changed.") % {"name": target.display_name}
        )
        return redirect("orgs:user_detail", pk=target.pk)
    return render(request, "orgs/users/password.html", {"target": target, "form": form})


@login_required
@require_POST
def assignment_create(request, pk):
    """Give a role inside the actor's scope. Allowed also on accounts the actor may not
    edit: a role inside their own scope hands the user nothing the actor does not control."""
    target, can_change = get_user_for_staff(request, pk)
    form = AssignmentForm(request.POST, actor=request.user)
    if form.is_valid():
        assignment_add(
            user=target,
            organization=form.organization,
            role=form.cleaned_data["role"],
            by=request.user,
        )
        if target.pk == request.user.pk:
            forget_grants(request.user)
        messages.success(request, _("Role given."))
        return redirect("orgs:user_detail", pk=target.pk)
    return render(
        request,
        "orgs/users/detail.html",
        _detail_context(request, target, can_change, assignment_form=form),
        status=400,
    )


@login_required
@require_POST
def assignment_delete(request, pk):
    _require_county_staff(request)
    qs = Assignment.objects.select_related("user", "organization").filter(pk=pk)
    if not is_unrestricted(request.user):
        qs = qs.filter(staff_scope_q(request.user, "organization__"))
    assignment = qs.first()
    if assignment is None:
        raise Http404("No such assignment")
    target = assignment.user
    if target.pk == request.user.pk:
        # Removing one's own role could lock the last county staff out; a colleague does it.
        messages.error(request, _("You cannot remove your own roles; ask a colleague."))
        return redirect("orgs:user_detail", pk=target.pk)
    assignment_remove(assignment=assignment, by=request.user)
    messages.success(
        request,
        _("Removed: %(role)s of %(org)s.")
        % {"role": assignment.get_role_display(), "org": assignment.organization.name},
    )
    still_visible = is_unrestricted(request.user) or User.objects.filter(
        Q(pk=target.pk) & staff_scope_q(request.user, "assignments__organization__")
    ).exists()
    if still_visible:
        return redirect("orgs:user_detail", pk=target.pk)
    return redirect("orgs:user_list")

