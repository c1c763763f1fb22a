"""Every user-facing string ships translated to Simplified Chinese, and compiled."""

import ast
import gettext
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

CATALOGUES = sorted(
    po
    for pattern in ("*/locale/zh_Hans/LC_MESSAGES/django*.po", "locale/zh_Hans/LC_MESSAGES/django*.po")
    for po in settings.BASE_DIR.glob(pattern)
    if not po.is_relative_to(settings.BASE_DIR / ".venv")
)
APPS = ["accounts", "relationships", "contracts", "finance", "dashboards", "integrations"]
ENTRY = re.compile(r'^(#, .*\n)?(?:msgctxt (".*")\n)?msgid ((?:".*"\n)+)msgstr ((?:".*"\n)+)', re.MULTILINE)


def po_entries(po: Path) -> list[tuple[str, str, bool]]:
    def join(block: str) -> str:
        return "".join(ast.literal_eval(line) for line in block.splitlines())

    # A message with a context is keyed "context\x04msgid", as in the compiled catalogue.
    return [
        ((ast.literal_eval(m[2]) + "\x04" if m[2] else "") + join(m[3]), join(m[4]), "fuzzy" in (m[1] or ""))
        for m in ENTRY.finditer(po.read_text(encoding="utf-8"))
        if join(m[3])
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


def _msgids(po: Path) -> set[str]:
    return {msgid for msgid, _, _ in po_entries(po)}


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext is not installed")
def test_catalogues_contain_every_string_in_the_sources(tmp_path):
    """makemessages on a copy of the sources finds nothing the committed catalogues lack."""
    copy = tmp_path / "src"
    shutil.copytree(
        settings.BASE_DIR,
        copy,
        ignore=shutil.ignore_patterns(
            ".venv", "node_modules", "var", "staticfiles", ".git", "vendor", "*.mo"
        ),
    )
    env = {**os.environ, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "crm_contracts.settings"}
    python = sys.executable
    for app in APPS:
        subprocess.run(  # noqa: S603 - fixed argv
            [python, "../manage.py", "makemessages", "-l", "zh_Hans", "--ignore", "tests/*"],
            cwd=copy / app,
            env=env,
            check=True,
            capture_output=True,
        )
    subprocess.run(  # noqa: S603
        [
            python,
            "manage.py",
            "makemessages",
            "-l",
            "zh_Hans",
            *[a for app in APPS for a in ("--ignore", f"{app}/*")],
            "--ignore",
            "static/*",
            "--ignore",
            "bench/*",
            "--ignore",
            "docs/*",
        ],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
    )
    missing = {}
    for po in CATALOGUES:
        if po.name != "django.po":
            continue
        fresh = copy / po.relative_to(settings.BASE_DIR)
        lacking = _msgids(fresh) - _msgids(po)
        if lacking:
            missing[str(po.relative_to(settings.BASE_DIR))] = sorted(lacking)
    assert missing == {}, "run `make messages` and translate the new strings"
