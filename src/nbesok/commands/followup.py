"""``nbesok followup`` and ``nbesok history``: open items at a glance, a verksamhet over time.

Both read every visit of the archive. A visit that cannot be read is an error, said
beside the list, since a list that silently left it out would say its items were done;
the other visits are still listed. Both show public text: a masked passage is its
placeholder (``[Personuppgift borttagen]``), unless ``reveal`` asks for the masked
words (``--visa-maskerat``); filters match the words. Every row and line is an outlet:
one that would show a personnummer its visit does not allow is withheld, and said where
it was written (a number in a masked passage shows only with ``reveal``, where the mask
is the permission). A CSV cell that a spreadsheet would take as a formula is neutralised.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from nbesok.archive.guard import Guard
from nbesok.archive.items import Tracked, VisitFile, load_visit_files, same_words, track, visits_to
from nbesok.archive.masks import blanked, internal_field, public_field
from nbesok.archive.models import Status
from nbesok.archive.root import Archive
from nbesok.core.errors import ArchiveError, Finding
from nbesok.core.names import fold, nearest
from nbesok.core.paths import display_path
from nbesok.core.terminal import aligned_table

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


def read_visits(archive: Archive) -> tuple[list[VisitFile], list[Finding]]:
    """The visits that can be read, and the located errors of those that cannot."""
    return load_visit_files(archive.visit_paths(), archive)


@dataclass(frozen=True)
class Listing:
    """The items to show, and what kept others out of the list."""

    items: list[Tracked]
    problems: list[Finding]


def open_items(archive: Archive, per: date, filters: Filters, *, reveal: bool = False) -> Listing:
    """The items the filters keep, each once in its latest state: overdue ones first
    (earliest due first), then the rest by due date, undated last. An item whose row
    would show a personnummer is left out, and said where it was written."""
    visits, problems = read_visits(archive)
    items = [tracked for tracked in track(visits) if filters.keep(tracked)]
    text = shown_text(reveal)
    shown: list[Tracked] = []
    for tracked in items:
        withheld = _guard(tracked.source, reveal=reveal).findings(
            [
                ("i listan", "  ".join(_row(tracked, per, text))),
                ("i listan", "  ".join(_cells(tracked, per, text))),
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


def _guard(*sources: VisitFile, reveal: bool = False) -> Guard:
    """The guard on what the sources' lines show: the numbers they allow, and with
    ``reveal`` those in their masked passages (shown only to whoever asks)."""
    from nbesok.archive.personnummer import allowed_digits, value_texts

    allowed = allowed_digits(n for source in sources for n in source.visit.allowed_numbers)
    if reveal:
        allowed |= _masked_digits(
            value_texts(source.visit.model_dump(by_alias=True)) for source in sources
        )
    return Guard([source.path for source in sources], allowed)


def _masked_digits(groups: Iterable[Iterable[str]]) -> frozenset[str]:
    """The numbers that stand in masked passages only."""
    from nbesok.archive.personnummer import find_numbers

    found: set[str] = set()
    for texts in groups:
        for text in texts:
            every = {match.digits for match in find_numbers(text)}
            found |= every - {match.digits for match in find_numbers(blanked(text))}
    return frozenset(found)


def shown_text(reveal: bool) -> Callable[[str], str]:
    """How a listing shows a field: public (masks as placeholders) or with its words."""
    return internal_field if reveal else public_field


def status_text(tracked: Tracked, per: date) -> str:
    return tracked.item.status.value + (" (försenad)" if tracked.overdue(per) else "")


def _history_text(tracked: Tracked) -> str:
    return ", ".join(f"{step.status.value} {step.date.isoformat()}" for step in tracked.history)


def _row(t: Tracked, per: date, text: Callable[[str], str]) -> tuple[str, ...]:
    return (
        t.item.due.isoformat() if t.item.due else "–",
        status_text(t, per),
        text(t.visit.operation),
        text(t.item.responsible),
        text(t.item.item) + (f" (tidigare: {_history_text(t)})" if t.history else ""),
    )


def table_lines(items: Sequence[Tracked], per: date, *, reveal: bool = False) -> list[str]:
    """An aligned table for the terminal; the long Punkt column last."""
    header = ("Senast", "Status", "Verksamhet", "Ansvarig", "Punkt")
    text = shown_text(reveal)
    rows = [_row(t, per, text) for t in items]
    return aligned_table(header, rows)


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


def _cells(t: Tracked, per: date, text: Callable[[str], str]) -> tuple[str, ...]:
    return (
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


# What starts a formula in Excel or LibreOffice (OWASP, "CSV Injection"), with the
# full-width forms some spreadsheets read the same way.
_FORMULA_START = tuple("=+-@\t\r\uff1d\uff0b\uff0d\uff20")


def neutral_cell(text: str) -> str:
    """A cell a spreadsheet shows as the text it is: one that would start a formula gets
    a leading apostrophe, as OWASP recommends (also after leading spaces, which some
    spreadsheets skip)."""
    return "'" + text if text.lstrip(" ").startswith(_FORMULA_START) else text


def csv_text(items: Sequence[Tracked], per: date, *, reveal: bool = False) -> str:
    buffer = io.StringIO()
    # Every field in quotes, as OWASP recommends, so that no cell is read as anything
    # but one text.
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerow(CSV_HEADER)
    text = shown_text(reveal)
    for t in items:
        writer.writerow([neutral_cell(cell) for cell in _cells(t, per, text)])
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
) -> tuple[list[str], list[Finding]]:
    """The visits to one verksamhet, oldest first, each with its items and where each
    item went next; and what kept something out (a visit that cannot be read, a line
    that would show a personnummer, which is left out)."""
    text = shown_text(reveal)
    visits, problems = read_visits(archive)
    chosen = visits_to(operation, visits)
    if not chosen:
        try:
            chosen = visits_to(_named(archive, operation, visits, text), visits)
        except ArchiveError as error:
            raise ArchiveError([*problems, *error.findings]) from None
    carried_to = {
        (item.origin, same_words(item.item)): v.visit.date
        for v in chosen
        for item in v.visit.follow_up
        if item.origin is not None
    }
    first, last = chosen[0].visit.date, chosen[-1].visit.date
    count = "1 besök" if len(chosen) == 1 else f"{len(chosen)} besök"
    span = first.isoformat() if first == last else f"{first.isoformat()}–{last.isoformat()}"
    every = _guard(*chosen, reveal=reveal)
    heading = f"{text(chosen[-1].visit.operation)}: {count}, {span}"
    lines: list[tuple[str, Guard]] = [(heading, every)]
    for source in chosen:
        visit = source.visit
        own = _guard(source, reveal=reveal)  # a visit's lines show what it allows, no more
        details = [visit.protocol] + (
            [f"dnr {text(visit.case_number)}"] if visit.case_number else []
        )
        members = ", ".join(text(m.display()) for m in visit.members) or "–"
        lines += [
            ("", own),
            (f"{visit.date.isoformat()}  {display_path(source.path)} ({', '.join(details)})", own),
            (f"  Ledamöter: {members}", own),
            (f"  Tjänstepersoner: {', '.join(text(o) for o in visit.officials) or '–'}", own),
        ]
        if not visit.follow_up:
            lines.append(("  Inga uppföljningspunkter.", own))
            continue
        lines.append(("  Uppföljning:", own))
        for item in visit.follow_up:
            due = f", senast {item.due.isoformat()}" if item.due else ""
            later = carried_to.get((source.stem, same_words(item.item)))
            onward = f" → följs upp vid besöket {later.isoformat()}" if later else ""
            line = (
                f"    - {item.status.value}{due}: {text(item.item)} ({text(item.responsible)})"
                f"{onward}"
            )
            lines.append((line, own))
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
