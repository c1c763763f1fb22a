"""Links in e-mails point at the server `make run` started, unless SITE_URL says otherwise."""

import shutil
import subprocess

import pytest
from django.conf import settings

from crm_contracts.tests.test_settings import run_django

PRINT_SITE_URL = [
    "-c",
    "import django; django.setup(); from django.conf import settings; print(settings.SITE_URL)",
]


def test_make_run_gives_the_server_and_the_worker_its_own_address():
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    result = subprocess.run(  # noqa: S603 - fixed argv
        ["make", "-n", "run", "PORT=8101", "HOST=0.0.0.0"],  # noqa: S607 - make from PATH
        capture_output=True,
        text=True,
        timeout=60,
        cwd=settings.BASE_DIR,
    )

    assert result.returncode == 0, result.stderr
    worker, server = (line for line in result.stdout.splitlines() if "MAKE_RUN_URL=" in line)
    assert "MAKE_RUN_URL=http://0.0.0.0:8101 " in worker
    assert "celery" in worker
    assert "MAKE_RUN_URL=http://0.0.0.0:8101 " in server
    assert "runserver 0.0.0.0:8101" in server


def test_site_url_defaults_to_the_make_run_address():
    result = run_django(PRINT_SITE_URL, DEBUG="1", MAKE_RUN_URL="http://127.0.0.1:8101")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "http://127.0.0.1:8101"


def test_a_given_site_url_wins_over_the_make_run_address():
    result = run_django(
        PRINT_SITE_URL, DEBUG="1", MAKE_RUN_URL="http://127.0.0.1:8101", SITE_URL="https://crm.example.com/"
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "https://crm.example.com"
