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

        # Gate kinds register when their module is imported (coverage, reviews, the
        # negotiation plan, requirements on issuing a quote, the payment schedule).
        import contracts.competition  # noqa: F401
        import contracts.coverage_gates  # noqa: F401
        import contracts.negotiation  # noqa: F401
        import contracts.schedule  # noqa: F401 (registers the payment-schedule gate)
        import contracts.tender  # noqa: F401  (registers the "requirements met" gate on issuing a quote)
