"""One error hierarchy for everything nbesok reports to a user.

Every problem a user can cause is a :class:`Finding`: a located, Swedish message.
Library code raises :class:`NbesokError` (or a subclass) carrying one or more
findings; the CLI prints them compiler-style and chooses the exit code. Nothing
else should ever reach the user.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Self

from nbesok.core.paths import display_path


class Severity(StrEnum):
    ERROR = "fel"
    WARNING = "varning"
    # Worth knowing, not a fault (a visiting group that differs from the template's):
    # never fails a run, not even with --strict.
    NOTE = "notering"


@dataclass(frozen=True, order=True)
class Finding:
    """A located message: ``visits/x.yaml:12:5: fel: svar.handlingsplan: …``.

    ``line`` and ``column`` are 1-based; 0 means "the file as a whole".
    ``key`` is the dotted path of the offending YAML key, or empty.
    """

    path: str
    line: int
    column: int
    severity: Severity
    key: str
    message: str

    def format(self) -> str:
        where = self.path
        if self.line:
            where += f":{self.line}:{self.column or 1}"
        key = f"{self.key}: " if self.key else ""
        return f"{where}: {self.severity.value}: {key}{self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    @property
    def is_warning(self) -> bool:
        return self.severity is Severity.WARNING


def finding(
    path: Path | str,
    message: str,
    *,
    line: int = 0,
    column: int = 0,
    key: str = "",
    severity: Severity = Severity.ERROR,
) -> Finding:
    return Finding(display_path(path), line, column, severity, key, message)


def worker_died(why: str) -> Finding:
    """A worker process of a batch died (killed for its memory, a crash); its work was
    done again in a new one."""
    return finding(
        "nbesok",
        f"en arbetsprocess avslutades oväntat ({why}, till exempel för att minnet tog slut); "
        "det den arbetade med gjordes om i en ny process",
        severity=Severity.WARNING,
    )


def summary_line(files: int, findings: Sequence[Finding], *, clean: str = "Inga fel") -> str:
    """The last line of a command that checks files: ``2 fel och 1 varning i 6 filer.``

    ``clean`` opens the line when there is nothing to report (``Inga fel i 6 filer.``);
    notes are counted only when there are any (``0 fel, 0 varningar och 2 noteringar``).
    """
    counted = f"{files} {'fil' if files == 1 else 'filer'}"
    if not findings:
        return f"{clean} i {counted}."
    errors = sum(found.is_error for found in findings)
    warnings = sum(found.is_warning for found in findings)
    notes = len(findings) - errors - warnings
    warned = f"{warnings} {'varning' if warnings == 1 else 'varningar'}"
    if not notes:
        return f"{errors} fel och {warned} i {counted}."
    noted = f"{notes} {'notering' if notes == 1 else 'noteringar'}"
    return f"{errors} fel, {warned} och {noted} i {counted}."


class NbesokError(Exception):
    """Base of every error nbesok reports to a user; carries one or more findings."""

    exit_code = 1

    def __init__(self, findings: Finding | Iterable[Finding]) -> None:
        self.findings: list[Finding] = (
            [findings] if isinstance(findings, Finding) else list(findings)
        )
        super().__init__("\n".join(f.format() for f in self.findings))

    @classmethod
    def at(
        cls,
        path: Path | str,
        message: str,
        *,
        line: int = 0,
        column: int = 0,
        key: str = "",
    ) -> Self:
        return cls(finding(path, message, line=line, column=column, key=key))


class LoadError(NbesokError):
    """A YAML file could not be read, parsed or validated."""


class ArchiveError(NbesokError):
    """The archive as a whole is inconsistent or cannot be found."""


class TemplateError(NbesokError):
    """A Jinja template or the reference .docx is broken."""


class RenderError(NbesokError):
    """A document could not be produced from valid input."""


class OutputError(NbesokError):
    """A file could not be written where the user asked."""


class UsageError(NbesokError):
    """The command line asks for something impossible (exit code 2)."""

    exit_code = 2
