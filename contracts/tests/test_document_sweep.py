"""Contract PDFs whose render was lost (worker died, broker down) are queued again by a sweep."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from contracts import documents
from contracts.documents import contract_document_request
from contracts.models import ContractDocument
from contracts.tasks import contract_pdf_sweep_task
from contracts.tests.factories import DealFactory, LineItemFactory, version_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(rep) -> ContractDocument:
    """A requested PDF whose task never ran (on-commit hooks are not run in the test)."""
    deal = DealFactory(owner=rep)
    LineItemFactory(deal=deal)
    version_for(deal)
    return contract_document_request(deal=deal, acting_user=rep)


def stale(document: ContractDocument, *, minutes: int = 11, attempts: int = 0) -> None:
    ContractDocument.objects.filter(pk=document.pk).update(
        queued_at=timezone.now() - timedelta(minutes=minutes), attempts=attempts
    )


def test_a_render_whose_worker_died_is_queued_again_and_renders_once(pending):
    stale(pending, attempts=1)  # a render started 11 minutes ago and never finished

    assert contract_pdf_sweep_task() == {"requeued": 1, "failed": 0}
    assert contract_pdf_sweep_task() == {"requeued": 0, "failed": 0}
    pending.refresh_from_db()
    assert pending.status == ContractDocument.Status.READY
    assert pending.attempts == 2


def test_a_render_pending_for_less_than_the_threshold_is_left_alone(pending, settings):
    settings.PDF_RENDER_STUCK_MINUTES = 10
    stale(pending, minutes=9, attempts=1)

    assert contract_pdf_sweep_task() == {"requeued": 0, "failed": 0}
    pending.refresh_from_db()
    assert pending.status == ContractDocument.Status.PENDING


def test_the_sweep_gives_up_after_the_last_attempt(pending, settings, monkeypatch):
    settings.PDF_RENDER_MAX_ATTEMPTS = 3
    stale(pending, attempts=3)
    queued = []
    monkeypatch.setattr(documents, "enqueue", lambda task, *args: queued.append(args))

    assert contract_pdf_sweep_task() == {"requeued": 0, "failed": 1}
    pending.refresh_from_db()
    assert pending.status == ContractDocument.Status.FAILED
    assert pending.error == "The PDF was not generated after 3 attempts."
    assert queued == []
    assert contract_pdf_sweep_task() == {"requeued": 0, "failed": 0}


def test_a_render_that_could_not_be_queued_stays_pending_for_the_sweep(
    rep, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(documents, "enqueue", lambda task, *args: False)  # the broker is down
    deal = DealFactory(owner=rep)
    version_for(deal)

    with django_capture_on_commit_callbacks(execute=True):
        document = contract_document_request(deal=deal, acting_user=rep)

    document.refresh_from_db()
    assert document.status == ContractDocument.Status.PENDING
    assert document.queued_at is not None
    stale(document)
    queued = []
    monkeypatch.setattr(documents, "enqueue", lambda task, *args: queued.append(args) or True)
    assert contract_pdf_sweep_task() == {"requeued": 1, "failed": 0}
    assert queued == [(document.pk,)]


def test_a_long_wait_tells_the_user_it_is_retried_by_itself(client, rep, pending):
    client.force_login(rep)
    url = reverse("contracts:document_status", args=[pending.version.deal_id, pending.pk])

    assert "taking longer than usual" not in client.get(url).content.decode()
    stale(pending, minutes=2)
    assert "taking longer than usual" in client.get(url).content.decode()
