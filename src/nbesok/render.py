"""``nbesok render``: visits become protocol documents, protocols become blank forms.

One Markdown text per document, made by a Jinja template, is the single source:
the ``.md`` file is that text and the ``.docx`` is converted from it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from nbesok.archive import Archive, Kind
from nbesok.checks import check_protocol, check_visit
from nbesok.errors import (
    Finding,
    RenderError,
    Severity,
)
from nbesok.loading import Loaded, load_protocol, load_visit
from nbesok.models import Protocol, Visit
from nbesok.output import write_all_atomic
from nbesok.templating import find_template_file, render_template

PROTOCOL_TEMPLATE = "protokoll.md.j2"
FORM_TEMPLATE = "blankett.md.j2"
REFERENCE_DOCX = "referens.docx"


@dataclass(frozen=True)
class Document:
    """A rendered document: its Markdown source and the file name (without suffix) it gets.

    The name always comes from an input file's stem or an id, never from free text.
    """

    name: str
    markdown: str


def protocol_context(protocol: Protocol) -> dict[str, Any]:
    """The protocol as the templates see it: the YAML's own Swedish keys."""
    return protocol.model_dump(mode="json", by_alias=True)


def visit_context(visit: Visit) -> dict[str, Any]:
    context = visit.model_dump(mode="json", by_alias=True)
    context["ledamöter"] = [
        {**dumped, "text": member.display()}
        for dumped, member in zip(context["ledamöter"], visit.members, strict=True)
    ]
    return context


def period_start(period: str) -> date:
    """The date a blank form carries: 1 January of the period's first year (never the clock)."""
    match = re.match(r"\s*(\d{4})", period)
    return date(int(match.group(1)), 1, 1) if match else date(2000, 1, 1)


def render_visit(archive: Archive, visit: Loaded[Visit], *, guidance: bool = True) -> Document:
    protocol = archive.protocol(visit.model.protocol).model
    markdown = render_template(
        PROTOCOL_TEMPLATE,
        archive.templates_dir,
        {
            "protokoll": protocol_context(protocol),
            "besök": visit_context(visit.model),
            "visa_hjälptext": guidance,
        },
    )
    return Document(visit.stem, markdown)


def render_form(archive: Archive, protocol: Loaded[Protocol], *, guidance: bool = True) -> Document:
    markdown = render_template(
        FORM_TEMPLATE,
        archive.templates_dir,
        {
            "protokoll": protocol_context(protocol.model),
            "datum": period_start(protocol.model.period).isoformat(),
            "visa_hjälptext": guidance,
        },
    )
    return Document(protocol.stem, markdown)


def reference_docx(archive: Archive) -> Path:
    return find_template_file(REFERENCE_DOCX, archive.templates_dir)


def document_for(
    archive: Archive, path: Path, today: date, *, guidance: bool, allow_personnummer: bool = False
) -> tuple[Document, list[Finding]]:
    """Load, check and render one input; raise if it has errors, return its warnings."""
    if archive.kind_of(path) is Kind.PROTOCOL:
        protocol = load_protocol(path)
        findings = check_protocol(protocol)
        _raise_errors(findings)
        return render_form(archive, protocol, guidance=guidance), findings
    visit = load_visit(path)
    severity = personnummer_severity(allow_personnummer)
    findings = check_visit(visit, archive, today, personnummer=severity)
    _raise_errors(findings)
    return render_visit(archive, visit, guidance=guidance), findings


def personnummer_severity(allowed: bool) -> Severity | None:
    """A personnummer stops a document from being written unless the user allows it."""
    return None if allowed else Severity.ERROR


def _raise_errors(findings: list[Finding]) -> None:
    errors = [found for found in findings if found.is_error]
    if errors:
        raise RenderError(errors)


@dataclass(frozen=True)
class Written:
    """What write_document produced: file name -> sha256, and the DOCX for a later PDF."""

    hashes: dict[str, str]
    pdf_source: bytes | None = None


def write_document(
    document: Document, formats: Sequence[str], out_dir: Path, reference: Path
) -> Written:
    """Produce every format in memory first, then move each into place atomically.

    A PDF is made later, for a whole batch in one LibreOffice run, from the DOCX bytes
    handed back here (also when the .docx itself was not asked for).
    """
    outputs: dict[Path, bytes] = {}
    docx: bytes | None = None
    if "md" in formats:
        outputs[out_dir / f"{document.name}.md"] = document.markdown.encode("utf-8")
    if "docx" in formats or "pdf" in formats:
        from nbesok.docxwriter import markdown_to_docx  # heavy: only when DOCX is needed

        docx = markdown_to_docx(document.markdown, reference)
        if "docx" in formats:
            outputs[out_dir / f"{document.name}.docx"] = docx
    write_all_atomic(outputs)
    hashes = {target.name: hashlib.sha256(data).hexdigest() for target, data in outputs.items()}
    return Written(hashes, docx if "pdf" in formats else None)
