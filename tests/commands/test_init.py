"""``nbesok init`` on a file system that is not what it expects (issue 20), and the
pre-commit hook it writes, run by pre-commit itself on a real commit."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from adversarial.test_adversarial import snapshot
from click.testing import CliRunner, Result

from nbesok.cli import cli

NAMES = (
    *("--kommun", "Linköpings kommun"),
    *("--förvaltning", "Socialförvaltningen"),
    *("--nämnd", "Äldrenämnden"),
)


def init(*args: str) -> Result:
    return CliRunner().invoke(cli, ["init", *args, *NAMES], prog_name="nbesok")


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def assert_refused(result: Result, line: str) -> None:
    assert result.exit_code == 1, result.output
    assert "internt fel" not in result.output
    assert result.output.startswith(line), result.output


@pytest.mark.parametrize(
    ("make", "where", "message"),
    [
        (lambda a: (a / "visits").symlink_to("/saknas"), "arkiv/visits", "är en symbolisk länk"),
        (lambda a: (a / "visits").symlink_to("visits"), "arkiv/visits", "är en symbolisk länk"),
        (lambda a: (a / "visits").write_text("x"), "arkiv/visits", "finns redan som fil"),
        (
            lambda a: (a / "templates").symlink_to("../utanför"),
            "arkiv/templates",
            "init skriver aldrig genom en länk",
        ),
        (lambda a: (a / ".gitignore").symlink_to("/saknas"), "arkiv/.gitignore", "symbolisk länk"),
    ],
    ids=["dangling-link", "link-loop", "file-for-folder", "link-out", "dangling-file-link"],
)
def test_a_link_or_a_file_in_the_way_is_refused_before_anything_is_written(
    here: Path, make: object, where: str, message: str
) -> None:
    archive = here / "arkiv"
    archive.mkdir()
    (here / "utanför").mkdir()
    make(archive)  # type: ignore[operator]
    before = snapshot(here)

    result = init("arkiv")

    assert_refused(result, f"{where}: fel: ")
    assert message in result.output
    assert snapshot(here) == before  # nothing written, least of all through the link


@pytest.mark.parametrize("target", ["/saknas", "arkiv"], ids=["dangling", "loop"])
def test_an_archive_folder_that_is_a_broken_link_is_refused(here: Path, target: str) -> None:
    (here / "arkiv").symlink_to(target)

    result = init("arkiv")

    assert_refused(result, "arkiv: fel: är en symbolisk länk som inte leder till någon mapp")


def test_an_archive_folder_that_links_to_a_real_folder_is_used(here: Path) -> None:
    (here / "riktig").mkdir()
    (here / "arkiv").symlink_to("riktig")

    result = init("arkiv")

    assert result.exit_code == 0, result.output
    assert (here / "riktig" / "nbesok.yaml").is_file()  # named by the user: followed


def test_a_read_only_file_system_is_a_located_error(
    here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def read_only(path: object, *args: object, **kwargs: object) -> None:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))

    monkeypatch.setattr(os, "mkdir", read_only)

    result = init("arkiv")

    assert_refused(result, f"arkiv: fel: mappen kan inte skapas ({os.strerror(errno.EROFS)})")


# --- the pre-commit hook: an error stops the commit, a warning shows


def git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.org",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.org",
        "PRE_COMMIT_HOME": str(root.parent / "pre-commit-cache"),
        # The hook runs "nbesok validate" as a system command: nbesok of this venv.
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    return subprocess.run(
        ["git", *args], cwd=root, env=environment, capture_output=True, text=True, timeout=300
    )


@pytest.mark.skipif(shutil.which("git") is None, reason="git saknas")
def test_the_hook_stops_a_commit_with_a_personnummer_and_shows_warnings(here: Path) -> None:
    assert init("arkiv").exit_code == 0
    root = here / "arkiv"
    pre_commit = Path(sys.executable).parent / "pre-commit"
    subprocess.run([str(pre_commit), "install"], cwd=root, check=True, capture_output=True)
    protocol = next((root / "protocols").glob("*.yaml")).stem
    visit = root / "visits" / "2024-05-02-ryd.yaml"
    text = (
        f"protokoll: {protocol}\nverksamhet: Ryd\nbesöksdatum: 2024-05-02\n"
        "svar:\n  {first}: Ring 811228-9874.\n"
    )
    first = next(
        line.split("id:")[1].strip()
        for line in (root / "protocols" / f"{protocol}.yaml").read_text("utf-8").splitlines()
        if line.strip().startswith("- id:")
    )
    visit.write_text(text.replace("{first}", first), "utf-8")
    assert git(root, "add", "-A").returncode == 0

    refused = git(root, "commit", "-m", "besöket")

    assert refused.returncode != 0, refused.stdout + refused.stderr
    assert "fel: svar." in refused.stdout + refused.stderr
    assert "personnummer ”811228-XXXX”" in refused.stdout + refused.stderr
    assert git(root, "log").returncode != 0  # no commit was made

    visit.write_text(text.replace("{first}", first).replace("811228-9874", "oss"), "utf-8")
    git(root, "add", "-A")
    committed = git(root, "commit", "-m", "besöket")

    assert committed.returncode == 0, committed.stdout + committed.stderr
    assert "varning:" in committed.stdout + committed.stderr  # unfilled: shown, not silent
