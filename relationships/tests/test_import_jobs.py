"""Files over IMPORT_FOREGROUND_ROWS are previewed and imported by a Celery
task while the page polls its progress (docs/integrations.md)."""

import time

import pytest
from django.urls import reverse

from core.imports import _job_write, job_status
from core.tests.importing import confirm, csv_file, preview
from relationships.models import Customer

CUSTOMERS = reverse("relationships:customer_import")
HX = {"HTTP_HX_REQUEST": "true"}


def rows(count: int) -> list[list[str]]:
    return [["name", "region"]] + [[f"Customer {i}", "East"] for i in range(count)]


def job_of(response) -> str:  # noqa: ANN001
    assert response.status_code == 302
    assert "?job=" in response["Location"]
    return response["Location"].split("?job=")[1]


@pytest.fixture
def small_foreground(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.IMPORT_FOREGROUND_ROWS = 2


def test_a_large_file_is_previewed_and_imported_by_a_task(client, rep, small_foreground):
    client.force_login(rep)
    job = job_of(preview(client, CUSTOMERS, csv_file(rows(3)), "name"))
    polled = client.get(CUSTOMERS, {"job": job}, **HX)  # tasks run eagerly here: already done
    assert polled.status_code == 204
    assert polled["HX-Redirect"] == f"{CUSTOMERS}?job={job}"
    page = client.get(CUSTOMERS, {"job": job})
    assert [row.action for row in page.context["report"].rows] == ["new"] * 3
    assert b'name="confirm"' in page.content
    assert not Customer.objects.exists()

    job = job_of(confirm(client, CUSTOMERS))
    done = client.get(CUSTOMERS, {"job": job})
    assert done.status_code == 302
    assert done["Location"] == reverse("relationships:customer_list")
    assert Customer.objects.count() == 3
    assert Customer.objects.first().history.first().history_user == rep


def test_a_large_file_with_a_bad_row_cannot_be_confirmed(client, rep, small_foreground):
    client.force_login(rep)
    bad = rows(3) + [["Bolt", "East"], ["", "no name"]]
    job = job_of(preview(client, CUSTOMERS, csv_file(bad), "name"))
    page = client.get(CUSTOMERS, {"job": job})
    assert page.context["report"].has_errors
    assert b'name="confirm"' not in page.content
    assert confirm(client, CUSTOMERS).status_code == 302  # the upload is gone: "expired"
    assert not Customer.objects.exists()


def test_progress_endpoint_shows_rows_done_and_only_to_the_uploader(client, rep, teammate, small_foreground):
    client.force_login(rep)
    job = job_of(preview(client, CUSTOMERS, csv_file(rows(3)), "name"))
    _job_write(job, {"state": "running", "done": 50, "total": 120, "commit": False})
    polled = client.get(CUSTOMERS, {"job": job}, **HX)
    assert polled.status_code == 200
    assert b'<progress class="w-100" max="120" value="50">' in polled.content
    assert b'hx-trigger="every 1s"' in polled.content
    full = client.get(CUSTOMERS, {"job": job})
    assert b'id="import-progress"' in full.content
    assert b'enctype="multipart/form-data"' not in full.content

    client.force_login(teammate)
    assert client.get(CUSTOMERS, {"job": job}, **HX).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_import(client, rep, celery_worker):
    """Through Redis to a worker process, which shares MEDIA_ROOT and the test database."""
    client.force_login(rep)
    job = job_of(preview(client, CUSTOMERS, csv_file(rows(250)), "name"))
    status = _wait(job)
    assert status["state"] == "done", status
    assert not Customer.objects.exists()
    job = job_of(confirm(client, CUSTOMERS))
    status = _wait(job)
    assert status["report"]["committed"], status
    assert client.get(CUSTOMERS, {"job": job}).status_code == 302
    assert Customer.objects.count() == 250


def _wait(job: str, timeout: float = 90) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = job_status(job)
        if status and status["state"] in ("done", "failed"):
            return status
        time.sleep(0.2)
    pytest.fail(f"job {job} still not done: {job_status(job)}")


def test_a_second_confirm_while_one_runs_starts_nothing_new(client, rep, small_foreground):
    client.force_login(rep)
    job = job_of(preview(client, CUSTOMERS, csv_file(rows(3)), "name"))
    _job_write(job, {"state": "running", "done": 1, "total": 3, "commit": True})
    assert job_of(confirm(client, CUSTOMERS)) == job
    assert not Customer.objects.exists()
