"""Which exports exist: a builder function marked with `@exporter`, named by its dotted path.

A builder is `build(user, params) -> partybuild.xlsx.Table`: it checks that the
user may export (raising PermissionDenied or Http404 as a view would, or
BadExport for parameters that make no export), reads its filters from `params`
(a QueryDict: the request's GET, or the same query string replayed in a worker)
and returns the table with its row count. The same builder serves the immediate
download and the background job, so both hold the same rows.
"""

from django.utils.module_loading import import_string


class BadExport(Exception):
    """The parameters do not make an export; `message` is for the user (a 400)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def exporter(build):
    build.export_key = f"{build.__module__}.{build.__qualname__}"
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
