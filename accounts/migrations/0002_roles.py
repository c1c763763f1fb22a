"""Create the role groups.

Their permissions are set by accounts.services.roles_sync after every
migrate (post_migrate): on a fresh database the permission rows themselves
only exist once all migrations have run.
"""

from django.db import migrations

ROLE_NAMES = ["sales_rep", "sales_manager", "finance", "legal", "admin"]


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLE_NAMES:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
