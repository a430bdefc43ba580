"""python manage.py load_standards: publish the shipped libraries for a county.

Safe to rerun: a library the county already has (any version, any status) is
left alone, so a county's own later versions are never overwritten.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from orgs.models import Organization
from standards.libraries import LIBRARY_CODES, load_libraries


def parse_only(value):
    if not value:
        return None
    codes = [c.strip() for c in value.split(",") if c.strip()]
    unknown = [c for c in codes if c not in LIBRARY_CODES]
    if unknown or not codes:
        raise CommandError(
            _("Unknown library “%(code)s”; choose from %(codes)s.")
            % {"code": "、".join(unknown) or value, "codes": ", ".join(LIBRARY_CODES)}
        )
    return codes


def result_line(org, result):
    values = {
        "org": org.name,
        "name": result.standard_set.name,
        "code": result.code,
        "version": result.standard_set.version,
        "items": result.items,
        "dimensions": result.dimensions,
    }
    if result.created:
        return _(
            "%(org)s: %(name)s (%(code)s) version %(version)s, %(items)d items in "
            "%(dimensions)d dimensions: loaded."
        ) % values
    return _(
        "%(org)s: %(name)s (%(code)s) version %(version)s, %(items)d items in "
        "%(dimensions)d dimensions: already there, left as it is."
    ) % values


class Command(BaseCommand):
    help = (
        "Publish the shipped standard libraries (五化, 三化, 五个好, 八有) for a county root; "
        "libraries the county already has are skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--org", metavar="CODE",
            help="Code of the county root (default: every root organization).",
        )
        parser.add_argument(
            "--only", metavar="CODES",
            help=f"Comma-separated library codes, among {', '.join(LIBRARY_CODES)}.",
        )
        parser.add_argument(
            "--user", metavar="USERNAME",
            help="Recorded as the author in the history (default: none).",
        )

    def handle(self, *args, org=None, only=None, user=None, verbosity=1, **options):
        translation.activate(settings.LANGUAGE_CODE)
        codes = parse_only(only)
        by = None
        if user:
            by = get_user_model().objects.filter(username=user).first()
            if by is None:
                raise CommandError(_("There is no user “%(name)s”.") % {"name": user})
        if org:
            root = Organization.objects.filter(code=org).first()
            if root is None:
                raise CommandError(_("No organization has the code “%(code)s”.") % {"code": org})
            if not root.is_root():
                raise CommandError(
                    _("%(name)s is not a county root: libraries are loaded for the top of a tree.")
                    % {"name": root.name}
                )
            roots = [root]
        else:
            roots = list(Organization.objects.get_root_nodes())
            if not roots:
                raise CommandError(_("There is no county yet: create the root organization first."))
        for root in roots:
            for result in load_libraries(organization=root, by=by, only=codes):
                if verbosity:
                    self.stdout.write(result_line(root, result))
