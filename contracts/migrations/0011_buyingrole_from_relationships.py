"""Buying roles come over from relationships (relationships 0003): in the state
only, on the tables they already have (relationships_buyingrole and its
history; same constraint and index names), so no row is copied. Their content
types move too, so permissions granted on them and anything pointing at the
content type keep pointing at the same rows."""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

MODELS = ("buyingrole", "historicalbuyingrole")


def _move_content_types(apps, schema_editor, source: str, target: str) -> None:  # noqa: ANN001
    content_types = apps.get_model("contenttypes", "ContentType").objects.db_manager(
        schema_editor.connection.alias
    )
    for model in MODELS:
        # A fresh database has none yet (created after migrate); if the target
        # somehow exists already, the old row is left rather than merged.
        if not content_types.filter(app_label=target, model=model).exists():
            content_types.filter(app_label=source, model=model).update(app_label=target)
    content_types.clear_cache()


def forwards(apps, schema_editor) -> None:  # noqa: ANN001
    _move_content_types(apps, schema_editor, "relationships", "contracts")


def backwards(apps, schema_editor) -> None:  # noqa: ANN001
    _move_content_types(apps, schema_editor, "contracts", "relationships")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("contracts", "0010_contractdocument_queued_at"),
        ("relationships", "0004_buyingrole_to_contracts"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="HistoricalBuyingRole",
                    fields=[
                        ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                        ("role", models.CharField(choices=[("selector", "Selector"), ("decision_maker", "Decision maker"), ("purchaser", "Purchaser"), ("user", "User"), ("evaluator", "Evaluator"), ("acceptor", "Acceptor")], max_length=20, verbose_name="role")),
                        ("attitude", models.CharField(choices=[("supporter", "Supporter"), ("neutral", "Neutral"), ("opponent", "Opponent")], default="neutral", max_length=20, verbose_name="attitude")),
                        ("influence", models.CharField(choices=[("high", "High"), ("medium", "Medium"), ("low", "Low")], default="medium", max_length=20, verbose_name="influence")),
                        ("notes", models.CharField(blank=True, max_length=300, verbose_name="notes")),
                        ("history_id", models.AutoField(primary_key=True, serialize=False)),
                        ("history_date", models.DateTimeField(db_index=True)),
                        ("history_change_reason", models.CharField(max_length=100, null=True)),
                        ("history_type", models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1)),
                        ("contact", models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="relationships.contact", verbose_name="contact")),
                        ("deal", models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="contracts.deal", verbose_name="deal")),
                        ("history_user", models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "verbose_name": "historical buying role",
                        "verbose_name_plural": "historical buying roles",
                        "db_table": "relationships_historicalbuyingrole",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="BuyingRole",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("role", models.CharField(choices=[("selector", "Selector"), ("decision_maker", "Decision maker"), ("purchaser", "Purchaser"), ("user", "User"), ("evaluator", "Evaluator"), ("acceptor", "Acceptor")], max_length=20, verbose_name="role")),
                        ("attitude", models.CharField(choices=[("supporter", "Supporter"), ("neutral", "Neutral"), ("opponent", "Opponent")], default="neutral", max_length=20, verbose_name="attitude")),
                        ("influence", models.CharField(choices=[("high", "High"), ("medium", "Medium"), ("low", "Low")], default="medium", max_length=20, verbose_name="influence")),
                        ("notes", models.CharField(blank=True, max_length=300, verbose_name="notes")),
                        ("contact", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="buying_roles", to="relationships.contact", verbose_name="contact")),
                        ("deal", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="buying_roles", to="contracts.deal", verbose_name="deal")),
                    ],
                    options={
                        "verbose_name": "buying role",
                        "verbose_name_plural": "buying roles",
                        "db_table": "relationships_buyingrole",
                        "constraints": [models.UniqueConstraint(fields=("deal", "contact", "role"), name="buyingrole_unique")],
                    },
                ),
            ],
        ),
        migrations.RunPython(forwards, backwards),
    ]
