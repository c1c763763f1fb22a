"""Every user-facing string ships translated to Simplified Chinese, and compiled."""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings

CATALOGUES = sorted(
    po
    for pattern in ("*/locale/zh_Hans/LC_MESSAGES/django*.po", "locale/zh_Hans/LC_MESSAGES/django*.po")
    for po in settings.BASE_DIR.glob(pattern)
    if not po.is_relative_to(settings.BASE_DIR / ".venv")
)
ENTRY = re.compile(r'^(#, .*\n)?msgid ((?:".*"\n)+)msgstr ((?:".*"\n)+)', re.MULTILINE)


def po_entries(po: Path) -> list[tuple[str, str, bool]]:
    def join(block: str) -> str:
        return "".join(ast.literal_eval(line) for line in block.splitlines())

    return [
        (join(m[2]), join(m[3]), "fuzzy" in (m[1] or ""))
        for m in ENTRY.finditer(po.read_text(encoding="utf-8"))
        if join(m[2])
    ]


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(settings.BASE_DIR)))
def test_every_message_is_translated_and_not_fuzzy(po):
    entries = po_entries(po)
    assert [msgid for msgid, msgstr, _ in entries if not msgstr] == []
    assert [msgid for msgid, _, fuzzy in entries if fuzzy] == []


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(settings.BASE_DIR)))
def test_compiled_catalog_matches_the_po_file(po):
    with po.with_suffix(".mo").open("rb") as fh:
        catalog = gettext.GNUTranslations(fh)._catalog  # noqa: SLF001

    assert {msgid: msgstr for msgid, msgstr, _ in po_entries(po)}.items() <= catalog.items()
