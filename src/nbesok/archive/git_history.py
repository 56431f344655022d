"""Earlier versions of a visit file, from the archive's git history.

When a fastställd visit has changed, its status block holds only the hash of the
content that was fastställd. The version itself is in git (the archive is the
history), so validate looks it up there to name what changed, and who committed the
changes since. Without git, or before the fastställda version was committed, there
is nothing to compare with, and the message says so.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from nbesok.archive.loading import parse_visit_text
from nbesok.archive.models import Visit
from nbesok.core.errors import NbesokError

# A visit file is fastställd a handful of times; older history is not searched.
MAX_VERSIONS = 50
_TIMEOUT = 20


@dataclass(frozen=True)
class Commit:
    """A commit that changed the file: short id, author and day."""

    short: str
    author: str
    day: str

    def describe(self) -> str:
        return f"{self.short} ({self.author}, {self.day})"


@dataclass(frozen=True)
class FoundVersion:
    """The committed version of a file whose content matched, and what came after it."""

    visit: Visit
    commit: Commit
    later: list[Commit]  # commits after it that changed the file, newest first
    uncommitted: bool  # the file in the work tree differs from the newest commit


def find_version(path: Path, matches: Callable[[Visit], bool]) -> FoundVersion | None:
    """The newest committed version of ``path`` for which ``matches`` holds, or None
    (no git, not in a repository, never committed, or no version matches)."""
    git = shutil.which("git")
    if git is None:
        return None
    folder = path.resolve().parent
    log = _git(
        git, folder, "log", f"-n{MAX_VERSIONS}", "--format=%H%x1f%h%x1f%an%x1f%as", "--", path.name
    )
    if not log:
        return None
    commits = [line.split("\x1f") for line in log.splitlines() if line.count("\x1f") == 3]
    for index, (full, short, author, day) in enumerate(commits):
        text = _git(git, folder, "show", f"{full}:./{path.name}")
        if text is None:
            continue
        try:
            visit = parse_visit_text(text, path).model
        except NbesokError:
            continue
        if matches(visit):
            later = [Commit(s, a, d) for _, s, a, d in commits[:index]]
            status = _git(git, folder, "status", "--porcelain", "--", path.name)
            return FoundVersion(visit, Commit(short, author, day), later, bool(status))
    return None


def _git(git: str, folder: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            [git, "-c", "core.quotepath=off", *args],
            cwd=folder,
            capture_output=True,
            timeout=_TIMEOUT,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.decode("utf-8", errors="replace")
