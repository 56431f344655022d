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
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nbesok.documents import Document
from nbesok.errors import Finding, OutputError, RenderError, UsageError, finding
from nbesok.outlets import Published, markdown_texts, name_texts
from nbesok.output import write_all_atomic

if TYPE_CHECKING:
    from nbesok.appendix import Appendix
    from nbesok.docx.drawing import Picture
    from nbesok.masked_words import MaskedWords
    from nbesok.redaction import Redacted
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
    # A public copy's rule on masked words, for its PDF once LibreOffice has made it.
    pdf_rule: MaskedWords | None = None


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
    personnummer (RenderError unless ``allow_personnummer``; in the internal copy a
    number in a masked passage is allowed), and a Markdown text too deeply nested for
    the parser is refused rather than cut short. A public copy (``document.public``)
    has its masked passages left out, and every part of every file is checked for
    their words before anything is written (RenderError, see nbesok.masked_words).
    """
    from nbesok import markup

    try:
        tree = markup.parse(document.markdown)
        if document.status:
            markup.mark_status(tree, document.status)
        redacted = _redacted(tree, document)
        tree = redacted.tree
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
    rule = _public_rule(document)
    # What every outlet holds, for the rule on masked words (public copies only).
    published: list[Published] = []
    if rule is not None:
        published += [("i dokumentegenskaperna", text) for text in properties.texts()]
        published += [("i dokumentet", text) for text in markup.plain_texts(tree)]
        published += name_texts([document.name])
    allowed = _masked_numbers(redacted.masked_texts)
    files: dict[str, bytes] = {}
    if "md" in formats:
        from nbesok.gfm import published_markdown

        base = _relative(document.root, out_dir) if pictures else ""
        text = published_markdown(tree, properties, pictures_base=base)
        if rule is not None:
            published += markdown_texts(text)
        files[f"{document.name}.md"] = text.encode("utf-8")
    if "docx" not in formats and "pdf" not in formats:
        texts = itertools.chain(markup.plain_texts(tree), _alt_texts(tree))
        more = [*properties.texts(), *picture_texts]
        _guard(texts, more, document, shown, allow_personnummer, allowed)
        if rule is not None:
            rule.check(published)
        return Made(document.name, files, None, [])
    from nbesok.docx.package import save_document
    from nbesok.docx.reference import load_reference
    from nbesok.docx.review import as_warnings, review_document
    from nbesok.docx.text import document_texts
    from nbesok.docx.writer import write_docx

    loaded = load_reference(reference)
    word = write_docx(tree, loaded, properties, pictures=pictures)
    _guard(document_texts(word), picture_texts, document, shown, allow_personnummer, allowed)
    if rule is not None:
        from nbesok.outlets import docx_texts

        rule.check([*published, *docx_texts(word)])
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
    return Made(
        document.name, files, pdf_source, findings, rule if pdf_source is not None else None
    )


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


def _redacted(tree: Any, document: Document) -> Redacted:
    """The copy ``document`` is: internal, or public (see nbesok.redaction)."""
    from nbesok.redaction import Copy, Redacted, redact
    from nbesok.secrecy import Secrecy

    if not document.public and "maskera" not in document.markdown:
        return Redacted(tree)  # no mask, nothing to mark: the document as it was
    copy = Copy.PUBLIC if document.public else Copy.INTERNAL
    return redact(tree, copy, document.secrecy or Secrecy())


def _public_rule(document: Document) -> MaskedWords | None:
    if not document.public:
        return None
    from nbesok.masked_words import MaskedWords
    from nbesok.secrecy import Secrecy

    rule = MaskedWords(document.secrecy or Secrecy())
    return None if rule.empty else rule  # no mask in the sources: nothing to read for


def _masked_numbers(texts: Iterable[str]) -> frozenset[str]:
    """The personnummer in masked passages: allowed in the internal copy, where the mask
    is the explicit permission (the public copy has no such passage left)."""
    from nbesok.personnummer import find_numbers

    return frozenset(
        re.sub(r"\D", "", match.text) for text in texts for match in find_numbers(text)
    )


def _guard(
    texts: Iterable[str],
    more: Iterable[str],
    document: Document,
    shown: Path,
    allowed: bool,
    masked: frozenset[str] = frozenset(),
) -> None:
    """No personnummer in what will be published, wherever in the inputs it came from,
    but those of ``masked`` passages."""
    if allowed:
        return
    from nbesok.personnummer import published_findings

    findings = published_findings(
        itertools.chain(texts, more), document.sources, shown, allowed=masked
    )
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
    rules: Mapping[str, MaskedWords] | None = None,
) -> list[Path]:
    """One LibreOffice run for all of ``sources`` (and their bilagor, appended to their
    PDFs), each PDF signed by ``signer`` if given; a failure leaves the other formats
    (and no unsigned PDF where a signed one was asked).

    A public copy's PDF is read back and checked by its rule on masked words (``rules``
    by document name) before any PDF is moved into place: one that shows a masked word
    stops the run's PDFs, like a failed conversion.
    """
    if not sources:
        return []
    from nbesok.pdf import convert_documents, find_libreoffice
    from nbesok.signing import SigningError

    try:
        pdfs = convert_documents(
            sources,
            out_dir,
            libreoffice=find_libreoffice(libreoffice),
            appendices=appendices or {},
            finish=_finisher(signer, rules or {}),
        )
    except (RenderError, SigningError) as error:
        outcome.findings.extend(error.findings)
        return []
    outcome.written.extend(pdfs)
    return pdfs


def _finisher(
    signer: Signer | None, rules: Mapping[str, MaskedWords]
) -> Callable[[Path], None] | None:
    if signer is None and not rules:
        return None

    def finish(pdf: Path) -> None:
        if signer is not None:
            signer.sign_file(pdf)
        rule = rules.get(pdf.stem)
        if rule is not None:
            from nbesok.masked_words import check_pdf

            check_pdf(rule, pdf)  # the file as it will be published, signature and all

    return finish


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
    public: bool = False,
) -> Outcome:
    """Make, review and write one ``document`` (for report), its PDF included; with
    ``public``, its public copy beside it (see :func:`make_copies`).

    ``owner`` says what the document is made from (``tjänsteskrivelsen om
    visits/x.yaml``); a file of the same name that another input wrote is an error.
    """
    from nbesok.record import Record

    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError.at(out_dir, "finns redan som fil; --out ska vara en mapp")
    record = Record.read(out_dir)
    copies = make_copies(
        document, formats, out_dir, reference, allow_personnummer=allow_personnummer, public=public
    )
    for made in copies:
        clash = record.owner_clash(made.name, owner, document.sources[0])
        if clash is not None:
            raise RenderError(clash)
    outcome = Outcome()
    hashes: dict[str, dict[str, str]] = {}
    for made in copies:
        hashes[made.name] = write(made, out_dir)
        outcome.written.extend(out_dir / name for name in made.files)
        outcome.findings.extend(made.findings)
    sources = {made.name: made.pdf_source for made in copies if made.pdf_source is not None}
    rules = {made.name: made.pdf_rule for made in copies if made.pdf_rule is not None}
    # Each copy's PDF gets the bilagor: the public tjänsteskrivelse is the one handed out.
    attached = {made.name: document.appendices for made in copies}
    for pdf in add_pdfs(
        sources, out_dir, libreoffice, outcome, attached, signer=signer, rules=rules
    ):
        hashes[pdf.stem][pdf.name] = hashlib.sha256(pdf.read_bytes()).hexdigest()
    # No key: a report is made anew every time (its date may be today's).
    for name, written in hashes.items():
        record.note(name, owner, "", written)
    record.write()
    return outcome


def make_copies(
    document: Document,
    formats: Sequence[str],
    out_dir: Path,
    reference: Path,
    *,
    allow_personnummer: bool = False,
    public: bool = False,
) -> list[Made]:
    """The internal copy of ``document`` and, with ``public``, its public copy: the same
    Markdown, made and checked in memory, nothing written yet. Either copy failing its
    checks (a personnummer, a masked word in the public copy) stops both."""
    copies = [make(document, formats, out_dir, reference, allow_personnummer=allow_personnummer)]
    if public:
        copy = document.public_copy()
        copies.append(
            make(copy, formats, out_dir, reference, allow_personnummer=allow_personnummer)
        )
    return copies
