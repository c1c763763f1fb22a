"""The one-way rule of docs/architecture.md, checked on every import statement.

dashboards, integrations → finance → contracts → relationships → accounts → core

An app may import from its own layer's kernel and from the apps below it,
never from one above it, and no app imports the project configuration
(`crm_contracts`; settings come through `django.conf.settings`). Tests and
the declared composition points — demo data and management commands, which
assemble the whole product on purpose — are exempt.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.conf import settings

LAYERS = {
    "core": 0,
    "accounts": 1,
    "relationships": 2,
    "contracts": 3,
    "finance": 4,
    "dashboards": 5,
    "integrations": 5,
}
CONFIG = "crm_contracts"
# Modules that put the whole product together on purpose.
COMPOSITION_POINTS = ("demo.py", "management/commands/")


def _top_package(module: str) -> str:
    return module.split(".", 1)[0]


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """Every absolute module an `import` or `from … import` statement names, with its line."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def is_exempt(relative: str) -> bool:
    parts = relative.split("/")
    return "tests" in parts or "migrations" in parts or any(point in relative for point in COMPOSITION_POINTS)


def violations(app: str) -> list[str]:
    base = Path(settings.BASE_DIR)
    found = []
    for path in sorted((base / app).rglob("*.py")):
        relative = str(path.relative_to(base))
        if is_exempt(relative):
            continue
        for line, module in imported_modules(path):
            target = _top_package(module)
            if target == CONFIG:
                found.append(f"{relative}:{line} imports the configuration ({module})")
            elif target in LAYERS and target != app and LAYERS[target] >= LAYERS[app]:
                found.append(f"{relative}:{line} imports {module} (layer {LAYERS[target]} ≥ {LAYERS[app]})")
    return found


@pytest.mark.parametrize("app", list(LAYERS))
def test_app_imports_only_downwards(app):
    assert violations(app) == []


def test_the_checker_sees_an_upward_import(tmp_path, settings):
    """The rule cannot pass by looking at nothing: a planted upward import is reported."""
    (tmp_path / "accounts").mkdir()
    (tmp_path / "accounts" / "bad.py").write_text("from contracts.models import Deal\n")
    (tmp_path / "accounts" / "demo.py").write_text("from contracts.models import Deal\n")
    (tmp_path / "accounts" / "ok.py").write_text("from core.api import run_service\nimport django\n")
    settings.BASE_DIR = tmp_path

    assert violations("accounts") == ["accounts/bad.py:1 imports contracts.models (layer 3 ≥ 1)"]


def test_every_app_is_placed_in_a_layer():
    project_apps = {
        name for name in settings.INSTALLED_APPS if (Path(settings.BASE_DIR) / name / "apps.py").exists()
    }
    assert project_apps == set(LAYERS)
