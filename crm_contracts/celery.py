"""The Celery app. Tasks live in each app's tasks.py; settings are CELERY_*."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_contracts.settings")

app = Celery("crm_contracts")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="crm_contracts.ping", ignore_result=False)
def ping() -> dict:
    """Proves a worker is consuming: `celery -A crm_contracts call crm_contracts.ping`."""
    return {"pong": True, "pid": os.getpid()}
