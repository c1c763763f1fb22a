from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "finance"
    verbose_name = _("Finance")

    def ready(self) -> None:
        from contracts.conditions import register_close_check
        from finance.conditions import no_open_receivables

        register_close_check(no_open_receivables)

        from contracts.negotiation import register_estimate_cost
        from finance.estimates import estimate_cost_in_deal_currency

        register_estimate_cost(estimate_cost_in_deal_currency)

        from finance.receivers import connect

        connect()

        from contracts.payment_port import register_payment_behaviour
        from finance.behaviour import payment_behaviour

        register_payment_behaviour(payment_behaviour)
