"""``nbesok render``: visits become protocol documents, protocols become blank forms.

One Markdown text per document, made by a Jinja template, is the single source:
the ``.md`` file is that text and the ``.docx`` is converted from it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from nbesok.archive import Archive, Kind
from nbesok.checks import check_protocol, check_visit
from nbesok.errors import (
    Finding,
    NbesokError,
    OutputError,
    RenderError,
    Severity,
    UsageError,
    finding,
)
from nbesok.loading import Loaded, load_protocol, load_visit
from nbesok.models import Protocol, Visit
from nbesok.output import write_atomic
from nbesok.templating import find_template_file, render_template

PROTOCOL_TEMPLATE = "protokoll.md.j2"
FORM_TEMPLATE = "blankett.md.j2"
REFERENCE_DOCX = "referens.docx"
FORMATS = ("md", "docx")


@dataclass(frozen=True)
class Document:
    """A rendered document: its Markdown source and the file name (without suffix) it gets.

    The name always comes from an input file's stem or an id, never from free text.
    """

    name: str
    markdown: str


@dataclass
class Outcome:
    """What a batch produced: files written, warnings, and errors of inputs left out."""

    written: list[Path] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(found.is_error for found in self.findings)


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


def parse_formats(text: str, allowed: Sequence[str] = FORMATS) -> tuple[str, ...]:
    """``"md,docx"`` → ``("md", "docx")``; unknown names are a usage error."""
    formats = tuple(dict.fromkeys(part.strip().lower() for part in text.split(",") if part.strip()))
    unknown = [name for name in formats if name not in allowed]
    if unknown or not formats:
        raise UsageError.at(
            "--format",
            f"okänt format «{', '.join(unknown) or text}»; välj bland {', '.join(allowed)}, "
            "t.ex. --format md,docx",
        )
    return formats


def input_files(archive: Archive, paths: Sequence[Path]) -> list[Path]:
    """The files to render: the given files, the YAML in given folders, or all visits."""
    if not paths:
        return archive.visit_paths()
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(path.glob("*.yaml")))
        elif path.exists():
            files.append(path)
        else:
            raise UsageError.at(path, "filen finns inte")
    return files


def check_unique_names(files: Iterable[Path]) -> None:
    """Two inputs must never write the same output file."""
    seen: dict[str, Path] = {}
    for path in files:
        if path.stem in seen and seen[path.stem].resolve() != path.resolve():
            raise UsageError(
                finding(
                    path,
                    f"ger samma utfil «{path.stem}» som {seen[path.stem]}; byt namn på den ena "
                    "eller rendera dem var för sig med olika --out",
                )
            )
        seen[path.stem] = path


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


def write_document(
    document: Document, formats: Sequence[str], out_dir: Path, reference: Path
) -> list[Path]:
    """Produce every format in memory first, then move each into place atomically."""
    outputs: dict[Path, bytes] = {}
    if "md" in formats:
        outputs[out_dir / f"{document.name}.md"] = document.markdown.encode("utf-8")
    if "docx" in formats:
        from nbesok.docxwriter import markdown_to_docx  # heavy: only when DOCX is asked for

        outputs[out_dir / f"{document.name}.docx"] = markdown_to_docx(document.markdown, reference)
    for target, data in outputs.items():
        write_atomic(target, data)
    return list(outputs)


def render_paths(
    archive: Archive,
    paths: Sequence[Path],
    *,
    formats: Sequence[str],
    out_dir: Path,
    today: date,
    guidance: bool = True,
    allow_personnummer: bool = False,
) -> Outcome:
    """Render every input; an input with errors is reported and skipped, never half-written."""
    files = input_files(archive, paths)
    check_unique_names(files)
    _check_out_dir(out_dir)
    reference = reference_docx(archive)
    outcome = Outcome()
    for path in files:
        try:
            # Warnings are validate's business; render reports only what stops a document.
            document, _warnings = document_for(
                archive, path, today, guidance=guidance, allow_personnummer=allow_personnummer
            )
            outcome.written += write_document(document, formats, out_dir, reference)
        except OutputError:
            raise
        except NbesokError as error:
            outcome.findings.extend(error.findings)
    return outcome


def _check_out_dir(out_dir: Path) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError.at(out_dir, "finns redan som fil; --out ska vara en mapp")
