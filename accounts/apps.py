from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        post_migrate.connect(_sync_roles_after_migrate, dispatch_uid="accounts.sync_roles")


def _sync_roles_after_migrate(sender, app_config, using="default", apps=None, **kwargs) -> None:  # noqa: ANN001
    # post_migrate fires once per app; act once, after the last installed app,
    # when every app's permissions have been created.
    from django.apps import apps as global_apps

    with_models = [c for c in global_apps.get_app_configs() if c.models_module is not None]
    if app_config is not with_models[-1]:
        return
    from accounts.services import roles_sync

    roles_sync()
