"""python manage.py supervise [--date YYYY-MM-DD] [--job dispatch|inspection|reminders|all]

Runs the supervision jobs now, in this process, for the given day (default today):
what the schedule would do on that day. Safe to repeat: each job only adds what is
missing.
"""

from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation

from supervision.models import Job
from supervision.services import run_job


class Command(BaseCommand):
    help = "Run the supervision jobs (dispatch, inspection plan, reminders) for a day."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="The day to run for, YYYY-MM-DD (default: today).")
        parser.add_argument("--job", choices=[*Job.values, "all"], default="all")

    def handle(self, *args, date=None, job="all", **options):
        translation.activate(settings.LANGUAGE_CODE)
        try:
            day = _parse(date) if date else timezone.localdate()
        except ValueError:
            raise CommandError(f"--date must be YYYY-MM-DD, not {date!r}") from None
        for name in (Job.values if job == "all" else [job]):
            run = run_job(job=name, run_for=day)
            self.stdout.write(f"{Job(name).label} {day}: {run.result}")


def _parse(text):
    return date.fromisoformat(text)
