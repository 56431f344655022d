"""``nbesok report``: the follow-up notes for the committee, written from the archive.

A tjänsteskrivelse for one or more visits, or a season compilation for all visits
of a protocol or period. Every figure in them is counted here from the visit files,
never typed, so no total can disagree with its source.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from nbesok import fragments
from nbesok.archive import Archive
from nbesok.checks import checked_visit
from nbesok.documents import (
    Document,
    personnummer_severity,
    protocol_context,
    reference_docx,
    sources,
    visit_context,
)
from nbesok.errors import (
    ArchiveError,
    Finding,
    NbesokError,
    RenderError,
    UsageError,
    finding,
)
from nbesok.inputs import expand_paths
from nbesok.loading import Loaded, load_visit
from nbesok.models import FollowUp, Protocol, Status, Visit
from nbesok.names import nearest
from nbesok.publish import Outcome, publish
from nbesok.record import sources_text
from nbesok.templating import render_template

VISIT_REPORT_TEMPLATE = "uppfoljning.md.j2"
SEASON_TEMPLATE = "sammanstallning.md.j2"

# Open items first: what the committee still has to act on leads the table.
_STATUS_ORDER = {Status.NOT_STARTED: 0, Status.STARTED: 1, Status.DONE: 2}


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


def select_season(
    archive: Archive, *, protocol_id: str | None, period: str | None
) -> tuple[list[Path], str]:
    """The visit files of one protocol or one period, and the season's name."""
    if protocol_id is not None:
        protocol = archive.protocol(protocol_id).model
        wanted_ids = {protocol_id}
        season = protocol.period
    else:
        assert period is not None
        wanted_ids = {
            pid for pid in archive.protocol_ids() if archive.protocol(pid).model.period == period
        }
        if not wanted_ids:
            periods = sorted({archive.protocol(pid).model.period for pid in archive.protocol_ids()})
            suggestion = nearest(period, periods)
            hint = f"menade du ”{suggestion}”?" if suggestion else f"perioder: {', '.join(periods)}"
            raise UsageError.at("--period", f"inget protokoll gäller perioden ”{period}”; {hint}")
        season = period
    paths = [path for path in archive.visit_paths() if _protocol_of(path) in wanted_ids]
    if not paths:
        raise ArchiveError.at(
            archive.visits_dir, f"inga besök i visits/ hör till {season}; inget att sammanställa"
        )
    return paths, season


def _protocol_of(path: Path) -> str | None:
    try:
        return load_visit(path).model.protocol
    except NbesokError:
        return path.stem  # unreadable: let load_visits report it if it is selected


def visit_report(
    archive: Archive, visits: list[VisitWithProtocol], proposals: Sequence[str]
) -> Document:
    """The tjänsteskrivelse for the given visits."""
    periods = sorted({item.protocol.period for item in visits})
    if len(visits) == 1:
        only = visits[0].visit.model
        title = f"Redovisning av nämndbesök hos {only.operation} {only.date.isoformat()}"
        name = f"{visits[0].visit.stem}-uppfoljning"
    else:
        title = f"Redovisning av nämndbesök {' och '.join(periods)}"
        name = f"uppfoljning-{visits[0].visit.stem}-med-flera"
    context = {
        "titel": title,
        "förslag": list(proposals),
        "besök": [_visit_entry(item) for item in visits],
        "diarienummer": sorted(
            {v.visit.model.case_number for v in visits if v.visit.model.case_number}
        ),
        "underlag": [f"{item.visit.stem}.docx" for item in visits],
        "datum": max(item.visit.model.date for item in visits).isoformat(),
        "författare": _officials(visits),
    }
    markdown = render_template(VISIT_REPORT_TEMPLATE, archive.templates_dir, context)
    return Document(name, markdown, _sources(archive, visits))


def season_report(
    archive: Archive,
    visits: list[VisitWithProtocol],
    season: str,
    proposals: Sequence[str],
    per: date,
    name: str,
) -> Document:
    """The compilation of a season: visits, answers per question, all follow-up items."""
    items = sorted(
        (
            _item_entry(item, follow_up, per)
            for item in visits
            for follow_up in item.visit.model.follow_up
        ),
        key=lambda entry: (entry["ordning"], entry["senast"] or "9999", entry["verksamhet"]),
    )
    per_status = Counter(entry["status"] for entry in items)
    context = {
        "titel": f"Sammanställning av nämndbesök {season}",
        "period": season,
        "förslag": list(proposals),
        "per": per.isoformat(),
        "besök": [_visit_entry(item) for item in visits],
        "protokoll": [_protocol_entry(visits, pid) for pid in _protocol_ids(visits)],
        "punkter": items,
        "antal": {
            "besök": len(visits),
            "verksamheter": len({item.visit.model.operation for item in visits}),
            "punkter": len(items),
            "per_status": {status.value: per_status[status.value] for status in Status},
            "försenade": sum(entry["försenad"] for entry in items),
        },
        "underlag": [f"{item.visit.stem}.docx" for item in visits],
        "datum": per.isoformat(),
        "författare": _officials(visits),
    }
    markdown = render_template(SEASON_TEMPLATE, archive.templates_dir, context)
    return Document(name, markdown, _sources(archive, visits))


def _sources(archive: Archive, visits: list[VisitWithProtocol]) -> tuple[Path, ...]:
    protocols = {item.visit.model.protocol for item in visits}
    return sources(
        archive,
        *(item.visit.path for item in visits),
        *(archive.protocols_dir / f"{protocol}.yaml" for protocol in sorted(protocols)),
    )


def _officials(visits: list[VisitWithProtocol]) -> list[str]:
    return list(dict.fromkeys(name for item in visits for name in item.visit.model.officials))


def _protocol_ids(visits: list[VisitWithProtocol]) -> list[str]:
    return list(dict.fromkeys(item.visit.model.protocol for item in visits))


def _visit_entry(item: VisitWithProtocol) -> dict[str, Any]:
    entry = visit_context(item.visit.model)
    entry["fil"] = item.visit.stem
    entry["protokoll_titel"] = item.protocol.title
    entry["etiketter"] = protocol_context(item.protocol)["etiketter"]
    entry["till_nämnden"] = [
        {
            "fråga": question.question,
            "svar": fragments.close(item.visit.model.answers.get(question.id) or "").strip(),
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
                        "text": fragments.close(
                            item.visit.model.answers.get(question.id) or ""
                        ).strip(),
                    }
                    for item in group
                ],
            }
            for question in protocol.questions()
        ],
    }


def _item_entry(item: VisitWithProtocol, follow_up: FollowUp, per: date) -> dict[str, Any]:
    overdue = (
        follow_up.due is not None and follow_up.due < per and follow_up.status is not Status.DONE
    )
    return {
        "verksamhet": item.visit.model.operation,
        "besöksdatum": item.visit.model.date.isoformat(),
        "punkt": follow_up.item,
        "ansvarig": follow_up.responsible,
        "senast": follow_up.due.isoformat() if follow_up.due else "",
        "status": follow_up.status.value,
        "försenad": overdue,
        "ordning": _STATUS_ORDER[follow_up.status],
    }


def season_name(protocol_id: str | None, period: str | None) -> str:
    """The output name of a compilation: from the protocol id, or the period made file-safe."""
    from nbesok.names import slugify

    return f"sammanstallning-{protocol_id or slugify(period or '')}"


def _check_proposals(proposals: Sequence[str]) -> None:
    from nbesok.personnummer import find_numbers

    found = [match for text in proposals for match in find_numbers(text)]
    if found:
        raise RenderError(
            finding(
                "--förslag",
                f"{match.kind} ”{match.text}” i förslaget; protokoll är allmänna handlingar, "
                "ta bort numret (eller använd --tillåt-personnummer om det måste stå kvar)",
            )
            for match in found
        )


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
    allow_personnummer: bool = False,
    libreoffice: Path | None = None,
) -> Outcome:
    """Write a tjänsteskrivelse (visits given) or a season compilation (protocol or period)."""
    chosen = [bool(visit_paths), protocol_id is not None, period is not None]
    if sum(chosen) != 1:
        raise UsageError.at(
            "nbesok report",
            "ange antingen besöksfiler, --protokoll ID eller --period PERIOD (exakt ett av dem)",
        )
    if proposals and not allow_personnummer:
        _check_proposals(proposals)
    proposals = list(proposals) or archive.settings.proposals
    if visit_paths:
        files = expand_paths(visit_paths, ".yaml")
        visits = load_visits(archive, files, today, allow_personnummer=allow_personnummer)
        document = visit_report(archive, visits, proposals)
        owner = "tjänsteskrivelsen om " + sources_text(files, archive.root)
    else:
        paths, season = select_season(archive, protocol_id=protocol_id, period=period)
        visits = load_visits(archive, paths, today, allow_personnummer=allow_personnummer)
        name = season_name(protocol_id, period)
        document = season_report(archive, visits, season, proposals, per, name)
        owner = f"sammanställningen för {season}"
    return publish(
        document,
        owner,
        formats,
        out_dir,
        reference_docx(archive),
        libreoffice,
        allow_personnummer=allow_personnummer,
    )
