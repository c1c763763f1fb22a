"""Trigram indexes for the customer search (PostgreSQL only; nothing happens on SQLite).

The search is `icontains`, which Django compiles on PostgreSQL to
`UPPER(col::text) LIKE UPPER('%q%')`: a GIN index on that same expression
with `gin_trgm_ops` serves it for queries of three characters or more, in
any script (trigrams are not words, so Chinese substrings match too)."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = {
    "relationships_customer_name_trgm": ("relationships_customer", "name"),
    "relationships_customer_industry_trgm": ("relationships_customer", "industry"),
    "relationships_contact_name_trgm": ("relationships_contact", "name"),
}


class PostgresTrigramExtension(TrigramExtension):
    """Django's operation skips other databases going forwards but not backwards."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state) -> None:  # noqa: ANN001
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


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
        ("relationships", "0001_initial"),
    ]

    operations = [
        PostgresTrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
