import email
import email.policy
import threading
import time
from datetime import date, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.alerts import deadline_stage
from accounts.models import AlertLog, Notification, OutboundMail
from relationships.alerts import due_next_steps, next_step_alerts
from relationships.tests.factories import CustomerFactory, InteractionFactory

TODAY = date(2026, 11, 27)


@pytest.mark.parametrize(
    ("due", "stage"),
    [
        (TODAY + timedelta(days=30), None),
        (TODAY + timedelta(days=8), None),
        (TODAY + timedelta(days=7), "before:7"),
        (TODAY + timedelta(days=3), "before:7"),
        (TODAY + timedelta(days=1), "before:1"),
        (TODAY, "due"),
        (TODAY - timedelta(days=1), "overdue"),
        (TODAY - timedelta(days=400), "overdue"),
    ],
)
def test_deadline_stage(due, stage):
    assert deadline_stage(due, TODAY, [7, 1]) == stage


@pytest.fixture
def next_step(rep):
    customer = CustomerFactory(owner=rep, name="Huadong Grid")
    return InteractionFactory(
        customer=customer,
        next_step="Send the NDA",
        next_step_due=TODAY + timedelta(days=1),
        next_step_owner=rep,
    )


@pytest.mark.django_db(transaction=True)
def test_a_threshold_alerts_once_with_an_email(next_step, rep):
    rep.email = "rep@example.com"
    rep.save()

    first = next_step_alerts(TODAY)
    second = next_step_alerts(TODAY)

    assert (first, second) == (1, 0)
    notification = Notification.objects.get()
    assert notification.user == rep
    assert notification.title == "Due in 1 day: Send the NDA · Huadong Grid"
    assert len(mail.outbox) == 1
    assert "Send the NDA" in mail.outbox[0].subject
    sent = OutboundMail.objects.get()
    assert (sent.status, sent.to_address, sent.related) == ("sent", "rep@example.com", next_step.customer)


@pytest.mark.django_db
def test_each_stage_alerts_once_as_the_date_approaches(next_step, rep):
    days = [TODAY - timedelta(days=6), TODAY, TODAY, TODAY + timedelta(days=1), TODAY + timedelta(days=2)]
    sent = [next_step_alerts(day) for day in days]

    assert sent == [1, 1, 0, 1, 1]
    assert list(AlertLog.objects.order_by("pk").values_list("stage", flat=True)) == [
        "before:7",
        "before:1",
        "due",
        "overdue",
    ]


@pytest.mark.django_db
def test_overdue_escalates_to_the_manager_and_then_stops_scanning(next_step, rep, manager):
    late = TODAY + timedelta(days=3)

    next_step_alerts(late)

    kinds = dict(Notification.objects.values_list("user__username", "kind"))
    assert kinds == {"rep": "overdue", "manager": "escalation"}
    assert not due_next_steps(late).exists()


@pytest.mark.django_db
def test_done_next_steps_do_not_alert(next_step):
    next_step.next_step_done_at = timezone.now()
    next_step.save()

    assert next_step_alerts(TODAY) == 0


@pytest.mark.django_db
def test_notifications_in_the_users_language(next_step, rep):
    rep.language = "zh-hans"
    rep.save()

    next_step_alerts(TODAY)

    assert Notification.objects.get().title.startswith("1 天后到期")


@pytest.mark.django_db(transaction=True)
def test_concurrent_scans_alert_once():
    if connection.vendor != "postgresql":
        pytest.skip("row-level concurrency needs PostgreSQL")
    from accounts.roles import Role
    from accounts.tests.factories import UserFactory

    owner = UserFactory(username="owner", role=Role.SALES_REP)
    customer = CustomerFactory(owner=owner)
    for n in range(20):
        InteractionFactory(
            customer=customer, next_step=f"Step {n}", next_step_due=TODAY, next_step_owner=owner
        )
    barrier = threading.Barrier(4)
    results = []

    def scan():
        barrier.wait()
        try:
            results.append(next_step_alerts(TODAY))
        finally:
            connection.close()

    threads = [threading.Thread(target=scan) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sum(results) == 20
    assert Notification.objects.count() == 20
    assert AlertLog.objects.count() == 20


@pytest.mark.django_db(transaction=True)
def test_alert_task_end_to_end_through_a_real_worker(celery_worker, rep):
    from relationships.tasks import next_step_alerts_task

    rep.email = "rep@example.com"
    rep.save()
    InteractionFactory(
        customer=CustomerFactory(owner=rep),
        next_step="Call the CIO",
        next_step_due=timezone.localdate(),
        next_step_owner=rep,
    )

    assert next_step_alerts_task.delay().get(timeout=60) == 1
    assert next_step_alerts_task.delay().get(timeout=60) == 0
    mails = []
    for _ in range(60):
        mails = list(celery_worker["mail_dir"].iterdir())
        if mails:
            break
        time.sleep(0.5)

    assert Notification.objects.filter(user=rep).count() == 1
    assert len(mails) == 1
    message = email.message_from_string(
        mails[0].read_text().split("\n" + "-" * 79)[0], policy=email.policy.default
    )
    assert "Call the CIO" in message["Subject"]
    assert message["To"] == "rep@example.com"


@pytest.mark.django_db
def test_notification_centre_bell_list_and_mark_read(client, rep, django_assert_max_num_queries):
    for n in range(3):
        Notification.objects.create(user=rep, title=f"Alert {n}", url="/customers/")
    client.force_login(rep)

    with django_assert_max_num_queries(8):
        bell = client.get(reverse("accounts:notification_bell")).content.decode()
    assert ">3<" in bell.replace(" ", "")

    first = Notification.objects.first()
    opened = client.get(reverse("accounts:notification_open", args=[first.pk]))
    assert opened.url == "/customers/"
    client.post(reverse("accounts:notifications_read_all"))
    assert not Notification.objects.filter(read_at__isnull=True).exists()


@pytest.mark.django_db
def test_notification_link_to_another_site_is_not_followed(client, rep):
    evil = Notification.objects.create(user=rep, title="x", url="https://evil.example/")
    client.force_login(rep)

    assert client.get(reverse("accounts:notification_open", args=[evil.pk])).url == reverse(
        "accounts:notifications"
    )


@pytest.mark.django_db
def test_someone_elses_notification_is_404(client, rep, teammate):
    other = Notification.objects.create(user=teammate, title="private")
    client.force_login(rep)

    assert client.get(reverse("accounts:notification_open", args=[other.pk])).status_code == 404


@pytest.mark.django_db
def test_switching_language_is_remembered_for_alerts(client, rep):
    client.force_login(rep)

    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})

    rep.refresh_from_db()
    assert rep.language == "zh-hans"
