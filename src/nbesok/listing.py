"""What ``followup`` and ``history`` print: open items at a glance, a verksamhet over time.

Both read every visit of the archive. A visit that cannot be read is an error, said
beside the list, since a list that silently left it out would say its items were done;
the other visits are still listed. Every row and line is an outlet: one that would show
a personnummer its visit does not allow is withheld, and said where it was written.
A CSV cell that a spreadsheet would take as a formula is neutralised.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from nbesok.archive import Archive
from nbesok.errors import ArchiveError, Finding, finding
from nbesok.followup import Tracked, VisitFile, load_visit_files, same_words, track, visits_to
from nbesok.guard import Guard
from nbesok.models import Status
from nbesok.names import nearest
from nbesok.paths import display_path

OPEN = frozenset({Status.NOT_STARTED, Status.STARTED})


@dataclass(frozen=True)
class Filters:
    """Which items to list: words the verksamhet or ansvarig contains, and statuses."""

    operation: str | None = None
    responsible: str | None = None
    statuses: frozenset[Status] = OPEN

    def keep(self, tracked: Tracked) -> bool:
        item = tracked.item
        if item.status not in self.statuses:
            return False
        if self.operation and same_words(self.operation) not in same_words(tracked.visit.operation):
            return False
        return not (
            self.responsible and same_words(self.responsible) not in same_words(item.responsible)
        )


def read_visits(archive: Archive) -> tuple[list[VisitFile], list[Finding]]:
    """The visits that can be read, and the located errors of those that cannot."""
    return load_visit_files(archive.visit_paths(), archive)


@dataclass(frozen=True)
class Listing:
    """The items to show, and what kept others out of the list."""

    items: list[Tracked]
    problems: list[Finding]


def open_items(archive: Archive, per: date, filters: Filters) -> Listing:
    """The items the filters keep, each once in its latest state: overdue ones first
    (earliest due first), then the rest by due date, undated last. An item whose row
    would show a personnummer is left out, and said where it was written."""
    visits, problems = read_visits(archive)
    items = [tracked for tracked in track(visits) if filters.keep(tracked)]
    shown: list[Tracked] = []
    for tracked in items:
        withheld = _guard(tracked.source).findings(
            [
                ("i listan", "  ".join(_row(tracked, per))),
                ("i listan", "  ".join(_cells(tracked, per))),
            ],
            tracked.source.path,
        )
        problems += withheld
        if not withheld:
            shown.append(tracked)
    ordered = sorted(
        shown,
        key=lambda t: (
            not t.overdue(per),
            t.item.due or date.max,
            same_words(t.visit.operation),
            t.item.item,
        ),
    )
    return Listing(ordered, problems)


def _guard(*sources: VisitFile) -> Guard:
    from nbesok.personnummer import allowed_digits

    allowed = allowed_digits(n for source in sources for n in source.visit.allowed_numbers)
    return Guard([source.path for source in sources], allowed)


def status_text(tracked: Tracked, per: date) -> str:
    return tracked.item.status.value + (" (försenad)" if tracked.overdue(per) else "")


def _history_text(tracked: Tracked) -> str:
    return ", ".join(f"{step.status.value} {step.date.isoformat()}" for step in tracked.history)


def _row(t: Tracked, per: date) -> tuple[str, ...]:
    return (
        t.item.due.isoformat() if t.item.due else "–",
        status_text(t, per),
        t.visit.operation,
        t.item.responsible,
        t.item.item + (f" (tidigare: {_history_text(t)})" if t.history else ""),
    )


def table_lines(items: Sequence[Tracked], per: date) -> list[str]:
    """An aligned table for the terminal; the long Punkt column last."""
    header = ("Senast", "Status", "Verksamhet", "Ansvarig", "Punkt")
    rows = [_row(t, per) for t in items]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header) - 1)]

    def line(row: tuple[str, ...]) -> str:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        return "  ".join([*cells, row[-1]]).rstrip()

    rule = (*("-" * width for width in widths), "-" * max(len(row[-1]) for row in [header, *rows]))
    return [line(header), line(rule), *map(line, rows)]


def summary(items: Sequence[Tracked], per: date) -> str:
    late = sum(t.overdue(per) for t in items)
    if not items:
        return f"Inga punkter att visa per {per.isoformat()}."
    noun = "punkt" if len(items) == 1 else "punkter"
    late_text = "försenad" if late == 1 else "försenade"
    return f"{len(items)} {noun}, varav {late} {late_text} per {per.isoformat()}."


# Excel in Sweden separates fields with ";" and reads UTF-8 only after a byte order mark.
CSV_HEADER = (
    "verksamhet",
    "besöksdatum",
    "punkt",
    "ansvarig",
    "senast",
    "status",
    "försenad",
    "tidigare",
    "fil",
)


def _cells(t: Tracked, per: date) -> tuple[str, ...]:
    return (
        t.visit.operation,
        t.visit.date.isoformat(),
        t.item.item,
        t.item.responsible,
        t.item.due.isoformat() if t.item.due else "",
        t.item.status.value,
        "ja" if t.overdue(per) else "nej",
        _history_text(t),
        display_path(t.source.path),
    )


# What starts a formula in Excel or LibreOffice (OWASP, "CSV Injection"), with the
# full-width forms some spreadsheets read the same way.
_FORMULA_START = tuple("=+-@\t\r\uff1d\uff0b\uff0d\uff20")


def neutral_cell(text: str) -> str:
    """A cell a spreadsheet shows as the text it is: one that would start a formula gets
    a leading apostrophe, as OWASP recommends (also after leading spaces, which some
    spreadsheets skip)."""
    return "'" + text if text.lstrip(" ").startswith(_FORMULA_START) else text


def csv_text(items: Sequence[Tracked], per: date) -> str:
    buffer = io.StringIO()
    # Every field in quotes, as OWASP recommends, so that no cell is read as anything
    # but one text.
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerow(CSV_HEADER)
    for t in items:
        writer.writerow([neutral_cell(cell) for cell in _cells(t, per)])
    return "\ufeff" + buffer.getvalue()


def history_lines(archive: Archive, operation: str, per: date) -> tuple[list[str], list[Finding]]:
    """The visits to one verksamhet, oldest first, each with its items and where each
    item went next; and what kept something out (a visit that cannot be read, a line
    that would show a personnummer, which is left out)."""
    visits, problems = read_visits(archive)
    chosen = visits_to(operation, visits)
    if not chosen:
        known = sorted({v.visit.operation for v in visits})
        suggestion = nearest(operation, known)
        hint = f"; menade du ”{suggestion}”?" if suggestion else ""
        listing = f" Verksamheter i arkivet: {', '.join(known)}." if known and not hint else ""
        missing = finding(
            archive.visits_dir, f"inga besök hos ”{operation}” i visits/{hint}{listing}"
        )
        raise ArchiveError([*problems, missing])
    carried_to = {
        (item.origin, same_words(item.item)): v.visit.date
        for v in chosen
        for item in v.visit.follow_up
        if item.origin is not None
    }
    first, last = chosen[0].visit.date, chosen[-1].visit.date
    count = "1 besök" if len(chosen) == 1 else f"{len(chosen)} besök"
    span = first.isoformat() if first == last else f"{first.isoformat()}–{last.isoformat()}"
    every = _guard(*chosen)
    lines: list[tuple[str, Guard]] = [(f"{chosen[-1].visit.operation}: {count}, {span}", every)]
    for source in chosen:
        visit = source.visit
        own = _guard(source)  # a visit's lines show what that visit allows, no more
        details = [visit.protocol] + ([f"dnr {visit.case_number}"] if visit.case_number else [])
        lines += [
            ("", own),
            (f"{visit.date.isoformat()}  {display_path(source.path)} ({', '.join(details)})", own),
            (f"  Ledamöter: {', '.join(m.display() for m in visit.members) or '–'}", own),
            (f"  Tjänstepersoner: {', '.join(visit.officials) or '–'}", own),
        ]
        if not visit.follow_up:
            lines.append(("  Inga uppföljningspunkter.", own))
            continue
        lines.append(("  Uppföljning:", own))
        for item in visit.follow_up:
            due = f", senast {item.due.isoformat()}" if item.due else ""
            later = carried_to.get((source.stem, same_words(item.item)))
            onward = f" → följs upp vid besöket {later.isoformat()}" if later else ""
            text = f"    - {item.status.value}{due}: {item.item} ({item.responsible}){onward}"
            lines.append((text, own))
    still_open = [t for t in track(chosen) if t.is_open]
    closing = f"Öppna nu: {summary(still_open, per)}" if still_open else "Inga öppna punkter."
    lines += [("", every), (closing, every)]
    shown: list[str] = []
    for line, guard in lines:
        withheld = guard.findings([("i historiken", line)], archive.visits_dir)
        problems += withheld
        if not withheld and (line or shown):  # no blank line where a withheld one began
            shown.append(line)
    return shown, problems
