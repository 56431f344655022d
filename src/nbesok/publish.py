"""The one publishing step of render and report: formats, PDFs and the review.

A document's Markdown is parsed once. The syntax tree gives the published ``.md``
(GitHub-flavoured, see gfm.py) and the ``.docx``; the Word document is reviewed for
accessibility while it is still in memory, then every requested file is written
atomically. PDFs are made afterwards for all documents of a run in one LibreOffice
run, from the DOCX bytes made here.
"""

from __future__ import annotations

import hashlib
import itertools
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nbesok.documents import Document
from nbesok.errors import Finding, OutputError, RenderError, UsageError, finding
from nbesok.output import write_all_atomic

if TYPE_CHECKING:
    from nbesok.appendix import Appendix
    from nbesok.docx.drawing import Picture
    from nbesok.signing import Signer

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


def make(
    document: Document,
    formats: Sequence[str],
    out_dir: Path,
    reference: Path,
    *,
    allow_personnummer: bool = False,
) -> Made:
    """Every requested format of ``document`` in memory, and the review of its DOCX.

    Before anything is made into bytes, the text a reader will see is searched for
    personnummer (RenderError unless ``allow_personnummer``), and a Markdown text too
    deeply nested for the parser is refused rather than cut short.
    """
    from nbesok import markup

    try:
        tree = markup.parse(document.markdown)
        if document.status:
            markup.mark_status(tree, document.status)
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
    from nbesok.pictures import metadata_texts

    shown = out_dir / f"{document.name}.{next(f for f in ('docx', 'pdf', 'md') if f in formats)}"
    pictures = _pictures(document, shown)
    picture_texts = [text for picture in pictures.values() for text in metadata_texts(picture)]
    files: dict[str, bytes] = {}
    if "md" in formats:
        from nbesok.gfm import published_markdown

        base = _relative(document.root, out_dir) if pictures else ""
        text = published_markdown(tree, properties, pictures_base=base)
        files[f"{document.name}.md"] = text.encode("utf-8")
    if "docx" not in formats and "pdf" not in formats:
        texts = itertools.chain(markup.plain_texts(tree), _alt_texts(tree))
        more = [*properties.texts(), *picture_texts]
        _guard(texts, more, document, shown, allow_personnummer)
        return Made(document.name, files, None, [])
    from nbesok.docx.package import save_document
    from nbesok.docx.reference import load_reference
    from nbesok.docx.review import as_warnings, review_document
    from nbesok.docx.text import document_texts
    from nbesok.docx.writer import write_docx

    loaded = load_reference(reference)
    word = write_docx(tree, loaded, properties, pictures=pictures)
    _guard(document_texts(word), picture_texts, document, shown, allow_personnummer)
    # Every document of a reference has its styles, but for the text language.
    styles = (loaded.data, properties.lang)
    findings = as_warnings(review_document(word, shown, same_styles_as=styles))
    docx_bytes = save_document(word)
    if "docx" in formats:
        files[f"{document.name}.docx"] = docx_bytes
    pdf_source = None
    if "pdf" in formats:
        pdf_source = docx_bytes
        if _has_fields(word):
            # A form prints its placeholders grey only without content controls,
            # which LibreOffice draws as black input fields.
            printed = write_docx(tree, loaded, properties, pictures=pictures, controls=False)
            pdf_source = save_document(printed)
    return Made(document.name, files, pdf_source, findings)


def _pictures(document: Document, shown: Path) -> dict[str, Picture]:
    """The pictures the document shows, read from the archive's bilder/."""
    from nbesok import pictures

    if document.root is None:
        return {}
    try:
        return pictures.load(document.markdown, document.root)
    except pictures.PictureError as error:
        raise RenderError(
            finding(source, str(error)) for source in document.sources[:1] or (shown,)
        ) from None


def _alt_texts(tree: Any) -> Iterator[str]:
    for node in tree.walk():
        if node.type == "image":
            yield "".join(child.content for child in node.walk() if child.type == "text")


def _relative(root: Path | None, out_dir: Path) -> str:
    """The archive's root as seen from ``out_dir``, for the .md's picture links."""
    if root is None:
        return ""
    relative = os.path.relpath(root.resolve(), out_dir.resolve())
    return "" if relative == "." else Path(relative).as_posix()


def _has_fields(word: Any) -> bool:
    from nbesok.docx.fields import SDT

    return next(word.element.body.iter(SDT), None) is not None


def _guard(
    texts: Iterable[str],
    more: Iterable[str],
    document: Document,
    shown: Path,
    allowed: bool,
) -> None:
    """No personnummer in what will be published, wherever in the inputs it came from."""
    if allowed:
        return
    from nbesok.personnummer import published_findings

    findings = published_findings(itertools.chain(texts, more), document.sources, shown)
    if findings:
        raise RenderError(findings)


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
    appendices: Mapping[str, Sequence[Appendix]] | None = None,
    signer: Signer | None = None,
) -> list[Path]:
    """One LibreOffice run for all of ``sources`` (and their bilagor, appended to their
    PDFs), each PDF signed by ``signer`` if given; a failure leaves the other formats
    (and no unsigned PDF where a signed one was asked)."""
    if not sources:
        return []
    from nbesok.pdf import LibreOfficeError, convert_documents, find_libreoffice
    from nbesok.signing import SigningError

    try:
        pdfs = convert_documents(
            sources,
            out_dir,
            libreoffice=find_libreoffice(libreoffice),
            appendices=appendices or {},
            finish=signer.sign_file if signer is not None else None,
        )
    except (LibreOfficeError, SigningError) as error:
        outcome.findings.extend(error.findings)
        return []
    outcome.written.extend(pdfs)
    return pdfs


def publish(
    document: Document,
    owner: str,
    formats: Sequence[str],
    out_dir: Path,
    reference: Path,
    libreoffice: Path | None = None,
    *,
    allow_personnummer: bool = False,
    signer: Signer | None = None,
) -> Outcome:
    """Make, review and write one ``document`` (for report), its PDF included.

    ``owner`` says what the document is made from (``tjänsteskrivelsen om
    visits/x.yaml``); a file of the same name that another input wrote is an error.
    """
    from nbesok.record import Record

    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError.at(out_dir, "finns redan som fil; --out ska vara en mapp")
    record = Record.read(out_dir)
    clash = record.owner_clash(document.name, owner, document.sources[0])
    if clash is not None:
        raise RenderError(clash)
    outcome = Outcome()
    made = make(document, formats, out_dir, reference, allow_personnummer=allow_personnummer)
    hashes = write(made, out_dir)
    outcome.written.extend(out_dir / name for name in made.files)
    outcome.findings.extend(made.findings)
    if made.pdf_source is not None:
        sources = {made.name: made.pdf_source}
        attached = {made.name: document.appendices}
        for pdf in add_pdfs(sources, out_dir, libreoffice, outcome, attached, signer):
            hashes[pdf.name] = hashlib.sha256(pdf.read_bytes()).hexdigest()
    # No key: a report is made anew every time (its date may be today's).
    record.note(document.name, owner, "", hashes)
    record.write()
    return outcome
