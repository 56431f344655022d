"""What ``followup`` and ``history`` print: open items at a glance, a verksamhet over time.

Both read every visit of the archive: a visit that cannot be read is an error, since a
list that silently left it out would say that its items were done. Both show public
text: a masked passage is its placeholder (``[Personuppgift borttagen]``), unless
``reveal`` asks for the masked words (``--visa-maskerat``); filters match the words.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from nbesok.archive import Archive
from nbesok.errors import ArchiveError, LoadError
from nbesok.followup import Tracked, VisitFile, load_visit_files, same_words, track, visits_to
from nbesok.masks import internal_field, public_field
from nbesok.models import Status
from nbesok.names import fold, nearest
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
        operation = internal_field(tracked.visit.operation)
        if self.operation and same_words(self.operation) not in same_words(operation):
            return False
        responsible = internal_field(item.responsible)
        return not (
            self.responsible and same_words(self.responsible) not in same_words(responsible)
        )


def read_visits(archive: Archive) -> list[VisitFile]:
    visits, errors = load_visit_files(archive.visit_paths())
    if errors:
        raise LoadError(errors)
    return visits


def open_items(archive: Archive, per: date, filters: Filters) -> list[Tracked]:
    """The items the filters keep, each once in its latest state: overdue ones first
    (earliest due first), then the rest by due date, undated last."""
    items = [tracked for tracked in track(read_visits(archive)) if filters.keep(tracked)]
    return sorted(
        items,
        key=lambda t: (
            not t.overdue(per),
            t.item.due or date.max,
            same_words(t.visit.operation),
            t.item.item,
        ),
    )


def status_text(tracked: Tracked, per: date) -> str:
    return tracked.item.status.value + (" (försenad)" if tracked.overdue(per) else "")


def _history_text(tracked: Tracked) -> str:
    return ", ".join(f"{step.status.value} {step.date.isoformat()}" for step in tracked.history)


def shown_text(reveal: bool) -> Callable[[str], str]:
    """How a listing shows a field: public (masks as placeholders) or with its words."""
    return internal_field if reveal else public_field


def table_lines(items: Sequence[Tracked], per: date, *, reveal: bool = False) -> list[str]:
    """An aligned table for the terminal; the long Punkt column last."""
    header = ("Senast", "Status", "Verksamhet", "Ansvarig", "Punkt")
    text = shown_text(reveal)
    rows = [
        (
            t.item.due.isoformat() if t.item.due else "–",
            status_text(t, per),
            text(t.visit.operation),
            text(t.item.responsible),
            text(t.item.item) + (f" (tidigare: {_history_text(t)})" if t.history else ""),
        )
        for t in items
    ]
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
    if not late:
        # Swedish says none, not "varav 0 försenade".
        none = "den är inte försenad" if len(items) == 1 else "ingen av dem är försenad"
        return f"{len(items)} {noun}; {none} per {per.isoformat()}."
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


def csv_text(items: Sequence[Tracked], per: date, *, reveal: bool = False) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    text = shown_text(reveal)
    for t in items:
        writer.writerow(
            (
                text(t.visit.operation),
                t.visit.date.isoformat(),
                text(t.item.item),
                text(t.item.responsible),
                t.item.due.isoformat() if t.item.due else "",
                t.item.status.value,
                "ja" if t.overdue(per) else "nej",
                _history_text(t),
                display_path(t.source.path),
            )
        )
    return "\ufeff" + buffer.getvalue()


def _named(
    archive: Archive, operation: str, visits: Sequence[VisitFile], text: Callable[[str], str]
) -> str:
    """The verksamhet a part of its name means (”Lindö” → ”Lindö förskola”), or an
    error that says which ones it could mean, each shown as ``text`` shows it (a masked
    name as its placeholder)."""
    known = sorted({v.visit.operation for v in visits}, key=same_words)
    wanted = fold(same_words(operation))
    partial = [name for name in known if wanted and wanted in fold(same_words(name))]
    if len(partial) == 1:
        return partial[0]
    if partial:
        quoted = [f"”{text(name)}”" for name in partial]
        hint = f"; menade du {', '.join(quoted[:-1])} eller {quoted[-1]}?"
    else:
        suggestion = nearest(operation, known)
        if suggestion:
            hint = f"; menade du ”{text(suggestion)}”?"
        elif known:
            hint = f". Verksamheter i arkivet: {', '.join(sorted({text(k) for k in known}))}."
        else:
            hint = "; arkivet har inga besök än."
    raise ArchiveError.at(archive.visits_dir, f"inga besök hos ”{operation}” i visits/{hint}")


def history_lines(
    archive: Archive, operation: str, per: date, *, reveal: bool = False
) -> list[str]:
    """The visits to one verksamhet, oldest first, each with its items and where each
    item went next."""
    text = shown_text(reveal)
    visits = read_visits(archive)
    chosen = visits_to(operation, visits)
    if not chosen:
        chosen = visits_to(_named(archive, operation, visits, text), visits)
    carried_to = {
        (item.origin, same_words(item.item)): v.visit.date
        for v in chosen
        for item in v.visit.follow_up
        if item.origin is not None
    }
    first, last = chosen[0].visit.date, chosen[-1].visit.date
    count = "1 besök" if len(chosen) == 1 else f"{len(chosen)} besök"
    span = first.isoformat() if first == last else f"{first.isoformat()}–{last.isoformat()}"
    lines = [f"{text(chosen[-1].visit.operation)}: {count}, {span}"]
    for source in chosen:
        visit = source.visit
        details = [visit.protocol] + (
            [f"dnr {text(visit.case_number)}"] if visit.case_number else []
        )
        lines += [
            "",
            f"{visit.date.isoformat()}  {display_path(source.path)} ({', '.join(details)})",
            f"  Ledamöter: {', '.join(text(m.display()) for m in visit.members) or '–'}",
            f"  Tjänstepersoner: {', '.join(text(o) for o in visit.officials) or '–'}",
        ]
        if not visit.follow_up:
            lines.append("  Inga uppföljningspunkter.")
            continue
        lines.append("  Uppföljning:")
        for item in visit.follow_up:
            due = f", senast {item.due.isoformat()}" if item.due else ""
            later = carried_to.get((source.stem, same_words(item.item)))
            onward = f" → följs upp vid besöket {later.isoformat()}" if later else ""
            lines.append(
                f"    - {item.status.value}{due}: {text(item.item)} ({text(item.responsible)})"
                f"{onward}"
            )
    still_open = [t for t in track(chosen) if t.is_open]
    lines += ["", f"Öppna nu: {summary(still_open, per)}" if still_open else "Inga öppna punkter."]
    return lines
