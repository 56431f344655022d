"""Word packages in and out: checked before python-docx opens them, saved reproducibly.

Every .docx nbesok opens comes from a user (a reference document, a document to review,
a filled-in form to import), so it is checked first: a real .docx rather than an old
.doc, a password-protected file, a .dotx template or a macro document; no zip bomb; and
no DTD in any part, since python-docx leaves entities unresolved and a document built
on such a part would be corrupt. Then python-docx opens it.

python-docx stamps every zip entry with the current time (python-docx issue #1042), so
saving goes through python-docx's own package writer with a zip writer that stamps a
fixed date instead: the same document gives the same bytes on any day and clock.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from lxml.etree import XMLSyntaxError

from nbesok.core.errors import NbesokError

if TYPE_CHECKING:
    from docx.document import Document
    from docx.opc.coreprops import CoreProperties

MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
MAX_ENTRIES = 1000

# Word writes this date in every entry of the packages it saves.
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")  # the stream of an encrypted .docx
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
SAVE_AS_DOCX = "öppna den i Word och välj Spara som › Word-dokument (.docx)"

# Makes the error for one problem with the package; the caller decides its kind
# (a broken reference is a template error, a broken import a load error).
Fail = Callable[[str], NbesokError]


def check_package(name: str, data: bytes, fail: Fail) -> None:
    """Raise ``fail(message)`` unless ``data`` is a plausible, harmless .docx package.

    ``name`` is the file name the messages use. The main part is the one the package's
    relationships name (Word Online calls it ``document2.xml``), and its content type
    may come from a ``Default`` entry, as python-docx and pandoc read them too.
    """
    if data.startswith(_OLE2_MAGIC):
        if _ENCRYPTION_INFO in data:
            # Word wraps a password-protected .docx in the old format's container.
            raise fail(
                f"{name} är lösenordsskyddad och kan inte läsas; öppna den i Word, ta bort "
                "lösenordet (Arkiv › Info › Skydda dokument) och spara den"
            )
        raise fail(f"{name} är ett gammalt Word-format (.doc); spara om den som .docx")
    buffer = io.BytesIO(data)
    if not zipfile.is_zipfile(buffer):
        raise fail(
            f"{name} är inget Word-dokument: filen är inget zip-paket, vilket en .docx är; "
            f"{SAVE_AS_DOCX}"
        )
    try:
        with zipfile.ZipFile(buffer) as package:
            entries = package.infolist()
            _check_sizes(name, entries, fail)
            names = {entry.filename for entry in entries}
            if "[Content_Types].xml" not in names:
                raise fail(f"{name} saknar [Content_Types].xml och är inget Word-dokument")
            types = _ContentTypes.read(name, package.read("[Content_Types].xml"), fail)
            main = _main_part(name, package, names, fail)
            for entry in entries:
                # zipfile reads no more than an entry declares and checks its CRC, so
                # an entry that lies about its size is caught here, before any use.
                data = package.read(entry)
                if types.is_xml(entry.filename):
                    _check_xml(name, entry.filename, data, fail)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError) as error:
        # RuntimeError: an encrypted entry; ValueError: a corrupt header.
        raise fail(f"kunde inte läsa {name} som Word-dokument ({error}); {SAVE_AS_DOCX}") from None
    content_type = types.of(main)
    if content_type == _DOCX_MAIN:
        return
    what = _WRONG_MAIN_TYPES.get(content_type, "är inget vanligt Word-dokument")
    raise fail(f"{name} {what}; {SAVE_AS_DOCX}")


_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
_OFFICE_DOCUMENT = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
)
_STRICT = "http://purl.oclc.org/ooxml/"


def _main_part(name: str, package: zipfile.ZipFile, names: set[str], fail: Fail) -> str:
    """The package's main part, as its relationships name it (``word/document.xml``)."""
    from docx.opc.oxml import parse_xml

    missing = fail(
        f"{name} saknar Word-huvuddelen (word/document.xml) och är inget Word-dokument; "
        f"{SAVE_AS_DOCX}"
    )
    if "_rels/.rels" not in names:
        raise missing
    data = package.read("_rels/.rels")
    _check_xml(name, "_rels/.rels", data, fail)
    try:
        root = parse_xml(cast(str, data))
    except XMLSyntaxError as error:
        raise fail(f"{name}: _rels/.rels är inte giltig XML ({error.msg})") from None
    for relationship in root.iterchildren(f"{{{_RELATIONSHIPS}}}Relationship"):
        kind = str(relationship.get("Type", ""))
        if kind.startswith(_STRICT) and kind.endswith("/officeDocument"):
            raise fail(
                f"{name} är sparad som ”Strikt Open XML-dokument”, som nbesok inte läser; "
                f"{SAVE_AS_DOCX}"
            )
        if kind == _OFFICE_DOCUMENT and relationship.get("TargetMode") != "External":
            target = str(relationship.get("Target", "")).lstrip("/")
            if target in names:
                return target
    raise missing


class _ContentTypes:
    """[Content_Types].xml: each part's type, from its Override or its extension's Default."""

    def __init__(self, defaults: dict[str, str], overrides: dict[str, str]) -> None:
        self._defaults = defaults
        self._overrides = overrides

    @classmethod
    def read(cls, name: str, data: bytes, fail: Fail) -> _ContentTypes:
        from docx.opc.oxml import parse_xml

        _check_xml(name, "[Content_Types].xml", data, fail)
        try:
            root = parse_xml(cast(str, data))  # lxml takes the bytes as they are
        except XMLSyntaxError as error:
            raise fail(f"{name}: [Content_Types].xml är inte giltig XML ({error.msg})") from None
        defaults: dict[str, str] = {}
        overrides: dict[str, str] = {}
        for entry in root:
            kind = str(entry.get("ContentType", ""))
            if entry.get("Extension") is not None:
                defaults[str(entry.get("Extension")).lower()] = kind
            elif entry.get("PartName") is not None:
                overrides[str(entry.get("PartName")).lower()] = kind
        return cls(defaults, overrides)

    def of(self, part: str) -> str:
        found = self._overrides.get("/" + part.lower())
        if found is not None:
            return found
        return self._defaults.get(part.rsplit(".", 1)[-1].lower(), "")

    def is_xml(self, part: str) -> bool:
        kind = self.of(part)
        return (
            part.endswith((".xml", ".rels"))
            or kind.endswith("+xml")
            or kind in ("application/xml", "text/xml")
        )


def _check_sizes(name: str, entries: list[zipfile.ZipInfo], fail: Fail) -> None:
    if len(entries) > MAX_ENTRIES:
        raise fail(f"{name} innehåller {len(entries)} delar, fler än ett Word-dokument har")
    total = sum(entry.file_size for entry in entries)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise fail(too_large(name, total))
    for entry in entries:
        if entry.file_size > MAX_COMPRESSION_RATIO * max(entry.compress_size, 1):
            raise fail(
                f"{name} innehåller {entry.filename} som är komprimerad mer än "
                f"{MAX_COMPRESSION_RATIO}:1 (en zip-bomb?); spara om dokumentet i Word"
            )


def too_large(name: str, size: int) -> str:
    megabytes = MAX_UNCOMPRESSED_BYTES // (1024 * 1024)
    return (
        f"{name} är {size / (1024 * 1024):.0f} MB uppackad, mer än tillåtna {megabytes} MB; "
        "ta bort stora bilder eller använd standardfilen"
    )


_BYTE_ORDER_MARKS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
    (b"<\x00?\x00", "utf-16-le"),  # UTF-16 without a byte order mark
    (b"\x00<\x00?", "utf-16-be"),
)


def _check_xml(name: str, part: str, data: bytes, fail: Fail) -> None:
    """No DTD, which Word never writes and python-docx would keep as unresolved
    entities (XXE, "billion laughs"). The text is decoded first, so that a part in
    UTF-16 cannot hide one. python-docx's parser finds broken XML."""
    encoding = next((codec for mark, codec in _BYTE_ORDER_MARKS if data.startswith(mark)), "")
    text = data.decode(encoding, "replace") if encoding else data.decode("latin-1")
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        raise fail(
            f"{name}: delen {part} har en DTD (<!DOCTYPE>), vilket Word-dokument aldrig har; "
            f"{SAVE_AS_DOCX}"
        )


def core_properties(document: Document) -> CoreProperties | None:
    """The document's core properties (title, language, identifier), or None.

    A package with two core-properties relationships makes python-docx give up; the
    first one counts, as in Word.
    """
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    try:
        properties: CoreProperties = document.core_properties
        return properties
    except (ValueError, KeyError):
        for relationship in document.part.package.rels.values():
            if relationship.reltype == RT.CORE_PROPERTIES and not relationship.is_external:
                found = getattr(relationship.target_part, "core_properties", None)
                if found is not None:
                    return cast("CoreProperties", found)
        return None


def core_identifier(document: Document) -> str:
    """The document identifier of the core properties (a form's protocol), or ""."""
    properties = core_properties(document)
    return str(properties.identifier or "") if properties is not None else ""


def core_category(document: Document) -> str:
    """The category of the core properties ("Publik kopia" for a public copy), or ""."""
    properties = core_properties(document)
    return str(properties.category or "") if properties is not None else ""


def open_document(data: bytes, name: str, fail: Fail) -> Document:
    """The checked package opened with python-docx."""
    import docx

    check_package(name, data, fail)
    try:
        return docx.Document(io.BytesIO(data))
    except XMLSyntaxError as error:
        raise fail(f"{name}: en del är inte giltig XML ({error.msg}); {SAVE_AS_DOCX}") from None
    except Exception as error:  # python-docx raises several kinds on a damaged package
        raise fail(f"{name} kan inte läsas som Word-dokument ({error}); {SAVE_AS_DOCX}") from None


class _FixedDateZipWriter:
    """python-docx's physical package writer, with a fixed date on every entry."""

    def __init__(self, stream: io.BytesIO) -> None:
        self._zip = zipfile.ZipFile(stream, "w")

    def write(self, pack_uri: Any, blob: bytes) -> None:
        info = zipfile.ZipInfo(pack_uri.membername, date_time=_ZIP_DATE)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.create_system = 0
        info.external_attr = 0
        # Level 1: about 40 % less time than level 6 for files about 10 % larger,
        # which matters when a batch writes a thousand documents.
        self._zip.writestr(info, blob, compresslevel=1)

    def close(self) -> None:
        self._zip.close()


def save_document(document: Document) -> bytes:
    """The document's bytes: python-docx's package writer, entries in a fixed order and date.

    The same steps as ``OpcPackage.save`` and ``PackageWriter.write``, with the zip
    writer above in place of python-docx's, which cannot be chosen from outside.
    """
    from docx.opc.pkgwriter import PackageWriter

    package = document.part.package
    parts = list(package.iter_parts())
    for part in parts:
        part.before_marshal()
    stream = io.BytesIO()
    writer: Any = _FixedDateZipWriter(stream)
    PackageWriter._write_content_types_stream(writer, parts)  # type: ignore[no-untyped-call]
    PackageWriter._write_pkg_rels(writer, package.rels)  # type: ignore[no-untyped-call]
    PackageWriter._write_parts(writer, parts)
    writer.close()
    return stream.getvalue()
