"""A Word document with every construct real .docx files put text in.

Built with python-docx; where python-docx has no API (text boxes, equations, ruby,
symbols, tracked moves, footnotes, content controls around cells, custom XML), the
XML is made through python-docx's own ``parse_xml`` with Word's namespaces, as Word
writes it. Each construct carries words found nowhere else in the document, so a
test can ask where each one went.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

NAMESPACES = (
    nsdecls("w", "wp", "a", "pic", "r")
    + ' xmlns:v="urn:schemas-microsoft-com:vml"'
    + ' xmlns:o="urn:schemas-microsoft-com:office:office"'
    + ' xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
    + ' xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math"'
    + ' xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"'
)
QUESTION = "Hur ser arbetet med handlingsplaner ut?"  # of arbetslik-aktivitet-2023


@dataclass(frozen=True)
class Construct:
    """Words that one construct holds, and the word the import's warning names it by
    (empty where the construct is ordinary text and needs no warning)."""

    name: str
    words: tuple[str, ...]
    warning: str = ""
    place: str = "svar.handlingsplaner"  # or "oplacerat"


CONSTRUCTS = (
    Construct("textruta (VML)", ("Vattenlilja",), "textruta"),
    Construct("textruta (DrawingML med reserv)", ("Näckros",), "textruta"),
    Construct("celler i innehållskontroller", ("Kungsängen", "Ullstämma")),
    Construct("rad där varje cell är en kontroll", ("Berga", "Ekholmen")),
    Construct("skrivet nummer i tabellcell", ("4. Fjärde",)),
    Construct("formel", ("x", "=", "2"), "formel"),
    Construct("ruby", ("漢字", "かんじ"), "ruby-text"),
    Construct("symbol", ("✓", "α")),
    Construct("okänd symbol", ("F0A9",), "symbol"),
    Construct("text i w:dir och w:bdo", ("Höger", "Vänster")),
    Construct("stycke i w:customXml", ("Skäggetorp",)),
    Construct("flyttad text (w:moveTo)", ("Lambohov",)),
    Construct("fotnot", ("Källa", "SCB-tabell"), "fotnot 1"),
    Construct("slutnot", ("Slutnotens", "Tannefors"), "slutnot 1"),
    Construct("kommentar", ("Granskarens", "Vidingsjö"), "kommentar", "oplacerat"),
    Construct("nästlade tabeller", ("Djupaste", "Mellersta")),
    Construct("skrivna avsnittsnummer", ("1. Bakgrund", "2. Syfte")),
    Construct("numrerad rubrik", ("3 Genomförande",)),
    Construct("lista som fortsätter", ("1. Första", "2. Andra", "3. Tredje")),
    Construct("replikstreck", ("– Vi behöver fler platser",)),
    Construct("vinkelparenteser", ("<<namn>>",)),
    Construct("text före första frågan", ("Fikarummet",), "oplacerat", "oplacerat"),
)
# Text that must not come back: deleted, moved away, or the fallback copy of a box.
GONE = ("Raderat", "Bortflyttat")


def _xml(fragment: str) -> Any:
    """An element from Word's XML with the namespaces declared on its root."""
    name_end = re.match(r"<[\w:]+", fragment)
    assert name_end is not None
    return parse_xml(fragment[: name_end.end()] + " " + NAMESPACES + fragment[name_end.end() :])


def _add(document: Any, fragment: str) -> Any:
    """Append a block of Word XML to the body, before its section properties."""
    element = _xml(fragment)
    document.element.body.sectPr.addprevious(element)
    return element


def _run(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'


def _p(*inner: str) -> str:
    return f"<w:p>{''.join(inner)}</w:p>"


def _notes_part(document: Any, kind: str, body: str) -> None:
    """A footnotes or endnotes part, as Word adds one, related from the document."""
    tag = kind.removesuffix("s")
    xml = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:{kind} {nsdecls("w")}>'
        f'<w:{tag} w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:{tag}>'
        f'<w:{tag} w:type="continuationSeparator" w:id="0"><w:p><w:r>'
        f"<w:continuationSeparator/></w:r></w:p></w:{tag}>"
        f'<w:{tag} w:id="1"><w:p>{_run(body)}</w:p></w:{tag}></w:{kind}>'
    )
    content_type = f"application/vnd.openxmlformats-officedocument.wordprocessingml.{kind}+xml"
    part = Part(
        PackURI(f"/word/{kind}.xml"), content_type, xml.encode("utf-8"), document.part.package
    )
    document.part.relate_to(part, RT.FOOTNOTES if kind == "footnotes" else RT.ENDNOTES)


def _numbered(document: Any, *, heading: bool = False) -> str:
    """A new w:num on a decimal abstract list (or an outline list for headings)."""
    numbering = document.part.numbering_part.element
    abstract_id = 90 if heading else 91
    lvl_text = "%1" if heading else "%1."
    numbering.insert(
        0,
        _xml(
            f'<w:abstractNum w:abstractNumId="{abstract_id}"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
            f'<w:numFmt w:val="decimal"/><w:lvlText w:val="{lvl_text}"/></w:lvl></w:abstractNum>'
        ),
    )
    num = numbering.add_num(abstract_id)
    return str(num.numId)


def _numbered_p(num_id: str, text: str, style: str = "") -> str:
    styled = f'<w:pStyle w:val="{style}"/>' if style else ""
    return _p(
        f'<w:pPr>{styled}<w:numPr><w:ilvl w:val="0"/><w:numId w:val="{num_id}"/></w:numPr></w:pPr>',
        _run(text),
    )


def _nested_table(depth: int, text: str) -> str:
    inner = _p(_run(text))
    for level in range(depth):
        words = "Mellersta" if level == depth // 2 else f"nivå{level}"
        inner = (
            f"<w:tbl><w:tblPr/><w:tblGrid><w:gridCol/></w:tblGrid><w:tr><w:tc>{inner}"
            f"{_p(_run(words))}</w:tc></w:tr></w:tbl>"
        )
    return inner


def constructs_document(path: Path, *, nesting: int = 6) -> Path:
    """The document: a header, a stray note, one question, and every construct in its
    answer. ``nesting`` is how deep the nested tables go."""
    document = docx.Document()
    document.add_paragraph("Dokumentation nämndbesök 2023", style="Title")
    table = document.add_table(rows=0, cols=2)
    for label, value in (
        ("Verksamhetsinriktning", "Konstruktioner"),
        ("Besöksdatum", "2023-09-01"),
    ):
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value
    document.add_paragraph("Fikarummet var nymålat.")
    document.add_heading(QUESTION, level=2)

    # Text boxes: VML, and DrawingML with a VML fallback holding the same text.
    _add(
        document,
        _p(
            _run("Före rutan. "),
            '<w:r><w:pict><v:shape style="width:100pt;height:40pt"><v:textbox><w:txbxContent>'
            f"{_p(_run('Vattenlilja i rutan.'))}"
            "</w:txbxContent></v:textbox></v:shape></w:pict></w:r>",
        ),
    )
    box = _p(_run("Näckros i rutan."))
    _add(
        document,
        _p(
            '<w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:anchor '
            'distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="1" '
            'behindDoc="0" locked="0" layoutInCell="1" allowOverlap="1"><wp:simplePos x="0" y="0"/>'
            '<wp:positionH relativeFrom="column"><wp:posOffset>0</wp:posOffset></wp:positionH>'
            '<wp:positionV relativeFrom="paragraph"><wp:posOffset>0</wp:posOffset></wp:positionV>'
            '<wp:extent cx="914400" cy="457200"/><wp:wrapSquare wrapText="bothSides"/>'
            '<wp:docPr id="1" name="Textruta 1"/><a:graphic><a:graphicData '
            'uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><wps:wsp>'
            f"<wps:txbx><w:txbxContent>{box}</w:txbxContent></wps:txbx><wps:bodyPr/></wps:wsp>"
            "</a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice><mc:Fallback>"
            f"<w:pict><v:rect><v:textbox><w:txbxContent>{box}</w:txbxContent></v:textbox>"
            "</v:rect></w:pict></mc:Fallback></mc:AlternateContent></w:r>",
        ),
    )
    # A table whose cells are wrapped in content controls; one row entirely so.
    sdt_cell = (
        '<w:sdt><w:sdtPr><w:alias w:val="Cell"/></w:sdtPr><w:sdtContent><w:tc>{}</w:tc>'
        "</w:sdtContent></w:sdt>"
    )
    _add(
        document,
        "<w:tbl><w:tblPr/><w:tblGrid><w:gridCol/><w:gridCol/></w:tblGrid>"
        f"<w:tr><w:tc>{_p(_run('Kungsängen'))}</w:tc>{sdt_cell.format(_p(_run('Ullstämma')))}</w:tr>"
        f"<w:tr>{sdt_cell.format(_p(_run('Berga')))}{sdt_cell.format(_p(_run('Ekholmen')))}</w:tr>"
        f"<w:tr><w:tc>{_p(_run('4. Fjärde plats'))}</w:tc><w:tc>{_p()}</w:tc></w:tr>"
        "</w:tbl>",
    )
    # An equation, ruby, symbols, right-to-left runs.
    _add(
        document,
        _p(
            _run("Formeln "),
            "<m:oMath><m:r><m:t>x</m:t></m:r><m:r><m:t>=</m:t></m:r><m:r><m:t>2</m:t></m:r></m:oMath>",
            _run(" gäller."),
        ),
    )
    _add(
        document,
        _p(
            _run("Tecknen "),
            "<w:r><w:ruby><w:rubyPr/><w:rt><w:r><w:t>かんじ</w:t></w:r></w:rt>"
            "<w:rubyBase><w:r><w:t>漢字</w:t></w:r></w:rubyBase></w:ruby></w:r>",
            _run(" och "),
            '<w:r><w:sym w:font="Wingdings" w:char="F0FC"/></w:r>',
            '<w:r><w:sym w:font="Symbol" w:char="F061"/></w:r>',
            '<w:r><w:sym w:font="Webdings" w:char="F0A9"/></w:r>',
            f'<w:dir w:val="rtl">{_run(" Höger")}</w:dir>',
            f'<w:bdo w:val="ltr">{_run(" Vänster")}</w:bdo>',
        ),
    )
    _add(
        document,
        f'<w:customXml w:element="plats">{_p(_run("Skäggetorp i egen XML."))}</w:customXml>',
    )
    _add(
        document,
        _p(
            '<w:moveTo w:id="11" w:author="A" w:date="2023-09-01T10:00:00Z">',
            _run("Lambohov flyttades hit."),
            "</w:moveTo>",
            '<w:del w:id="12" w:author="A" w:date="2023-09-01T10:00:00Z">'
            "<w:r><w:delText>Raderat ord.</w:delText></w:r></w:del>",
        ),
    )
    _add(
        document,
        _p(
            '<w:moveFrom w:id="13" w:author="A" w:date="2023-09-01T10:00:00Z">',
            _run("Bortflyttat ord."),
            "</w:moveFrom>",
        ),
    )
    # A footnote, an endnote and a comment.
    _notes_part(document, "footnotes", "Källa: SCB-tabell 4.")
    _notes_part(document, "endnotes", "Slutnotens text om Tannefors.")
    _add(
        document,
        _p(
            _run("Andelen ökade"),
            '<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr>'
            '<w:footnoteReference w:id="1"/></w:r>',
            _run(" enligt rapporten"),
            '<w:r><w:endnoteReference w:id="1"/></w:r>',
            _run("."),
        ),
    )
    commented = document.add_paragraph()
    run = commented.add_run("Ett stycke med en kommentar.")
    document.add_comment(run, text="Granskarens fråga om Vidingsjö.", author="Anna Berg")
    # Nested tables.
    _add(document, _nested_table(nesting, "Djupaste cellen."))
    # Numbers: typed section numbers, a heading numbered by Word, a list that goes on.
    document.add_paragraph("1. Bakgrund till besöket.")
    document.add_paragraph("2. Syfte med besöket.")
    heading_list = _numbered(document, heading=True)
    for _ in range(2):  # two numbered headings counted before, as in a longer document
        _add(document, _numbered_p(heading_list, "Avsnitt", style="Heading3"))
    _add(document, _numbered_p(heading_list, "Genomförande", style="Heading3"))
    steps = _numbered(document)
    _add(document, _numbered_p(steps, "Första steget."))
    _add(document, _numbered_p(steps, "Andra steget."))
    document.add_paragraph("Mellan stegen kom en paus.")
    _add(document, _numbered_p(steps, "Tredje steget."))
    document.add_paragraph("– Vi behöver fler platser, sa handledaren.")
    document.add_paragraph("Brevet börjar <<namn>> och slutar *inte* här.")
    document.save(str(path))
    return path
