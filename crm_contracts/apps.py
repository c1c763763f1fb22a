from django.apps import AppConfig


class CrmContractsConfig(AppConfig):
    name = "crm_contracts"
    verbose_name = "CRM & Contracts"

    def ready(self) -> None:
        from crm_contracts import cache

        # Here, not in one app: any app's cached figures rely on it.
        cache.connect_signals()
