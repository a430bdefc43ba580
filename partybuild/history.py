"""Helpers for django-simple-history shared by the apps."""


def by_or_request_user(instance, request=None, **kwargs):
    """The history user of a record that names its author in `by` (star ratings, findings,
    checks): that person, also when a Celery task or a command made the row."""
    by_id = getattr(instance, "by_id", None)
    if by_id is not None:
        return instance.by
    return getattr(request, "user", None)
