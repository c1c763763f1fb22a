"""Trigram indexes for the global search (PostgreSQL only; nothing happens on SQLite).

The same kind of index as relationships 0002_search_trigram, on the same
expression Django compiles `icontains` to (`UPPER(col::text) LIKE ...`), so a
number or name fragment of three characters or more is found without a scan."""

from django.db import migrations

INDEXES = {
    "finance_invoice_number_trgm": ("finance_invoice", "number"),
}


def create_indexes(apps, schema_editor) -> None:  # noqa: ANN001
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, (table, column) in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (UPPER({column}::text) gin_trgm_ops)"
        )


def drop_indexes(apps, schema_editor) -> None:  # noqa: ANN001
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("finance", "0006_exchange_rates_fx_idempotency_per_user"),
        ("relationships", "0002_search_trigram"),  # creates the pg_trgm extension
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
