"""The layers STYLE.md promises, with no exceptions: handlers → bot → storage. The domain and the
storage never talk to Slack or HTTP, storage knows nothing above it, handlers never reach past the
domain into storage, and the composition roots (wiring.py, cli/, app.py) sit on top of them all."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SLACK_OR_HTTP = ("slack_bolt", "slack_sdk", "http", "urllib.request", "granian", "requests")
COMPOSITION = ("wiring", "cli", "app", "sandbox")  # only the top level and the sandbox build apps
FEATURES = {"checklist", "twostep", "passwords", "recovery", "platform", "directory", "cases"}
FEATURES |= {"nudges", "stats"}


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


def offending(package: str, forbidden: tuple[str, ...]) -> set[str]:
    return {
        f"{path.relative_to(ROOT)}: {module}"
        for path in sorted((ROOT / package).rglob("*.py"))
        for module in imports(path)
        if within(module, forbidden)
    }


@pytest.mark.parametrize("package", ["bot", "storage"])
def test_the_domain_and_storage_import_no_slack_or_http_library(package: str) -> None:
    assert not offending(package, SLACK_OR_HTTP)


def test_storage_depends_on_nothing_above_it() -> None:
    assert not offending("storage", ("bot", "handlers", "sandbox", *COMPOSITION))


def test_the_domain_depends_on_nothing_above_it() -> None:
    assert not offending("bot", ("handlers", "sandbox", *COMPOSITION))


def test_the_handlers_reach_the_storage_only_through_the_domain() -> None:
    assert not offending("handlers", ("storage", "sqlalchemy.orm", *COMPOSITION))


def test_each_feature_is_one_package_of_the_domain_with_a_docstring() -> None:
    packages = {path.parent.name for path in (ROOT / "bot").glob("*/__init__.py")}
    assert packages == {"core", *FEATURES}
    for name in packages:
        doc = ast.get_docstring(ast.parse((ROOT / "bot" / name / "__init__.py").read_text()))
        opening = (doc or "").split("\n\n")[0].splitlines()
        assert 1 <= len(opening) <= 2, f"bot/{name}/__init__.py opens by saying what it owns"


def test_the_check_sees_imports_inside_functions(tmp_path: Path) -> None:
    late = tmp_path / "late.py"
    late.write_text("def send():\n    from slack_sdk import WebClient\n    return WebClient\n")
    assert [m for m in imports(late) if within(m, SLACK_OR_HTTP)] == ["slack_sdk"]
