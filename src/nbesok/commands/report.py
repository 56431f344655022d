"""``nbesok report``: the follow-up notes for the committee, written from the archive.

A tjänsteskrivelse for one or more visits, or a season compilation for all visits
of a protocol or period. Every figure in them is counted here from the visit files,
never typed, so no total can disagree with its source.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from nbesok.archive import fragments, markup
from nbesok.archive.checks import checked_visit
from nbesok.archive.items import VisitFile, load_visit_files, same_words, track
from nbesok.archive.lifecycle import review_status, waiting_members
from nbesok.archive.loading import Loaded, load_visit
from nbesok.archive.masks import has_masks
from nbesok.archive.models import Official, Protocol, Status, Visit
from nbesok.archive.personnummer import allowed_digits
from nbesok.archive.root import MARKER, Archive
from nbesok.archive.seasons import PERIOD_HINT, parse_period
from nbesok.archive.secrecy import Secrecy, leaked_ground, visit_secrets
from nbesok.core.errors import (
    ArchiveError,
    Finding,
    NbesokError,
    RenderError,
    Severity,
    UsageError,
    finding,
)
from nbesok.core.inputs import expand_paths
from nbesok.core.names import slugify
from nbesok.core.paths import display_path
from nbesok.documents.appendix import Appendix
from nbesok.documents.compose import (
    Document,
    committee,
    personnummer_severity,
    protocol_context,
    reference_docx,
    sorted_entries,
    sources,
    tracked_entries,
    visit_context,
    visits_secrecy,
)
from nbesok.documents.publish import Outcome, publish
from nbesok.documents.record import sources_text
from nbesok.documents.signing import Signer
from nbesok.documents.templating import enumerate_swedish, render_template

VISIT_REPORT_TEMPLATE = "uppfoljning.md.j2"
SEASON_TEMPLATE = "sammanstallning.md.j2"


@dataclass(frozen=True)
class Options:
    """What a secretary sets for one tjänsteskrivelse or compilation."""

    proposals: Sequence[str] = ()
    title: str | None = None  # --rubrik: the ärende's own title
    case_number: str | None = None  # --diarienummer
    official: str | None = None  # --handläggare
    appendices: Sequence[Appendix] = ()  # --bilaga
    documents: Sequence[str] = ()  # --underlag: beslutsunderlag not attached
    suffix: str = "docx"  # the format the visit protocols are published in


@dataclass(frozen=True)
class VisitWithProtocol:
    visit: Loaded[Visit]
    protocol: Protocol


def load_visits(
    archive: Archive,
    paths: Sequence[Path],
    today: date,
    *,
    allow_personnummer: bool = False,
    drafts: bool = False,
) -> list[VisitWithProtocol]:
    """Load and check the visits; any error in any of them stops the report.

    Only fastställda visits reach the committee: a draft is an error naming the
    commands that fastställer it, unless ``drafts`` (``--utkast``) allows it.
    """
    loaded: list[VisitWithProtocol] = []
    errors: list[Finding] = []
    changed = Severity.WARNING if drafts else Severity.ERROR
    for path in paths:
        try:
            archive.confine(path)
            visit = load_visit(path)
            protocol, findings = checked_visit(
                visit,
                archive,
                today,
                personnummer=personnummer_severity(allow_personnummer),
                changed=changed,
            )
            errors += [f for f in findings if f.is_error]
            if not drafts and not review_status(visit.model).is_adopted:
                errors += _not_adopted(visit)
            if not errors and protocol is not None:
                loaded.append(VisitWithProtocol(visit, protocol.model))
        except NbesokError as error:
            errors += error.findings
    if errors:
        raise RenderError(errors)
    return sorted(loaded, key=lambda item: (item.visit.model.date, item.visit.stem))


def _not_adopted(visit: Loaded[Visit]) -> list[Finding]:
    """A draft stops the report, with the commands that would make it fastställd.

    A fastställd visit changed since is reported by :func:`checked_visit` already."""
    status = review_status(visit.model)
    if status.changed_since_adoption:
        return []
    name = display_path(visit.path)
    waiting = waiting_members(visit.model, status)
    if status.current_approvals:
        state = (
            f"besöket är godkänt av {len(status.current_approvals)} av "
            f"{len(visit.model.members)} ledamöter men inte fastställt"
        )
        steps = f"nbesok fastställ {name} --av NAMN"
    else:
        state = "besöket är ett utkast: ingen av ledamöterna har godkänt anteckningarna"
        who = waiting[0].name if waiting else "NAMN"
        steps = f'nbesok godkänn {name} --av "{who}", sedan nbesok fastställ {name} --av NAMN'
    keypath: tuple[str, ...] = ("status",) if visit.model.review is not None else ()
    line, column = visit.document.position(keypath) if keypath else (1, 1)
    return [
        finding(
            visit.path,
            f"{state}; tjänsteskrivelser tar bara fastställda besök. Kör {steps}, eller skriv "
            "tjänsteskrivelsen som utkast med --utkast",
            line=line,
            column=column,
            key="status",
        )
    ]


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
    options: Options,
    *,
    per: date,
    day: date,
    draft: bool = False,
) -> Document:
    """The tjänsteskrivelse for the given visits; ``draft`` marks it as an utkast."""
    several = len(visits) > 1
    if not several:
        only = visits[0].visit.model
        # A masked verksamhet stays out of the title, which every copy and its
        # properties show.
        hos = "" if has_masks(only.operation) else f" hos {only.operation}"
        title = f"Redovisning av nämndbesök{hos} {only.date.isoformat()}"
        name = f"{visits[0].visit.stem}-uppfoljning"
    else:
        title = _several_title([item.visit.model for item in visits])
        name = f"uppfoljning-{visits[0].visit.stem}-med-flera"
    case_number = options.case_number or _shared_case_number(visits)
    context = {
        **_head(archive, visits, options.title or title, day, options, case_number),
        "förslag": list(options.proposals),
        "besök": [_visit_entry(archive, item) for item in visits],
        "flera": several,
        "diarienummer": case_number,
        "punkter": _items(archive, visits, per),
        "per": per.isoformat(),
        "underlag": _documents(visits, options),
    }
    return _document(archive, visits, VISIT_REPORT_TEMPLATE, context, options, name, day, draft)


def season_report(
    archive: Archive,
    visits: list[VisitWithProtocol],
    season: str,
    options: Options,
    *,
    per: date,
    day: date,
    name: str,
    draft: bool = False,
) -> Document:
    """The compilation of a season: visits, answers per question, all follow-up items;
    ``draft`` marks it as an utkast."""
    items = _items(archive, visits, per)
    per_status = Counter(entry["status"] for entry in items)
    title = options.title or f"Sammanställning av nämndbesök {season}"
    case_number = options.case_number or _shared_case_number(visits)
    context = {
        **_head(archive, visits, title, day, options, case_number),
        "period": season,
        "förslag": list(options.proposals),
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
        "underlag": _documents(visits, options),
    }
    return _document(archive, visits, SEASON_TEMPLATE, context, options, name, day, draft)


def _document(
    archive: Archive,
    visits: list[VisitWithProtocol],
    template: str,
    context: dict[str, Any],
    options: Options,
    name: str,
    day: date,
    draft: bool,
) -> Document:
    """The report's document: its template rendered, with the visits' sources,
    status, secrecy and allowed numbers."""
    return Document(
        name,
        render_template(template, archive.templates_dir, context),
        _sources(archive, visits),
        archive.root,
        tuple(options.appendices),
        status=_status(visits, draft),
        secrecy=_secrecy(archive, visits, name, day),
        allowed=_allowed(visits),
    )


def _secrecy(archive: Archive, visits: list[VisitWithProtocol], name: str, day: date) -> Secrecy:
    """The report's masked passages (those of its visits), marked on the report's date
    by the nämnd(er) it goes to."""
    return visits_secrecy(
        archive,
        [(item.visit, item.protocol) for item in visits],
        name,
        marked=day.isoformat(),
        committees=[committee(item.protocol, archive) for item in visits],
    )


def _status(visits: list[VisitWithProtocol], draft: bool) -> str:
    """A report is a draft when asked to be (--utkast) or when any visit in it is one."""
    if draft or not all(review_status(item.visit.model).is_adopted for item in visits):
        return markup.DRAFT
    return ""  # a tjänsteskrivelse is not itself fastställd: it carries no review status


def _head(
    archive: Archive,
    visits: list[VisitWithProtocol],
    title: str,
    day: date,
    options: Options,
    case_number: str,
) -> dict[str, Any]:
    """The tjänsteskrivelse's head: who writes, when, under what number, to whom."""
    settings = archive.settings
    official = _official(visits, options, settings.official)
    addressee = enumerate_swedish(committees(archive, visits))
    rows: list[tuple[str, str]] = []
    if settings.municipality:
        rows.append(("Kommun", settings.municipality))
    if settings.administration:
        rows.append(("Förvaltning", settings.administration))
    rows += [("Dokument", "Tjänsteskrivelse"), ("Datum", day.isoformat())]
    if case_number:
        rows.append(("Diarienummer", case_number))
    if official["namn"]:
        rows.append(("Handläggare", official["namn"]))
    if addressee:
        rows.append(("Till", addressee))
    return {
        "titel": title,
        "huvud_rader": rows,
        "datum": day.isoformat(),
        "handläggare": official["namn"],
        "underskrift": official,
        "till": addressee,
        "kommun": settings.municipality or "",
        "förvaltning": settings.administration or "",
    }


def committees(archive: Archive, visits: list[VisitWithProtocol]) -> list[str]:
    """The committees the visits report to, each once, in the visits' order."""
    return list(
        dict.fromkeys(
            committee(item.protocol, archive)
            for item in visits
            if committee(item.protocol, archive)
        )
    )


def _official(
    visits: list[VisitWithProtocol], options: Options, default: Official | None
) -> dict[str, str]:
    """The handläggare, name and title: ``--handläggare``, else ``handläggare`` in
    nbesok.yaml, else (for one visit) the tjänsteperson who took the notes."""
    if options.official is not None:
        title = default.title if default is not None and default.name == options.official else ""
        return {"namn": options.official, "titel": title or ""}
    if default is not None:
        return {"namn": default.name, "titel": default.title or ""}
    if len(visits) == 1 and visits[0].visit.model.officials:
        return {"namn": visits[0].visit.model.officials[0], "titel": ""}
    return {"namn": "", "titel": ""}


def _shared_case_number(visits: list[VisitWithProtocol]) -> str:
    """The visits' diarienummer when they share one, else "" (each visit names its own)."""
    numbers = {item.visit.model.case_number for item in visits}
    return next(iter(numbers)) or "" if len(numbers) == 1 else ""


def _several_title(visits: list[Visit]) -> str:
    operations = list(dict.fromkeys(visit.operation for visit in visits))
    if len(operations) <= 3 and not any(has_masks(operation) for operation in operations):
        return f"Redovisning av nämndbesök hos {enumerate_swedish(operations)}"
    first, last = min(v.date for v in visits), max(v.date for v in visits)
    return f"Redovisning av {len(visits)} nämndbesök {first.isoformat()}–{last.isoformat()}"


def _documents(visits: list[VisitWithProtocol], options: Options) -> list[str]:
    """Beslutsunderlag: each visit's protocol with its review state (a bilaga when it
    is attached), the other bilagor, numbered, and the documents named with
    ``--underlag``."""
    attached = {appendix.path.name: appendix for appendix in options.appendices}
    numbers = {appendix.path.name: n for n, appendix in enumerate(options.appendices, start=1)}
    listed: list[str] = []
    for item in visits:
        visit = item.visit.model
        file = f"{item.visit.stem}.{options.suffix}"
        text = (
            f"Protokoll från nämndbesöket hos {visit.operation} {visit.date.isoformat()}, "
            f"{_review_state(visit)}"
        )
        shown = _file_shown(item, file)
        if file in attached:
            listed.append(f"Bilaga {numbers.pop(file)}: {text} ({shown})")
        else:
            listed.append(f"{text} ({shown})")
    listed += [attached[file].listed(number) for file, number in numbers.items()]
    listed += list(options.documents)
    return listed


def _review_state(visit: Visit) -> str:
    status = review_status(visit)
    if status.is_adopted and status.adoption is not None:
        return f"fastställt {status.adoption.date.isoformat()}"
    return "utkast"


def _file_shown(item: VisitWithProtocol, file: str) -> str:
    """A protocol's file name as Beslutsunderlag lists it: one that spells a masked
    verksamhet is masked like it."""
    if has_masks(item.visit.model.operation):
        ground = leaked_ground(item.visit.stem, visit_secrets(item.visit))
        if ground is not None:
            return f'[{file}]{{maskera="{ground}"}}'
    return file


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


def _check_given(options: Options, *, publishes_appendices: bool) -> None:
    """No personnummer in what the secretary typed, nor in a bilaga whose pages the PDF
    publishes."""
    from nbesok.archive.personnummer import ADVICE_ELSEWHERE, find_numbers, message
    from nbesok.documents import appendix

    given: list[tuple[str | Path, str, str]] = [
        ("--förslag", text, "i förslaget") for text in options.proposals
    ]
    given += [
        (option, text or "", f"i {option}")
        for option, text in (
            ("--rubrik", options.title),
            ("--diarienummer", options.case_number),
            ("--handläggare", options.official),
        )
    ]
    given += [("--underlag", text, "i underlaget") for text in options.documents]
    if publishes_appendices:
        given += [
            (bilaga.path, text, "i bilagan")
            for bilaga in options.appendices
            for text in appendix.texts(bilaga)
        ]
    found = [(where, match, what) for where, text, what in given for match in find_numbers(text)]
    if found:
        raise RenderError(
            finding(where, message(match.kind, match.shown, what, ADVICE_ELSEWHERE))
            for where, match, what in found
        )


def write_report(
    archive: Archive,
    visit_paths: Sequence[Path],
    *,
    protocol_id: str | None,
    period: str | None,
    per: date,
    options: Options,
    formats: Sequence[str],
    out_dir: Path,
    today: date,
    day: date | None = None,
    allow_personnummer: bool = False,
    libreoffice: Path | None = None,
    draft: bool = False,
    signer: Signer | None = None,
    public: bool = False,
    waiting: Callable[[Path], None] | None = None,
) -> Outcome:
    """Write a tjänsteskrivelse (visits given) or a season compilation (protocol or period).

    Follow-up items are overdue as of ``per``; the document is dated ``day`` (default
    ``per``). ``options`` hold what the secretary set: proposals, title, diarienummer,
    handläggare, bilagor and other beslutsunderlag. Only fastställda visits are taken,
    unless ``draft`` (``--utkast``): then drafts are taken too and the document is
    marked as an utkast. ``signer`` signs the PDF. ``public`` writes the public copy
    beside it, its masked passages left out.
    """
    chosen = [bool(visit_paths), protocol_id is not None, period is not None]
    if sum(chosen) != 1:
        raise UsageError.at(
            "nbesok report",
            "ange antingen besöksfiler, --protokoll ID eller --period PERIOD (exakt ett av dem)",
        )
    archive.check_output_folder(out_dir)
    if not allow_personnummer:
        _check_given(options, publishes_appendices="pdf" in formats)
    options = replace(
        options,
        proposals=list(options.proposals) or archive.settings.proposals,
        suffix="pdf" if "pdf" in formats else "docx",
    )
    day = day or per
    if visit_paths:
        files = expand_paths(visit_paths, ".yaml")
        visits = load_visits(
            archive, files, today, allow_personnummer=allow_personnummer, drafts=draft
        )
        document = visit_report(archive, visits, options, per=per, day=day, draft=draft)
        owner = "tjänsteskrivelsen om " + sources_text(files, archive.root)
    else:
        selection = select_season(archive, protocol_id=protocol_id, period=period)
        visits = load_visits(
            archive, selection.paths, today, allow_personnummer=allow_personnummer, drafts=draft
        )
        name = season_name(protocol_id, period)
        document = season_report(
            archive,
            visits,
            selection.period,
            options,
            per=per,
            day=day,
            name=name,
            draft=draft,
        )
        owner = f"sammanställningen för {selection.period}"
    warnings = _report_warnings(archive, visits, document, options)
    del visits  # a season's loaded visits are not needed to publish its document
    outcome = publish(
        document,
        owner,
        formats,
        out_dir,
        reference_docx(archive),
        libreoffice,
        allow_personnummer=allow_personnummer,
        signer=signer,
        public=public,
        waiting=waiting,
    )
    outcome.findings[:0] = warnings
    return outcome


def _report_warnings(
    archive: Archive,
    visits: list[VisitWithProtocol],
    document: Document,
    options: Options,
) -> list[Finding]:
    """What the secretary should know before the document goes on the agenda."""
    found: list[Finding] = []
    where = document.sources[0] if document.sources else Path(document.name)
    names = committees(archive, visits)
    if len(names) > 1:
        found.append(
            finding(
                where,
                f"besöken hör till olika nämnder ({enumerate_swedish(names)}); skrivelsen "
                "ställs till alla, så kontrollera att det är rätt eller skriv en per nämnd",
                severity=Severity.WARNING,
            )
        )
    if not _official(visits, options, archive.settings.official)["namn"]:
        found.append(
            finding(
                archive.root / MARKER,
                "skrivelsen har ingen handläggare; ange handläggare (namn och titel) i "
                "nbesok.yaml eller --handläggare",
                key="handläggare",
                severity=Severity.WARNING,
            )
        )
    return found
