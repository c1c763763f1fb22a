from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from core import cache

        # Here, not in one app: any app's cached figures rely on it.
        cache.connect_signals()
