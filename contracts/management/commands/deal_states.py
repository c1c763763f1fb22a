"""Write the deal state diagram (Mermaid), generated from the transitions in code."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from contracts.diagram import deal_state_markdown

DEFAULT = Path(settings.BASE_DIR) / "docs" / "deal-states.md"


class Command(BaseCommand):
    help = "Write docs/deal-states.md from the Deal state machine."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", default=str(DEFAULT))

    def handle(self, *args, output: str, **options) -> None:
        Path(output).write_text(deal_state_markdown(), encoding="utf-8")
        self.stdout.write(f"Wrote {output}")
