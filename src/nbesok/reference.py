"""The reference .docx: check it, read it once, and answer questions about its styles.

Every rendered document is a copy of the reference document, so a municipality changes
the look of all documents by editing that one file in Word. The file comes from a user,
so it is checked before anything parses it: it must be a real .docx (not an old .doc,
a .dotx template or a macro document) and must not be a zip bomb.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

from lxml import etree  # type: ignore[import-untyped]

from nbesok.docxpackage import Package, build_package, w
from nbesok.errors import NbesokError, TemplateError

StyleKind = Literal["paragraph", "character", "table"]

MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CONTENT_TYPES_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
_DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_WRONG_MAIN_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml": (
        "är en Word-mall (.dotx), inte ett dokument"
    ),
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml": (
        "är en Word-mall med makron (.dotm), inte ett dokument"
    ),
    "application/vnd.ms-word.document.macroEnabled.main+xml": (
        "är ett Word-dokument med makron (.docm)"
    ),
}
_SAVE_AS_DOCX = "öppna den i Word och välj Spara som › Word-dokument (.docx)"
_KIND_NAMES: dict[str, str] = {
    "paragraph": "styckeformatmall",
    "character": "teckenformatmall",
    "table": "tabellformatmall",
    "numbering": "listformatmall",
}
_W_STYLE, _W_NAME, _W_TYPE, _W_STYLE_ID = w("style"), w("name"), w("type"), w("styleId")
_W_VAL, _W_LINK, _W_BASED_ON = w("val"), w("link"), w("basedOn")
_W_RPR, _W_SHD = w("rPr"), w("shd")
_W_ABSTRACT_NUM, _W_LVL, _W_NUM_FMT = w("abstractNum"), w("lvl"), w("numFmt")
_W_ABSTRACT_NUM_ID = w("abstractNumId")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


@dataclass(frozen=True)
class _Style:
    style_id: str
    kind: str
    link: str
    based_on: str
    shading: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ListDefinition:
    """An abstract numbering definition (``w:abstractNum``) and how deep it goes."""

    abstract_num_id: int
    levels: int


@dataclass(frozen=True)
class Reference:
    """A checked reference document: its bytes and what the converter needs to know."""

    path: Path
    data: bytes
    _styles_by_name: dict[str, _Style] = field(repr=False)
    _styles_by_id: dict[str, _Style] = field(repr=False)
    lists: dict[str, ListDefinition] = field(repr=False)
    package: Package = field(repr=False)

    def has_style(self, name: str, kind: StyleKind) -> bool:
        found = self._styles_by_name.get(_lookup_key(name))
        return found is not None and found.kind == kind

    def style_id(self, name: str, kind: StyleKind) -> str:
        """The style id of the style called ``name``; TemplateError if it is missing.

        A character style may also be named by its linked paragraph style, as Word does:
        "Kod" as a character style means "Kod Char".
        """
        found = self._styles_by_name.get(_lookup_key(name))
        if found is not None and kind == "character" and found.kind == "paragraph":
            found = self._styles_by_id.get(found.link, found)
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
        return found.style_id

    def shading(self, style_id: str) -> tuple[tuple[str, str], ...]:
        """The ``w:shd`` attributes (local name, value) of a style, following ``basedOn``;
        empty if the style has no shading."""
        seen: set[str] = set()
        style = self._styles_by_id.get(style_id)
        while style is not None and style.style_id not in seen:
            if style.shading:
                return style.shading
            seen.add(style.style_id)
            style = self._styles_by_id.get(style.based_on)
        return ()

    def list_definition(self, kind: Literal["bullet", "decimal"]) -> ListDefinition:
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
    documents reads and parses the file once.
    """
    try:
        stat = path.stat()
    except OSError:
        raise _template_error(path, "referensdokumentet finns inte; ange en .docx-fil") from None
    return _load_reference(path.resolve(), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _load_reference(path: Path, mtime_ns: int, size: int) -> Reference:
    del mtime_ns  # only part of the cache key
    if not path.is_file():
        raise _template_error(path, "referensdokumentet är ingen fil; ange en .docx-fil")
    if size > MAX_UNCOMPRESSED_BYTES:
        raise _template_error(path, _too_large(path, size))
    data = path.read_bytes()
    check_reference(path, data)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            parts = {
                info.filename: package.read(info)
                for info in package.infolist()
                if not info.is_dir()
            }
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as error:
        raise _template_error(
            path, f"kunde inte läsa {path.name} som Word-dokument ({error}); {_SAVE_AS_DOCX}"
        ) from error
    layout = build_package(path, parts, lambda message: _template_error(path, message))
    styles_root = _parse_part(path, parts, layout.styles_part)
    styles = [] if styles_root is None else [_read_style(e) for e in styles_root.iter(_W_STYLE)]
    by_name = {_lookup_key(name): style for name, style in styles if name}
    by_id = {style.style_id: style for _, style in styles}
    lists = _read_lists(_parse_part(path, parts, layout.numbering_part))
    return Reference(path, data, by_name, by_id, lists, layout)


def _parse_part(path: Path, parts: dict[str, bytes], name: str | None) -> etree._Element | None:
    if name is None or name not in parts:
        return None
    try:
        return etree.fromstring(parts[name], _PARSER)
    except etree.XMLSyntaxError as error:
        raise _template_error(path, f"{path.name}: delen {name} är trasig XML ({error})") from None


def check_reference(path: Path, data: bytes) -> None:
    """Raise TemplateError unless ``data`` is a plausible, harmless .docx package."""
    name = path.name
    if data.startswith(_OLE2_MAGIC):
        raise _template_error(
            path,
            f"{name} är ett gammalt Word-format (.doc); spara om den som .docx "
            "(är filen lösenordsskyddad: spara den utan lösenord)",
        )
    buffer = io.BytesIO(data)
    if not zipfile.is_zipfile(buffer):
        raise _template_error(
            path, f"{name} är inget Word-dokument (ingen .docx-fil); {_SAVE_AS_DOCX}"
        )
    try:
        with zipfile.ZipFile(buffer) as package:
            entries = package.infolist()
            _check_sizes(path, entries)
            names = {entry.filename for entry in entries}
            for required in ("[Content_Types].xml", "word/document.xml"):
                if required not in names:
                    raise _template_error(
                        path,
                        f"{name} saknar {required} och är inget Word-dokument; {_SAVE_AS_DOCX}",
                    )
            content_types = package.read("[Content_Types].xml")
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        message = f"{name} är en trasig zip-fil ({error}); {_SAVE_AS_DOCX}"
        raise _template_error(path, message) from error
    _check_main_content_type(path, content_types)


def _check_sizes(path: Path, entries: list[zipfile.ZipInfo]) -> None:
    total = sum(entry.file_size for entry in entries)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise _template_error(path, _too_large(path, total))
    for entry in entries:
        if entry.file_size > MAX_COMPRESSION_RATIO * max(entry.compress_size, 1):
            raise _template_error(
                path,
                f"{path.name} innehåller {entry.filename} som är komprimerad mer än "
                f"{MAX_COMPRESSION_RATIO}:1 (en zip-bomb?); spara om dokumentet i Word",
            )


def _too_large(path: Path, size: int) -> str:
    megabytes = MAX_UNCOMPRESSED_BYTES // (1024 * 1024)
    return (
        f"{path.name} är {size / (1024 * 1024):.0f} MB uppackad, mer än tillåtna {megabytes} MB; "
        "ta bort stora bilder eller använd standardfilen"
    )


def _check_main_content_type(path: Path, content_types: bytes) -> None:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    try:
        root = etree.fromstring(content_types, parser)
    except etree.XMLSyntaxError as error:
        raise _template_error(
            path, f"{path.name} har en trasig [Content_Types].xml ({error}); {_SAVE_AS_DOCX}"
        ) from error
    override = root.find(f'{{{_CONTENT_TYPES_NS}}}Override[@PartName="/word/document.xml"]')
    content_type = "" if override is None else str(override.get("ContentType", ""))
    if content_type == _DOCX_MAIN:
        return
    what = _WRONG_MAIN_TYPES.get(content_type, "är inget vanligt Word-dokument")
    raise _template_error(path, f"{path.name} {what}; {_SAVE_AS_DOCX}")


def _read_style(element: etree._Element) -> tuple[str, _Style]:
    name_element = element.find(_W_NAME)
    name = "" if name_element is None else str(name_element.get(_W_VAL, ""))
    link = element.find(_W_LINK)
    based_on = element.find(_W_BASED_ON)
    shd = element.find(f"{_W_RPR}/{_W_SHD}")
    return name, _Style(
        style_id=str(element.get(_W_STYLE_ID, "")),
        kind=str(element.get(_W_TYPE, "paragraph")),
        link="" if link is None else str(link.get(_W_VAL, "")),
        based_on="" if based_on is None else str(based_on.get(_W_VAL, "")),
        shading=() if shd is None else _w_attributes(shd),
    )


def _read_lists(root: etree._Element | None) -> dict[str, ListDefinition]:
    """The first bullet and the first decimal abstract numbering with levels."""
    lists: dict[str, ListDefinition] = {}
    if root is None:
        return lists
    for abstract in root.iter(_W_ABSTRACT_NUM):
        levels = abstract.findall(_W_LVL)
        fmt = levels[0].find(_W_NUM_FMT) if levels else None
        kind = "" if fmt is None else str(fmt.get(_W_VAL, ""))
        if kind in ("bullet", "decimal") and kind not in lists:
            lists[kind] = ListDefinition(int(abstract.get(_W_ABSTRACT_NUM_ID)), len(levels))
    return lists


def _w_attributes(element: etree._Element) -> tuple[tuple[str, str], ...]:
    """The element's ``w:`` attributes as (local name, value), in document order."""
    prefix = w("")
    return tuple(
        (str(name)[len(prefix) :], str(value))
        for name, value in element.attrib.items()
        if str(name).startswith(prefix)
    )


def _lookup_key(name: str) -> str:
    # Word writes built-in names in lower case ("heading 1"), LibreOffice sometimes not.
    return name.casefold()


def _template_error(path: Path, message: str) -> NbesokError:
    return TemplateError.at(path, message)
