"""Buying roles move to contracts (contracts 0008): the state forgets them here;
their tables and rows stay as they are."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("relationships", "0003_currency_codes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="HistoricalBuyingRole"),
                migrations.DeleteModel(name="BuyingRole"),
            ],
        ),
    ]
