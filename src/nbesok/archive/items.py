"""Follow-up items across visits: one item followed from visit to visit.

``nbesok new`` carries a verksamhet's open items into the next visit's file, each with
``från: <the earlier visit's file name>``. From then on the later copy is the item:
the earlier one is its history. Tracking applies that rule to any set of visits, so
the season compilation, ``followup`` and ``history`` count each item once, in its
latest state, and can say where it stood before.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from nbesok.archive.loading import load_visit
from nbesok.archive.models import FollowUp, Status, Visit
from nbesok.archive.root import Archive
from nbesok.core.errors import Finding, NbesokError


def same_words(text: str) -> str:
    """How two names or item texts are compared: case, Unicode form and spacing aside."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


@dataclass(frozen=True)
class VisitFile:
    """A loaded visit and the file it came from."""

    path: Path
    visit: Visit

    @property
    def stem(self) -> str:
        return self.path.stem


@dataclass(frozen=True)
class Step:
    """Where an item stood at an earlier visit."""

    date: date
    status: Status
    stem: str


@dataclass(frozen=True)
class Tracked:
    """A follow-up item in its latest state, with its earlier states, oldest first."""

    source: VisitFile
    item: FollowUp
    history: tuple[Step, ...] = ()

    @property
    def visit(self) -> Visit:
        return self.source.visit

    @property
    def is_open(self) -> bool:
        return self.item.status is not Status.DONE

    def overdue(self, per: date) -> bool:
        return self.is_open and self.item.due is not None and self.item.due < per

    @property
    def first_noted(self) -> date:
        return self.history[0].date if self.history else self.visit.date


def track(visits: Iterable[VisitFile]) -> list[Tracked]:
    """Every item of ``visits`` once: an item carried to a later visit (``från`` naming
    the earlier file, the same text) replaces the earlier one and keeps it as history.

    The result is in visit order, and within a visit in the file's order.
    """
    current: dict[tuple[str, int], Tracked] = {}
    by_text: dict[tuple[str, str], list[tuple[str, int]]] = {}
    for source in sorted(visits, key=lambda v: (v.visit.date, v.stem)):
        for index, item in enumerate(source.visit.follow_up):
            history: tuple[Step, ...] = ()
            if item.origin is not None:
                earlier = by_text.get((item.origin, same_words(item.item)), [])
                while earlier:
                    previous = current.pop(earlier.pop(0), None)
                    if previous is not None:
                        step = Step(previous.visit.date, previous.item.status, previous.source.stem)
                        history = (*previous.history, step)
                        break
            key = (source.stem, index)
            current[key] = Tracked(source, item, history)
            by_text.setdefault((source.stem, same_words(item.item)), []).append(key)
    return list(current.values())


def load_visit_files(
    paths: Sequence[Path], archive: Archive | None = None
) -> tuple[list[VisitFile], list[Finding]]:
    """The visits that could be read, and the located errors of those that could not;
    none that leads out of ``archive`` (see :meth:`Archive.confine`)."""
    loaded: list[VisitFile] = []
    errors: list[Finding] = []
    for path in paths:
        try:
            if archive is not None:
                archive.confine(path)
            loaded.append(VisitFile(path, load_visit(path).model))
        except NbesokError as error:
            errors += error.findings
    return loaded, errors


def visits_to(operation: str, visits: Iterable[VisitFile]) -> list[VisitFile]:
    """The visits to one verksamhet, oldest first."""
    from nbesok.archive.masks import internal_field

    # By the words, a masked verksamhet too: "Solrosen" is "[Solrosen]{maskera=…}".
    wanted = same_words(internal_field(operation))
    return sorted(
        (v for v in visits if same_words(internal_field(v.visit.operation)) == wanted),
        key=lambda v: (v.visit.date, v.stem),
    )


def open_items_before(operation: str, day: date, visits: Iterable[VisitFile]) -> list[Tracked]:
    """The items still open at a verksamhet's visits before ``day``: what the next visit
    carries over."""
    earlier = [v for v in visits_to(operation, visits) if v.visit.date < day]
    return [tracked for tracked in track(earlier) if tracked.is_open]
