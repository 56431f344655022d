"""PDF/UA-1 for LibreOffice's tagged PDF/A: what LibreOffice 7.4 leaves undone.

LibreOffice writes a tagged PDF/A-2b and, with its PDF/UA option, the PDF/UA
identification and a structure tab order on pages with links. A few things in its tag
tree and metadata still fail PDF/UA-1 or mislead a reader, and are put right here with
pikepdf (qpdf), after the conversion and before the file is moved into place:

- every TH is ``/Scope /Column``, also the label column of a table of labels and
  values (the visit details, the tjänsteskrivelse's head): a screen reader tied each
  label to the cells below it. A TH that begins a row of TD cells is ``/Scope /Row``;
- a paragraph style named like a standard structure type (Word's "Quote") is written as
  that type and role-mapped to P, which remaps a standard type (ISO 14289-1 7.1): such
  an element gets the type it means (a paragraph quote is a BlockQuote) and the role
  map loses the entry;
- ``/Tabs /S`` on every page with annotations (LibreOffice sets it with the PDF/UA
  option; a page is checked anyway);
- the keywords as the document has them (LibreOffice splits them at spaces), and one
  ``dc:creator`` per author (it writes one item for all);
- ``pdfuaid:part`` 1, with the extension schema that PDF/A-2 requires for a property
  outside its predefined schemas (LibreOffice 7.4 leaves it out).

Nothing here adds content: every change is to structure and metadata.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pikepdf
from lxml import etree

# The standard structure types of PDF 1.7 (ISO 32000-1, 14.8.4), which PDF/UA-1 forbids
# remapping.
_TYPES = """
    Document Part Art Sect Div BlockQuote Caption TOC TOCI Index NonStruct Private
    P H H1 H2 H3 H4 H5 H6 L LI Lbl LBody Table TR TH TD THead TBody TFoot Span Quote
    Note Reference BibEntry Code Link Annot Ruby RB RT RP Warichu WT WP Figure Formula Form
"""
STANDARD_TYPES = frozenset(_TYPES.split())
# What a paragraph style named like an inline type means as a block.
_AS_BLOCK = {"Quote": "BlockQuote", "Code": "P"}

_NS = {
    "x": "adobe:ns:meta/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "pdfuaid": "http://www.aiim.org/pdfua/ns/id/",
    "pdfaExtension": "http://www.aiim.org/pdfa/ns/extension/",
    "pdfaSchema": "http://www.aiim.org/pdfa/ns/schema#",
    "pdfaProperty": "http://www.aiim.org/pdfa/ns/property#",
}
PDFUA_PART = "1"


def _q(name: str) -> str:
    prefix, _, local = name.partition(":")
    return f"{{{_NS[prefix]}}}{local}"


def finish(path: Path, *, keywords: str, authors: Sequence[str]) -> None:
    """Put the LibreOffice PDF at ``path`` right for PDF/UA-1, in place."""
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        repair(pdf, keywords=keywords, authors=authors)
        save(pdf, path)


def repair(pdf: pikepdf.Pdf, *, keywords: str, authors: Sequence[str]) -> None:
    """The structure and metadata repairs of the module doc, on an open PDF."""
    root = pdf.Root.get("/StructTreeRoot")
    if root is not None:
        _standard_types(root)
        for element in elements(root):
            if element.get("/S") == "/Table":
                _row_headers(element)
    for page in pdf.pages:
        if len(page.obj.get("/Annots", [])):
            page.obj.Tabs = pikepdf.Name.S
    _metadata(pdf, keywords, list(authors))


def save(pdf: pikepdf.Pdf, path: Path) -> None:
    # The XMP packet is left as written (no pdf:PDFVersion added), and qpdf writes the
    # metadata stream uncompressed, as PDF/A wants it.
    pdf.save(path, fix_metadata_version=False)


def elements(node: Any) -> Iterator[pikepdf.Dictionary]:
    """The structure elements below ``node``, depth first, in document order."""
    kids = node.get("/K")
    if kids is None:
        return
    if not isinstance(kids, pikepdf.Array):
        kids = [kids]
    for kid in kids:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield kid
            yield from elements(kid)


def children(node: Any) -> list[pikepdf.Dictionary]:
    kids = node.get("/K")
    if kids is None:
        return []
    if not isinstance(kids, pikepdf.Array):
        kids = [kids]
    return [kid for kid in kids if isinstance(kid, pikepdf.Dictionary) and "/S" in kid]


def _standard_types(root: Any) -> None:
    role_map = root.get("/RoleMap")
    if role_map is None:
        return
    remapped = {
        str(key)[1:]: str(value)[1:]
        for key, value in role_map.items()
        if str(key)[1:] in STANDARD_TYPES and str(key) != str(value)
    }
    if not remapped:
        return
    for element in elements(root):
        kind = str(element.S)[1:]
        if kind in remapped:
            element.S = pikepdf.Name("/" + _AS_BLOCK.get(kind, remapped[kind]))
    for kind in remapped:
        del role_map["/" + kind]


def _rows(table: Any) -> Iterator[pikepdf.Dictionary]:
    for child in children(table):
        if child.S in ("/THead", "/TBody", "/TFoot"):
            yield from (row for row in children(child) if row.S == "/TR")
        elif child.S == "/TR":
            yield child


def _row_headers(table: Any) -> None:
    """A TH followed by TD cells in its row heads that row."""
    for row in _rows(table):
        cells = [cell for cell in children(row) if cell.S in ("/TH", "/TD")]
        if len(cells) > 1 and cells[0].S == "/TH" and all(c.S == "/TD" for c in cells[1:]):
            set_scope(cells[0], "/Row")


def set_scope(cell: Any, scope: str) -> None:
    """Give a TH's table attributes ``/Scope scope``, wherever LibreOffice put them."""
    attributes = cell.get("/A")
    owners = list(attributes) if isinstance(attributes, pikepdf.Array) else [attributes]
    for owner in owners:
        if isinstance(owner, pikepdf.Dictionary) and owner.get("/O") == "/Table":
            owner.Scope = pikepdf.Name(scope)
            return
    table = pikepdf.Dictionary(O=pikepdf.Name.Table, Scope=pikepdf.Name(scope))
    if attributes is None:
        cell.A = table
    elif isinstance(attributes, pikepdf.Array):
        attributes.append(table)
    else:
        cell.A = pikepdf.Array([attributes, table])


def _metadata(pdf: pikepdf.Pdf, keywords: str, authors: list[str]) -> None:
    info = pdf.trailer.get("/Info")
    if info is not None:
        if keywords:
            info.Keywords = keywords
        if authors:
            info.Author = ", ".join(authors)
    stream = pdf.Root.get("/Metadata")
    if stream is None:
        return
    data = stream.read_bytes()
    start, end = data.find(b"<x:xmpmeta"), data.rfind(b"</x:xmpmeta>")
    if start < 0 or end < 0:
        return
    end += len(b"</x:xmpmeta>")
    tree = etree.fromstring(data[start:end])
    rdf = tree.find(_q("rdf:RDF"))
    if rdf is None:
        return
    if authors:
        _set_creators(rdf, authors)
    if keywords:
        _set_simple(rdf, "pdf:Keywords", keywords)
    if not rdf.findall(f".//{_q('pdfuaid:part')}"):
        _set_simple(rdf, "pdfuaid:part", PDFUA_PART)
    _declare_pdfuaid(rdf)
    packet = data[:start] + etree.tostring(tree, encoding="utf-8") + data[end:]
    stream.write(packet)


def _description(rdf: Any, prefix: str) -> Any:
    """The rdf:Description that holds ``prefix``'s properties (a new one if none)."""
    for description in rdf.findall(_q("rdf:Description")):
        if any(child.tag.startswith(f"{{{_NS[prefix]}}}") for child in description):
            return description
    description = etree.SubElement(
        rdf, _q("rdf:Description"), {_q("rdf:about"): ""}, nsmap={prefix: _NS[prefix]}
    )
    return description


def _set_simple(rdf: Any, name: str, value: str) -> None:
    description = _description(rdf, name.partition(":")[0])
    found = description.find(_q(name))
    if found is None:
        found = etree.SubElement(description, _q(name))
    for child in list(found):
        found.remove(child)
    found.text = value


def _set_creators(rdf: Any, authors: list[str]) -> None:
    description = _description(rdf, "dc")
    creator = description.find(_q("dc:creator"))
    if creator is None:
        creator = etree.SubElement(description, _q("dc:creator"))
    for child in list(creator):
        creator.remove(child)
    creator.text = None
    sequence = etree.SubElement(creator, _q("rdf:Seq"))
    for author in authors:
        etree.SubElement(sequence, _q("rdf:li")).text = author


_PDFUAID_SCHEMA = f"""
<rdf:Description xmlns:rdf="{_NS["rdf"]}" xmlns:pdfaExtension="{_NS["pdfaExtension"]}"
    xmlns:pdfaSchema="{_NS["pdfaSchema"]}" xmlns:pdfaProperty="{_NS["pdfaProperty"]}"
    rdf:about="">
  <pdfaExtension:schemas>
    <rdf:Bag>
      <rdf:li rdf:parseType="Resource">
        <pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
        <pdfaSchema:namespaceURI>{_NS["pdfuaid"]}</pdfaSchema:namespaceURI>
        <pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
        <pdfaSchema:property>
          <rdf:Seq>
            <rdf:li rdf:parseType="Resource">
              <pdfaProperty:name>part</pdfaProperty:name>
              <pdfaProperty:valueType>Integer</pdfaProperty:valueType>
              <pdfaProperty:category>internal</pdfaProperty:category>
              <pdfaProperty:description
                >Indicates, which part of ISO 14289 standard is followed</pdfaProperty:description>
            </rdf:li>
          </rdf:Seq>
        </pdfaSchema:property>
      </rdf:li>
    </rdf:Bag>
  </pdfaExtension:schemas>
</rdf:Description>
"""


def _declare_pdfuaid(rdf: Any) -> None:
    """The PDF/A extension schema of ``pdfuaid``, unless the packet declares it."""
    for namespace in rdf.iter(_q("pdfaSchema:namespaceURI")):
        if (namespace.text or "").strip() == _NS["pdfuaid"]:
            return
    ours = etree.fromstring(_PDFUAID_SCHEMA)
    existing = rdf.find(f".//{_q('pdfaExtension:schemas')}/{_q('rdf:Bag')}")
    if existing is not None:  # one property may appear once: add to the packet's list
        existing.append(ours.find(f".//{_q('rdf:Bag')}/{_q('rdf:li')}"))
    else:
        rdf.append(ours)
