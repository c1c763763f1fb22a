from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = _("Contracts")

    def ready(self) -> None:
        # Relationship pages reach deals only through this port (imports point contracts → relationships).
        from contracts.relationship_port import ContractsDealProvider
        from relationships.ports import register_deal_provider

        register_deal_provider(ContractsDealProvider())
        import contracts.schedule  # noqa: F401 (registers the payment-schedule gate)
