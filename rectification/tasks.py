"""The rectification jobs, run by Celery beat (schedule in django-celery-beat, see migrations)."""

import logging

from celery import shared_task

from . import services

log = logging.getLogger(__name__)


@shared_task(acks_late=True)
def sync_problems_and_pairings():
    """Problems from newly reviewed assessments, and pairings upgraded by a better grade.
    Both are idempotent, so a rerun or a retry changes nothing."""
    problems = services.problems_sync()
    upgraded = services.pairings_sync()
    log.info("rectification sync: %s new problems, %s pairings upgraded", problems, upgraded)
    return {"problems": problems, "upgraded": upgraded}
