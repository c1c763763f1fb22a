"""The documented backup procedure works: pg_dump the database, restore it
into a fresh one, and find the same rows (README "Backups")."""

import os
import shutil
import subprocess
import uuid

import pytest
from django.db import connection

from relationships.tests.factories import ContactFactory, CustomerFactory

TABLES = ["accounts_user", "relationships_customer", "relationships_contact", "auth_group_permissions"]


def _pg_env() -> dict:
    db = connection.settings_dict
    return {
        **os.environ,
        "PGHOST": db["HOST"] or "127.0.0.1",
        "PGPORT": str(db["PORT"] or 5432),
        "PGUSER": db["USER"] or "postgres",
        "PGPASSWORD": db["PASSWORD"] or "",
    }


def _counts(env: dict, database: str) -> dict:
    counts = {}
    for table in TABLES:
        result = subprocess.run(  # noqa: S603 - fixed argv
            ["psql", "-d", database, "-tAc", f"SELECT count(*) FROM {table}"],  # noqa: S608 - fixed table names
            env=env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        counts[table] = int(result.stdout.strip())
    return counts


@pytest.mark.django_db(transaction=True)
def test_dump_and_restore_into_a_fresh_database_keeps_every_row(rep, tmp_path):
    if connection.vendor != "postgresql" or not shutil.which("pg_dump"):
        pytest.skip("backups are a PostgreSQL procedure")
    customer = CustomerFactory(owner=rep, name="华东电网有限公司")
    ContactFactory.create_batch(5, customer=customer)
    env = _pg_env()
    source = connection.settings_dict["NAME"]
    target = f"restore_{uuid.uuid4().hex[:10]}"
    dump = tmp_path / "crm.dump"

    subprocess.run(["pg_dump", "-Fc", "-f", str(dump), source], env=env, check=True)  # noqa: S603
    subprocess.run(["createdb", target], env=env, check=True)  # noqa: S603
    try:
        subprocess.run(["pg_restore", "--no-owner", "-d", target, str(dump)], env=env, check=True)  # noqa: S603
        assert _counts(env, target) == _counts(env, source)
        restored = subprocess.run(  # noqa: S603
            ["psql", "-d", target, "-tAc", "SELECT name FROM relationships_customer"],
            env=env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        assert "华东电网有限公司" in restored.stdout
    finally:
        subprocess.run(["dropdb", "--if-exists", target], env=env, check=False)  # noqa: S603
