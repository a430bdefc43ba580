"""python manage.py load_demo: the demo county 青禾县 with one login per role.

Safe to rerun (what exists is skipped). It publishes its passwords, so it
refuses to run on a production site unless told to with --force.
"""

import unicodedata

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from assessments.demo import DemoCampaign, load_demo_campaign
from assessments.models import AssessmentStatus, Grade
from funding.demo import load_demo_funding
from funding.selectors import MoneyFilters, allocations_for_user, money_totals
from meetings.demo import load_demo_meetings
from meetings.demo import summary_rows as meeting_rows
from orgs.demo.county import LOGINS
from orgs.demo.loader import load_demo, summary
from rectification.demo import load_demo_rectification
from rectification.models import TaskStatus
from standards.libraries import load_libraries
from supervision.demo import load_demo_supervision
from supervision.demo import summary_rows as supervision_rows


def _width(text):
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _table(header, rows):
    """Plain-text columns that line up with Chinese text (two cells per character)."""
    rows = [[str(cell) for cell in row] for row in [header, *rows]]
    widths = [max(_width(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell + " " * (w - _width(cell)) for cell, w in zip(row, widths, strict=True)).rstrip()
             for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def campaign_table(demo):
    """The demo campaign in a few lines: assessments by status, grades, stars, spot check."""
    rows = [(AssessmentStatus(s).label, demo.by_status.get(s, 0)) for s in AssessmentStatus]
    rows += [(_("Accepted as %(grade)s") % {"grade": Grade(g).label}, demo.by_grade.get(g, 0))
             for g in Grade]
    rows.append((_("Stars taken away"), demo.revoked))
    if demo.spot_check is not None:
        rows.append((_("Spot check (seed %(seed)s)") % {"seed": demo.spot_check.seed},
                     _("%(samples)d sampled, %(findings)d finding(s)")
                     % {"samples": demo.samples, "findings": demo.findings}))
    return f"{demo.campaign}\n" + _table([_("Status"), _("Number of organizations")], rows)


def rectification_table(demo):
    """The demo's rectification tasks by status, the overdue ones and the 3+1 pairings."""
    rows = [(TaskStatus(s).label, demo.by_status.get(s, 0)) for s in TaskStatus]
    rows.append((_("Overdue"), demo.overdue))
    rows.append((_("3+1 pairings"), demo.pairings))
    return _table([_("Rectification task status"), _("Quantity")], rows)


def funding_table(root, by):
    """Each demo year's money: promised, planned, paid and what falls short."""
    rows = []
    for year in sorted({*by_years(root)}):
        t = money_totals(allocations_for_user(user=by, filters=MoneyFilters(year=year)))
        rows.append((year, t["n"], f"{t['promised_min']:,.2f}", f"{t['paid']:,.2f}",
                     f"{t['pay_gap']:,.2f}", t["n_short"]))
    return _table([_("Year"), _("Allocations"), _("Policy minimum"), _("Paid"), _("Shortfall"),
                   _("Allocations short")], rows)


def by_years(root):
    from funding.models import Allocation

    return Allocation.objects.filter(organization__path__startswith=root.path).order_by() \
        .values_list("year", flat=True).distinct()


class Command(BaseCommand):
    help = "Load the demo county 青禾县 and one demo login per role (demo passwords)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true",
            help="Run even where settings.IS_PRODUCTION is True.",
        )
        parser.add_argument(
            "--without-campaign", action="store_true",
            help="Leave out the demo campaign (assessments, stars, spot check): faster.",
        )

    def handle(self, *args, force=False, verbosity=1, without_campaign=False, **options):
        translation.activate(settings.LANGUAGE_CODE)
        if settings.IS_PRODUCTION and not force:
            raise CommandError(_(
                "This is a production site (IS_PRODUCTION is set): the demo data would add a "
                "fictional county and logins whose passwords are published, such as "
                "demo-admin-2026. Use --force only if you really mean it."
            ))
        result = load_demo()
        # The county's standard libraries, published by the demo superuser; a rerun
        # skips the libraries the county has (load_libraries is idempotent).
        admin = get_user_model().objects.get(username=LOGINS[0][0])
        libraries = load_libraries(organization=result.root, by=admin)
        # Then a campaign in every state, on the 五化 set (skipped if it is there).
        campaign = DemoCampaign() if without_campaign else load_demo_campaign(
            root=result.root, by=admin)
        # Then its rectification: problems, tasks in every state, 3+1 pairings.
        rectification = None if without_campaign else load_demo_rectification(
            root=result.root, by=admin)
        # The seeds' funding policies, last year's and this year's plans and payments.
        funding = load_demo_funding(root=result.root, by=admin)
        # The meeting log (三会一课), read by the dispatches and reminders that follow.
        meetings = load_demo_meetings(root=result.root, by=admin)
        # Then supervision, which reads all of the above: dispatches, inspections, reminders.
        supervision = load_demo_supervision(root=result.root, by=admin)
        if verbosity == 0:
            return
        if result.changed:
            self.stdout.write(self.style.SUCCESS(
                _("Demo county loaded: %(orgs)d organizations and %(users)d logins created.")
                % {"orgs": result.orgs_created, "users": len(result.users_created)}
            ))
        elif any(r.created for r in libraries):
            self.stdout.write(_(
                "The demo county already exists; the standard libraries it lacked were loaded."
            ))
        elif campaign.created:
            self.stdout.write(_("The demo county already exists; the demo campaign was added."))
        elif meetings.created:
            self.stdout.write(_("The demo county already exists; the demo meeting log was added."))
        elif supervision.created:
            self.stdout.write(_("The demo county already exists; the demo supervision was added."))
        elif funding.created:
            self.stdout.write(_("The demo county already exists; the demo funding was added."))
        elif rectification is not None and rectification.created:
            self.stdout.write(_(
                "The demo county already exists; the demo rectification tasks and pairings "
                "were added."
            ))
        else:
            self.stdout.write(_("The demo county already exists; nothing was changed."))
        levels, categories = summary(result.root)
        self.stdout.write("\n" + _table([_("Level"), _("Number of organizations")], levels))
        self.stdout.write("\n" + _table([_("Category"), _("Number of organizations")], categories))
        self.stdout.write("\n" + _table(
            [_("Standard set"), _("Code"), _("Version"), _("Dimensions"), _("Items"), _("Status")],
            [(r.standard_set.name, r.code, r.standard_set.version, r.dimensions, r.items,
              _("Loaded") if r.created else _("Already there")) for r in libraries],
        ))
        if campaign.campaign is not None:
            self.stdout.write("\n" + campaign_table(campaign))
        if rectification is not None and rectification.pairings:
            self.stdout.write("\n" + rectification_table(rectification))
        self.stdout.write("\n" + funding_table(result.root, admin))
        self.stdout.write("\n" + _table([_("Organizational life"), _("Quantity")],
                                         meeting_rows(meetings)))
        self.stdout.write("\n" + _table([_("Supervision"), _("Quantity")],
                                         supervision_rows(supervision)))
        self.stdout.write("\n" + _table(
            [_("Username"), _("Password"), _("Role"), _("Organization")], result.logins
        ))
        self.stdout.write(self.style.WARNING(
            "\n" + _("These passwords are published: use them on a demo or development site only.")
        ))
