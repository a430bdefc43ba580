"""The background export: late acknowledgement, so a job whose worker died is written again."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from .models import ExportJob


@shared_task(
    name="exports.tasks.write_export", bind=True, acks_late=True, reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError), retry_backoff=5, retry_backoff_max=600,
    max_retries=3,
)
def write_export(self, job_id):
    from .services import fail, purge, run

    job = ExportJob.objects.select_related("user").filter(pk=job_id).first()
    if job is None:  # deleted before a worker got to it
        return None
    try:
        status = run(job).status
    except (OperationalError, InterfaceError) as exc:
        if self.request.retries >= self.max_retries:
            # The last try: the page must not poll a job nobody will finish.
            try:
                fail(job, exc)
            except (OperationalError, InterfaceError):
                pass
        raise
    purge()  # old files go when new ones come: no schedule to keep
    return status
