"""Documents from the archive: a visit becomes its protocol, a protocol its blank form.

Each document is one Markdown text made by a Jinja template: the single source of
both its ``.md`` and its ``.docx`` (see :mod:`nbesok.publish`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nbesok import fragments
from nbesok.archive import MARKER, Archive, Kind
from nbesok.checks import check_protocol, checked_visit
from nbesok.errors import Finding, RenderError, Severity
from nbesok.loading import Loaded, load_protocol, load_visit
from nbesok.models import FollowUp, Protocol, Status, Visit
from nbesok.personnummer import allowed_digits
from nbesok.templating import find_template_file, render_template

if TYPE_CHECKING:
    from nbesok.followup import Step, Tracked

PROTOCOL_TEMPLATE = "protokoll.md.j2"
FORM_TEMPLATE = "blankett.md.j2"
REFERENCE_DOCX = "referens.docx"


@dataclass(frozen=True)
class Document:
    """A document's Markdown source and the file name (without suffix) it gets.

    The name always comes from an input file's stem or an id, never from free text.
    ``sources`` are the files it was made from, for messages about it; ``allowed`` the
    personnummer its visits allow (ten digits each, see :mod:`nbesok.personnummer`).
    """

    name: str
    markdown: str
    sources: tuple[Path, ...] = ()
    allowed: frozenset[str] = frozenset()


def protocol_context(protocol: Protocol, archive: Archive) -> dict[str, Any]:
    """The protocol as the templates see it: the YAML's own Swedish keys.

    Its Markdown texts are closed off on their own (:func:`nbesok.fragments.close`),
    and ``nämnd`` is the archive's when the protocol names none.
    """
    context = protocol.model_dump(mode="json", by_alias=True)
    context["nämnd"] = committee(protocol, archive)
    context["inledning"] = _closed(context["inledning"])
    for section in context["avsnitt"]:
        section["text"] = _closed(section["text"])
        for question in section["frågor"]:
            question["hjälptext"] = _closed(question["hjälptext"])
    return context


def visit_context(visit: Visit) -> dict[str, Any]:
    """The visit as the templates see it, its answers and summary closed off on their own."""
    context = visit.model_dump(mode="json", by_alias=True)
    context["ledamöter"] = [
        {**dumped, "text": member.display()}
        for dumped, member in zip(context["ledamöter"], visit.members, strict=True)
    ]
    context["svar"] = {key: _closed(answer) for key, answer in context["svar"].items()}
    context["sammanfattning"] = _closed(context["sammanfattning"])
    return context


def _closed(text: str | None) -> str | None:
    return None if text is None else fragments.close(text)


def committee(protocol: Protocol, archive: Archive) -> str:
    """The committee a protocol's visits report to: its own, else the archive's default."""
    return protocol.committee or archive.settings.committee or ""


def visit_title(visit: Visit) -> str:
    """What a visit's documents are called: the visit, not the template."""
    return f"Nämndbesök hos {visit.operation} {visit.date.isoformat()}"


# Open items first: what the committee still has to act on leads the table.
_STATUS_ORDER = {Status.NOT_STARTED: 0, Status.STARTED: 1, Status.DONE: 2}


def follow_up_entries(visit: Visit, per: date) -> list[dict[str, Any]]:
    """A visit's follow-up items as the templates see them, overdue ones marked."""
    return [follow_up_entry(visit, item, per) for item in visit.follow_up]


def tracked_entries(items: Iterable[Tracked], per: date) -> list[dict[str, Any]]:
    """Items followed across visits, each once, with where it stood before."""
    return [follow_up_entry(t.visit, t.item, per, t.history) for t in items]


def follow_up_entry(
    visit: Visit, item: FollowUp, per: date, history: Sequence[Step] = ()
) -> dict[str, Any]:
    return {
        "verksamhet": visit.operation,
        "besöksdatum": visit.date.isoformat(),
        "punkt": item.item,
        "ansvarig": item.responsible,
        "senast": item.due.isoformat() if item.due else "",
        "status": item.status.value,
        "försenad": item.due is not None and item.due < per and item.status is not Status.DONE,
        "ordning": _STATUS_ORDER[item.status],
        "historik": [
            {"datum": step.date.isoformat(), "status": step.status.value} for step in history
        ],
    }


def sorted_entries(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Open items first, then by the date they are due and the verksamhet."""
    return sorted(
        entries,
        key=lambda entry: (entry["ordning"], entry["senast"] or "9999", entry["verksamhet"]),
    )


def sources(archive: Archive, *paths: Path) -> tuple[Path, ...]:
    """What a document is made from, where a number in it is looked for: the given
    files, the archive's settings and its own templates."""
    templates = sorted(archive.templates_dir.glob("*.j2")) if archive.templates_dir.is_dir() else []
    return (*paths, archive.root / MARKER, *templates)


def render_visit(
    archive: Archive,
    visit: Loaded[Visit],
    protocol: Protocol,
    *,
    guidance: bool = True,
    protocol_path: Path | None = None,
    per: date | None = None,
) -> Document:
    """The protocol of a visit; follow-up items are overdue as of ``per`` (default:
    the visit's own date, so that the document does not change with the clock)."""
    status_date = per or visit.model.date
    markdown = render_template(
        PROTOCOL_TEMPLATE,
        archive.templates_dir,
        {
            "protokoll": protocol_context(protocol, archive),
            "besök": visit_context(visit.model),
            "titel": visit_title(visit.model),
            "punkter": sorted_entries(follow_up_entries(visit.model, status_date)),
            "per": status_date.isoformat(),
            "visa_hjälptext": guidance,
        },
    )
    inputs = (visit.path,) if protocol_path is None else (visit.path, protocol_path)
    allowed = allowed_digits(visit.model.allowed_numbers)
    return Document(visit.stem, markdown, sources(archive, *inputs), allowed)


def render_form(archive: Archive, protocol: Loaded[Protocol], *, guidance: bool = True) -> Document:
    markdown = render_template(
        FORM_TEMPLATE,
        archive.templates_dir,
        {
            "protokoll": {**protocol_context(protocol.model, archive), "id": protocol.stem},
            # The first day the template covers: a form's date never comes from the clock.
            "datum": protocol.model.season().first.isoformat(),
            "visa_hjälptext": guidance,
        },
    )
    return Document(protocol.stem, markdown, sources(archive, protocol.path))


def reference_docx(archive: Archive) -> Path:
    return find_template_file(REFERENCE_DOCX, archive.templates_dir)


def document_for(
    archive: Archive,
    path: Path,
    today: date,
    *,
    guidance: bool,
    allow_personnummer: bool = False,
    per: date | None = None,
) -> tuple[Document, list[Finding]]:
    """Load, check and render one input; raise if it has errors, return its warnings."""
    archive.confine(path)
    if archive.kind_of(path) is Kind.PROTOCOL:
        form = load_protocol(path)
        findings = check_protocol(
            form,
            personnummer=personnummer_severity(allow_personnummer),
            default_committee=archive.settings.committee,
        )
        _raise_errors(findings)
        return render_form(archive, form, guidance=guidance), findings
    visit = load_visit(path)
    severity = personnummer_severity(allow_personnummer)
    protocol, findings = checked_visit(visit, archive, today, personnummer=severity)
    _raise_errors(findings)
    assert protocol is not None  # no protocol is an error, raised above
    document = render_visit(
        archive, visit, protocol.model, guidance=guidance, protocol_path=protocol.path, per=per
    )
    return document, findings


def personnummer_severity(allowed: bool) -> Severity | None:
    """A personnummer stops a document from being written unless the user allows it."""
    return None if allowed else Severity.ERROR


def _raise_errors(findings: list[Finding]) -> None:
    errors = [found for found in findings if found.is_error]
    if errors:
        raise RenderError(errors)
