"""Documents from the archive: a visit becomes its protocol, a protocol its blank form.

Each document is one Markdown text made by a Jinja template: the single source of
both its ``.md`` and its ``.docx`` (see :mod:`nbesok.documents.publish`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nbesok.archive import fragments, markup
from nbesok.archive.checks import check_protocol, checked_visit
from nbesok.archive.lifecycle import review_status
from nbesok.archive.loading import Loaded, load_protocol, load_visit
from nbesok.archive.masks import has_masks
from nbesok.archive.models import FollowUp, Protocol, Status, Visit
from nbesok.archive.osl import Grounds
from nbesok.archive.personnummer import allowed_digits
from nbesok.archive.root import MARKER, Archive, Kind
from nbesok.archive.secrecy import (
    PUBLIC_SUFFIX,
    Secrecy,
    archive_vocabulary,
    authority,
    neutral_stem,
    public_name,
    visit_passages,
    visit_secrets,
)
from nbesok.core.errors import Finding, RenderError, Severity
from nbesok.documents.templating import enumerate_swedish, find_template_file, render_template

if TYPE_CHECKING:
    from nbesok.archive.items import Step, Tracked
    from nbesok.documents.appendix import Appendix

PROTOCOL_TEMPLATE = "protokoll.md.j2"
FORM_TEMPLATE = "blankett.md.j2"
REFERENCE_DOCX = "referens.docx"


@dataclass(frozen=True)
class Document:
    """A document's Markdown source and the file name (without suffix) it gets.

    The name always comes from an input file's stem or an id, never from free text.
    ``sources`` are the files it was made from, for messages about it; ``root`` is the
    archive whose ``bilder/`` the pictures it shows are in; ``allowed`` the personnummer
    its visits allow (ten digits each, see :mod:`nbesok.archive.personnummer`).
    """

    name: str
    markdown: str
    sources: tuple[Path, ...] = ()
    root: Path | None = None
    appendices: tuple[Appendix, ...] = ()  # bilagor appended to the PDF
    # The review status it carries (markup.DRAFT or markup.ADOPTED); "" for a blank form.
    status: str = ""
    # Its visits' masked passages and its sekretessmarkering; None for a blank form.
    secrecy: Secrecy | None = None
    # The public copy (nbesok.documents.redaction): masked passages left out, its own name.
    public: bool = False
    allowed: frozenset[str] = frozenset()

    def public_copy(self) -> Document:
        """The same document as its public copy: same Markdown, the public name."""
        secrecy = self.secrecy or Secrecy(public_name=self.name + PUBLIC_SUFFIX)
        return replace(self, name=secrecy.public_name, secrecy=secrecy, public=True)


def protocol_context(protocol: Protocol, archive: Archive) -> dict[str, Any]:
    """The protocol as the templates see it: the YAML's own Swedish keys.

    Its Markdown texts are closed off on their own (:func:`nbesok.archive.fragments.close`),
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


def visit_labels(protocol: Protocol, visit: Visit) -> dict[str, str]:
    """The protocol's header labels in the number the visit needs: ”Deltagande
    tjänstepersoner” above two names, ”Deltagande ledamot” above one."""
    labels = protocol.labels.model_dump(by_alias=True)
    labels["ledamöter"] = _in_number(labels["ledamöter"], len(visit.members))
    labels["tjänstepersoner"] = _in_number(labels["tjänstepersoner"], len(visit.officials))
    return labels


# Singular and plural of the words the labels end with.
_NUMBER_FORMS = (("tjänsteperson", "tjänstepersoner"), ("ledamot", "ledamöter"))


def _in_number(label: str, count: int) -> str:
    lowered = label.casefold()
    for singular, plural in _NUMBER_FORMS:
        if count == 1 and lowered.endswith(plural):
            return label[: -len(plural)] + _same_case(label[-len(plural)], singular)
        if count > 1 and lowered.endswith(singular):
            return label[: -len(singular)] + _same_case(label[-len(singular)], plural)
    return label


def _same_case(model: str, word: str) -> str:
    return word[0].upper() + word[1:] if model.isupper() else word


def _closed(text: str | None) -> str | None:
    return None if text is None else fragments.close(text)


def committee(protocol: Protocol, archive: Archive) -> str:
    """The committee a protocol's visits report to: its own, else the archive's default."""
    return protocol.committee or archive.settings.committee or ""


# The rows of a protocol's review section, read back by nbesok import (commands/import_.py).
REVIEW_HEADING = "Godkännande och fastställande"
REVIEW_LABELS = {
    "status": "Status",
    "godkänd": "Godkänt av",
    "fastställd": "Fastställt av",
}
REVIEW_HASH_LABEL = "Kontrollsumma för det fastställda innehållet:"


def review_context(visit: Visit) -> dict[str, Any]:
    """A visit's review as the protocol shows it: who approved the content as it is,
    who fastställde it and when, and the content's hash; a draft says it is one."""
    status = review_status(visit)
    approvals = [f"{a.by} {a.date.isoformat()}" for a in status.current_approvals]
    adopted = status.is_adopted
    if adopted:
        state = "Fastställt"
    elif status.changed_since_adoption:
        assert status.adoption is not None
        state = f"Utkast, ändrat efter fastställandet {status.adoption.date.isoformat()}"
    elif approvals:
        state = "Utkast, godkänt men inte fastställt"
    else:
        state = "Utkast, inte godkänt av ledamöterna"
    rows = [
        (REVIEW_LABELS["status"], state),
        (REVIEW_LABELS["godkänd"], enumerate_swedish(approvals) or "Ingen ledamot ännu"),
    ]
    if adopted:
        assert status.adoption is not None
        adoption = status.adoption
        rows.append((REVIEW_LABELS["fastställd"], f"{adoption.by} {adoption.date.isoformat()}"))
    return {
        "rubrik": REVIEW_HEADING,
        "rader": rows,
        # A paragraph, not a cell: the 71 characters of the hash fit on a line of text.
        "kontrollsumma": status.adoption.content if adopted and status.adoption else "",
        "kontrollsumma_etikett": REVIEW_HASH_LABEL,
        "status": status.state.value,
        "utkast": not adopted,
    }


def document_status(visit: Visit) -> str:
    """What a visit's documents say they are: fastställd, or an utkast."""
    return markup.ADOPTED if review_status(visit).is_adopted else markup.DRAFT


def visit_title(visit: Visit) -> str:
    """What a visit's documents are called: the visit, not the template. A masked
    verksamhet is left out (a title is in every copy, and in the properties)."""
    if has_masks(visit.operation):
        return f"Nämndbesök {visit.date.isoformat()}"
    return f"Nämndbesök hos {visit.operation} {visit.date.isoformat()}"


def grounds(archive: Archive) -> Grounds:
    """nbesok's grounds for masking and the archive's own (``sekretessgrunder``)."""
    return Grounds.of(archive.settings.grounds)


def visits_secrecy(
    archive: Archive,
    visits: Sequence[tuple[Loaded[Visit], Protocol]],
    name: str,
    *,
    marked: str,
    committees: Sequence[str],
) -> Secrecy:
    """The secrecy of a document named ``name`` made from ``visits``: their masked
    passages, the sekretessmarkering's date and authority, and the public copy's name
    (each visit's stem in ``name`` made neutral where it shows a masked value)."""
    secrets = []
    stems: dict[str, str] = {}
    if any(visit_passages(loaded.model) for loaded, _ in visits):
        protocols = list({id(protocol): protocol for _, protocol in visits}.values())
        vocabulary = archive_vocabulary(archive, protocols)
        for loaded, _ in visits:
            found = visit_secrets(loaded, vocabulary)
            secrets += found
            stems[loaded.stem] = neutral_stem(loaded.path, loaded.model, found)
    return Secrecy(
        tuple(secrets),
        grounds(archive),
        marked,
        authority(archive, committees),
        public_name(name, stems),
    )


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
            "besök": {
                **visit_context(visit.model),
                "etiketter": visit_labels(protocol, visit.model),
            },
            "titel": visit_title(visit.model),
            "punkter": sorted_entries(follow_up_entries(visit.model, status_date)),
            "per": status_date.isoformat(),
            "visa_hjälptext": guidance,
            "granskning": review_context(visit.model),
        },
    )
    inputs = (visit.path,) if protocol_path is None else (visit.path, protocol_path)
    adoption = review_status(visit.model).adoption
    adopted = document_status(visit.model) == markup.ADOPTED and adoption is not None
    secrecy = visits_secrecy(
        archive,
        [(visit, protocol)],
        visit.stem,
        # The masks are part of the content fastställd: that is when they were marked.
        marked=adoption.date.isoformat() if adopted and adoption else "",
        committees=[committee(protocol, archive)],
    )
    return Document(
        visit.stem,
        markdown,
        sources(archive, *inputs),
        archive.root,
        status=document_status(visit.model),
        secrecy=secrecy,
        allowed=allowed_digits(visit.model.allowed_numbers),
    )


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
    return Document(protocol.stem, markdown, sources(archive, protocol.path), archive.root)


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
            root=archive.root,
        )
        _raise_errors(findings)
        return render_form(archive, form, guidance=guidance), findings
    visit = load_visit(path)
    severity = personnummer_severity(allow_personnummer)
    # A fastställd visit changed since is shown as the utkast it now is, with a warning.
    protocol, findings = checked_visit(
        visit, archive, today, personnummer=severity, changed=Severity.WARNING
    )
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
