"""提醒: the user's own notifications — the list, marking read, and opening one.

Everyone logged in has a list (a user with no role simply has none); no view ever
reads or marks another user's notification: the list and the marking filter by the
user, and opening goes through access.get_notification_for_user (404 otherwise).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .. import services
from ..access import get_notification_for_user
from ..forms_jobs import NotificationFilterForm
from ..selectors_jobs import notifications_for

PAGE_SIZE = 30
MAX_IDS = 500  # a page shows 30; more is not a person clicking
MAX_PK = 2**63 - 1  # BigAutoField: a larger number would be a database error, not a miss


def _query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    encoded = params.urlencode()
    return f"{encoded}&" if encoded else ""


@login_required
@require_GET
def notification_list(request):
    form = NotificationFilterForm(request.GET)
    f = form.filters()
    page = Paginator(notifications_for(user=request.user, **f), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "supervision/notifications/list.html", {
        "form": form,
        "page_obj": page,
        "notifications": list(page.object_list),
        "unread": services.unread_count(request.user),
        "unread_only": f["unread_only"],
        "querystring_without_page": _query_without_page(request),
    })


def _back(request) -> str:
    """Back to the list page the form was on (its filters and page), never elsewhere."""
    list_url = reverse("supervision:notification_list")
    back = request.POST.get("next", "")
    if back.startswith(list_url) and url_has_allowed_host_and_scheme(back, allowed_hosts=set()):
        return back
    return list_url


def _ids(values):
    """The posted ids as numbers; None when any is not one (a forged form)."""
    if len(values) > MAX_IDS:
        return None
    ids = []
    for value in values:
        value = value.strip()
        if not value.isascii() or not value.isdigit() or not 0 < int(value) <= MAX_PK:
            return None
        ids.append(int(value))
    return ids


@login_required
@require_POST
def notification_mark_read(request):
    """Mark these (`ids`) or, with no ids, all of the user's notifications read. Ids of
    other users' notifications match nothing (services.mark_read filters by user)."""
    values = request.POST.getlist("ids")
    if values:
        ids = _ids(values)
        if ids is None:
            return HttpResponseBadRequest(_("Those are not notification numbers."))
    else:
        ids = None
    n = services.mark_read(user=request.user, ids=ids)
    if ids is None:
        if n:
            messages.success(request, _("Notifications marked read: %(n)s.") % {"n": n})
        else:
            messages.info(request, _("There were no unread notifications."))
    return redirect(_back(request))


def is_local_path(url: str) -> bool:
    """A path on this site ("/tasks/3/"), not "//host" or "/\\host" (browsers read both as
    another host) nor an absolute address: a notification's link never leaves the site."""
    return bool(url) and url.startswith("/") and not url.startswith(("//", "/\\")) and \
        url_has_allowed_host_and_scheme(url, allowed_hosts=set())


@login_required
@require_GET
def notification_open(request, pk):
    notification = get_notification_for_user(request, pk)
    if notification.read_at is None:
        services.mark_read(user=request.user, ids=[notification.pk])
    if is_local_path(notification.url):
        return redirect(notification.url)
    return redirect("supervision:notification_list")
