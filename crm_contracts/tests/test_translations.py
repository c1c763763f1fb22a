"""Every user-facing string ships translated to Simplified Chinese, and compiled."""

import ast
import gettext
import re

from django.conf import settings

PO = settings.BASE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
ENTRY = re.compile(r'^(#, .*\n)?msgid ((?:".*"\n)+)msgstr ((?:".*"\n)+)', re.MULTILINE)


def po_entries() -> list[tuple[str, str, bool]]:
    def join(block: str) -> str:
        return "".join(ast.literal_eval(line) for line in block.splitlines())

    return [
        (join(m[2]), join(m[3]), "fuzzy" in (m[1] or ""))
        for m in ENTRY.finditer(PO.read_text(encoding="utf-8"))
        if join(m[2])
    ]


def test_every_message_is_translated_and_not_fuzzy():
    entries = po_entries()

    assert entries
    assert [msgid for msgid, msgstr, _ in entries if not msgstr] == []
    assert [msgid for msgid, _, fuzzy in entries if fuzzy] == []


def test_compiled_catalog_matches_the_po_file():
    with MO.open("rb") as fh:
        catalog = gettext.GNUTranslations(fh)._catalog  # noqa: SLF001

    assert {msgid: msgstr for msgid, msgstr, _ in po_entries()}.items() <= catalog.items()
