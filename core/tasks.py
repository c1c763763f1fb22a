import logging

from celery import shared_task
from django.utils import translation

from core.imports import job_run, stale_uploads_delete

log = logging.getLogger(__name__)


@shared_task(acks_late=True)
def import_uploads_cleanup_task() -> int:
    deleted = stale_uploads_delete()
    if deleted:
        log.info("deleted %s abandoned import uploads", deleted)
    return deleted


@shared_task(acks_late=True)
def import_run_task(
    *, job: str, resource_path: str, user_id: int, key: str, name: str, commit: bool, language: str
) -> None:
    """A large import's preview or confirmation; all rows in one transaction, so a
    redelivery after a lost worker starts again from nothing."""
    with translation.override(language):
        job_run(job=job, resource_path=resource_path, user_id=user_id, key=key, name=name, commit=commit)
