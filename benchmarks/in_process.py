"""Per-document cost inside one process, beside python-docx's own floors (for bench.py).

Run by bench.py as its own process in the generated archive:

    python benchmarks/in_process.py ROOT VISIT [VISIT …]

For each visit, in turn (so that a change in the machine's load hits all alike):

- ``golv_öppna_spara``: python-docx opens the reference and saves it, adding nothing;
- ``golv_samma_innehåll``: python-docx opens the reference and adds the same
  paragraphs, runs and tables that nbesok's document of this visit has, each with its
  style given by id (resolved once, as nbesok does) and the same bold and italic runs,
  then saves: what python-docx alone costs for this content;
- ``dokument``: nbesok's whole work for the document in memory: load and check the
  visit, run the template, parse the Markdown, build, guard, review and save the .docx
  and make the .md;
- ``word``: of that, the Word part alone (build, review and save from the parsed tree).

All are warmed up first, so imports and caches are not counted. Prints JSON with every
single timing in seconds.
"""

from __future__ import annotations

import io
import json
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import docx
from docx.oxml.ns import qn
from markdown_it.tree import SyntaxTreeNode

from nbesok.archive import markup
from nbesok.archive.pictures import load
from nbesok.archive.root import Archive
from nbesok.documents.compose import document_for, reference_docx
from nbesok.documents.docx.package import save_document
from nbesok.documents.docx.reference import load_reference
from nbesok.documents.docx.review import review_document
from nbesok.documents.docx.writer import write_docx
from nbesok.documents.publish import make

# One paragraph: its style id and its runs as (text, character style id, bold, italic).
Run = tuple[str, str | None, bool, bool]
Paragraph = tuple[str | None, list[Run]]
# A body: paragraphs, and tables as (style id, rows of cells of paragraphs).
Block = tuple[str, Any]


def _paragraph_plan(p: Any) -> Paragraph:
    runs: list[Run] = []
    for r in p.iter(qn("w:r")):
        text = "".join(t.text or "" for t in r.iter(qn("w:t")))
        properties = r.rPr
        bold = properties is not None and properties.b is not None
        italic = properties is not None and properties.i is not None
        runs.append((text, r.style, bold, italic))
    return p.style, runs


def content_plan(data: bytes) -> list[Block]:
    """What nbesok's .docx holds, as paragraphs and tables to write again."""
    body = docx.Document(io.BytesIO(data)).element.body
    plan: list[Block] = []
    for element in body.iterchildren():
        if element.tag == qn("w:p"):
            plan.append(("p", _paragraph_plan(element)))
        elif element.tag == qn("w:tbl"):
            style = element.tblPr.style if element.tblPr is not None else None
            rows = [
                [[_paragraph_plan(p) for p in tc.iterchildren(qn("w:p"))] for tc in tr.tc_lst]
                for tr in element.tr_lst
            ]
            plan.append(("tbl", (style, rows)))
    return plan


def _write_paragraph(paragraph: Any, plan: Paragraph) -> None:
    style, runs = plan
    if style:
        paragraph._p.style = style  # by id: a name would be looked up per paragraph
    for text, character, bold, italic in runs:
        run = paragraph.add_run(text)
        if character:
            run._r.style = character
        if bold:
            run.bold = True
        if italic:
            run.italic = True


def same_content(reference: bytes, plan: list[Block]) -> None:
    """python-docx alone writing the same paragraphs and tables, and saving."""
    document = docx.Document(io.BytesIO(reference))
    document.element.body.clear_content()  # the reference's own empty paragraph, as nbesok
    for kind, content in plan:
        if kind == "p":
            _write_paragraph(document.add_paragraph(), content)
            continue
        style, rows = content
        table = document.add_table(rows=len(rows), cols=max(len(row) for row in rows))
        if style:
            table._tbl.tblPr.style = style
        for row, row_plan in zip(table.rows, rows, strict=False):
            for cell, paragraphs in zip(row.cells, row_plan, strict=False):
                for number, paragraph in enumerate(paragraphs):
                    target = cell.paragraphs[0] if number == 0 else cell.add_paragraph()
                    _write_paragraph(target, paragraph)
    save_document(document)


def open_and_save(reference: bytes) -> None:
    save_document(docx.Document(io.BytesIO(reference)))


def per_document(archive: Archive, visit: Path, out: Path) -> bytes:
    document, _ = document_for(archive, visit, date.today(), guidance=True)
    made = make(document, ("md", "docx"), out, reference_docx(archive))
    return made.files[f"{document.name}.docx"]


def word_part(archive: Archive, tree: SyntaxTreeNode, out: Path, markdown: str) -> None:
    """The python-docx part of one document: open, write the tree, review, save."""
    reference = load_reference(reference_docx(archive))
    properties = markup.properties(tree)
    word = write_docx(tree, reference, properties, pictures=load(markdown, archive.root))
    review_document(word, out, same_styles_as=(reference.data, properties.lang))
    save_document(word)


def main() -> None:
    root, visits = Path(sys.argv[1]), [Path(argument) for argument in sys.argv[2:]]
    archive = Archive(root)
    reference = reference_docx(archive).read_bytes()
    out = root / "out-i-minnet"  # only named in findings; nothing is written
    plans = [content_plan(per_document(archive, visit, out)) for visit in visits]
    open_and_save(reference)
    same_content(reference, plans[0])
    timings: dict[str, list[float]] = {
        "golv_öppna_spara": [],
        "golv_samma_innehåll": [],
        "dokument": [],
        "word": [],
    }
    for visit, plan in zip(visits, plans, strict=True):
        start = time.perf_counter()
        open_and_save(reference)
        timings["golv_öppna_spara"].append(time.perf_counter() - start)
        start = time.perf_counter()
        same_content(reference, plan)
        timings["golv_samma_innehåll"].append(time.perf_counter() - start)
        start = time.perf_counter()
        per_document(archive, visit, out)
        timings["dokument"].append(time.perf_counter() - start)
        document, _ = document_for(archive, visit, date.today(), guidance=True)
        tree = markup.parse(document.markdown)
        start = time.perf_counter()
        word_part(archive, tree, out, document.markdown)
        timings["word"].append(time.perf_counter() - start)
    json.dump(timings, sys.stdout)


if __name__ == "__main__":
    main()
