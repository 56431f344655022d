"""``nbesok report``: the follow-up notes for the committee, written from the archive.

A tjänsteskrivelse for one or more visits, or a season compilation for all visits
of a protocol or period. Every figure in them is counted here from the visit files,
never typed, so no total can disagree with its source.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from nbesok import fragments
from nbesok.archive import Archive
from nbesok.checks import checked_visit
from nbesok.documents import (
    Document,
    committee,
    personnummer_severity,
    protocol_context,
    reference_docx,
    sorted_entries,
    sources,
    tracked_entries,
    visit_context,
)
from nbesok.errors import (
    ArchiveError,
    Finding,
    NbesokError,
    RenderError,
    UsageError,
)
from nbesok.followup import VisitFile, load_visit_files, same_words, track
from nbesok.inputs import expand_paths
from nbesok.loading import Loaded, load_visit
from nbesok.models import Protocol, Status, Visit
from nbesok.names import slugify
from nbesok.personnummer import allowed_digits
from nbesok.publish import Outcome, publish
from nbesok.record import sources_text
from nbesok.seasons import PERIOD_HINT, parse_period
from nbesok.templating import enumerate_swedish, render_template

VISIT_REPORT_TEMPLATE = "uppfoljning.md.j2"
SEASON_TEMPLATE = "sammanstallning.md.j2"


@dataclass(frozen=True)
class VisitWithProtocol:
    visit: Loaded[Visit]
    protocol: Protocol


def load_visits(
    archive: Archive, paths: Sequence[Path], today: date, *, allow_personnummer: bool = False
) -> list[VisitWithProtocol]:
    """Load and check the visits; any error in any of them stops the report."""
    loaded: list[VisitWithProtocol] = []
    errors: list[Finding] = []
    for path in paths:
        try:
            archive.confine(path)
            visit = load_visit(path)
            protocol, findings = checked_visit(
                visit, archive, today, personnummer=personnummer_severity(allow_personnummer)
            )
            errors += [f for f in findings if f.is_error]
            if not errors and protocol is not None:
                loaded.append(VisitWithProtocol(visit, protocol.model))
        except NbesokError as error:
            errors += error.findings
    if errors:
        raise RenderError(errors)
    return sorted(loaded, key=lambda item: (item.visit.model.date, item.visit.stem))


@dataclass(frozen=True)
class Selection:
    """The visits of a compilation, and what they are: ``2023``, or a protocol's title."""

    paths: list[Path]
    period: str


def select_season(archive: Archive, *, protocol_id: str | None, period: str | None) -> Selection:
    """The visit files of one protocol, or of one period by their ``besöksdatum``.

    Every visit file is read: one that cannot be is an error, since a compilation that
    silently left it out would count wrong.
    """
    wanted: Callable[[Visit], bool]
    if protocol_id is not None:
        protocol = archive.protocol(protocol_id).model
        season_name = protocol.period

        def wanted(visit: Visit) -> bool:
            return visit.protocol == protocol_id

    else:
        assert period is not None
        season = parse_period(period)
        if season is None:
            periods = sorted({archive.protocol(pid).model.period for pid in archive.protocol_ids()})
            hint = f"; perioderna i protocols/ är {', '.join(periods)}" if periods else ""
            raise UsageError.at("--period", f"”{period}” är ingen period: {PERIOD_HINT}{hint}")
        season_name = season.describe()

        def wanted(visit: Visit) -> bool:
            return visit.date in season

    chosen: list[Path] = []
    errors: list[Finding] = []
    for path in archive.visit_paths():
        try:
            archive.confine(path)
            visit = load_visit(path).model
        except NbesokError as error:
            errors += error.findings
            continue
        if wanted(visit):
            chosen.append(path)
    if errors:
        raise RenderError(errors)
    if not chosen:
        raise ArchiveError.at(
            archive.visits_dir,
            f"inga besök i visits/ under {season_name}; inget att sammanställa",
        )
    return Selection(chosen, season_name)


def visit_report(
    archive: Archive,
    visits: list[VisitWithProtocol],
    proposals: Sequence[str],
    *,
    per: date,
    day: date,
    official: str | None,
) -> Document:
    """The tjänsteskrivelse for the given visits."""
    several = len(visits) > 1
    if not several:
        only = visits[0].visit.model
        title = f"Redovisning av nämndbesök hos {only.operation} {only.date.isoformat()}"
        name = f"{visits[0].visit.stem}-uppfoljning"
    else:
        title = _several_title([item.visit.model for item in visits])
        name = f"uppfoljning-{visits[0].visit.stem}-med-flera"
    case_number = _shared_case_number(visits)
    context = {
        **_head(archive, visits, title, day, official, case_number),
        "förslag": list(proposals),
        "besök": [_visit_entry(archive, item) for item in visits],
        "flera": several,
        "diarienummer": case_number,
        "punkter": _items(archive, visits, per),
        "per": per.isoformat(),
        "underlag": [_underlag(item) for item in visits],
    }
    markdown = render_template(VISIT_REPORT_TEMPLATE, archive.templates_dir, context)
    return Document(name, markdown, _sources(archive, visits), _allowed(visits))


def season_report(
    archive: Archive,
    visits: list[VisitWithProtocol],
    season: str,
    proposals: Sequence[str],
    *,
    per: date,
    day: date,
    official: str | None,
    name: str,
) -> Document:
    """The compilation of a season: visits, answers per question, all follow-up items."""
    items = _items(archive, visits, per)
    per_status = Counter(entry["status"] for entry in items)
    title = f"Sammanställning av nämndbesök {season}"
    context = {
        **_head(archive, visits, title, day, official, _shared_case_number(visits)),
        "period": season,
        "förslag": list(proposals),
        "per": per.isoformat(),
        "besök": [_visit_entry(archive, item) for item in visits],
        "protokoll": [_protocol_entry(visits, pid) for pid in _protocol_ids(visits)],
        "punkter": items,
        "antal": {
            "besök": len(visits),
            "verksamheter": len({same_words(item.visit.model.operation) for item in visits}),
            "punkter": len(items),
            "per_status": {status.value: per_status[status.value] for status in Status},
            "försenade": sum(entry["försenad"] for entry in items),
        },
        "underlag": [_underlag(item) for item in visits],
    }
    markdown = render_template(SEASON_TEMPLATE, archive.templates_dir, context)
    return Document(name, markdown, _sources(archive, visits), _allowed(visits))


def _head(
    archive: Archive,
    visits: list[VisitWithProtocol],
    title: str,
    day: date,
    official: str | None,
    case_number: str,
) -> dict[str, Any]:
    """The tjänsteskrivelse's head: who writes, when, under what number, to whom."""
    settings = archive.settings
    handler = official if official is not None else _official(visits)
    addressee = enumerate_swedish(
        dict.fromkeys(
            committee(item.protocol, archive)
            for item in visits
            if committee(item.protocol, archive)
        )
    )
    rows: list[tuple[str, str]] = []
    if settings.municipality:
        rows.append(("Kommun", settings.municipality))
    if settings.administration:
        rows.append(("Förvaltning", settings.administration))
    rows += [("Dokument", "Tjänsteskrivelse"), ("Datum", day.isoformat())]
    if case_number:
        rows.append(("Diarienummer", case_number))
    if handler:
        rows.append(("Handläggare", handler))
    if addressee:
        rows.append(("Till", addressee))
    return {
        "titel": title,
        "huvud_rader": rows,
        "datum": day.isoformat(),
        "handläggare": handler,
        "till": addressee,
        "kommun": settings.municipality or "",
        "förvaltning": settings.administration or "",
    }


def _official(visits: list[VisitWithProtocol]) -> str:
    """The handläggare: the first tjänsteperson of the latest visit."""
    for item in reversed(visits):
        if item.visit.model.officials:
            return item.visit.model.officials[0]
    return ""


def _shared_case_number(visits: list[VisitWithProtocol]) -> str:
    """The visits' diarienummer when they share one, else "" (each visit names its own)."""
    numbers = {item.visit.model.case_number for item in visits}
    return next(iter(numbers)) or "" if len(numbers) == 1 else ""


def _several_title(visits: list[Visit]) -> str:
    operations = list(dict.fromkeys(visit.operation for visit in visits))
    if len(operations) <= 3:
        return f"Redovisning av nämndbesök hos {enumerate_swedish(operations)}"
    first, last = min(v.date for v in visits), max(v.date for v in visits)
    return f"Redovisning av {len(visits)} nämndbesök {first.isoformat()}–{last.isoformat()}"


def _underlag(item: VisitWithProtocol) -> str:
    visit = item.visit.model
    return (
        f"Protokoll från nämndbesöket hos {visit.operation} {visit.date.isoformat()} "
        f"({item.visit.stem}.docx)"
    )


def _items(archive: Archive, visits: list[VisitWithProtocol], per: date) -> list[dict[str, Any]]:
    """Every item of the report once, in its latest state within the report.

    Earlier visits to the same verksamheter, outside the report, give the items their
    history: an item carried over from one is shown with where it stood then. Only
    visits before the report's first one count, so an item in the report is never
    replaced by a later visit's copy of it. A file that cannot be read is left out of
    the history; ``validate`` names it.
    """
    files = [VisitFile(item.visit.path, item.visit.model) for item in visits]
    in_report = {file.path.resolve() for file in files}
    first = min(file.visit.date for file in files)
    operations = {same_words(file.visit.operation) for file in files}
    others = [p for p in archive.visit_paths() if p.resolve() not in in_report]
    earlier, _unreadable = load_visit_files(others, archive)
    history = [
        file
        for file in earlier
        if file.visit.date < first and same_words(file.visit.operation) in operations
    ]
    reported = [t for t in track([*history, *files]) if t.source.path.resolve() in in_report]
    return sorted_entries(tracked_entries(reported, per))


def _sources(archive: Archive, visits: list[VisitWithProtocol]) -> tuple[Path, ...]:
    protocols = {item.visit.model.protocol for item in visits}
    return sources(
        archive,
        *(item.visit.path for item in visits),
        *(archive.protocols_dir / f"{protocol}.yaml" for protocol in sorted(protocols)),
    )


def _allowed(visits: list[VisitWithProtocol]) -> frozenset[str]:
    """The personnummer any of the visits allows: a report quotes them."""
    return allowed_digits(number for item in visits for number in item.visit.model.allowed_numbers)


def _protocol_ids(visits: list[VisitWithProtocol]) -> list[str]:
    return list(dict.fromkeys(item.visit.model.protocol for item in visits))


def _visit_entry(archive: Archive, item: VisitWithProtocol) -> dict[str, Any]:
    entry = visit_context(item.visit.model)
    entry["fil"] = item.visit.stem
    entry["protokoll_titel"] = item.protocol.title
    entry["etiketter"] = protocol_context(item.protocol, archive)["etiketter"]
    entry["till_nämnden"] = [
        {
            "fråga": question.question,
            "svar": fragments.close(item.visit.model.answers.get(question.id) or ""),
        }
        for question in item.protocol.questions()
        if question.to_committee
    ]
    return entry


def _protocol_entry(visits: list[VisitWithProtocol], protocol_id: str) -> dict[str, Any]:
    group = [item for item in visits if item.visit.model.protocol == protocol_id]
    protocol = group[0].protocol
    return {
        "id": protocol_id,
        "titel": protocol.title,
        "frågor": [
            {
                "fråga": question.question,
                "svar": [
                    {
                        "verksamhet": item.visit.model.operation,
                        "datum": item.visit.model.date.isoformat(),
                        "text": fragments.close(item.visit.model.answers.get(question.id) or ""),
                    }
                    for item in group
                ],
            }
            for question in protocol.questions()
        ],
    }


def season_name(protocol_id: str | None, period: str | None) -> str:
    """The output name of a compilation: from the protocol id, or the period made file-safe."""
    return f"sammanstallning-{protocol_id or slugify(period or '')}"


def _check_proposals(proposals: Sequence[str]) -> None:
    from nbesok.personnummer import proposal_findings

    found = proposal_findings(proposals)
    if found:
        raise RenderError(found)


def write_report(
    archive: Archive,
    visit_paths: Sequence[Path],
    *,
    protocol_id: str | None,
    period: str | None,
    per: date,
    proposals: Sequence[str],
    formats: Sequence[str],
    out_dir: Path,
    today: date,
    day: date | None = None,
    official: str | None = None,
    allow_personnummer: bool = False,
    libreoffice: Path | None = None,
    waiting: Callable[[Path], None] | None = None,
) -> Outcome:
    """Write a tjänsteskrivelse (visits given) or a season compilation (protocol or period).

    Follow-up items are overdue as of ``per``; the document is dated ``day`` (default
    ``per``); ``official`` is the handläggare (default the tjänsteperson of the visit).
    """
    chosen = [bool(visit_paths), protocol_id is not None, period is not None]
    if sum(chosen) != 1:
        raise UsageError.at(
            "nbesok report",
            "ange antingen besöksfiler, --protokoll ID eller --period PERIOD (exakt ett av dem)",
        )
    archive.check_output_folder(out_dir)
    if proposals and not allow_personnummer:
        _check_proposals(proposals)
    proposals = list(proposals) or archive.settings.proposals
    day = day or per
    if visit_paths:
        files = expand_paths(visit_paths, ".yaml")
        visits = load_visits(archive, files, today, allow_personnummer=allow_personnummer)
        document = visit_report(archive, visits, proposals, per=per, day=day, official=official)
        owner = "tjänsteskrivelsen om " + sources_text(files, archive.root)
    else:
        selection = select_season(archive, protocol_id=protocol_id, period=period)
        visits = load_visits(archive, selection.paths, today, allow_personnummer=allow_personnummer)
        name = season_name(protocol_id, period)
        document = season_report(
            archive,
            visits,
            selection.period,
            proposals,
            per=per,
            day=day,
            official=official,
            name=name,
        )
        owner = f"sammanställningen för {selection.period}"
    return publish(
        document,
        owner,
        formats,
        out_dir,
        reference_docx(archive),
        libreoffice,
        allow_personnummer=allow_personnummer,
        waiting=waiting,
    )
