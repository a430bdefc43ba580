"""Which exports exist: a builder function marked with `@exporter`, named by its dotted path.

A builder is `build(user, params) -> partybuild.xlsx.Table`: it checks that the
user may export (raising PermissionDenied or Http404 as a view would, or
BadExport for parameters that make no export), reads its filters from `params`
(a QueryDict: the request's GET, or the same query string replayed in a worker)
and returns the table with its row count. The same builder serves the immediate
download and the background job, so both hold the same rows.
"""

from types import SimpleNamespace

from django.utils.module_loading import import_string


class BadExport(Exception):
    """The parameters do not make an export; `message` is for the user (a 400)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


KEY_MAX_LENGTH = 60  # ExportJob.key


def exporter(build):
    key = f"{build.__module__}.{build.__qualname__}"
    if len(key) > KEY_MAX_LENGTH:  # found at import, not when a large export is queued
        raise ValueError(f"export key {key!r} is longer than {KEY_MAX_LENGTH} characters")
    build.export_key = key
    return build


def builder(key: str):
    """The builder named `key`; only functions marked as exporters are ever run."""
    try:
        build = import_string(key)
    except ImportError:
        raise LookupError(f"no export {key!r}") from None
    if getattr(build, "export_key", None) != key:
        raise LookupError(f"{key!r} is not an export")
    return build


def request_for(user, params):
    """What the access helpers and filter forms read of a request (`user`, `GET`), for a
    builder: in a worker there is no request, only the user and the replayed query."""
    return SimpleNamespace(user=user, GET=params, method="GET")
