"""``nbesok validate``: every file of the archive checked, on every core when there are many.

The checks of one file live in :mod:`nbesok.archive.checks`; this module picks the files,
spreads them over worker processes and gathers the findings in file order.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from nbesok.archive.checks import check_file
from nbesok.archive.root import MARKER, Archive
from nbesok.core.errors import Finding, NbesokError, finding, worker_died
from nbesok.core.inputs import expand_paths


@dataclass
class Report:
    """The outcome of validating a set of files."""

    files: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(f.is_error for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.is_warning for f in self.findings)


def archive_files(archive: Archive, paths: Sequence[Path]) -> list[Path]:
    """The YAML files to check: the whole archive, or the given files and folders."""
    if not paths:
        return [archive.root / MARKER, *archive.protocol_paths(), *archive.visit_paths()]
    return expand_paths(paths, ".yaml", keep_missing=True)


# Below this many files, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 200


def validate_files(
    archive: Archive, paths: Sequence[Path], today: date, *, workers: int | None = None
) -> Report:
    """Load and check every file; collect findings instead of stopping at the first.

    A large archive is checked on every core: each file is independent.
    """
    count = workers if workers is not None else (os.cpu_count() or 1)
    report = Report(files=len(paths))
    if count <= 1 or len(paths) < PARALLEL_THRESHOLD:
        report.findings = _check_files(archive, paths, today)
    else:
        from nbesok.core.processes import run_chunks  # only large archives need it

        deaths: list[str] = []
        report.findings = list(
            run_chunks(
                _check_chunk,
                list(paths),
                workers=count,
                lost=_lost,
                deaths=deaths,
                initializer=_start_worker,
                initargs=(archive.root, archive.named, today),
            )
        )
        report.findings += [worker_died(why) for why in deaths]
    report.findings.sort(key=lambda f: (f.path, f.line, f.column))
    return report


_WORKER: dict[str, Any] = {}


def _start_worker(root: Path, named: frozenset[Path], today: date) -> None:
    _WORKER.update(archive=Archive(root, named), today=today)


def _lost(path: Path, why: str) -> Finding:
    return finding(
        path,
        f"filen kontrollerades inte: arbetsprocessen som läste den avslutades oväntat två "
        f"gånger ({why}); kontrollera filen för sig med ”nbesok validate {path.name}”",
    )


def _check_chunk(paths: list[Path]) -> list[Finding]:
    return _check_files(_WORKER["archive"], paths, _WORKER["today"])


def _check_files(archive: Archive, paths: Sequence[Path], today: date) -> list[Finding]:
    findings: list[Finding] = []
    for path in paths:
        try:
            findings.extend(check_file(archive, path, today))
        except NbesokError as error:
            findings.extend(error.findings)
    return findings
