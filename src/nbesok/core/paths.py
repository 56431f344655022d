"""How paths are shown to the user, and where nbesok's own files are."""

from __future__ import annotations

from pathlib import Path

PACKAGE_TEMPLATES = "templates"


def package_templates_dir() -> Path:
    """The folder of the default templates shipped with nbesok (``documents/templates``).

    Found from here rather than from nbesok.documents.templating, whose import loads
    Jinja, or through importlib.resources, whose import costs more than a re-render that
    skips every document needs in all.
    """
    return Path(__file__).parent.parent / "documents" / PACKAGE_TEMPLATES


def display_path(path: Path | str) -> str:
    """The path as the user should read it: relative to the working directory if below it.

    Bytes of a file name that are not UTF-8 show as U+FFFD, so the path can be printed.
    """
    shown = _display_path(path)
    try:
        shown.encode("utf-8")
    except UnicodeEncodeError:
        shown = shown.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return shown


def _display_path(path: Path | str) -> str:
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
