"""Start-up checks of the Celery setup the jobs rely on.

With Redis as broker, a message not acknowledged within the visibility timeout is
delivered again; a retry delay (or countdown) longer than that would run a task
twice at once. So the timeout is set explicitly and every task's longest retry
delay must stay below it.
"""

from django.conf import settings
from django.core.checks import Error, register


def _max_delay(task) -> int:
    if getattr(task, "retry_backoff", False):
        return int(getattr(task, "retry_backoff_max", 600))
    return int(getattr(task, "default_retry_delay", 180) or 0)


@register()
def retry_delays_within_visibility_timeout(app_configs=None, **kwargs):
    if not str(getattr(settings, "CELERY_BROKER_URL", "")).startswith(("redis://", "rediss://")):
        return []
    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}) or {}
    timeout = options.get("visibility_timeout")
    if not timeout:
        return [Error("CELERY_BROKER_TRANSPORT_OPTIONS must set visibility_timeout explicitly.",
                      id="supervision.E001")]
    from django.utils.module_loading import autodiscover_modules

    from partybuild.celery import app

    # Import every app's tasks.py (not Celery's loader: the worker runs these checks
    # while its loader imports modules, and would recurse).
    autodiscover_modules("tasks")
    errors = []
    for name, task in sorted(app.tasks.items()):
        if name.startswith("celery."):
            continue
        if _max_delay(task) >= timeout:
            errors.append(Error(
                f"Task {name} may wait {_max_delay(task)} s before a retry, not less than the "
                f"broker's visibility timeout ({timeout} s): it could run twice at once.",
                id="supervision.E002",
            ))
    return errors
