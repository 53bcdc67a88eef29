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
FEATURES |= {"nudges", "stats", "workspaces"}
FEATURES |= {"exemptions", "desk", "campaigns"}
# SQLAlchemy's query API: building statements, and running them on a session. Transactions
# (`sessions.begin()`), `session.add`, `flush` and `Session` as a type stay open to the domain.
QUERY_BUILDERS = {"select", "insert", "update", "delete", "union", "union_all", "exists", "text"}
SESSION_QUERIES = {"get", "execute", "scalars", "scalar", "query", "connection"}


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


def queries(path: Path) -> list[str]:
    """Every use of SQLAlchemy's query API in `path`: statement builders imported from
    sqlalchemy (or reached through it as a module), and query calls on a session."""
    tree = ast.parse(path.read_text(), str(path))
    modules = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
        if within(alias.name, ("sqlalchemy",))
    }
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and within(node.module or "", ("sqlalchemy",)):
            found.extend(alias.name for alias in node.names if alias.name in QUERY_BUILDERS)
        elif isinstance(node, ast.Attribute):
            receiver = ast.unparse(node.value)
            built = receiver in modules and node.attr in QUERY_BUILDERS
            name = node.value.id if isinstance(node.value, ast.Name) else ""
            name = node.value.attr if isinstance(node.value, ast.Attribute) else name
            on_session = "session" in name.lower()  # session, self._session; not a call's result
            if built or (on_session and node.attr in SESSION_QUERIES):
                found.append(f"{receiver}.{node.attr}")
    return found


def test_the_domain_leaves_every_query_to_storage() -> None:
    offenders = {
        f"{path.relative_to(ROOT)}: {query}"
        for path in sorted((ROOT / "bot").rglob("*.py"))
        for query in queries(path)
    }
    assert not offenders


def test_the_query_check_sees_statements_and_session_reads(tmp_path: Path) -> None:
    module = tmp_path / "reads.py"
    module.write_text(
        "import sqlalchemy as sa\n"
        "from sqlalchemy import select\n"
        "from sqlalchemy.orm import Session\n"
        "def read(database, session: Session, member_id: int):\n"
        "    with database.sessions.begin() as session:\n"
        "        session.add(object())\n"
        "        session.flush()\n"
        "        session.scalars(select(Member))\n"
        "        self._session.execute(sa.update(Member))\n"
        "        return session.get(Member, member_id)\n"
    )
    assert sorted(queries(module)) == sorted(
        ["select", "session.scalars", "self._session.execute", "sa.update", "session.get"]
    )


def storage_modules_imported(path: Path) -> set[str]:
    """The modules of storage/ that `path` imports, `from storage import x` read as storage.x."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if within(a.name, ("storage",)))
        elif isinstance(node, ast.ImportFrom) and node.module == "storage" and node.level == 0:
            found.update(f"storage.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and within(node.module or "", ("storage",)):
            found.add(node.module or "")
    return found


def model_modules() -> dict[str, set[str]]:
    """Each module of storage/ that declares a model (a class on Base), with what it imports."""
    found = {}
    for path in sorted((ROOT / "storage").glob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        bases = [
            base for node in ast.walk(tree) if isinstance(node, ast.ClassDef) for base in node.bases
        ]
        if any(isinstance(base, ast.Name) and base.id == "Base" for base in bases):
            found[f"storage.{path.stem}"] = storage_modules_imported(path)
    return found


def test_the_models_build_on_one_base_without_import_cycles() -> None:
    models = model_modules()
    assert len(models) >= 4, models  # models, case_models, nudge_models, stats_models
    assert all("storage.base" in imported for imported in models.values())
    assert storage_modules_imported(ROOT / "storage" / "base.py") <= {
        "storage.types",
        "storage.scope",
    }

    def reaches(start: str, target: str, seen: set[str]) -> bool:
        for module in models.get(start, set()) - seen:
            if module == target or reaches(module, target, seen | {module}):
                return True
        return False

    assert not [module for module in models if reaches(module, module, set())]


def test_the_schema_gathers_every_model_module_for_alembic() -> None:
    assert storage_modules_imported(ROOT / "storage" / "schema.py") >= set(model_modules())
    env = ROOT / "storage" / "migrations" / "env.py"
    assert "storage.schema" in storage_modules_imported(env)


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
