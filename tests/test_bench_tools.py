"""`make bench`'s set-up asks before it installs system packages, the benchmarks' docstrings
cite files that exist, and the OAuth-mode status figures count what they claim to."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import slack_bolt
from cryptography.fernet import Fernet

from bench import dataset, oauth
from sandbox.slack_standin import SlackStandIn

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


def test_a_status_in_oauth_mode_reads_our_data_once_and_its_workspace_bot_once(
    tmp_path: Path,
) -> None:
    """What the bench reports for OAuth mode, on a small data set: 1,000 installations stored,
    one status through the whole OAuth app, one auth.test for the warm-up request only."""
    url, _ = dataset.sqlite_dataset(tmp_path, 10)
    keys = (Fernet.generate_key().decode(),)
    with SlackStandIn() as standin:
        oauth.store_installations(url, keys, dataset.WORKSPACE, standin.bot_token)
        oauth.store_installations(url, keys, dataset.WORKSPACE, standin.bot_token)  # replaced
        count = oauth.count_request_statements(url, keys, dataset.member_slack_id(1), standin)
        assert oauth.auth_tests(standin) == {dataset.WORKSPACE: 1}
    assert (count.ours, count.installation_lookup) == (1, 1), count.sql
    assert "slack_bots" in count.sql[0]
