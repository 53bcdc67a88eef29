"""Dependencies point one way, handlers → bot → storage (STYLE.md): the domain and the storage
never talk to Slack or HTTP themselves, so every rule in them is testable without either."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SLACK_OR_HTTP = ("slack_bolt", "slack_sdk", "http", "urllib.request", "granian", "requests")
COMPOSITION_ROOT = ROOT / "bot" / "wiring.py"  # builds the Bolt app and the server: the exception
SHARED_IDS = "handlers.ids"  # the action and callback ids views render and handlers listen for


def imports(path: Path) -> list[str]:
    """Every absolute module `path` imports, wherever in the file."""
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
    return found


def within(module: str, packages: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


def sources(package: str) -> list[Path]:
    return sorted(p for p in (ROOT / package).rglob("*.py") if p != COMPOSITION_ROOT)


@pytest.mark.parametrize("package", ["bot", "storage"])
def test_the_domain_and_storage_import_no_slack_or_http_library(package: str) -> None:
    offending = {
        f"{path.relative_to(ROOT)}: {module}"
        for path in sources(package)
        for module in imports(path)
        if within(module, SLACK_OR_HTTP)
    }
    assert not offending


def test_storage_depends_on_neither_the_domain_nor_the_handlers() -> None:
    offending = {
        f"{path.relative_to(ROOT)}: {module}"
        for path in sources("storage")
        for module in imports(path)
        if within(module, ("bot", "handlers", "sandbox"))
    }
    assert not offending


def test_the_domain_uses_nothing_of_the_handlers_but_their_ids() -> None:
    offending = {
        f"{path.relative_to(ROOT)}: {module}"
        for path in sources("bot")
        for module in imports(path)
        if within(module, ("handlers", "sandbox")) and module != SHARED_IDS
    }
    assert not offending


def test_the_check_sees_imports_inside_functions(tmp_path: Path) -> None:
    late = tmp_path / "late.py"
    late.write_text("def send():\n    from slack_sdk import WebClient\n    return WebClient\n")
    assert [m for m in imports(late) if within(m, SLACK_OR_HTTP)] == ["slack_sdk"]
