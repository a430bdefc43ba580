"""Celery tasks: thin, by id, calling a service (STYLE.md)."""

import logging

from celery import shared_task

from . import services

log = logging.getLogger(__name__)


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=5, max_retries=3)
def launch_campaign(campaign_id):
    services.launch_run(campaign_id=campaign_id)
    log.info("campaign %s launched", campaign_id)
