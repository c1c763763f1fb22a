import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from finance.models import Allocation, CostEntry, FinalAccounts, Invoice, Payment, WriteOff
from finance.selectors import ageing, receivables


def snapshot() -> tuple:
    return tuple(
        sorted(map(str, model.objects.values_list("pk", flat=True)))
        for model in (Invoice, Payment, Allocation, WriteOff, CostEntry, FinalAccounts)
    )


@pytest.mark.django_db
def test_demo_money_is_idempotent_and_shows_every_bucket(settings):
    settings.DEBUG = True
    call_command("demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    first = snapshot()
    call_command("demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert snapshot() == first
    finance = User.objects.get(username="finance")
    report = ageing(user=finance)
    assert all(amount > 0 for amount in report.totals.values()), report.totals
    assert receivables(user=finance).filter(due_date__lt=timezone.localdate()).exists()
    assert WriteOff.objects.filter(status=WriteOff.Status.APPROVED).exists()
    assert WriteOff.objects.filter(status=WriteOff.Status.REQUESTED).exists()
    assert Invoice.objects.filter(direction="payable").exists()
