"""The tag tree of a PDF as a screen reader gets it, read with pikepdf.

Written for the tests, apart from nbesok's own PDF code: an element is its standard
type (after the role map), its attributes and its children, so a test can say what a
reader meets (a TH that heads a row, a list inside its item, a figure's /Alt).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pikepdf

_TYPES = """
    Document Part Art Sect Div BlockQuote Caption TOC TOCI Index NonStruct Private
    P H H1 H2 H3 H4 H5 H6 L LI Lbl LBody Table TR TH TD THead TBody TFoot Span Quote
    Note Reference BibEntry Code Link Annot Ruby RB RT RP Warichu WT WP Figure Formula Form
"""
STANDARD = frozenset(_TYPES.split())  # PDF 1.7's standard structure types


@dataclass
class Element:
    written: str  # the type as written in the file
    kind: str  # the standard type it is read as
    attributes: dict[str, str] = field(default_factory=dict)
    alt: str | None = None
    children: list[Element] = field(default_factory=list)

    def walk(self) -> Iterator[Element]:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class Tree:
    root: Element
    role_map: dict[str, str]
    pages_with_annotations: list[int]
    pages_without_tab_order: list[int]


def read_tree(path: Path) -> Tree:
    with pikepdf.open(path) as pdf:
        struct = pdf.Root.StructTreeRoot
        role_map = {
            str(key)[1:]: str(value)[1:] for key, value in struct.get("/RoleMap", {}).items()
        }
        root = Element("StructTreeRoot", "StructTreeRoot")
        root.children = list(_elements(struct, role_map))
        annotated = [n for n, page in enumerate(pdf.pages, 1) if len(page.obj.get("/Annots", []))]
        untabbed = [n for n in annotated if pdf.pages[n - 1].obj.get("/Tabs") != "/S"]
        return Tree(root, role_map, annotated, untabbed)


# The types a reader meets as one block of text; a table, list or quote is read by its
# cells, items and paragraphs.
_BLOCKS = frozenset(
    {"P", "H", "H1", "H2", "H3", "H4", "H5", "H6", "Lbl", "LBody", "TD", "TH", "Figure"}
)


def last_blocks(path: Path) -> dict[int, str]:
    """Page number -> the standard type of the last block a reader meets on that page,
    following the tag tree's order (the reading order) to each piece of marked content."""
    with pikepdf.open(path) as pdf:
        struct = pdf.Root.StructTreeRoot
        role_map = {
            str(key)[1:]: str(value)[1:] for key, value in struct.get("/RoleMap", {}).items()
        }
        pages: dict[Any, int] = {  # a page object -> its number
            page.objgen: number for number, page in enumerate(pdf.pages, 1)
        }
        last: dict[int, str] = {}

        def walk(node: Any, page: int | None, block: str | None) -> None:
            kids = node.get("/K")
            if kids is None:
                return
            for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
                if isinstance(kid, int) and page is not None and block is not None:
                    last[page] = block  # a marked-content id on the element's page
                elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                    kind = _standard(str(kid.S)[1:], role_map)
                    on = pages.get(kid.Pg.objgen, page) if "/Pg" in kid else page
                    walk(kid, on, kind if kind in _BLOCKS else block)
                elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                    on = pages.get(kid.Pg.objgen, page) if "/Pg" in kid else page
                    if on is not None and block is not None:
                        last[on] = block

        walk(struct, None, None)
        return last


def _standard(written: str, role_map: dict[str, str]) -> str:
    kind, seen = written, set()
    while kind not in STANDARD and kind in role_map and kind not in seen:
        seen.add(kind)
        kind = role_map[kind]
    return kind


def _elements(node: Any, role_map: dict[str, str]) -> Iterator[Element]:
    kids = node.get("/K")
    if kids is None:
        return
    if not isinstance(kids, pikepdf.Array):
        kids = [kids]
    for kid in kids:
        if not (isinstance(kid, pikepdf.Dictionary) and "/S" in kid):
            continue
        written = str(kid.S)[1:]
        kind = _standard(written, role_map)
        element = Element(written, kind, _attributes(kid), _text(kid.get("/Alt")))
        element.children = list(_elements(kid, role_map))
        yield element


def _attributes(element: Any) -> dict[str, str]:
    found: dict[str, str] = {}
    attributes = element.get("/A")
    owners = list(attributes) if isinstance(attributes, pikepdf.Array) else [attributes]
    for owner in owners:
        if isinstance(owner, pikepdf.Dictionary):
            for key, value in owner.items():
                found[str(key)[1:]] = str(value).lstrip("/")
    return found


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def outloud(*pdfs: Path) -> list[dict[str, Any]]:
    """The results of the third-party checker outloud (PyPI), one per file."""
    import json

    program = Path(sys.executable).with_name("outloud")  # its console script, beside Python
    done = subprocess.run(
        [str(program), "--json", "-", "--fail-on", "never", *map(str, pdfs)],
        capture_output=True,
        check=True,
    )
    results: list[dict[str, Any]] = json.loads(done.stdout)["results"]
    return results


def xmp(path: Path) -> bytes:
    with pikepdf.open(path) as pdf:
        return bytes(pdf.Root.Metadata.read_bytes())


def metadata_stream_is_plain(path: Path) -> bool:
    """PDF/A wants the XMP packet readable without decoding (no /Filter)."""
    with pikepdf.open(path) as pdf:
        return "/Filter" not in pdf.Root.Metadata
