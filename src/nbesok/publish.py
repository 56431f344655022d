"""The one publishing step of render and report: formats, PDFs and the review.

A document's Markdown is parsed once. The syntax tree gives the published ``.md``
(GitHub-flavoured, see gfm.py) and the ``.docx``; the Word document is reviewed for
accessibility while it is still in memory, then every requested file is written
atomically. PDFs are made afterwards for all documents of a run in one LibreOffice
run, from the DOCX bytes made here.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from nbesok.documents import Document
from nbesok.errors import Finding, OutputError, RenderError, UsageError, finding
from nbesok.guard import Guard, Published, markdown_texts
from nbesok.output import held_folder, write_all_atomic

FORMATS = ("md", "docx", "pdf")


def parse_formats(text: str, allowed: Sequence[str] = FORMATS) -> tuple[str, ...]:
    """``"md,docx"`` → ``("md", "docx")``; unknown names are a usage error."""
    formats = tuple(dict.fromkeys(part.strip().lower() for part in text.split(",") if part.strip()))
    unknown = [name for name in formats if name not in allowed]
    if unknown or not formats:
        raise UsageError.at(
            "--format",
            f"okänt format ”{', '.join(unknown) or text}”; välj bland {', '.join(allowed)}, "
            "t.ex. --format md,docx",
        )
    return formats


@dataclass(frozen=True)
class Made:
    """One document's files, made in memory and not yet written."""

    name: str
    files: dict[str, bytes]  # file name -> bytes, for the formats asked for besides pdf
    pdf_source: bytes | None  # the DOCX to convert, if a PDF was asked for
    findings: list[Finding]  # the accessibility review, as warnings
    guard: Guard | None = None  # for the PDF, checked once LibreOffice has made it


def make(
    document: Document,
    formats: Sequence[str],
    out_dir: Path,
    reference: Path,
    *,
    allow_personnummer: bool = False,
) -> Made:
    """Every requested format of ``document`` in memory, and the review of its DOCX.

    Before anything is written, every outlet's text is checked by the guard (the .md,
    and every part of the DOCX: body, headers, footers, properties, link targets):
    RenderError for a personnummer the document does not allow, unless
    ``allow_personnummer``. A Markdown text too deeply nested for the parser is refused
    rather than cut short.
    """
    from nbesok import markup

    try:
        tree = markup.parse(document.markdown)
        properties = markup.properties(tree)
    except RecursionError:
        raise RenderError(
            finding(
                source,
                "texten är för djupt nästlad för att bli ett dokument; förenkla den "
                "(t.ex. hundratals * eller > i rad)",
            )
            for source in document.sources[:1] or (Path(document.name),)
        ) from None
    guard = None if allow_personnummer else Guard(document.sources, document.allowed)
    # What a reader of any format sees: the text with its markup resolved.
    published: list[Published] = [("i dokumentet", text) for text in markup.plain_texts(tree)]
    published += [("i dokumentegenskaperna", text) for text in properties.texts()]
    files: dict[str, bytes] = {}
    if "md" in formats:
        from nbesok.gfm import published_markdown

        text = published_markdown(tree, properties)
        published += markdown_texts(text)
        files[f"{document.name}.md"] = text.encode("utf-8")
    shown = out_dir / f"{document.name}.{next(f for f in ('docx', 'pdf', 'md') if f in formats)}"
    if "docx" not in formats and "pdf" not in formats:
        if guard is not None:
            guard.check(published, shown)
        return Made(document.name, files, None, [])
    from nbesok.docx.package import save_document
    from nbesok.docx.reference import load_reference
    from nbesok.docx.review import as_warnings, review_document
    from nbesok.docx.text import package_texts
    from nbesok.docx.writer import write_docx

    loaded = load_reference(reference)
    word = write_docx(tree, loaded, properties)
    if guard is not None:
        guard.check([*published, *package_texts(word)], shown)
    # Every document of a reference has its styles, but for the text language.
    styles = (loaded.data, properties.lang)
    findings = as_warnings(review_document(word, shown, same_styles_as=styles))
    docx_bytes = save_document(word)
    if "docx" in formats:
        files[f"{document.name}.docx"] = docx_bytes
    if "pdf" not in formats:
        return Made(document.name, files, None, findings)
    # A guard of its own for the PDF: this one holds the sources' texts, read.
    pdf_guard = None if guard is None else Guard(document.sources, document.allowed)
    return Made(document.name, files, docx_bytes, findings, pdf_guard)


def write(made: Made, out_dir: Path) -> dict[str, str]:
    """Write ``made``'s files atomically, all or none; file name -> sha256 of its bytes."""
    write_all_atomic({out_dir / name: data for name, data in made.files.items()})
    return {name: hashlib.sha256(data).hexdigest() for name, data in made.files.items()}


@dataclass
class Outcome:
    """What a run wrote: files, documents skipped as unchanged, and what it found."""

    written: list[Path] = field(default_factory=list)
    unchanged: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(found.is_error for found in self.findings)


def add_pdfs(
    sources: dict[str, bytes],
    out_dir: Path,
    libreoffice: Path | None,
    outcome: Outcome,
    guards: Mapping[str, Guard | None] | None = None,
) -> tuple[list[Path], set[str]]:
    """One LibreOffice run for all of ``sources``; its failure leaves the other formats.

    Each PDF is read back and checked by its document's guard before it is moved into
    place (text, annotations, metadata); the PDFs written, and the names of the
    documents whose PDF the guard held back (their findings are in ``outcome``).
    """
    if not sources:
        return [], set()
    from nbesok.pdf import LibreOfficeError, convert_documents, find_libreoffice
    from nbesok.pdftext import pdf_texts

    held: set[str] = set()

    def inspect(pdf: Path, name: str) -> bool:
        guard = (guards or {}).get(name)
        if guard is None:
            return True
        found = guard.findings(pdf_texts(pdf), out_dir / pdf.name)
        if found:
            outcome.findings.extend(found)
            held.add(name)
        return not found

    try:
        pdfs = convert_documents(
            sources, out_dir, libreoffice=find_libreoffice(libreoffice), inspect=inspect
        )
    except LibreOfficeError as error:
        outcome.findings.extend(error.findings)
        return [], held
    outcome.written.extend(pdfs)
    return pdfs, held


def withdraw(out_dir: Path, names: Iterable[str]) -> None:
    """Remove files a run wrote for a document the guard stopped at its PDF: the .md
    and .docx hold what the PDF showed."""
    for name in names:
        with contextlib.suppress(OSError):
            (out_dir / name).unlink()


def publish(
    document: Document,
    owner: str,
    formats: Sequence[str],
    out_dir: Path,
    reference: Path,
    libreoffice: Path | None = None,
    *,
    allow_personnummer: bool = False,
    waiting: Callable[[Path], None] | None = None,
) -> Outcome:
    """Make, review and write one ``document`` (for report), its PDF included.

    ``owner`` says what the document is made from (``tjänsteskrivelsen om
    visits/x.yaml``); a file of the same name that another input wrote is an error, and
    so is one that nbesok did not write. The run holds ``out_dir`` (see
    :func:`nbesok.output.held_folder`).
    """
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError.at(out_dir, "finns redan som fil; --out ska vara en mapp")
    with held_folder(out_dir, waiting):
        return _publish_held(
            document, owner, formats, out_dir, reference, libreoffice, allow_personnummer
        )


def _publish_held(
    document: Document,
    owner: str,
    formats: Sequence[str],
    out_dir: Path,
    reference: Path,
    libreoffice: Path | None,
    allow_personnummer: bool,
) -> Outcome:
    from nbesok.record import Record

    record = Record.read(out_dir)
    clash = record.owner_clash(document.name, owner, document.sources[0])
    if clash is not None:
        raise RenderError(clash)
    targets = [out_dir / f"{document.name}.{suffix}" for suffix in formats]
    foreign = [found for target in targets if (found := record.foreign(target))]
    if foreign:
        raise OutputError(foreign)
    outcome = Outcome()
    made = make(document, formats, out_dir, reference, allow_personnummer=allow_personnummer)
    record.claim(document.name, owner, (target.name for target in targets))
    record.write(prune=False)
    hashes = write(made, out_dir)
    outcome.written.extend(out_dir / name for name in made.files)
    outcome.findings.extend(made.findings)
    if made.pdf_source is not None:
        pdfs, held = add_pdfs(
            {made.name: made.pdf_source}, out_dir, libreoffice, outcome, {made.name: made.guard}
        )
        for pdf in pdfs:
            hashes[pdf.name] = hashlib.sha256(pdf.read_bytes()).hexdigest()
        if held:
            withdraw(out_dir, made.files)
            outcome.written = [path for path in outcome.written if path.name not in made.files]
            return outcome
    # No key: a report is made anew every time (its date may be today's).
    record.note(document.name, owner, "", hashes)
    record.write()
    return outcome
