"""The deployment kit, checked as far as this machine allows: the image cannot be built here (no
image registry), so the Dockerfile, .dockerignore, compose.yaml, the systemd unit, .env.example,
the lock and the changelog are read and checked against the code they deploy, and the unit and
compose file go through systemd's and Docker's own checkers where those exist.
The container's entry point itself is started by tests/e2e/test_container_entrypoint.py."""

from __future__ import annotations

import ast
import configparser
import json
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from bot.core.config import load_settings

ROOT = Path(__file__).resolve().parents[1]
UNIT = ROOT / "deploy" / "security-bot.service"
# Where the product's code reads its settings; tests and benchmarks have variables of their own.
PRODUCT_CODE = ("app.py", "wiring.py", "bot", "handlers", "storage", "cli", "sandbox")
SETTING_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+?)\s*(?:;\s*(.+?))?\s*\\?$")


def pyproject() -> dict[str, Any]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


# --- Dockerfile and .dockerignore -------------------------------------------------------------


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuation lines joined, comments dropped."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    logical: list[str] = []
    pending = ""
    for line in text.splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        logical.append(pending + line.strip())
        pending = ""
    found = []
    for line in logical:
        instruction, _, arguments = line.partition(" ")
        found.append((instruction.upper(), " ".join(arguments.split())))
    return found


def dockerfile(instruction: str) -> list[str]:
    return [args for name, args in dockerfile_instructions() if name == instruction]


def test_the_image_is_slim_python_with_tzdata_installed_from_the_hashed_lock() -> None:
    (base,) = dockerfile("FROM")
    assert re.fullmatch(r"python:3\.11(\.\d+)?-slim(-\w+)?", base)
    runs = dockerfile("RUN")
    assert any("apt-get install" in run and "tzdata" in run for run in runs)
    lock_install = next(i for i, run in enumerate(runs) if "requirements.lock" in run)
    assert "--require-hashes" in runs[lock_install]
    project_install = next(i for i, run in enumerate(runs) if re.search(r"pip install .*\s\.", run))
    assert lock_install < project_install, "the project installs after its locked dependencies"
    assert "--no-deps" in runs[project_install]


def test_the_container_runs_as_a_user_without_privileges_and_checks_its_health() -> None:
    (user,) = dockerfile("USER")
    assert user.split(":")[0] not in ("root", "0")
    names = [name for name, _ in dockerfile_instructions()]
    assert names.index("USER") > max(i for i, name in enumerate(names) if name == "RUN")
    (healthcheck,) = dockerfile("HEALTHCHECK")
    command = json.loads(healthcheck.split(" CMD ", 1)[1])
    assert command[:2] == ["python", "deploy/healthcheck.py"]  # no curl in a slim image
    assert (ROOT / command[1]).is_file()
    assert dockerfile("STOPSIGNAL") == ["SIGTERM"]
    assert dockerfile("EXPOSE") == ["3000"]


def test_the_entry_point_migrates_then_hands_the_process_to_the_server() -> None:
    (workdir,) = dockerfile("WORKDIR")
    (entrypoint,) = dockerfile("ENTRYPOINT")
    (script,) = json.loads(entrypoint)
    path = ROOT / Path(script).relative_to(workdir)
    assert path.stat().st_mode & 0o111, "the entry point must be executable"
    commands = [line.strip() for line in path.read_text().splitlines() if "app.py" in line]
    assert commands == ["python app.py db upgrade", 'exec python app.py serve "$@"']


def ignored(path: str, patterns: list[str]) -> bool:
    """Whether Docker leaves `path` out of the build context: `*` stops at a slash, `**/` matches
    in any folder, a pattern matching a folder covers what is inside it, the last match wins."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    result = False
    for line in patterns:
        pattern = line.removeprefix("!").strip("/")
        anywhere = pattern.startswith("**/")
        glob = re.escape(pattern.removeprefix("**/")).replace(r"\*", "[^/]*").replace(r"\?", "[^/]")
        for prefix in prefixes:
            if re.fullmatch(glob, prefix.rsplit("/", 1)[-1] if anywhere else prefix):
                result = not line.startswith("!")
                break
    return result


def build_inputs() -> Iterator[str]:
    """Every file the image needs: what `pip install .` packages, and what the container runs."""
    config = pyproject()["tool"]["setuptools"]
    yield from ("pyproject.toml", "README.md", "requirements.lock", "app.py")
    yield from (f"{module}.py" for module in config["py-modules"])
    for package in config["packages"]["find"]["include"]:
        for path in (ROOT / package.rstrip("*")).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                yield path.relative_to(ROOT).as_posix()
    yield from ("deploy/docker-entrypoint.sh", "deploy/healthcheck.py")
    yield "manifest.yml"  # OAuth mode reads the bot scopes from it


def test_the_build_context_holds_what_the_image_needs_and_no_secrets_or_state() -> None:
    lines = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    patterns = [line.strip() for line in lines if line.strip() and not line.startswith("#")]

    needed = [path for path in build_inputs() if ignored(path, patterns)]
    assert needed == [], "left out of the image but needed by it"
    for private in (".env", ".env.production", ".git/config", ".venv/bin/python",
                    "security-bot.db", "security-bot.db-wal", "outbox/1.eml",
                    "security-bot.sandbox-key", "bot/__pycache__/app.cpython-311.pyc"):  # fmt: skip
        assert ignored(private, patterns), f"{private} would be copied into the image"
    assert not ignored(".env.example", patterns)


# --- compose.yaml ------------------------------------------------------------------------------


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    return loaded


def test_compose_starts_the_bot_on_a_healthy_postgres_16() -> None:
    services = compose()["services"]
    postgres, bot = services["postgres"], services["bot"]

    assert postgres["image"].startswith("postgres:16")
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    assert bot["build"] == "."
    assert bot["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert bot["env_file"] == ".env"
    database_url = bot["environment"]["DATABASE_URL"]
    assert database_url.startswith("postgresql+psycopg://")
    assert "@postgres:5432/" in database_url
    assert bot["environment"]["PORT"] == "3000"
    assert {postgres["restart"], bot["restart"]} <= {"always", "unless-stopped", "on-failure"}
    assert bot["image"] == f"security-bot:{pyproject()['project']['version']}"
    grace = int(bot["stop_grace_period"].removesuffix("s"))
    assert grace >= unit_stop_seconds()  # as long as systemd gives it


def docker_compose() -> list[str] | None:
    """The Docker Compose command here, if any: the `docker compose` plugin or `docker-compose`."""
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
        if probe.returncode == 0:
            return ["docker", "compose"]
    standalone = shutil.which("docker-compose")
    return [standalone] if standalone else None


def test_docker_compose_accepts_the_file_with_the_example_environment(tmp_path: Path) -> None:
    command = docker_compose()
    if command is None:
        pytest.skip("Docker Compose is not installed here (neither `docker compose` nor "
                    "`docker-compose`); the file's structure is checked above")  # fmt: skip
    shutil.copy(ROOT / "compose.yaml", tmp_path / "compose.yaml")
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    checked = subprocess.run(
        [*command, "--file", "compose.yaml", "config", "--quiet"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stderr


# --- The systemd unit --------------------------------------------------------------------------


def unit() -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser(strict=False, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read_string(UNIT.read_text(encoding="utf-8"))
    return parser


def unit_stop_seconds() -> int:
    return int(unit()["Service"]["TimeoutStopSec"])


def test_the_unit_migrates_then_serves_from_the_virtualenv_as_its_own_user() -> None:
    service = unit()["Service"]
    python = "/opt/security-bot/.venv/bin/python"
    assert service["ExecStartPre"] == f"{python} /opt/security-bot/app.py db upgrade"
    assert service["ExecStart"] == f"{python} /opt/security-bot/app.py serve"
    assert service["User"] not in ("", "root", "0")
    assert service["EnvironmentFile"] == "/etc/security-bot/env"
    assert service["Restart"] == "on-failure"
    assert service["KillSignal"] == "SIGTERM"
    # The server gives its workers 10 s to finish their requests; then it must still exit.
    assert unit_stop_seconds() >= 20


def test_the_unit_can_write_only_its_state_directory() -> None:
    service = unit()["Service"]
    for hardening in ("NoNewPrivileges", "ProtectHome", "PrivateTmp", "PrivateDevices",
                      "RestrictSUIDSGID", "ProtectKernelTunables", "ProtectControlGroups"):  # fmt: skip
        assert service[hardening] == "yes", hardening
    assert service["ProtectSystem"] == "strict"
    assert service["StateDirectory"] == "security-bot"
    # The outbox and a default SQLite file land in the working directory: it must be writable.
    assert service["WorkingDirectory"] == "/var/lib/security-bot"
    assert service["CapabilityBoundingSet"] == ""


def test_systemd_accepts_the_unit(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed here; the unit's settings are checked above")
    # verify also checks that the programs exist: point /opt/security-bot at this checkout.
    text = UNIT.read_text(encoding="utf-8")
    text = text.replace("/opt/security-bot/.venv/bin/python", sys.executable)
    text = text.replace("/opt/security-bot/app.py", str(ROOT / "app.py"))
    copy = tmp_path / UNIT.name
    copy.write_text(text, encoding="utf-8")

    verified = subprocess.run(
        [analyze, "verify", "--man=no", str(copy)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip

    complaints = [line for line in verified.stderr.splitlines() if UNIT.name in line]
    assert verified.returncode == 0 and complaints == [], verified.stderr


# --- .env.example ------------------------------------------------------------------------------


class RecordingEnvironment(Mapping[str, str]):
    """An empty environment that remembers every name asked of it."""

    def __init__(self) -> None:
        self.asked: set[str] = set()

    def __getitem__(self, name: str) -> str:
        self.asked.add(name)
        raise KeyError(name)

    def get(self, name: str, default: Any = None) -> Any:
        self.asked.add(name)
        return default

    def __contains__(self, name: object) -> bool:
        self.asked.add(str(name))
        return False

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


def names_in_code() -> set[str]:
    """Setting names read in the product's code: by the settings module's `get` helper (also those
    read only under a condition), and through os.environ or os.getenv anywhere (not a WSGI
    request's environ)."""
    found: set[str] = set()
    files: list[Path] = []
    for entry in PRODUCT_CODE:
        path = ROOT / entry
        files.extend(path.rglob("*.py") if path.is_dir() else [path])
    for path in files:
        settings_module = path.name == "config.py" and path.parent.name == "core"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name: ast.expr | None = None
            if isinstance(node, ast.Call) and node.args:
                callee = ast.unparse(node.func)
                if callee in ("os.environ.get", "os.getenv", "getenv") or (
                    settings_module and callee in ("get", "env.get")
                ):
                    name = node.args[0]
            elif isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ":
                name = node.slice
            if isinstance(name, ast.Constant) and SETTING_NAME.match(str(name.value)):
                found.add(str(name.value))
    return found


def example_lines() -> list[tuple[str, str, bool]]:
    """(name, value, set) for each `NAME=value` or `#NAME=value` line of .env.example."""
    found = []
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        match = re.fullmatch(r"(#\s?)?([A-Z][A-Z0-9_]*)=(.*)", line.strip())
        if match:
            found.append((match[2], match[3], match[1] is None))
        else:
            assert not line.strip() or line.startswith("#"), f"not NAME=value: {line!r}"
    return found


def test_every_setting_the_code_reads_has_an_example() -> None:
    recording = RecordingEnvironment()
    load_settings(recording, mode="tool")
    read = recording.asked | names_in_code()
    assert {"SLACK_BOT_TOKEN", "DATABASE_URL", "NUDGE_POLICY_FILE"} <= read  # the scan works

    listed = {name for name, _, _ in example_lines()}
    assert sorted(read - listed) == [], "settings missing from .env.example"


def test_the_example_environment_loads_as_written() -> None:
    settings = {name: value for name, value, is_set in example_lines() if is_set}
    load_settings(settings, mode="tool")
    for name, value, _ in example_lines():
        if "TOKEN" in name or "SECRET" in name or "KEYS" in name:
            assert value == "", f"{name} must have no example value: one would be used"


# --- The lock ----------------------------------------------------------------------------------


def locked() -> dict[str, list[tuple[str, str | None]]]:
    """Package name -> its pins (version, marker); every pin must carry hashes."""
    pins: dict[str, list[tuple[str, str | None]]] = {}
    lines = (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        if not line or line[0] in " #":
            continue
        match = PIN.match(line)
        assert match, f"requirements.lock line {number + 1} is not an exact pin: {line!r}"
        assert lines[number + 1].strip().startswith("--hash=sha256:"), f"{line}: no hash"
        pins.setdefault(canonicalize_name(match[1]), []).append((match[2], match[3]))
    return pins


def test_every_runtime_dependency_is_locked_within_its_range() -> None:
    pins = locked()
    for declared in pyproject()["project"]["dependencies"]:
        requirement = Requirement(declared)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is not in requirements.lock: run `make lock`"
        for version, _marker in pins[name]:
            assert requirement.specifier.contains(version, prereleases=True), (
                f"requirements.lock pins {name}=={version}, outside {declared}: run `make lock`"
            )


def test_the_extras_asked_for_are_locked_too() -> None:
    """psycopg[binary] needs psycopg-binary: what an extra adds, per the installed metadata."""
    pins = locked()
    added = []
    for declared in pyproject()["project"]["dependencies"]:
        requirement = Requirement(declared)
        for extra in requirement.extras:
            for needed in metadata.requires(requirement.name) or []:
                wanted = Requirement(needed)
                if wanted.marker and wanted.marker.evaluate({"extra": extra}):
                    added.append(canonicalize_name(wanted.name))
    assert "psycopg-binary" in added
    assert [name for name in added if name not in pins] == [], "run `make lock`"


# --- Version and changelog ---------------------------------------------------------------------


def test_the_changelog_opens_with_the_projects_version() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    releases = re.findall(r"^## \[(\d+\.\d+\.\d+)\] - (Unreleased|\d{4}-\d{2}-\d{2})$", text, re.M)
    headings = re.findall(r"^## .*$", text, re.M)
    assert len(releases) == len(headings) >= 2, "each release: ## [X.Y.Z] - date or Unreleased"
    assert releases[0][0] == pyproject()["project"]["version"]
    versions = [tuple(int(part) for part in version.split(".")) for version, _ in releases]
    assert versions == sorted(versions, reverse=True)
