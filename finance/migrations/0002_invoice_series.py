from django.db import migrations

SERIES = [("AR", "INV-"), ("ARCN", "CN-"), ("AP", "AP-"), ("APCN", "APCN-")]


def create_series(apps, schema_editor) -> None:  # noqa: ANN001
    InvoiceSeries = apps.get_model("finance", "InvoiceSeries")
    for code, prefix in SERIES:
        InvoiceSeries.objects.get_or_create(code=code, defaults={"prefix": prefix})


class Migration(migrations.Migration):
    dependencies = [("finance", "0001_initial")]

    operations = [migrations.RunPython(create_series, migrations.RunPython.noop)]
