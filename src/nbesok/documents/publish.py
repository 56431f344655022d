"""The one publishing step of render and report: formats, PDFs and the review.

A document's Markdown is parsed once. The syntax tree gives the published ``.md``
(GitHub-flavoured, see gfm.py) and the ``.docx``; the Word document is reviewed for
accessibility while it is still in memory, then every requested file is written
atomically. PDFs are made afterwards for all documents of a run in one LibreOffice
run, from the DOCX bytes made here.

What is published is guarded on every outlet, from one reading of each: the personnummer
guard (nbesok.archive.guard) on every copy, and on a public copy the rule on masked words
(nbesok.archive.masked_words) too.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nbesok.archive.guard import Guard
from nbesok.core.errors import Finding, OutputError, RenderError, UsageError, finding
from nbesok.core.output import held_folder, write_all_atomic
from nbesok.documents.outlets import Published, docx_texts, markdown_texts, name_texts, pdf_texts

if TYPE_CHECKING:  # render imports this module for a run that may render nothing
    from nbesok.archive.masked_words import MaskedWords
    from nbesok.archive.pictures import Picture
    from nbesok.documents.appendix import Appendix
    from nbesok.documents.compose import Document
    from nbesok.documents.redaction import Redacted
    from nbesok.documents.signing import Signer

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
    # For the PDF, checked once LibreOffice has made it: the personnummer guard, and a
    # public copy's rule on masked words.
    guard: Guard | None = None
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

    Before anything is written, every outlet's text is checked (the .md, and every part
    of the DOCX: body, headers, footers, properties, link targets, pictures' texts): a
    personnummer the document does not allow is a RenderError unless
    ``allow_personnummer`` (in the internal copy a number in a masked passage is
    allowed: the mask is the permission). A public copy (``document.public``) has its
    masked passages left out, and every outlet is checked for their words too. A
    Markdown text too deeply nested for the parser is refused rather than cut short.
    """
    from nbesok.archive import markup

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
    from nbesok.archive.pictures import metadata_texts

    shown = out_dir / f"{document.name}.{next(f for f in ('docx', 'pdf', 'md') if f in formats)}"
    pictures = _pictures(document, shown)
    allowed = document.allowed | _masked_numbers(redacted.masked_texts)
    # A number in a picture's own text is found in its file, where it was written.
    sources = [*document.sources, *_picture_files(document, pictures)]
    guard = None if allow_personnummer else Guard(sources, allowed)
    rule = _public_rule(document)
    # What a reader of any format sees: the text with its markup resolved.
    published: list[Published] = [("i dokumentet", text) for text in markup.plain_texts(tree)]
    published += [("i dokumentegenskaperna", text) for text in properties.texts()]
    published += [
        ("i en bild", text) for picture in pictures.values() for text in metadata_texts(picture)
    ]
    if rule is not None:
        published += name_texts([document.name])
    files: dict[str, bytes] = {}
    if "md" in formats:
        from nbesok.documents.gfm import published_markdown

        base = _relative(document.root, out_dir) if pictures else ""
        text = published_markdown(tree, properties, pictures_base=base)
        # The rendered reading is for a public copy's masked words; it parses the .md again.
        published += markdown_texts(text, as_shown=rule is not None)
        files[f"{document.name}.md"] = text.encode("utf-8")
    if "docx" not in formats and "pdf" not in formats:
        published += [("i en bilds alternativtext", text) for text in _alt_texts(tree)]
        _check(published, guard, rule, shown)
        return Made(document.name, files, None, [])
    from nbesok.documents.docx.package import save_document
    from nbesok.documents.docx.reference import load_reference
    from nbesok.documents.docx.review import as_warnings, review_document
    from nbesok.documents.docx.writer import write_docx

    loaded = load_reference(reference)
    word = write_docx(tree, loaded, properties, pictures=pictures)
    _check([*published, *docx_texts(word)], guard, rule, shown)
    # Every document of a reference has its styles, but for the text language.
    styles = (loaded.data, properties.lang)
    findings = as_warnings(review_document(word, shown, same_styles_as=styles))
    docx_bytes = save_document(word)
    if "docx" in formats:
        files[f"{document.name}.docx"] = docx_bytes
    if "pdf" not in formats:
        return Made(document.name, files, None, findings)
    pdf_source = docx_bytes
    if _has_fields(word):
        # A form prints its placeholders grey only without content controls, which
        # LibreOffice draws as black input fields.
        printed = write_docx(tree, loaded, properties, pictures=pictures, controls=False)
        pdf_source = save_document(printed)
    # A guard of its own for the PDF: this one holds the sources' texts, read.
    pdf_guard = None if guard is None else Guard(sources, allowed)
    return Made(document.name, files, pdf_source, findings, pdf_guard, rule)


def _check(
    published: Sequence[Published], guard: Guard | None, rule: MaskedWords | None, shown: Path
) -> None:
    """Both rules on one reading of the outlets: RenderError with what they find."""
    if guard is not None:
        guard.check(published, shown)
    if rule is not None:
        rule.check(published)


def _pictures(document: Document, shown: Path) -> dict[str, Picture]:
    """The pictures the document shows, read from the archive's bilder/."""
    from nbesok.archive import pictures

    if document.root is None:
        return {}
    try:
        return pictures.load(document.markdown, document.root)
    except pictures.PictureError as error:
        raise RenderError(
            finding(source, str(error)) for source in document.sources[:1] or (shown,)
        ) from None


def _picture_files(document: Document, pictures: Mapping[str, Picture]) -> list[Path]:
    if document.root is None:
        return []
    return [document.root / picture.source for picture in pictures.values()]


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
    from nbesok.documents.docx.fields import SDT

    return next(word.element.body.iter(SDT), None) is not None


def _redacted(tree: Any, document: Document) -> Redacted:
    """The copy ``document`` is: internal, or public (see nbesok.documents.redaction)."""
    from nbesok.archive.secrecy import Secrecy
    from nbesok.documents.redaction import Copy, Redacted, redact

    if not document.public and "maskera" not in document.markdown:
        return Redacted(tree)  # no mask, nothing to mark: the document as it was
    copy = Copy.PUBLIC if document.public else Copy.INTERNAL
    return redact(tree, copy, document.secrecy or Secrecy())


def _public_rule(document: Document) -> MaskedWords | None:
    if not document.public:
        return None
    from nbesok.archive.masked_words import MaskedWords
    from nbesok.archive.secrecy import Secrecy

    rule = MaskedWords(document.secrecy or Secrecy())
    return None if rule.empty else rule  # no mask in the sources: nothing to read for


def _masked_numbers(texts: Iterable[str]) -> frozenset[str]:
    """The personnummer in masked passages (ten digits each): allowed in the internal
    copy, where the mask is the explicit permission (the public copy has no such
    passage left)."""
    from nbesok.archive.personnummer import find_numbers

    return frozenset(match.digits for text in texts for match in find_numbers(text))


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
    *,
    signer: Signer | None = None,
    guards: Mapping[str, Guard] | None = None,
    rules: Mapping[str, MaskedWords] | None = None,
) -> tuple[list[Path], set[str]]:
    """One LibreOffice run for all of ``sources`` (and their bilagor, appended to their
    PDFs), each PDF signed by ``signer`` if given; a failure leaves the other formats
    (and no unsigned PDF where a signed one was asked).

    Each PDF is then read back, as it will be published (bilagor and signature
    included), and checked by its document's guard and, for a public copy, its rule on
    masked words (``guards`` and ``rules`` by document name) before it is moved into
    place. Returns the PDFs written, and the names of the documents whose PDF was held
    back (their findings are in ``outcome``).
    """
    if not sources:
        return [], set()
    from nbesok.documents.pdf import convert_documents, find_libreoffice
    from nbesok.documents.signing import SigningError

    held: set[str] = set()

    def inspect(pdf: Path, name: str) -> bool:
        guard = (guards or {}).get(name)
        rule = (rules or {}).get(name)
        if guard is None and rule is None:
            return True
        texts = list(pdf_texts(pdf))  # one reading for both rules
        found = guard.findings(texts, out_dir / pdf.name) if guard is not None else []
        if rule is not None:
            found += rule.findings(texts)
        if found:
            outcome.findings.extend(found)
            held.add(name)
        return not found

    try:
        pdfs = convert_documents(
            sources,
            out_dir,
            libreoffice=find_libreoffice(libreoffice),
            appendices=appendices or {},
            finish=signer.sign_file if signer is not None else None,
            inspect=inspect,
        )
    except (RenderError, SigningError) as error:
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
    signer: Signer | None = None,
    public: bool = False,
    waiting: Callable[[Path], None] | None = None,
) -> Outcome:
    """Make, review and write one ``document`` (for report), its PDF included; with
    ``public``, its public copy beside it (see :func:`make_copies`).

    ``owner`` says what the document is made from (``tjänsteskrivelsen om
    visits/x.yaml``); a file of the same name that another input wrote is an error, and
    so is one that nbesok did not write. The run holds ``out_dir`` (see
    :func:`nbesok.core.output.held_folder`).
    """
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError.at(out_dir, "finns redan som fil; --out ska vara en mapp")
    with held_folder(out_dir, waiting):
        return _publish_held(
            document,
            owner,
            formats,
            out_dir,
            reference,
            libreoffice,
            allow_personnummer=allow_personnummer,
            signer=signer,
            public=public,
        )


def _publish_held(
    document: Document,
    owner: str,
    formats: Sequence[str],
    out_dir: Path,
    reference: Path,
    libreoffice: Path | None,
    *,
    allow_personnummer: bool,
    signer: Signer | None,
    public: bool,
) -> Outcome:
    from nbesok.documents.record import Record

    record = Record.read(out_dir)
    copies = make_copies(
        document, formats, out_dir, reference, allow_personnummer=allow_personnummer, public=public
    )
    for made in copies:
        clash = record.owner_clash(made.name, owner, document.sources[0])
        if clash is not None:
            raise RenderError(clash)
    targets = [out_dir / f"{made.name}.{suffix}" for made in copies for suffix in formats]
    foreign = [found for target in targets if (found := record.foreign(target))]
    if foreign:
        raise OutputError(foreign)
    for made in copies:
        record.claim(made.name, owner, (f"{made.name}.{suffix}" for suffix in formats))
    record.write(prune=False)
    outcome = Outcome()
    hashes: dict[str, dict[str, str]] = {}
    for made in copies:
        hashes[made.name] = write(made, out_dir)
        outcome.written.extend(out_dir / name for name in made.files)
        outcome.findings.extend(made.findings)
    sources = {made.name: made.pdf_source for made in copies if made.pdf_source is not None}
    guards = {made.name: made.guard for made in copies if made.guard is not None}
    rules = {made.name: made.pdf_rule for made in copies if made.pdf_rule is not None}
    # Each copy's PDF gets the bilagor: the public tjänsteskrivelse is the one handed out.
    attached = {made.name: document.appendices for made in copies}
    pdfs, held = add_pdfs(
        sources, out_dir, libreoffice, outcome, attached, signer=signer, guards=guards, rules=rules
    )
    for pdf in pdfs:
        hashes[pdf.stem][pdf.name] = hashlib.sha256(pdf.read_bytes()).hexdigest()
    if held:
        # A document the guard stopped at its PDF is withdrawn whole, both copies.
        gone = [name for made in copies for name in made.files]
        withdraw(out_dir, [*gone, *(pdf.name for pdf in pdfs)])
        outcome.written = [path for path in outcome.written if path.name not in gone]
        outcome.written = [path for path in outcome.written if path not in pdfs]
        return outcome
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
