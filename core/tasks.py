import logging

from celery import shared_task

from core.imports import stale_uploads_delete

log = logging.getLogger(__name__)


@shared_task(acks_late=True)
def import_uploads_cleanup_task() -> int:
    deleted = stale_uploads_delete()
    if deleted:
        log.info("deleted %s abandoned import uploads", deleted)
    return deleted
