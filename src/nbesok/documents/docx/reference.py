"""The reference .docx: check it, read it once, and answer questions about its styles.

Every rendered document is a copy of the reference document, so a municipality changes
the look of all documents by editing that one file in Word. The file comes from a user,
so it is checked (:func:`~nbesok.documents.docx.package.check_package`) before python-docx opens
it. Its styles are resolved once per reference: the writer then sets style ids, and
never looks a style up by name per paragraph, which is python-docx's slow path.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from nbesok.core.errors import NbesokError, TemplateError
from nbesok.documents.docx.package import MAX_UNCOMPRESSED_BYTES, open_document, too_large
from nbesok.documents.docx.styles import (
    BODY_TEXT,
    LEGACY_QUOTE,
    QUOTE,
    TABLE_TEXT,
    TEXT_HEIGHT,
    TEXT_WIDTH,
    StyleKind,
)

if TYPE_CHECKING:
    from docx.document import Document
    from docx.styles.style import BaseStyle

ListKind = Literal["bullet", "decimal"]

_KIND_NAMES: dict[str, str] = {
    "paragraph": "styckeformatmall",
    "character": "teckenformatmall",
    "table": "tabellformatmall",
    "numbering": "listformatmall",
}


@dataclass(frozen=True)
class ResolvedStyle:
    """What the writer needs of one style of the reference."""

    style_id: str
    kind: str
    linked: str  # the id of its linked style ("Kod" ↔ "Kod Char"), or ""
    # The w:shd attributes (local name, value) of a character style, following basedOn.
    shading: tuple[tuple[str, str], ...] = ()
    # A block quote's style or one based on it: a block quote directly inside a
    # ``::: Stil`` of such a style is the container's own text, set apart in the .md.
    quote: bool = False


@dataclass(frozen=True)
class ListDefinition:
    """An abstract numbering definition (``w:abstractNum``) and how deep it goes."""

    abstract_num_id: int
    levels: int


@dataclass(frozen=True)
class Reference:
    """A checked reference document: its bytes and what the writer needs to know."""

    path: Path
    data: bytes
    _by_name: dict[str, ResolvedStyle] = field(repr=False)
    _by_id: dict[str, ResolvedStyle] = field(repr=False)
    lists: dict[str, ListDefinition] = field(repr=False)
    text_width: int = TEXT_WIDTH
    table_points: float = 11  # the size of table text, which column widths are made for
    # Body Text's space after a paragraph, in twips: the space after a table or a quote.
    block_space: int = 160
    text_height: int = TEXT_HEIGHT  # between the top and bottom margins, in twips

    @property
    def quote_style(self) -> str:
        """The block quote's paragraph style: Quotations, or Word's Quote in an older file."""
        return LEGACY_QUOTE if not self.has_style(QUOTE, "paragraph") else QUOTE

    def is_quote(self, name: str) -> bool:
        found = self._by_name.get(_lookup_key(name))
        return found is not None and found.quote

    def open(self) -> Document:
        """A new python-docx document made from this reference, to write one document into.

        It is a deep copy of the reference as python-docx parsed it once: the same
        objects that reading the package again would give, in about a third of the time
        (unzipping and parsing every part took a tenth of a document's Word part).
        """
        return copy.deepcopy(self._parsed)

    @cached_property
    def _parsed(self) -> Document:
        """The reference as python-docx reads it, kept untouched: only ever copied."""
        import io

        import docx

        return docx.Document(io.BytesIO(self.data))

    def has_style(self, name: str, kind: StyleKind) -> bool:
        found = self._by_name.get(_lookup_key(name))
        return found is not None and found.kind == kind

    def style(self, name: str, kind: StyleKind) -> ResolvedStyle:
        """The style called ``name``; TemplateError if it is missing or of another kind.

        A character style may also be named by its linked paragraph style, as Word does:
        "Kod" as a character style means "Kod Char".
        """
        found = self._by_name.get(_lookup_key(name))
        if found is not None and kind == "character" and found.kind == "paragraph":
            found = self._by_id.get(found.linked, found)
        if found is None:
            raise self._error(
                f'formatmallen "{name}" saknas i {self.path.name}; lägg till den i Word '
                "(Format › Formatmallar) eller använd standardfilen"
            )
        if found.kind != kind:
            actual, needed = _KIND_NAMES.get(found.kind, found.kind), _KIND_NAMES[kind]
            raise self._error(
                f'formatmallen "{name}" i {self.path.name} är en {actual} men behöver vara '
                f"en {needed}; byt namn på den eller lägg till en {needed} med det namnet"
            )
        return found

    def style_id(self, name: str, kind: StyleKind) -> str:
        return self.style(name, kind).style_id

    def list_definition(self, kind: ListKind) -> ListDefinition:
        """The reference's list definition for bullet or numbered lists."""
        try:
            return self.lists[kind]
        except KeyError:
            what = "punktlistor" if kind == "bullet" else "numrerade listor"
            raise self._error(
                f"{self.path.name} saknar en listdefinition för {what} (numbering.xml); "
                "lägg till en lista i Word och spara, eller använd standardfilen"
            ) from None

    def _error(self, message: str) -> NbesokError:
        return TemplateError.at(self.path, message)


def load_reference(path: Path) -> Reference:
    """Check and read the reference .docx at ``path``.

    Cached by path, modification time and size, so a process that renders many
    documents reads and resolves the file once.
    """
    try:
        stat = path.stat()
    except OSError:
        raise TemplateError.at(path, "referensdokumentet finns inte; ange en .docx-fil") from None
    return _load_reference(path.resolve(), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _load_reference(path: Path, mtime_ns: int, size: int) -> Reference:
    del mtime_ns  # only part of the cache key
    from nbesok.core.inputs import read_bounded

    if path.is_dir():
        raise TemplateError.at(path, "referensdokumentet är ingen fil; ange en .docx-fil")
    if size > MAX_UNCOMPRESSED_BYTES:
        raise TemplateError.at(path, too_large(path.name, size))
    data = read_bounded(
        path, MAX_UNCOMPRESSED_BYTES, lambda message: TemplateError.at(path, message)
    )
    document = open_document(data, path.name, lambda message: TemplateError.at(path, message))
    by_id = _resolve_styles(document)
    by_name = {_lookup_key(name): style for name, style in by_id.values()}
    resolved = {style_id: style for style_id, (_, style) in by_id.items()}
    return Reference(
        path,
        data,
        by_name,
        resolved,
        _read_lists(document),
        _text_width(document),
        _font_points(document, TABLE_TEXT),
        _space_after(document, BODY_TEXT),
        _text_height(document),
    )


def _resolve_styles(document: Document) -> dict[str, tuple[str, ResolvedStyle]]:
    """style id → (name, style) for every style of the reference."""
    from docx.oxml.ns import qn

    styles: dict[str, BaseStyle] = {style.style_id: style for style in document.styles}
    quotes = {_lookup_key(QUOTE), _lookup_key(LEGACY_QUOTE)}
    resolved: dict[str, tuple[str, ResolvedStyle]] = {}
    for style_id, style in styles.items():
        link = style.element.find(qn("w:link"))
        kind = str(style.element.get(qn("w:type")) or "paragraph")
        lineage = {_lookup_key(ancestor.name or "") for ancestor in _lineage(style, styles)}
        resolved[style_id] = (
            style.name or style_id,
            ResolvedStyle(
                style_id=style_id,
                kind=kind,
                linked="" if link is None else str(link.get(qn("w:val"), "")),
                shading=_shading(style, styles) if kind == "character" else (),
                quote=kind == "paragraph" and bool(lineage & quotes),
            ),
        )
    return resolved


def _lineage(style: BaseStyle, styles: dict[str, BaseStyle]) -> list[BaseStyle]:
    """``style`` and the styles it is based on, nearest first (a loop is cut)."""
    found: list[BaseStyle] = []
    current: BaseStyle | None = style
    while current is not None and current not in found:
        found.append(current)
        based_on = current.element.basedOn_val
        current = styles.get(based_on) if based_on else None
    return found


def _shading(style: BaseStyle, styles: dict[str, BaseStyle]) -> tuple[tuple[str, str], ...]:
    """The ``w:shd`` of a character style's run properties, following ``basedOn``."""
    from docx.oxml.ns import qn

    prefix = qn("w:x")[:-1]  # "{…wordprocessingml/2006/main}"
    seen: set[str] = set()
    current: BaseStyle | None = style
    while current is not None and current.style_id not in seen:
        seen.add(current.style_id)
        shading = current.element.find(f"{qn('w:rPr')}/{qn('w:shd')}")
        if shading is not None:
            return tuple(
                (str(name)[len(prefix) :], str(value))
                for name, value in shading.attrib.items()
                if str(name).startswith(prefix)
            )
        based_on = current.element.basedOn_val
        current = styles.get(based_on) if based_on else None
    return ()


def _font_points(document: Document, name: str) -> float:
    """The font size of paragraph style ``name``, through its base styles and the
    document's defaults; 11 where nothing says."""
    from docx.oxml.ns import qn

    style = next((s for s in document.styles if s.name == name), None)
    while style is not None:
        size = getattr(style, "font", None) and style.font.size
        if size:
            return float(size.pt)
        style = style.base_style if hasattr(style, "base_style") else None
    defaults = document.styles.element.find(
        f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:sz')}"
    )
    if defaults is not None and defaults.get(qn("w:val"), "").isdigit():
        return int(defaults.get(qn("w:val"))) / 2
    return 11.0


def _space_after(document: Document, name: str) -> int:
    """The space after paragraph style ``name`` in twips, through its base styles; 160
    where nothing says."""
    style = next((s for s in document.styles if s.name == name), None)
    while style is not None:
        space = getattr(style, "paragraph_format", None) and style.paragraph_format.space_after
        if space is not None:
            return int(space) // 635
        style = style.base_style if hasattr(style, "base_style") else None
    return 160


def _read_lists(document: Document) -> dict[str, ListDefinition]:
    """The first bullet and the first decimal abstract numbering with levels."""
    from docx.oxml.ns import qn

    lists: dict[str, ListDefinition] = {}
    try:
        numbering = document.part.numbering_part.element
    except (NotImplementedError, KeyError):  # python-docx: no numbering part
        return lists
    for abstract in numbering.iterchildren(qn("w:abstractNum")):
        levels = abstract.findall(qn("w:lvl"))
        fmt = levels[0].find(qn("w:numFmt")) if levels else None
        kind = "" if fmt is None else str(fmt.get(qn("w:val"), ""))
        if kind in ("bullet", "decimal") and kind not in lists:
            number = int(abstract.get(qn("w:abstractNumId"), "0"))
            lists[kind] = ListDefinition(number, len(levels))
    return lists


def _text_width(document: Document) -> int:
    """The width between the margins of the last section, in twips."""
    section = document.sections[-1] if len(document.sections) else None
    if section is None:
        return TEXT_WIDTH
    try:
        width = section.page_width - section.left_margin - section.right_margin  # type: ignore[operator]
    except TypeError:  # a section without page size or margins
        return TEXT_WIDTH
    twips = int(width) // 635  # EMU per twip
    return twips if twips > 0 else TEXT_WIDTH


def _text_height(document: Document) -> int:
    """The height between the margins of the last section, in twips."""
    section = document.sections[-1] if len(document.sections) else None
    if section is None:
        return TEXT_HEIGHT
    try:
        height = section.page_height - section.top_margin - section.bottom_margin  # type: ignore[operator]
    except TypeError:
        return TEXT_HEIGHT
    twips = int(height) // 635
    return twips if twips > 0 else TEXT_HEIGHT


def _lookup_key(name: str) -> str:
    # Word writes built-in names in lower case ("heading 1"), LibreOffice sometimes not.
    return name.casefold()
