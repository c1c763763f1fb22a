from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.demo import DEMO_PASSWORD, load_demo_accounts


class Command(BaseCommand):
    help = "Create the demo company (departments, users for every role). Safe to run twice."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off (demo users have a published password).",
        )

    def handle(self, *args, force: bool = False, **options) -> None:
        if not settings.DEBUG and not force:
            raise CommandError("Refusing to create demo users with DEBUG off; use --force.")
        users = load_demo_accounts()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Logins (password for all: {DEMO_PASSWORD}):"))
        for user in users.values():
            role = user.primary_role.label if user.primary_role else "-"
            self.stdout.write(f"  {user.username:<15} {role:<15} {user.title}")
