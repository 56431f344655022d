"""A delivery from start to end: choose and check the visits, build, write."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from nbesok.archive.root import Archive
from nbesok.commands.arkivera.builder import Package, build_package
from nbesok.commands.arkivera.selection import select_visits
from nbesok.commands.arkivera.writing import Written, write_package
from nbesok.core.errors import UsageError


@dataclass(frozen=True)
class Delivery:
    package: Package
    written: Written
    season: str


def deliver(
    archive: Archive,
    visits: Sequence[Path],
    *,
    period: str | None,
    out_dir: Path,
    container: str,
    today: date,
    day: date | None = None,
    libreoffice: Path | None = None,
) -> Delivery:
    """The package of ``period`` or of the visit files ``visits``, written to ``out_dir``."""
    if (period is None) == (not visits):
        raise UsageError.at(
            "--period",
            "ange antingen en period (--period 2023) eller besöksfilerna som ska arkiveras",
        )
    selection = select_visits(archive, visits, period, today)
    package = build_package(archive, selection, libreoffice=libreoffice, day=day)
    return Delivery(package, write_package(package, out_dir, container), selection.season)
