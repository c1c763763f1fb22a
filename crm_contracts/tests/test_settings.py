"""Settings behaviour that only shows in a fresh process with its own environment."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

from conftest import services_required

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "a-long-random-production-key-4d8f0a7c9e1b2d3f5a6c7e8f9a0b1c2d3e4f5a6b7c8d",
    "ALLOWED_HOSTS": "crm.example.com",
    "DATABASE_URL": "sqlite:///:memory:",
}


def run_django(argv: list[str], **env: str) -> subprocess.CompletedProcess:
    ours = {
        "SECRET_KEY",
        "DEBUG",
        "DJANGO_SETTINGS_MODULE",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    }  # the last: browser tests
    clean = {k: v for k, v in os.environ.items() if k not in ours}
    return subprocess.run(  # noqa: S603 - fixed argv
        [sys.executable, *argv],
        env={**clean, "DJANGO_SETTINGS_MODULE": "crm_contracts.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
        cwd=settings.BASE_DIR,
    )


def test_refuses_to_start_with_debug_off_and_no_secret_key():
    result = run_django(["manage.py", "check"], DEBUG="0")

    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_starts_with_debug_on_and_no_secret_key():
    result = run_django(["manage.py", "check"], DEBUG="1")

    assert result.returncode == 0, result.stderr


def test_deploy_check_is_clean_with_production_settings():
    result = run_django(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION_ENV)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_collectstatic_with_the_production_storage_finds_every_referenced_file(tmp_path):
    # The manifest storage fails on a missing file a stylesheet or script
    # names (a source map, a font): the production start would fail.
    result = run_django(
        ["manage.py", "collectstatic", "--no-input", "-v0"], **PRODUCTION_ENV, STATIC_ROOT=str(tmp_path)
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "staticfiles.json").exists()


def test_ci_runs_the_suite_on_postgresql():
    if not services_required():
        pytest.skip("a developer machine may use the zero-setup SQLite default")

    assert connection.vendor == "postgresql", "REQUIRE_SERVICES=1 but DATABASE_URL is not PostgreSQL"


def test_openapi_schema_generates_without_warnings():
    result = run_django(
        ["manage.py", "spectacular", "--validate", "--fail-on-warn", "--file", os.devnull], DEBUG="1"
    )

    assert result.returncode == 0, result.stderr
