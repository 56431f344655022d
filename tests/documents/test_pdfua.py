"""PDF/UA-1: every PDF the example archive produces claims it and passes the machine checks.

Two kinds of check, neither of them nbesok's own code: outloud (PyPI), a third-party
checker of the machine-checkable Matterhorn checkpoints, and the tag tree read with
pikepdf (tests/pdftags.py) for the faults issue 21 found there: a label column tagged
as column headers, nested lists flattened and cut in two, pages with links without a
structure tab order, a standard type remapped by the role map, a skipped heading level.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import RENDERED_NAMES, TWO_VISITS, Rendered
from pdftags import STANDARD, Element, Tree, metadata_stream_is_plain, outloud, read_tree, xmp
from support import invoke

ALL = (*RENDERED_NAMES,)


@pytest.fixture(scope="module")
def trees(pdfs: dict[str, Path]) -> dict[str, Tree]:
    return {name: read_tree(path) for name, path in pdfs.items()}


def test_every_pdf_passes_outloud_with_no_error_and_no_warning(pdfs: dict[str, Path]) -> None:
    results = outloud(*pdfs.values())

    assert len(results) == len(pdfs)
    found = {
        Path(result["path"]).name: [
            f"{finding['rule']} {finding.get('message', '')}" for finding in result["findings"]
        ]
        for result in results
        if result["counts"]["error"] or result["counts"]["warning"]
    }
    assert found == {}


@pytest.mark.parametrize("name", ALL)
def test_the_pdf_claims_pdfua_1_and_declares_the_property_for_pdfa(
    pdfs: dict[str, Path], name: str
) -> None:
    packet = xmp(pdfs[name]).decode("utf-8")

    assert re.search(r"<pdfuaid:part>1</pdfuaid:part>", packet)
    assert re.search(r"<pdfaid:part>2</pdfaid:part>", packet)
    # PDF/A-2 accepts a property outside its own schemas only with its extension schema.
    assert "<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</" in packet
    assert "<pdfaProperty:name>part</pdfaProperty:name>" in packet
    assert metadata_stream_is_plain(pdfs[name])


@pytest.mark.parametrize("name", ALL)
def test_a_th_heads_its_row_or_its_column_as_the_table_has_it(
    trees: dict[str, Tree], name: str
) -> None:
    for table in (e for e in trees[name].root.walk() if e.kind == "Table"):
        for row in _rows(table):
            cells = [c for c in row.children if c.kind in ("TH", "TD")]
            for index, cell in enumerate(cells):
                if cell.kind != "TH":
                    continue
                others = [c.kind for c in cells if c is not cell]
                expected = "Row" if index == 0 and others and set(others) == {"TD"} else "Column"
                assert cell.attributes.get("Scope") == expected, (name, row)


def test_the_visit_details_and_the_head_have_row_headers(trees: dict[str, Tree]) -> None:
    visit = trees["2023-06-07-arbetslik-aktivitet"].root
    head = trees[TWO_VISITS].root

    for tree in (visit, head):
        first_table = next(e for e in tree.walk() if e.kind == "Table")
        scopes = [row.children[0].attributes.get("Scope") for row in _rows(first_table)]
        assert scopes and set(scopes) == {"Row"}


@pytest.mark.parametrize("name", ALL)
def test_no_standard_type_is_remapped(trees: dict[str, Tree], name: str) -> None:
    remapped = {key: value for key, value in trees[name].role_map.items() if key in STANDARD}

    assert remapped == {}


@pytest.mark.parametrize("name", ALL)
def test_every_page_with_annotations_has_a_structure_tab_order(
    trees: dict[str, Tree], name: str
) -> None:
    assert trees[name].pages_without_tab_order == []


@pytest.mark.parametrize("name", ALL)
def test_headings_start_at_h1_and_skip_no_level(trees: dict[str, Tree], name: str) -> None:
    levels = [int(e.kind[1]) for e in trees[name].root.walk() if re.fullmatch(r"H[1-6]", e.kind)]

    assert levels[0] == 1
    skips = [(a, b) for a, b in itertools.pairwise(levels) if b > a + 1]
    assert skips == []


@pytest.mark.parametrize("name", ALL)
def test_lists_hold_only_items_and_sublists_sit_in_their_item(
    trees: dict[str, Tree], name: str
) -> None:
    for element in trees[name].root.walk():
        if element.kind == "L":
            assert {child.kind for child in element.children} <= {"LI", "Caption"}
        siblings = [child.kind for child in element.children]
        # A list right after a list at the same level is a list cut in two.
        assert not any(a == b == "L" for a, b in itertools.pairwise(siblings))


def test_a_nested_list_is_inside_its_item_and_the_outer_list_is_whole(
    in_archive: Path, runner: CliRunner, libreoffice: Path
) -> None:
    visit = in_archive / "visits" / "2023-06-07-arbetslik-aktivitet.yaml"
    text = visit.read_text("utf-8").replace(
        "  handlingsplaner: |\n",
        "  handlingsplaner: |\n"
        "    1. Ett\n       - a\n       - b\n    2. Två\n       - två-ett\n    3. Tre\n\n",
    )
    visit.write_text(text, "utf-8")

    result = invoke(runner, "render", str(visit.relative_to(in_archive)), "--format", "pdf")

    assert result.exit_code == 0, result.output
    tree = read_tree(in_archive / "out" / "2023-06-07-arbetslik-aktivitet.pdf")
    outer = next(
        e for e in tree.root.walk() if e.kind == "L" and len(e.children) == 3 and _nested(e)
    )
    bodies = [next(c for c in item.children if c.kind == "LBody") for item in outer.children]
    inner = [[c for c in body.children if c.kind == "L"] for body in bodies]
    assert [len(lists) for lists in inner] == [1, 1, 0]
    assert [len(lists[0].children) for lists in inner[:2]] == [2, 1]


def _nested(element: Element) -> bool:
    return any(child.kind == "L" for item in element.children for child in item.walk())


def _rows(table: Element) -> list[Element]:
    rows: list[Element] = []
    for child in table.children:
        if child.kind in ("THead", "TBody", "TFoot"):
            rows += [row for row in child.children if row.kind == "TR"]
        elif child.kind == "TR":
            rows.append(child)
    return rows


def test_keywords_have_ordinary_spaces_and_every_author_is_a_creator(
    pdfs: dict[str, Path], rendered: Rendered
) -> None:
    packet = xmp(pdfs["2023-06-07-arbetslik-aktivitet"]).decode("utf-8")
    creators = re.search(r"<dc:creator>\s*<rdf:Seq>(.*?)</rdf:Seq>", packet, re.DOTALL)

    assert creators is not None
    names = re.findall(r"<rdf:li>([^<]*)</rdf:li>", creators.group(1))
    assert names == [
        "Robert Obing",
        "Petra Myrinder",
        "Hazhar Maroufi",
        "Henrik Johansson",
        "Sandy Oueis",
        "Kaisa Halldan",
    ]
    keywords = re.search(r"<pdf:Keywords>([^<]*)</pdf:Keywords>", packet)
    assert keywords is not None
    assert "Arbetslik aktivitet" in keywords.group(1).split(", ")
    assert "\u00a0" not in keywords.group(1)
