from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from accounts.demo import DEMO_PASSWORD, load_demo_accounts
from contracts import demo_next_moves
from contracts.alerts import milestone_alerts, renewal_alerts
from contracts.demo import load_demo_contracts
from contracts.demo_tender import seed as seed_tender
from dashboards.demo import load_demo_history, load_demo_targets
from finance.demo import load_demo_finance
from relationships.alerts import next_step_alerts
from relationships.demo import load_demo_relationships, load_demo_roles


class Command(BaseCommand):
    help = "Create the demo company, customers, deals and money. Safe to run twice."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off (demo users have a published password).",
        )

    def handle(self, *args, force: bool = False, **options) -> None:
        if not settings.DEBUG and not force:
            raise CommandError("Refusing to create demo users with DEBUG off; use --force.")
        with transaction.atomic():
            users = load_demo_accounts()
            customers = load_demo_relationships(users=users)
            deals = load_demo_contracts(users=users, customers=customers)
            load_demo_roles(users=users, customers=customers, deals=deals)
            demo_next_moves.seed(deals=deals)
            seed_tender(deals=deals)  # after the buying roles: they hold requirements and score
            load_demo_finance(users=users, customers=customers, deals=deals)
            load_demo_targets()
            history = load_demo_history(users=users)
        # Run the deadline scans once, so the demo's bell is not empty until beat's first tick.
        alerts = milestone_alerts() + renewal_alerts() + next_step_alerts()
        self.stdout.write(f"Deadline alerts sent: {alerts}")
        if history:
            self.stdout.write(f"Closed deals of the last two years added: {history}")
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Logins (password for all: {DEMO_PASSWORD}):"))
        for user in users.values():
            role = user.primary_role.label if user.primary_role else "-"
            self.stdout.write(f"  {user.username:<15} {role:<15} {user.title}")
