from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from orgs.selectors import home_summary


@login_required
def home(request):
    """Each role's own landing page; sections for every role the user holds."""
    return render(request, "home.html", home_summary(user=request.user))


def _check_database():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return "ok"
    except Exception as exc:  # the point is to report, not to crash
        return f"error: {exc.__class__.__name__}"


def _check_redis():
    from django.conf import settings

    if not settings.REDIS_URL:
        return "not configured"
    try:
        import redis

        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
        client.ping()
        return "ok"
    except Exception as exc:
        return f"error: {exc.__class__.__name__}"


@never_cache
@require_safe
def healthz(request):
    """Database and Redis reachability for load balancers and monitoring (no login).

    GET or HEAD; 503 when a configured service does not answer, so a balancer takes
    the node out. Only the exception's class is shown: the page is public.
    """
    checks = {"database": _check_database(), "redis": _check_redis()}
    healthy = all(value in ("ok", "not configured") for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )
