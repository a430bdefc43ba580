"""The header's unread count, fetched by htmx after the page has loaded: every page
keeps its own query count, and the badge refreshes itself now and then."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.views.decorators.http import require_GET

from ..services import unread_count


@login_required
@require_GET
def notification_badge(request):
    n = unread_count(request.user)
    if not n:
        return HttpResponse("")
    shown = "99+" if n > 99 else str(n)
    return HttpResponse(
        f'<span class="badge rounded-pill bg-warning text-dark" data-testid="unread-count">{shown}</span>'
    )
