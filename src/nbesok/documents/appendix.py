"""Bilagor: documents attached to a tjänsteskrivelse (``nbesok report --bilaga FIL``).

A bilaga is listed under Beslutsunderlag in every format. In the PDF it is appended as
pages after the tjänsteskrivelse, so that the committee gets one document to put on the
agenda. The result must stay PDF/A-2b and PDF/UA-1, so only a bilaga that keeps them can
be appended:

- a Word document (.docx) is converted by the same LibreOffice run as the
  tjänsteskrivelse, to tagged PDF/A, and appended;
- a PDF is appended if it is PDF/A (part 1 or 2; PDF/A-2 allows nothing else in it) and
  tagged (its structure is grafted into the tjänsteskrivelse's, under a Part element
  named after the bilaga). Any other PDF is refused with a message saying how to save
  it as PDF/A, since its pages would break the archive format and reach no screen
  reader.

The pages are copied with pikepdf, with their structure elements, their entries in the
parent tree (renumbered after the tjänsteskrivelse's) and an outline entry. The text a
bilaga publishes is read for the personnummer guard: a .docx with python-docx, a PDF
with pypdf.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from nbesok.core.errors import RenderError, UsageError

if TYPE_CHECKING:
    import pikepdf

MAX_BYTES = 50 * 1024 * 1024
SUFFIXES = {".pdf": "pdf", ".docx": "docx"}
_SAVE_AS_PDFA = (
    "spara den som PDF/A (Word: Spara som › PDF › Alternativ › PDF/A-kompatibel; "
    "LibreOffice: Exportera som PDF › PDF/A) eller ange Word-filen (.docx)"
)


@dataclass(frozen=True)
class Appendix:
    """A bilaga: the file, and the title it is listed by."""

    path: Path
    title: str
    kind: Literal["pdf", "docx"]

    def listed(self, number: int) -> str:
        """How Beslutsunderlag lists it: ”Bilaga 1: Utvecklingstrappa (trappa.pdf)”."""
        return f"Bilaga {number}: {self.title} ({self.path.name})"


def read_appendices(paths: Sequence[Path]) -> list[Appendix]:
    """Check each ``--bilaga``: a .pdf or .docx that exists and can be appended."""
    return [read_appendix(path) for path in paths]


def read_appendix(path: Path) -> Appendix:
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise UsageError.at(
            "--bilaga",
            f"”{path}” är varken PDF eller Word-dokument (.docx); bara sådana kan bifogas",
        )
    if not path.is_file():
        raise UsageError.at("--bilaga", f"”{path}” finns inte; ange en befintlig fil")
    if path.stat().st_size > MAX_BYTES:
        raise RenderError.at(
            path, f"bilagan är större än {MAX_BYTES // 1024 // 1024} MB; dela upp den"
        )
    if kind == "docx":
        return Appendix(path, _docx_title(path), "docx")
    return Appendix(path, _pdf_title(path), "pdf")


def _docx_title(path: Path) -> str:
    from nbesok.core.inputs import read_bounded
    from nbesok.documents.docx.package import open_document

    def fail(message: str) -> RenderError:
        return RenderError.at(path, message)

    document = open_document(read_bounded(path, MAX_BYTES, fail), path.name, fail)
    return (document.core_properties.title or "").strip() or path.stem


def _pdf_title(path: Path) -> str:
    """The PDF's title, after checking that it is tagged PDF/A (part 1 or 2)."""
    import pikepdf

    try:
        with pikepdf.open(path) as pdf:
            meta = pdf.open_metadata()
            part = str(meta.get("pdfaid:part", "") or "")
            title = str(meta.get("dc:title", "") or "")
            marked = pdf.Root.get("/MarkInfo")
            tagged = "/StructTreeRoot" in pdf.Root and bool(
                marked is not None and marked.get("/Marked", False)
            )
            if not title and "/Title" in pdf.docinfo:
                title = str(pdf.docinfo.Title)
    except (pikepdf.PdfError, OSError) as error:
        raise RenderError.at(path, f"bilagan kan inte läsas som PDF ({error})") from None
    if part not in ("1", "2"):
        raise RenderError.at(
            path,
            "bilagan är ingen PDF/A-1 eller PDF/A-2, och PDF/A-2 får bara ha sådana i sig; "
            + _SAVE_AS_PDFA,
        )
    if not tagged:
        raise RenderError.at(
            path,
            "bilagan är en otaggad PDF: dess sidor når inga skärmläsare och skulle göra "
            "tjänsteskrivelsen otillgänglig (PDF/UA); " + _SAVE_AS_PDFA + " med taggar",
        )
    return title.strip() or path.stem


def texts(appendix: Appendix) -> Iterator[str]:
    """The text the bilaga publishes, for the personnummer guard."""
    if appendix.kind == "docx":
        from nbesok.documents.docx.package import open_document
        from nbesok.documents.docx.text import document_texts

        def fail(message: str) -> RenderError:
            return RenderError.at(appendix.path, message)

        yield from document_texts(open_document(appendix.path.read_bytes(), "", fail))
        return
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(appendix.path)
        for page in reader.pages:
            yield page.extract_text() or ""
        yield from (str(value) for value in (reader.metadata or {}).values())
    except (PyPdfError, ValueError, KeyError) as error:
        raise RenderError.at(appendix.path, f"bilagans text kan inte läsas ({error})") from None


def append(target: Path, appendices: Sequence[tuple[Appendix, Path]]) -> None:
    """Append each bilaga's PDF (the file itself, or its conversion) to ``target``."""
    import pikepdf

    from nbesok.documents import pdfua

    with pikepdf.open(target, allow_overwriting_input=True) as pdf:
        for number, (appendix, source) in enumerate(appendices, start=1):
            with pikepdf.open(source) as other:
                _graft(pdf, other, f"Bilaga {number}: {appendix.title}")
        pdfua.save(pdf, target)


def _graft(pdf: pikepdf.Pdf, other: pikepdf.Pdf, title: str) -> None:
    """``other``'s pages and structure after ``pdf``'s, under a Part called ``title``."""
    import pikepdf

    root = pdf.Root.StructTreeRoot
    parent_tree = pikepdf.NumberTree(root.ParentTree)
    offset = max((int(key) for key, _ in parent_tree.items()), default=-1) + 1
    first_page = len(pdf.pages)
    pdf.pages.extend(other.pages)
    for page in pdf.pages[first_page:]:
        if "/StructParents" in page.obj:
            page.obj.StructParents = int(page.obj.StructParents) + offset
        for annotation in page.obj.get("/Annots", []):
            if "/StructParent" in annotation:
                annotation.StructParent = int(annotation.StructParent) + offset
    theirs = other.Root.get("/StructTreeRoot")
    if theirs is None:
        return
    next_key = offset
    for key, value in pikepdf.NumberTree(theirs.ParentTree).items():
        parent_tree[int(key) + offset] = _copied(pdf, value)
        next_key = max(next_key, int(key) + offset + 1)
    root.ParentTreeNextKey = next_key
    document = _document_element(root)
    part = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.StructElem,
            S=pikepdf.Name.Part,
            P=document,
            T=pikepdf.String(title),
            K=pikepdf.Array(),
        )
    )
    language = other.Root.get("/Lang")
    if language is not None:
        part.Lang = language
    kids = theirs.get("/K")
    kids = kids if isinstance(kids, pikepdf.Array) else pikepdf.Array([kids] if kids else [])
    for kid in kids:
        copied = _copied(pdf, kid)
        if isinstance(copied, pikepdf.Dictionary):
            copied.P = part
        part.K.append(copied)
    document_kids = document.get("/K")
    if not isinstance(document_kids, pikepdf.Array):
        document.K = pikepdf.Array([] if document_kids is None else [document_kids])
    document.K.append(part)
    _merge_role_map(root, theirs)
    with pdf.open_outline() as outline:
        outline.root.append(pikepdf.OutlineItem(title, first_page))


def _copied(pdf: pikepdf.Pdf, value: Any) -> Any:
    """``value`` from the other PDF, in ``pdf``: indirect objects through qpdf's foreign
    copy (one copy per object, shared with the pages already copied), direct arrays and
    dictionaries rebuilt around them."""
    import pikepdf

    if isinstance(value, pikepdf.Object) and value.is_indirect:
        return pdf.copy_foreign(value)
    if isinstance(value, pikepdf.Array):
        return pikepdf.Array([_copied(pdf, item) for item in value])
    if isinstance(value, pikepdf.Dictionary):
        return pikepdf.Dictionary({key: _copied(pdf, item) for key, item in value.items()})
    return value


def _document_element(root: Any) -> Any:
    """The Document element at the top of a tag tree (the root, if it has none)."""
    import pikepdf

    kids = root.get("/K")
    first = kids[0] if isinstance(kids, pikepdf.Array) and len(kids) else kids
    if isinstance(first, pikepdf.Dictionary) and first.get("/S") == "/Document":
        return first
    return root


def _merge_role_map(ours: Any, theirs: Any) -> None:
    import pikepdf

    their_map = theirs.get("/RoleMap")
    if their_map is None:
        return
    if "/RoleMap" not in ours:
        ours.RoleMap = pikepdf.Dictionary()
    for key, value in their_map.items():
        if key not in ours.RoleMap:
            ours.RoleMap[key] = value
