"""How paths are shown to the user."""

from __future__ import annotations

from pathlib import Path


def display_path(path: Path | str) -> str:
    """The path as the user should read it: relative to the working directory if below it."""
    candidate = Path(path)
    if not candidate.is_absolute():
        return candidate.as_posix()  # already relative to the working directory
    try:
        return candidate.relative_to(Path.cwd()).as_posix()
    except ValueError:
        pass
    try:  # the same place reached through a symbolic link (e.g. /tmp on macOS)
        return candidate.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError):
        return candidate.as_posix()
