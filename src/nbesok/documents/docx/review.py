"""Accessibility review of Word documents: the checks of ``nbesok granska`` and of every render.

Protocols and committee notes are public records published on the web, where EN 301 549
(WCAG 2.1 AA) applies. This module checks what a document can get wrong structurally:
document language, title property, one title and heading levels that never skip, table
header rows, alt text on images, no empty headings, and no colour as the only carrier
of meaning (a shaded cell must also say its status in text).

The review reads a python-docx ``Document``: after a render the one just built, still
in memory, and for ``nbesok granska`` a file opened through the same checks as a
reference document (no zip bomb, no DTD). Each finding is located at the offending
block: ``line`` is the 1-based position of the paragraph or table among the body's
blocks in document order, so a user can find it in Word by counting, and ``key`` names
it (``rubrik ”Ärende”``, ``tabell 2``).
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn

from nbesok.core.errors import Finding, NbesokError, Severity, finding

if TYPE_CHECKING:
    from docx.document import Document

__all__ = ["as_warnings", "review_document", "review_file"]

_WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
_V = "urn:schemas-microsoft-com:vml"
_O = "urn:schemas-microsoft-com:office:office"
# Word 2019 and later mark a purely decorative image this way instead of with alt text.
_DECORATIVE = "{http://schemas.microsoft.com/office/drawing/2017/decorative}decorative"

_P = qn("w:p")
_TBL = qn("w:tbl")
_TR = qn("w:tr")
_TC = qn("w:tc")
_SDT = qn("w:sdt")
_SDTCONTENT = qn("w:sdtContent")
_CUSTOMXML = qn("w:customXml")
_T = qn("w:t")
_R = qn("w:r")
_PPR = qn("w:pPr")
_RPR = qn("w:rPr")
_TCPR = qn("w:tcPr")
_TRPR = qn("w:trPr")
_PSTYLE = qn("w:pStyle")
_RSTYLE = qn("w:rStyle")
_OUTLINE = qn("w:outlineLvl")
_TBLHEADER = qn("w:tblHeader")
_SHD = qn("w:shd")
_HIGHLIGHT = qn("w:highlight")
_LANG = qn("w:lang")
_VAL = qn("w:val")
_FILL = qn("w:fill")
_THEMEFILL = qn("w:themeFill")
_STYLE = qn("w:style")
_NAME = qn("w:name")
_BASEDON = qn("w:basedOn")
_STYLEID = qn("w:styleId")
_TYPE = qn("w:type")
_DEFAULT = qn("w:default")
_DOCPR = f"{{{_WP}}}docPr"
_IMAGEDATA = f"{{{_V}}}imagedata"
_O_TITLE = f"{{{_O}}}title"

_TRUE_VALUES = ("", "1", "true", "on")  # an on/off property without w:val is on
_UNCOLOURED = ("", "auto", "ffffff")
_HEADING_NAME = re.compile(r"heading ([1-9])", re.IGNORECASE)
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")
_KEY_TEXT_LIMIT = 50
# Reading a document to review it: the same bound as a reference document.
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024


class _Unreadable(NbesokError):
    """The file is not a Word document this review can read; the message says why."""


def _unreadable(path: Path, reason: str) -> _Unreadable:
    return _Unreadable.at(
        path,
        f"kan inte läsas som Word-dokument: {reason}; granska bara .docx-filer som nbesok "
        "eller Word har skrivit, eller rendera dokumentet igen",
    )


def review_document(
    document: Document, path: Path, *, same_styles_as: Hashable | None = None
) -> list[Finding]:
    """Every accessibility problem of a python-docx document, located by block.

    ``path`` is where the document is (or will be) written, for the findings. Documents
    given the same ``same_styles_as`` key have the same styles part, which is then read
    once (a render batch: the reference's bytes and the document language).
    """
    return _Review(path, _Parts.of(document, same_styles_as)).run()


def review_file(path: Path) -> list[Finding]:
    """Every accessibility problem of the .docx at ``path``.

    A file that cannot be read as a Word document gives one error, never an exception.
    """
    from nbesok.core.inputs import read_bounded
    from nbesok.documents.docx.package import open_document

    try:
        data = read_bounded(path, MAX_DOCUMENT_BYTES, lambda reason: _unreadable(path, reason))
        document = open_document(data, path.name, lambda reason: _unreadable(path, reason))
    except _Unreadable as error:
        return error.findings
    return review_document(document, path)


def as_warnings(findings: Iterable[Finding]) -> list[Finding]:
    """The review after a render: a document that was just written is not withdrawn
    for an accessibility problem, but the user should see it at once."""
    return [replace(found, severity=Severity.WARNING) for found in findings]


@dataclass
class Styles:
    """What the review needs from styles.xml: heading levels, shading, default language."""

    names: dict[str, str] = field(default_factory=dict)
    based_on: dict[str, str] = field(default_factory=dict)
    outline: dict[str, int] = field(default_factory=dict)
    coloured: set[str] = field(default_factory=set)
    default_paragraph: str = ""
    language: str = ""
    _levels: dict[str, int | None] = field(default_factory=dict)

    @classmethod
    def read(cls, root: Any) -> Styles:
        styles = cls()
        if root is None:
            return styles
        for language in root.iterfind(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{_RPR}/{_LANG}"):
            styles.language = language.get(_VAL, "")
        for style in root.iterchildren(_STYLE):
            style_id = style.get(_STYLEID, "")
            name = style.find(_NAME)
            styles.names[style_id] = name.get(_VAL, style_id) if name is not None else style_id
            based = style.find(_BASEDON)
            if based is not None:
                styles.based_on[style_id] = based.get(_VAL, "")
            outline = style.find(f"{_PPR}/{_OUTLINE}")
            if outline is not None:
                styles.outline[style_id] = _outline_value(outline)
            if _is_coloured(style.find(f"{_RPR}/{_SHD}")) or _is_highlighted(
                style.find(f"{_RPR}/{_HIGHLIGHT}")
            ):
                styles.coloured.add(style_id)
            if style.get(_TYPE) == "paragraph" and style.get(_DEFAULT) in ("1", "true", "on"):
                styles.default_paragraph = style_id
                own = style.find(f"{_RPR}/{_LANG}")
                if own is not None and own.get(_VAL):
                    styles.language = own.get(_VAL)
        return styles

    def level(self, style_id: str) -> int | None:
        """0 for the title, 1–9 for headings, None for everything else.

        An explicit outline level wins (``w:outlineLvl`` 0–8, inherited through
        ``basedOn``; 9 means body text); otherwise the built-in names Title and
        heading 1–9 decide. Names are not inherited: a Subtitle based on Title is
        not a second title.
        """
        if style_id not in self._levels:
            self._levels[style_id] = self._own_level(style_id)
        return self._levels[style_id]

    def paragraph_level(self, paragraph: Any) -> int | None:
        """:meth:`level` of a ``w:p``: its own outline level, else its style's."""
        properties = paragraph.find(_PPR)
        if properties is not None:
            outline = properties.find(_OUTLINE)
            if outline is not None:
                return _outline_value(outline) or None
            style = properties.find(_PSTYLE)
            if style is not None:
                return self.level(style.get(_VAL, ""))
        return self.level(self.default_paragraph)

    def _own_level(self, style_id: str) -> int | None:
        name = self.names.get(style_id, style_id).strip()
        if name.lower() == "title":
            return 0
        outline = self._inherited_outline(style_id)
        if outline is not None:
            return outline
        match = _HEADING_NAME.fullmatch(name)
        return int(match.group(1)) if match else None

    def _inherited_outline(self, style_id: str) -> int | None:
        seen: set[str] = set()
        current = style_id
        while current and current not in seen:
            seen.add(current)
            if current in self.outline:
                level = self.outline[current]
                return level if level else None
            current = self.based_on.get(current, "")
        return None

    def name(self, style_id: str) -> str:
        return self.names.get(style_id, style_id)


def _outline_value(element: Any) -> int:
    """``w:outlineLvl`` 0–8 as heading level 1–9; 0 for body text (9) or nonsense."""
    try:
        value = int(element.get(_VAL, "9"))
    except ValueError:
        return 0
    return value + 1 if 0 <= value <= 8 else 0


def _is_coloured(shading: Any) -> bool:
    if shading is None:
        return False
    if shading.get(_THEMEFILL):
        return True
    return shading.get(_FILL, "").lower() not in _UNCOLOURED


def _is_highlighted(highlight: Any) -> bool:
    return highlight is not None and highlight.get(_VAL, "none") != "none"


@dataclass
class _Parts:
    """The parts of a document the review reads."""

    body: Any
    styles: Styles
    title: str
    language: str
    furniture: list[tuple[str, Any]]

    @classmethod
    def of(cls, document: Document, same_styles_as: Hashable | None) -> _Parts:
        part = document.part
        furniture = [
            (str(rel.target_part.partname).rpartition("/")[2], rel.target_part.element)
            for rel in part.rels.values()
            if not rel.is_external and rel.reltype in (RT.HEADER, RT.FOOTER)
        ]
        from nbesok.documents.docx.package import core_properties

        core = core_properties(document)
        return cls(
            body=document.element.body,
            styles=_styles(document, same_styles_as),
            title=(core.title or "").strip() if core is not None else "",
            language=(core.language or "").strip() if core is not None else "",
            furniture=furniture,
        )


_STYLES_SEEN: dict[Hashable, Styles] = {}


def _styles(document: Document, key: Hashable | None) -> Styles:
    if key is None:
        return Styles.read(document.styles.element)
    found = _STYLES_SEEN.get(key)
    if found is None:
        if len(_STYLES_SEEN) >= 8:
            _STYLES_SEEN.clear()
        found = _STYLES_SEEN[key] = Styles.read(document.styles.element)
    return found


def _blocks(container: Any) -> Iterator[Any]:
    """Paragraphs and tables in document order, looking through content controls."""
    for child in container.iterchildren():
        if child.tag in (_P, _TBL):
            yield child
        elif child.tag == _SDT:
            content = child.find(_SDTCONTENT)
            if content is not None:
                yield from _blocks(content)
        elif child.tag == _CUSTOMXML:
            yield from _blocks(child)


def _text(element: Any) -> str:
    return "".join(text.text or "" for text in element.iter(_T))


def _quoted(text: str) -> str:
    text = " ".join(text.split())
    if len(text) > _KEY_TEXT_LIMIT:
        text = text[: _KEY_TEXT_LIMIT - 1].rstrip() + "…"
    return f"”{text}”"


class _Review:
    """One document's review: one method per rule, each adding located findings."""

    def __init__(self, path: Path, document: _Parts) -> None:
        self._path = path
        self._document = document
        self._styles = document.styles
        self._findings: list[Finding] = []
        self._tables = 0
        self._images = 0
        self._empty_coloured_cells: set[Any] = set()

    def run(self) -> list[Finding]:
        self._check_language()
        self._check_title_property()
        blocks = list(_blocks(self._document.body))
        self._check_headings(blocks)
        for line, block in enumerate(blocks, start=1):
            for table in block.iter(_TBL):
                self._tables += 1
                self._check_table(table, line)
            self._check_images(block, line, where="")
            self._check_colour_only(block, line)
        for name, part in self._document.furniture:
            self._check_images(part, 0, where=f"{name}: ")
        return self._findings

    def _add(self, message: str, *, line: int = 0, key: str = "") -> None:
        self._findings.append(
            finding(self._path, message, line=line, column=1 if line else 0, key=key)
        )

    def _check_language(self) -> None:
        core_language = self._core_text("language")
        if not core_language:
            self._add(
                "dokumentet saknar språk i sina egenskaper (dc:language); ange sv-SE, "
                "t.ex. med ”lang: sv-SE” i mallens front matter",
                key="språk",
            )
        elif not _LANGUAGE_TAG.fullmatch(core_language):
            self._add(
                f"språkkoden ”{core_language}” i dokumentets egenskaper är ogiltig; "
                "ange t.ex. sv-SE",
                key="språk",
            )
        if not self._styles.language:
            self._add(
                "textens språk är inte satt (w:lang i standardformatet); ange sv-SE, annars "
                "läser skärmläsare och PDF-exporten texten med fel språk",
                key="språk",
            )

    def _check_title_property(self) -> None:
        if not self._core_text("title"):
            self._add(
                "dokumentet saknar titel i sina egenskaper (dc:title); webbläsare och "
                "skärmläsare visar annars filnamnet: ange ”title:” i mallens front matter",
                key="dokumenttitel",
            )

    def _core_text(self, name: str) -> str:
        return str(getattr(self._document, name))

    def _heading_level(self, paragraph: Any) -> int | None:
        return self._styles.paragraph_level(paragraph)

    def _style_name(self, paragraph: Any) -> str:
        style = paragraph.find(f"{_PPR}/{_PSTYLE}")
        style_id = style.get(_VAL, "") if style is not None else self._styles.default_paragraph
        return self._styles.name(style_id)

    def _check_headings(self, blocks: list[Any]) -> None:
        headings = [
            (line, block, level)
            for line, block in enumerate(blocks, start=1)
            if block.tag == _P and (level := self._heading_level(block)) is not None
        ]
        titles = [line for line, _, level in headings if level == 0]
        if not titles:
            self._add(
                "dokumentet saknar titel: det första stycket ska ha formatmallen Title "
                "(Rubrik), så att det finns exakt en titel överst",
                key="titel",
            )
        # Before the title there is nothing to be deeper than; without one, start as if
        # it were there, so that its absence is reported once and not at every heading.
        previous: int | None = None if titles else 0
        for line, paragraph, level in headings:
            text = _text(paragraph)
            label = "titel" if level == 0 else "rubrik"
            key = (
                f"{label} {_quoted(text)}"
                if text.strip()
                else f"{label} ({self._style_name(paragraph)})"
            )
            if not text.strip():
                self._add(
                    "tom rubrik: skärmläsare läser upp den som en rubrik utan text; skriv "
                    "rubriktexten eller byt formatmall till brödtext",
                    line=line,
                    key=key,
                )
            if level == 0:
                if line != titles[0]:
                    self._add(
                        f"en andra titel (formatmallen Title); ett dokument har exakt en "
                        f"titel, den på rad {titles[0]}: gör detta stycke till Heading 1",
                        line=line,
                        key=key,
                    )
                previous = 0
            elif previous is None:
                self._add(
                    f"rubriken står före dokumentets titel (rad {titles[0]}); titeln ska "
                    "vara den första rubriken",
                    line=line,
                    key=key,
                )
                previous = level
            else:
                if level > previous + 1:
                    self._add(_skip_message(previous, level), line=line, key=key)
                previous = level

    def _check_table(self, table: Any, line: int) -> None:
        key = f"tabell {self._tables}"
        rows = table.findall(_TR)
        if rows and not _is_header_row(rows[0]) and not _has_row_headers(table):
            self._add(
                "tabellen saknar rubrikrad: markera första raden som rubrikrad (Word: "
                "Tabellegenskaper → Rad → Upprepa som rubrikrad), annars kan skärmläsare "
                "inte säga vilken kolumn en cell hör till",
                line=line,
                key=key,
            )
        for row_number, row in enumerate(rows, start=1):
            for column, cell in enumerate(row.findall(_TC), start=1):
                shading = cell.find(f"{_TCPR}/{_SHD}")
                if _is_coloured(shading) and not _text(cell).strip():
                    self._empty_coloured_cells.add(cell)
                    self._add(
                        "cellen är färgad men tom: färgen får inte ensam bära betydelsen; "
                        "skriv också statusen i cellen som text, t.ex. ”klar”",
                        line=line,
                        key=f"{key}, rad {row_number}, kolumn {column}",
                    )

    def _check_images(self, container: Any, line: int, *, where: str) -> None:
        for picture in container.iter(_DOCPR):
            self._images += 1
            if picture.get("descr", "").strip() or _is_decorative(picture):
                continue
            name = picture.get("name", "").strip()
            key = f"{where}bild {_quoted(name)}" if name else f"{where}bild {self._images}"
            self._add(_ALT_TEXT_MESSAGE, line=line, key=key)
        for data in container.iter(_IMAGEDATA):
            self._images += 1
            shape = data.getparent()
            if (shape.get("alt") or data.get(_O_TITLE) or "").strip():
                continue
            self._add(_ALT_TEXT_MESSAGE, line=line, key=f"{where}bild {self._images}")

    def _check_colour_only(self, block: Any, line: int) -> None:
        """A run of only spaces that is shaded or highlighted is a coloured mark."""
        for run in block.iter(_R):
            text = _text(run)
            if not text or text.strip() or self._in_reported_cell(run):
                continue
            properties = run.find(_RPR)
            if properties is None:
                continue
            style = properties.find(_RSTYLE)
            if (
                _is_coloured(properties.find(_SHD))
                or _is_highlighted(properties.find(_HIGHLIGHT))
                or (style is not None and style.get(_VAL, "") in self._styles.coloured)
            ):
                self._add(
                    "en färgmarkering utan text: färgen får inte ensam bära betydelsen; "
                    "skriv det färgen betyder, t.ex. ”påbörjad”",
                    line=line,
                    key="färgmarkering",
                )

    def _in_reported_cell(self, run: Any) -> bool:
        """An empty coloured cell is reported once, not again for the runs in it."""
        return any(cell in self._empty_coloured_cells for cell in run.iterancestors(_TC))


_ALT_TEXT_MESSAGE = (
    "bilden saknar alternativtext: skriv vad bilden visar (Word: högerklicka → Visa "
    "alternativtext), eller markera den som dekorativ"
)


def _skip_message(previous: int, level: int) -> str:
    before = "titeln" if previous == 0 else f"Heading {previous}"
    return (
        f"rubriknivån hoppar från {before} till Heading {level}; en rubrik får bara gå "
        f"en nivå djupare än den förra: använd Heading {previous + 1}"
    )


def _has_row_headers(table: Any) -> bool:
    """A table of labels and values: its look marks the first column, not the first row,
    as headers (Word's default look marks both, so a plain table still needs a header
    row)."""
    look = table.find(f"{qn('w:tblPr')}/{qn('w:tblLook')}")
    if look is None:
        return False
    on = ("1", "true", "on")
    return (
        look.get(qn("w:firstColumn"), "0").lower() in on
        and look.get(qn("w:firstRow"), "0").lower() not in on
    )


def _is_header_row(row: Any) -> bool:
    marker = row.find(f"{_TRPR}/{_TBLHEADER}")
    return marker is not None and marker.get(_VAL, "").lower() in _TRUE_VALUES


def _is_decorative(picture: Any) -> bool:
    return any(marker.get("val", "") in ("1", "true") for marker in picture.iter(_DECORATIVE))
