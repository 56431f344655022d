"""A .docx package assembled from the reference document's parts.

Opening and re-saving a whole Word package per document was most of the cost of a
conversion. So the reference is taken apart once: parts a document reuses as they
are, and a few insertion points – the body, list instances (``w:num``), hyperlink
relationships, the document properties and the header fields. Each document is then
a handful of string joins and one zip, written in a fixed order with fixed dates so
the same input always gives the same bytes.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from lxml import etree  # type: ignore[import-untyped]

from nbesok.errors import NbesokError

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
_CORE_RT = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
_CORE_TYPE = "application/vnd.openxmlformats-package.core-properties+xml"
CORE_PART = "docProps/core.xml"
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_ZIP_FIRST = ("[Content_Types].xml", "_rels/.rels")
_MARK = "nbesok-insert-here"
_DEFAULT_TEXT_WIDTH = 9070  # twips: A4 with 2.5 cm margins
# Placeholders for the header fields' cached results; private-use characters that
# never occur in escaped document text.
FIELD_TOKENS = {name: f"\ue000{name}\ue001" for name in ("SUBJECT", "TITLE", "AUTHOR")}

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def w(name: str) -> str:
    return f"{{{W_NS}}}{name}"


@dataclass(frozen=True)
class Properties:
    title: str
    author: str
    subject: str
    keywords: str
    lang: str
    date: datetime


@dataclass
class Package:
    """The reference's parts, split at the places a document fills in."""

    path: Path
    parts: dict[str, bytes]
    document_part: str
    document_head: str
    document_tail: str
    rels_part: str
    rels_head: str
    rels_tail: str
    next_rel_id: int
    numbering_part: str | None
    numbering_head: str
    numbering_tail: str
    next_num_id: int
    styles_part: str | None
    field_parts: dict[str, str]
    text_width: int
    _styles_by_lang: dict[str, bytes] = field(default_factory=dict)

    def styles_for(self, lang: str) -> bytes | None:
        """styles.xml with ``lang`` as the default language of all text (docDefaults)."""
        if self.styles_part is None:
            return None
        if lang not in self._styles_by_lang:
            self._styles_by_lang[lang] = _with_language(self.parts[self.styles_part], lang)
        return self._styles_by_lang[lang]

    def assemble(
        self,
        body: str,
        numbers: list[str],
        relationships: list[str],
        properties: Properties,
        escape: Callable[[str], str],
    ) -> bytes:
        """The .docx bytes of one document."""
        parts = dict(self.parts)
        parts[self.document_part] = (self.document_head + body + self.document_tail).encode()
        if relationships:
            joined = "".join(relationships)
            parts[self.rels_part] = (self.rels_head + joined + self.rels_tail).encode()
        if numbers and self.numbering_part is not None:
            joined = "".join(numbers)
            parts[self.numbering_part] = (
                self.numbering_head + joined + self.numbering_tail
            ).encode()
        styles = self.styles_for(properties.lang)
        if styles is not None and self.styles_part is not None:
            parts[self.styles_part] = styles
        values = {
            "SUBJECT": properties.subject,
            "TITLE": properties.title,
            "AUTHOR": properties.author,
        }
        for name, xml in self.field_parts.items():
            for key, token in FIELD_TOKENS.items():
                xml = xml.replace(token, escape(values[key]))
            parts[name] = xml.encode()
        parts[CORE_PART] = _core_xml(properties, escape).encode()
        return write_zip(parts)

    def relationship(self, rel_id: str, target: str, escape: Callable[[str], str]) -> str:
        return (
            f'<Relationship Id="{rel_id}" Type="{_RT}hyperlink" '
            f'Target="{escape(target)}" TargetMode="External"/>'
        )


def write_zip(parts: Mapping[str, bytes]) -> bytes:
    """A zip whose bytes depend only on ``parts``: fixed order, dates and attributes."""
    first = [name for name in _ZIP_FIRST if name in parts]
    names = first + sorted(name for name in parts if name not in _ZIP_FIRST)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            # Level 1: about 40 % less time than level 6 for files about 10 % larger,
            # which matters when a batch writes a thousand documents.
            target.writestr(info, parts[name], compresslevel=1)
    return buffer.getvalue()


def build_package(
    path: Path, parts: dict[str, bytes], fail: Callable[[str], NbesokError]
) -> Package:
    """Take the reference apart once; ``fail`` makes the error for a broken reference."""
    parts = dict(parts)
    _ensure_core_properties(parts)
    document_part = _main_document(parts, fail)
    rels_part = _rels_name(document_part)
    relations = _relations(parts, rels_part)
    document = _parse(parts[document_part], document_part, fail)
    text_width = _text_width(document)
    document_head, document_tail = _split_body(document, document_part, fail)
    rels_head, rels_tail, next_rel_id = _split_rels(parts.get(rels_part), fail)
    numbering_part = _target(document_part, relations, "numbering")
    numbering_head, numbering_tail, next_num_id = "", "", 1
    if numbering_part is not None and numbering_part in parts:
        numbering_head, numbering_tail, next_num_id = _split_numbering(
            _parse(parts[numbering_part], numbering_part, fail)
        )
    else:
        numbering_part = None
    styles_part = _target(document_part, relations, "styles")
    field_parts = {
        name: _with_field_tokens(_parse(parts[name], name, fail))
        for kind in ("header", "footer")
        for name in _targets(document_part, relations, kind)
        if name in parts
    }
    return Package(
        path=path,
        parts=parts,
        document_part=document_part,
        document_head=document_head,
        document_tail=document_tail,
        rels_part=rels_part,
        rels_head=rels_head,
        rels_tail=rels_tail,
        next_rel_id=next_rel_id,
        numbering_part=numbering_part,
        numbering_head=numbering_head,
        numbering_tail=numbering_tail,
        next_num_id=next_num_id,
        styles_part=styles_part if styles_part in parts else None,
        field_parts=field_parts,
        text_width=text_width,
    )


def _parse(data: bytes, name: str, fail: Callable[[str], NbesokError]) -> Any:
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as error:
        raise fail(f"delen {name} är trasig XML ({error})") from None


def _serialize(root: Any) -> str:
    return str(
        etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True).decode()
    )


def _split_at_mark(root: Any) -> tuple[str, str]:
    head, tail = _serialize(root).split(f"<!--{_MARK}-->")
    return head, tail


def _main_document(parts: dict[str, bytes], fail: Callable[[str], NbesokError]) -> str:
    root = _parse(parts.get("_rels/.rels", b"<x/>"), "_rels/.rels", fail)
    for rel in root:
        if str(rel.get("Type", "")).endswith("/officeDocument"):
            name = str(rel.get("Target", "")).lstrip("/")
            if name in parts:
                return name
    return "word/document.xml"


def _rels_name(part: str) -> str:
    folder, _, name = part.rpartition("/")
    return f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels"


def _relations(parts: dict[str, bytes], rels_part: str) -> list[tuple[str, str]]:
    if rels_part not in parts:
        return []
    root = etree.fromstring(parts[rels_part], _PARSER)
    return [
        (str(rel.get("Type", "")), str(rel.get("Target", "")))
        for rel in root
        if rel.get("TargetMode") != "External"
    ]


def _targets(source: str, relations: list[tuple[str, str]], kind: str) -> list[str]:
    folder = source.rpartition("/")[0]
    found = []
    for rel_type, target in relations:
        if rel_type == _RT + kind:
            found.append(target.lstrip("/") if target.startswith("/") else f"{folder}/{target}")
    return found


def _target(source: str, relations: list[tuple[str, str]], kind: str) -> str | None:
    found = _targets(source, relations, kind)
    return found[0] if found else None


def _text_width(document: Any) -> int:
    """The width between the margins of the last section, in twips."""
    sections = document.findall(f".//{w('sectPr')}")
    if not sections:
        return _DEFAULT_TEXT_WIDTH
    size, margins = sections[-1].find(w("pgSz")), sections[-1].find(w("pgMar"))
    try:
        width = int(size.get(w("w"))) - int(margins.get(w("left"))) - int(margins.get(w("right")))
    except (AttributeError, TypeError, ValueError):
        return _DEFAULT_TEXT_WIDTH
    return width if width > 0 else _DEFAULT_TEXT_WIDTH


def _split_body(document: Any, name: str, fail: Callable[[str], NbesokError]) -> tuple[str, str]:
    """The document.xml text before and after the body's content (the sectPr stays)."""
    if document.nsmap.get("w") != W_NS or document.nsmap.get("r") != R_NS:
        # The rendered body uses the w: and r: prefixes, so the root must declare them.
        nsmap = {**document.nsmap, "w": W_NS, "r": R_NS}
        renamed = etree.Element(document.tag, attrib=dict(document.attrib), nsmap=nsmap)
        renamed.extend(list(document))
        document = renamed
    body = document.find(w("body"))
    if body is None:
        raise fail(f"{name} saknar dokumentets brödtext (w:body)")
    section = body.find(w("sectPr"))
    for child in list(body):
        body.remove(child)
    body.append(etree.Comment(_MARK))
    if section is not None:
        body.append(section)
    return _split_at_mark(document)


def _split_rels(data: bytes | None, fail: Callable[[str], NbesokError]) -> tuple[str, str, int]:
    root = (
        _parse(data, "document.xml.rels", fail)
        if data is not None
        else etree.Element(f"{{{_REL_NS}}}Relationships", nsmap={None: _REL_NS})
    )
    numbers = [
        int(m.group(1)) for rel in root if (m := re.fullmatch(r"rId(\d+)", str(rel.get("Id"))))
    ]
    root.append(etree.Comment(_MARK))
    head, tail = _split_at_mark(root)
    return head, tail, max(numbers, default=0) + 1


def _split_numbering(root: Any) -> tuple[str, str, int]:
    used = [int(num.get(w("numId"), 0)) for num in root.iterchildren(w("num"))]
    cleanup = root.find(w("numIdMacAtCleanup"))
    mark = etree.Comment(_MARK)
    # w:num elements follow every w:abstractNum; only w:numIdMacAtCleanup follows them.
    if cleanup is not None:
        cleanup.addprevious(mark)
    else:
        root.append(mark)
    head, tail = _split_at_mark(root)
    return head, tail, max(used, default=0) + 1


def _with_language(data: bytes, lang: str) -> bytes:
    root = etree.fromstring(data, _PARSER)
    for properties in root.iterfind(f"{w('docDefaults')}/{w('rPrDefault')}/{w('rPr')}"):
        language = properties.find(w("lang"))
        if language is None:
            language = etree.SubElement(properties, w("lang"))
        language.set(w("val"), lang)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


def _with_field_tokens(root: Any) -> str:
    """Header/footer XML whose SUBJECT/TITLE/AUTHOR field results are placeholders.

    Readers show a field's cached result until fields are updated, so filling it makes
    the header show the short title at once. Word's simple fields and its complex
    fields (begin/instrText/separate/result/end) are both handled.
    """
    for simple in root.iter(w("fldSimple")):
        token = FIELD_TOKENS.get(_field_name(simple.get(w("instr"), "")))
        if token is not None:
            _replace_result([run for run in simple if run.tag == w("r")], token)
    instruction: list[str] = []
    result: list[Any] = []
    state = ""
    for run in root.iter(w("r")):
        char = run.find(w("fldChar"))
        kind = "" if char is None else char.get(w("fldCharType"))
        if kind == "begin":
            instruction, result, state = [], [], "instruction"
        elif kind == "separate":
            state = "result"
        elif kind == "end":
            token = FIELD_TOKENS.get(_field_name("".join(instruction)))
            if state == "result" and token is not None:
                _replace_result(result, token)
            state = ""
        elif state == "instruction":
            instruction.extend(text.text or "" for text in run.iter(w("instrText")))
        elif state == "result":
            result.append(run)
    return _serialize(root)


def _field_name(instruction: str) -> str:
    words = instruction.split()
    return words[0].upper() if words else ""


def _replace_result(runs: list[Any], value: str) -> None:
    """Put ``value`` in the first result run's text and empty the others."""
    for index, run in enumerate(runs):
        for child in [c for c in run if c.tag in (w("t"), w("tab"), w("br"))]:
            run.remove(child)
        if index == 0:
            text = etree.SubElement(run, w("t"))
            text.text = value
            text.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


def _ensure_core_properties(parts: dict[str, bytes]) -> None:
    """Make sure the package declares docProps/core.xml, which every document gets."""
    if "[Content_Types].xml" in parts:
        types = etree.fromstring(parts["[Content_Types].xml"], _PARSER)
        if not any(o.get("PartName") == f"/{CORE_PART}" for o in types):
            etree.SubElement(
                types, f"{{{_CT_NS}}}Override", PartName=f"/{CORE_PART}", ContentType=_CORE_TYPE
            )
            parts["[Content_Types].xml"] = etree.tostring(
                types, xml_declaration=True, encoding="UTF-8", standalone=True
            )
    root_rels = etree.fromstring(parts.get("_rels/.rels", b"<x/>"), _PARSER)
    if root_rels.tag == f"{{{_REL_NS}}}Relationships" and not any(
        rel.get("Type") == _CORE_RT for rel in root_rels
    ):
        used = {str(rel.get("Id")) for rel in root_rels}
        rel_id = next(f"rId{n}" for n in range(1, len(used) + 2) if f"rId{n}" not in used)
        etree.SubElement(
            root_rels, f"{{{_REL_NS}}}Relationship", Id=rel_id, Type=_CORE_RT, Target=CORE_PART
        )
        parts["_rels/.rels"] = etree.tostring(
            root_rels, xml_declaration=True, encoding="UTF-8", standalone=True
        )


def _core_xml(properties: Properties, escape: Callable[[str], str]) -> str:
    stamp = properties.date.strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{escape(properties.title)}</dc:title>"
        f"<dc:subject>{escape(properties.subject)}</dc:subject>"
        f"<dc:creator>{escape(properties.author)}</dc:creator>"
        f"<cp:keywords>{escape(properties.keywords)}</cp:keywords>"
        f"<cp:lastModifiedBy>{escape(properties.author)}</cp:lastModifiedBy>"
        "<cp:revision>1</cp:revision>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
        f"<dc:language>{escape(properties.lang)}</dc:language>"
        "</cp:coreProperties>"
    )
