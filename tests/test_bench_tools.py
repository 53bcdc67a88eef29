"""`make bench`'s set-up asks before it installs system packages, and the benchmarks' docstrings
cite files that exist."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import slack_bolt

ROOT = Path(__file__).parents[1]
SCRIPT = ROOT / "scripts" / "ensure-bench-tools"
CITED = re.compile(
    r"\b((?:bench|bot|handlers|storage|sandbox|scripts|slack_bolt|slack_sdk)/[\w/.-]+\.(?:py|lua))"
)


def without_wrk(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """The script on a PATH holding only the tools it uses and a stand-in apt-get that records
    its arguments, so nothing is installed and wrk is missing whatever this machine has."""
    tools = tmp_path / "bin"
    tools.mkdir()
    for name in ("bash", "env", "id"):
        found = next(Path(d) / name for d in ("/usr/bin", "/bin") if (Path(d) / name).exists())
        (tools / name).symlink_to(found)
    apt = tools / "apt-get"
    apt.write_text(f'#!{tools}/bash\necho "$@" >> {tmp_path}/apt.log\n')
    apt.chmod(0o755)
    return subprocess.run(
        [str(tools / "bash"), str(SCRIPT)],
        env={"PATH": str(tools), **env},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )


def test_without_a_terminal_it_refuses_to_install_and_says_how(tmp_path: Path) -> None:
    done = without_wrk(tmp_path)

    assert done.returncode == 1
    assert "BENCH_INSTALL=yes" in done.stderr and "wrk" in done.stderr
    assert not (tmp_path / "apt.log").exists()


def test_bench_install_yes_installs_without_asking(tmp_path: Path) -> None:
    done = without_wrk(tmp_path, BENCH_INSTALL="yes")

    assert done.returncode == 0, done.stderr
    assert (tmp_path / "apt.log").read_text().splitlines() == ["update -qq", "install -y -qq wrk"]


def test_the_benchmarks_cite_files_that_exist() -> None:
    packages = Path(slack_bolt.__path__[0]).parent  # site-packages, for slack_bolt/... paths
    cited = {
        (source.name, path)
        for source in sorted((ROOT / "bench").iterdir())
        if source.suffix in (".py", ".lua")
        for path in CITED.findall(source.read_text(encoding="utf-8"))
    }
    assert cited  # the pattern still finds what the docstrings cite
    missing = [
        f"{name} cites {path}"
        for name, path in sorted(cited)
        if not (ROOT / path).exists() and not (packages / path).exists()
    ]
    assert not missing, missing
