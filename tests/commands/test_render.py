"""``nbesok render``: visits become protocol documents, protocols become blank forms.

The Markdown is compared byte for byte with golden files in ``tests/golden/``. After a
deliberate change to a template, regenerate them with

    NBESOK_UPDATE_GOLDEN=1 uv run pytest tests/test_render.py tests/test_report.py

and read the diff before committing it. The DOCX is checked through its structure
(paragraph style and text, table cells, properties, header XML), read back by pandoc
as an independent reader, and compared word by word with the source document (seed 002).
"""

from __future__ import annotations

import difflib
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import zipfile
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import docx
import pypandoc
import pytest
import yaml
from click.testing import CliRunner, Result
from conftest import Rendered
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph
from support import GOLDEN, check_golden, invoke

import nbesok
import nbesok.cli
import nbesok.commands.render
import nbesok.commands.report
import nbesok.documents.compose
import nbesok.documents.docx.writer
from nbesok.core.paths import package_templates_dir

# Source document 002 (a public record), copied unchanged from the project's seeds.
SEED_002 = GOLDEN / "seed-002-idrott-och-service.txt"
PACKAGE_TEMPLATES = package_templates_dir()

VISIT_2018 = "2018-10-17-idrott-och-service"
VISIT_2023 = "2023-06-07-arbetslik-aktivitet"
FORM_2018 = "arbetsmarknad-och-integration-2018-19"
FORM_2023 = "arbetslik-aktivitet-2023"
RENDER_NAMES = (VISIT_2018, VISIT_2023, FORM_2018, FORM_2023)
PROTOCOL_OF = {VISIT_2018: FORM_2018, VISIT_2023: FORM_2023}
MEMBERS_2018 = "Roger Bandick (S), Madelaine Erlandsson (M) och Christoffer Rosendahl (C)"
UNANSWERED = "Frågan besvarades inte."
TABLE = ("[tabell]", "")

Block = tuple[str, str]


# Helpers


def render_ok(runner: CliRunner, *args: str) -> Result:
    result = invoke(runner, "render", *args)
    assert result.exit_code == 0, result.output
    return result


def blocks(path: Path) -> list[Block]:
    """The body as (paragraph style, text); a table is the marker TABLE. A form's field
    (a content control) counts as the paragraphs inside it."""
    document = docx.Document(str(path))
    found: list[Block] = []

    def walk(container: Any) -> None:
        for element in container.iterchildren():
            if element.tag == qn("w:p"):
                paragraph = Paragraph(element, document)
                found.append((paragraph.style.name if paragraph.style else "", paragraph.text))
            elif element.tag == qn("w:tbl"):
                found.append(TABLE)
            elif element.tag == qn("w:sdt"):
                walk(element.find(qn("w:sdtContent")))

    walk(document.element.body)
    return found


def tables(path: Path) -> list[list[list[str]]]:
    document = docx.Document(str(path))
    return [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]


def table_styles(path: Path) -> list[str]:
    return [table.style.name if table.style else "" for table in docx.Document(str(path)).tables]


def styles_of(path: Path, style: str) -> list[str]:
    return [text for name, text in blocks(path) if name == style]


def read_yaml(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def paragraphs_of(markdown: str | None) -> list[str]:
    """Markdown paragraphs as plain text: blank lines split, emphasis markers dropped, a
    picture alone in its paragraph as the empty text of the picture's run."""
    if not markdown:
        return []
    parts = re.split(r"\n\s*\n", markdown.strip())
    texts = [" ".join(part.split()).replace("*", "") for part in parts if part.strip()]
    return ["" if re.fullmatch(r"!\[[^\]]*\]\([^)]*\)", text) else text for text in texts]


def expected_document(
    protocol: dict[str, Any], visit: dict[str, Any] | None, *, guidance: bool = True
) -> list[Block]:
    """The (style, text) sequence a protocol document or blank form must have, built from
    the YAML alone (answers must be plain paragraphs, as in the 2018 visit)."""
    if visit is None:
        expected: list[Block] = [
            ("Title", protocol["titel"]),
            ("Subtitle", f"Blankett för nämndbesök {protocol['period']}"),
        ]
    else:
        title = f"Nämndbesök hos {visit['verksamhet']} {visit['besöksdatum']}"
        expected = [("Title", title), ("Subtitle", protocol["titel"])]
    expected += [("Body Text", text) for text in paragraphs_of(protocol.get("inledning"))]
    if protocol.get("underlag"):
        expected.append(("Body Text", "Underlag inför besöken:"))
        expected += [("List Paragraph", item) for item in protocol["underlag"]]
    expected += [("Heading 1", "Besöksuppgifter"), TABLE]
    if visit is not None:
        expected += [("Heading 1", "Godkännande och fastställande"), TABLE]
        adopted = (visit.get("status") or {}).get("fastställd")
        if adopted:
            label = "Kontrollsumma för det fastställda innehållet:"
            expected.append(("Body Text", f"{label} {adopted['innehåll']}"))
    for section in protocol["avsnitt"]:
        expected.append(("Heading 1", section["rubrik"]))
        expected += [("Body Text", text) for text in paragraphs_of(section.get("text"))]
        for question in section["frågor"]:
            expected.append(("Heading 2", question["fråga"]))
            if question.get("följdfrågor"):
                expected.append(("Fältetikett", "Följdfrågor:"))
                expected += [("Följdfråga", text) for text in question["följdfrågor"]]
            if guidance:
                guidance_text = paragraphs_of(question.get("hjälptext"))
                expected += [
                    ("Hjälptext", f"Hjälptext: {text}" if number == 0 else text)
                    for number, text in enumerate(guidance_text)
                ]
            if visit is None:
                expected.append(("Fältetikett", "Anteckningar:"))
                # The form's field, with sixteen empty lines of room to write.
                expected.append(("Skrivutrymme", "Skriv svaret här" + "\n" * 16))
            else:
                answer = paragraphs_of(visit["svar"].get(question["id"]))
                expected.append(("Fältetikett", "Svar:"))
                expected += [("Svar", text) for text in answer] or [("Svar", UNANSWERED)]
    if visit is None:
        expected += [
            ("Heading 1", "Sammanfattning"),
            ("Fältetikett", "Sammanfattning för nämnden:"),
            ("Skrivutrymme", "Skriv sammanfattningen här" + "\n" * 12),
            ("Heading 1", "Uppföljning"),
            (
                "Tabellinledning",
                "Det som utlovades eller efterfrågades vid besöket, vem som ansvarar och när "
                "det ska vara gjort.",
            ),
            TABLE,
        ]
    if visit is not None and visit.get("sammanfattning"):
        expected.append(("Heading 1", "Sammanfattning"))
        expected += [("Body Text", text) for text in paragraphs_of(visit["sammanfattning"])]
    if visit is not None and visit.get("uppföljning"):
        day = visit["besöksdatum"]
        overdue = sum(
            1 for item in visit["uppföljning"] if item["senast"] < day and item["status"] != "klar"
        )
        expected.append(("Heading 1", "Uppföljning"))
        counted = {0: "Ingen punkt har", 1: "1 punkt har"}.get(overdue, f"{overdue} punkter har")
        state = "klara" if overdue > 1 else "klar"
        expected.append(
            (
                "Tabellinledning",
                f"Status per {day}: {counted} passerat sitt slutdatum utan att vara {state}.",
            )
        )
        expected.append(TABLE)
    return expected


def header_xml(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as package:
        return [
            package.read(name).decode("utf-8")
            for name in package.namelist()
            if re.fullmatch(r"word/header\d*\.xml", name)
        ]


def field_instructions(xml: str) -> list[str]:
    """The field names in a header part: simple fields and complex fields alike."""
    simple = re.findall(r'w:instr="\s*([A-Z]+)', xml)
    complex_ = re.findall(r"<w:instrText[^>]*>\s*([A-Z]+)", xml)
    return simple + complex_


def pandoc_blocks(path: Path) -> list[dict[str, Any]]:
    ast = json.loads(pypandoc.convert_file(str(path), "json", format="docx"))
    result: list[dict[str, Any]] = ast["blocks"]
    return result


def stringify(node: Any) -> str:
    """The text of a pandoc JSON node: Str and spaces, in order."""
    if isinstance(node, list):
        return "".join(stringify(child) for child in node)
    if isinstance(node, dict):
        kind = node.get("t")
        if kind == "Str":
            # Word's non-breaking hyphen (nbesok's between digits) is U+2011 to pandoc.
            return str(node["c"]).replace("\u2011", "-")
        if kind in ("Space", "SoftBreak", "LineBreak"):
            return " "
        return stringify(node.get("c", []))
    return ""


def cell_texts(node: Any) -> Iterator[str]:
    """Every Plain/Para inside a pandoc table, in order: the non-empty cells."""
    if isinstance(node, list):
        for child in node:
            yield from cell_texts(child)
    elif isinstance(node, dict):
        if node.get("t") in ("Plain", "Para"):
            yield stringify(node["c"])
        else:
            yield from cell_texts(node.get("c", []))


def docx_words(path: Path) -> list[str]:
    """The words of the part of a visit's document that the source document also has:
    everything before the summary and follow-up nbesok adds, without nbesok's own title
    (the template's title follows as the subtitle), section and guidance labels, and the
    review section (who approved and fastställde, which the source does not record)."""
    document = docx.Document(str(path))
    parts: list[str] = []
    in_review = False
    for element in document.element.body.iterchildren():
        if element.tag == qn("w:p"):
            paragraph = Paragraph(element, document)
            style = paragraph.style.name if paragraph.style else ""
            if (style, paragraph.text) == ("Heading 1", "Sammanfattning"):
                break
            if style == "Heading 1":
                in_review = paragraph.text == "Godkännande och fastställande"
            if in_review:
                continue
            if style != "Title" and (style, paragraph.text) != ("Heading 1", "Besöksuppgifter"):
                parts.append(paragraph.text.removeprefix("Hjälptext: "))
        elif element.tag == qn("w:tbl") and not in_review:
            for row in Table(element, document).rows:
                parts.extend(cell.text for cell in row.cells)
    return " ".join(parts).split()


def output_files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.glob("*")) if path.is_file()}


def documents(folder: Path) -> dict[str, bytes]:
    return {name: data for name, data in output_files(folder).items() if not name.startswith(".")}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"”{old}” finns inte i {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


# Golden Markdown


@pytest.mark.parametrize("name", RENDER_NAMES)
def test_markdown_equals_the_golden_file(rendered: Rendered, name: str) -> None:
    check_golden(rendered.out / f"{name}.md", f"{name}.md")


# DOCX structure


def test_the_2018_protocol_has_the_structure_of_its_yaml(rendered: Rendered) -> None:
    archive = rendered.archive
    protocol = read_yaml(archive / "protocols" / f"{FORM_2018}.yaml")
    visit = read_yaml(archive / "visits" / f"{VISIT_2018}.yaml")

    assert blocks(rendered.docx(VISIT_2018)) == expected_document(protocol, visit)


@pytest.mark.parametrize("name", [FORM_2018, FORM_2023])
def test_a_blank_form_has_the_structure_of_its_yaml(rendered: Rendered, name: str) -> None:
    protocol = read_yaml(rendered.archive / "protocols" / f"{name}.yaml")

    assert blocks(rendered.docx(name)) == expected_document(protocol, None)


def test_the_2023_protocol_keeps_the_headings_and_lists_of_its_answers(
    rendered: Rendered,
) -> None:
    found = blocks(rendered.docx(VISIT_2023))
    styles = [style for style, _ in found]
    texts = [text for _, text in found]
    first_answer = texts.index("De interna platserna är uppdelade på fyra enheter:")

    assert [text for style, text in found if style == "Heading 1"] == [
        "Besöksuppgifter",
        "Godkännande och fastställande",
        "Frågor",
        "Sammanfattning",
        "Uppföljning",
    ]
    assert [text for style, text in found if style == "Heading 3"] == [
        "Interna platser",
        "HR Arbetsmarknad",
        "Externa platser",
        "OSA",
    ]
    assert found[first_answer - 1] == ("Heading 3", "Interna platser")
    assert styles[first_answer] == "Svar"
    assert found[first_answer + 1 : first_answer + 5] == [
        ("List Paragraph", "Produktion - utgår från Dvärggatan"),
        ("List Paragraph", "Tjänster - utgår från Vidingsjö"),
        ("List Paragraph", "Service - utgår från Växtcentrum i Trädgårdsföreningen"),
        ("List Paragraph", "Drivbänk - utgår från odligen i Vreta Kloster och cafét på Kungsgatan"),
    ]
    protocol = read_yaml(rendered.archive / "protocols" / f"{FORM_2023}.yaml")
    questions = [q["fråga"] for section in protocol["avsnitt"] for q in section["frågor"]]
    assert [text for style, text in found if style == "Heading 2"] == questions
    follow_ups = [
        f for s in protocol["avsnitt"] for q in s["frågor"] for f in q.get("följdfrågor", [])
    ]
    assert styles_of(rendered.docx(VISIT_2023), "Följdfråga") == follow_ups
    assert "Frågan besvarades inte." not in texts


@pytest.mark.parametrize(
    ("name", "label", "operation", "members", "officials", "day"),
    [
        (
            VISIT_2018,
            "Verksamhet",
            "Idrott- och service",
            MEMBERS_2018,
            "Anja Lindahl och Christina Björkman",
            "2018-10-17",
        ),
        (
            VISIT_2023,
            "Verksamhetsinriktning",
            "Arbetslik aktivitet",
            "Isa Fredriksson, Elin Johansson, Jennie Löfgren och Birgitta Lantto",
            "Robert Obing, Petra Myrinder, Hazhar Maroufi, Henrik Johansson, Sandy Oueis "
            "och Kaisa Halldan",
            "2023-06-07",
        ),
    ],
)
def test_the_header_table_holds_the_visit_under_the_protocol_s_labels(
    rendered: Rendered,
    name: str,
    label: str,
    operation: str,
    members: str,
    officials: str,
    day: str,
) -> None:
    path = rendered.docx(name)

    details = tables(path)[0]
    # Two tjänstepersoner under the plural label; no empty row for a hemsida not given.
    assert details == [
        [label, operation],
        ["Deltagande ledamöter", members],
        ["Deltagande tjänstepersoner", officials],
        ["Besöksdatum", day],
    ]
    assert table_styles(path)[0] == "Besöksuppgifter"
    # The labels are row headers: no header row, the first column in the heading style.
    table = docx.Document(str(path)).tables[0]
    assert table.rows[0]._tr.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is None
    look = table._tbl.tblPr.find(qn("w:tblLook"))
    assert (look.get(qn("w:firstColumn")), look.get(qn("w:firstRow"))) == ("1", "0")
    assert {row.cells[0].paragraphs[0].style.name for row in table.rows} == {"Table Heading"}
    assert f"-   **{label}:** {operation}" in (rendered.out / f"{name}.md").read_text("utf-8")


@pytest.mark.parametrize(
    ("name", "label"), [(FORM_2018, "Verksamhet"), (FORM_2023, "Verksamhetsinriktning")]
)
def test_a_blank_form_has_empty_header_fields_under_the_protocol_s_labels(
    rendered: Rendered, name: str, label: str
) -> None:
    table, items = tables(rendered.docx(name))

    assert items[0] == ["Punkt", "Ansvarig", "Senast", "Status"]  # the follow-up items
    assert [row[0] for row in table] == [
        label,
        "Deltagande ledamöter",
        "Deltagande tjänsteperson",
        "Besöksdatum",
        "Eventuell länk till hemsida",
        "Diarienummer",
    ]
    # Each value is a form field (a content control), whose text python-docx leaves out
    # of a cell's text; tests/test_import.py checks the fields themselves.
    assert [row[1] for row in table] == [""] * 6
    # Each empty value is a row high enough to write in by hand.
    for row in docx.Document(str(rendered.docx(name))).tables[0].rows:
        assert row.height is not None and row.height.cm >= 0.8


def test_guidance_and_answers_have_their_own_styles(rendered: Rendered) -> None:
    protocol = read_yaml(rendered.archive / "protocols" / f"{FORM_2018}.yaml")
    guidance = [
        text
        for section in protocol["avsnitt"]
        for question in section["frågor"]
        for text in paragraphs_of(question.get("hjälptext"))
    ]
    visit = read_yaml(rendered.archive / "visits" / f"{VISIT_2018}.yaml")
    answers = [text for answer in visit["svar"].values() for text in paragraphs_of(answer)]
    path = rendered.docx(VISIT_2018)

    # Guidance opens with its label, so that it stands apart also without its style.
    assert styles_of(path, "Hjälptext") == [f"Hjälptext: {text}" for text in guidance]
    assert styles_of(path, "Svar") == answers


def test_every_question_of_a_blank_form_is_followed_by_writing_room(rendered: Rendered) -> None:
    for name in (FORM_2018, FORM_2023):
        found = blocks(rendered.docx(name))
        headings = [i for i, (style, _) in enumerate(found) if style.startswith("Heading")]
        questions = [i for i in headings if found[i][0] == "Heading 2"]
        assert questions
        for start in questions:
            end = next((i for i in headings if i > start), len(found))
            between = [style for style, _ in found[start + 1 : end]]
            assert between[-1] == "Skrivutrymme", found[start]
            assert between.count("Skrivutrymme") == 1


@pytest.mark.parametrize(
    ("name", "title", "author", "subject", "day"),
    [
        (
            VISIT_2018,
            # A visit's document is titled after the visit, not the template.
            "Nämndbesök hos Idrott- och service 2018-10-17",
            "Anja Lindahl; Christina Björkman",  # Word's separator between authors
            "Nämndbesök hos Idrott- och service 2018-10-17",
            date(2018, 10, 17),
        ),
        (
            VISIT_2023,
            "Nämndbesök hos Arbetslik aktivitet 2023-06-07",
            "Robert Obing; Petra Myrinder; Hazhar Maroufi; Henrik Johansson; Sandy Oueis; "
            "Kaisa Halldan",
            "Nämndbesök hos Arbetslik aktivitet 2023-06-07",
            date(2023, 6, 7),
        ),
        (
            FORM_2018,
            "Dokumentationsmall för genomförande av nämndbesök inom arbetsmarknad och "
            "integration 2018/19",
            "Bildningsnämnden",
            "Blankett för nämndbesök 2018/19",
            date(2018, 7, 1),  # the first day of the season 2018/19
        ),
        (
            FORM_2023,
            "Dokumentationsmall nämndbesök; Arbetslik aktivitet",
            "Arbetsmarknadsnämnden",
            "Blankett för nämndbesök 2023",
            date(2023, 1, 1),
        ),
    ],
)
def test_core_properties_come_from_the_yaml_never_from_the_clock(
    rendered: Rendered, name: str, title: str, author: str, subject: str, day: date
) -> None:
    path = rendered.docx(name)
    core = docx.Document(str(path)).core_properties
    midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)

    assert core.title == title
    assert core.author == author
    assert core.subject == subject
    assert "nämndbesök" in core.keywords.split(", ")
    assert core.language == "sv-SE"
    assert core.created == midnight
    assert core.modified == midnight
    with zipfile.ZipFile(path) as package:
        core_xml = package.read("docProps/core.xml").decode("utf-8")
        dates = {info.date_time for info in package.infolist()}
    # Every timestamp in the core properties is the document's own date at midnight.
    assert (
        re.findall(r"\d{4}-\d{2}-\d{2}T[0-9:Z.+-]*", core_xml)
        == [f"{day.isoformat()}T00:00:00Z"] * 2
    )
    assert dates == {(1980, 1, 1, 0, 0, 0)}
    assert blocks(path)[0] == ("Title", title)


@pytest.mark.parametrize("name", RENDER_NAMES)
def test_the_page_header_shows_the_subject_and_page_n_of_m(rendered: Rendered, name: str) -> None:
    path = rendered.docx(name)
    subject = docx.Document(str(path)).core_properties.subject
    headers = header_xml(path)

    assert headers, "inget sidhuvud (word/header*.xml)"
    fields = [field for xml in headers for field in field_instructions(xml)]
    assert "PAGE" in fields
    assert "NUMPAGES" in fields
    texts = ["".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", xml)) for xml in headers]
    assert any(subject in text for text in texts), texts


# An independent reader: pandoc


@pytest.mark.parametrize("name", [VISIT_2018, VISIT_2023])
def test_pandoc_reads_back_headings_lists_and_the_table(rendered: Rendered, name: str) -> None:
    protocol = read_yaml(rendered.archive / "protocols" / f"{PROTOCOL_OF[name]}.yaml")
    read = pandoc_blocks(rendered.docx(name))
    headings = [(b["c"][0], stringify(b["c"][2])) for b in read if b["t"] == "Header"]
    lists = [[stringify(item) for item in b["c"]] for b in read if b["t"] == "BulletList"]
    read_tables = [list(cell_texts(b["c"])) for b in read if b["t"] == "Table"]

    # pandoc reads the Title as a heading too (its outline level makes it the PDF's H1).
    visit = read_yaml(rendered.archive / "visits" / f"{name}.yaml")
    expected_headings = [(1, "Besöksuppgifter"), (1, "Godkännande och fastställande")]
    for section in protocol["avsnitt"]:
        expected_headings.append((1, section["rubrik"]))
        expected_headings += [(2, question["fråga"]) for question in section["frågor"]]
    expected_headings += [(1, "Sammanfattning"), (1, "Uppföljning")]
    title = f"Nämndbesök hos {visit['verksamhet']} {visit['besöksdatum']}"
    assert [h for h in headings if h[0] <= 2 and h[1] != title] == expected_headings
    assert lists[0] == protocol["underlag"]
    assert len(read_tables) == 3  # the visit's details, its review and its follow-up items
    approvals = [f"{a['av']} {a['datum']}" for a in visit["status"]["godkänd"]]
    assert all(any(text in cell for cell in read_tables[1]) for text in approvals)
    assert read_tables[0][:2] == [
        protocol.get("etiketter", {}).get("verksamhet", "Verksamhet"),
        visit["verksamhet"],
    ]
    assert visit["besöksdatum"].isoformat() in read_tables[0]
    items = {item["punkt"] for item in visit["uppföljning"]}
    assert {text for text in read_tables[2] if text in items} == items
    if name == VISIT_2023:
        assert [h for h in headings if h[0] == 3] == [
            (3, "Interna platser"),
            (3, "HR Arbetsmarknad"),
            (3, "Externa platser"),
            (3, "OSA"),
        ]
        (places,) = [items for items in lists if items[0].startswith("Produktion")]
        assert places[0] == "Produktion - utgår från Dvärggatan"
        assert len(places) == 4


@pytest.mark.parametrize("name", [FORM_2018, FORM_2023])
def test_pandoc_reads_back_a_blank_form(rendered: Rendered, name: str) -> None:
    protocol = read_yaml(rendered.archive / "protocols" / f"{name}.yaml")
    read = pandoc_blocks(rendered.docx(name))
    questions = [q["fråga"] for section in protocol["avsnitt"] for q in section["frågor"]]

    assert [stringify(b["c"][2]) for b in read if b["t"] == "Header" and b["c"][0] == 2] == (
        questions
    )
    assert sum(b["t"] == "Table" for b in read) == 2  # the visit's details and its items
    follow_ups = [
        f for s in protocol["avsnitt"] for q in s["frågor"] for f in q.get("följdfrågor", [])
    ]
    assert [stringify(i) for b in read if b["t"] == "BulletList" for i in b["c"]] == (
        protocol["underlag"] + follow_ups
    )


# Fidelity to the source document


def test_the_2018_protocol_says_what_the_source_document_says(rendered: Rendered) -> None:
    # Seed 002 is Markdown-like text: its *emphasis* markers are markup, not words.
    source = SEED_002.read_text(encoding="utf-8").replace("*", "").split()
    ours = docx_words(rendered.docx(VISIT_2018))
    ratio = difflib.SequenceMatcher(None, ours, source, autojunk=False).ratio()

    assert ratio >= 0.97, ratio


# Reproducibility


def _shifted_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every clock nbesok could read says 2031-01-01 (or later)."""
    shift = datetime(2031, 1, 1, 12, tzinfo=UTC).timestamp() - time.time()
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + shift)

    class ShiftedDate(date):
        @classmethod
        def today(cls) -> ShiftedDate:
            return cls(2031, 1, 1)

    class ShiftedDatetime(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> ShiftedDatetime:
            return cls(2031, 1, 1, 12, 0, tzinfo=tz)

    modules = (
        nbesok.cli,
        nbesok.commands.render,
        nbesok.documents.compose,
        nbesok.commands.report,
        nbesok.documents.docx.writer,
    )
    for module in modules:
        if getattr(module, "date", None) is date:
            monkeypatch.setattr(module, "date", ShiftedDate)
        if getattr(module, "datetime", None) is datetime:
            monkeypatch.setattr(module, "datetime", ShiftedDatetime)
    assert date.today() == date(2031, 1, 1)


def test_a_render_under_another_clock_gives_identical_bytes(
    rendered: Rendered, in_archive: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    _shifted_clock(monkeypatch)
    for path in (in_archive / "visits").glob("*.yaml"):
        os.utime(path, (946_684_800, 946_684_800))  # 2000-01-01

    render_ok(runner, "visits/", "protocols/", "--out", "andra")

    for name in RENDER_NAMES:
        for suffix in (".md", ".docx"):
            file = f"{name}{suffix}"
            assert (in_archive / "andra" / file).read_bytes() == (rendered.out / file).read_bytes()


def test_a_render_in_another_process_time_zone_and_clock_gives_identical_bytes(
    rendered: Rendered, archive: Path
) -> None:
    for path in archive.rglob("*.yaml"):
        os.utime(path, (1_262_304_000, 1_262_304_000))  # 2010-01-01
    shift = datetime(2040, 7, 1, tzinfo=UTC).timestamp() - time.time()
    program = (
        "import runpy, time\n"
        "real = time.time\n"
        f"time.time = lambda: real() + {shift!r}\n"
        "runpy.run_module('nbesok', run_name='__main__', alter_sys=True)\n"
    )
    env = {**os.environ, "TZ": "Pacific/Kiritimati", "LC_ALL": "C.UTF-8"}
    env.pop("NBESOK_DEBUG", None)

    completed = subprocess.run(
        [sys.executable, "-c", program, "render", "visits/", "protocols/", "--out", "andra"],
        cwd=archive,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr
    for name in RENDER_NAMES:
        for suffix in (".md", ".docx"):
            file = f"{name}{suffix}"
            again = (archive / "andra" / file).read_bytes()
            assert again == (rendered.out / file).read_bytes(), file


# Command line: names, selection, formats, folders


def test_outputs_are_named_after_the_input_file_s_stem(in_archive: Path, runner: CliRunner) -> None:
    shutil.copy(
        in_archive / "visits" / f"{VISIT_2018}.yaml", in_archive / "visits" / "eget-namn.yaml"
    )

    result = render_ok(runner, "visits/eget-namn.yaml", f"protocols/{FORM_2023}.yaml", "--verbose")

    assert sorted(documents(in_archive / "out")) == [
        f"{FORM_2023}.docx",
        f"{FORM_2023}.md",
        "eget-namn.docx",
        "eget-namn.md",
    ]
    assert "Skrev out/eget-namn.docx" in result.output
    assert "Skrev out/eget-namn.md" in result.output


def test_without_paths_every_visit_is_rendered_and_no_form(
    in_archive: Path, runner: CliRunner
) -> None:
    render_ok(runner)

    assert sorted(documents(in_archive / "out")) == sorted(
        f"{name}{suffix}" for name in (VISIT_2018, VISIT_2023) for suffix in (".docx", ".md")
    )


@pytest.mark.parametrize(
    ("formats", "suffixes"), [("md", [".md"]), ("docx", [".docx"]), ("docx,md", [".docx", ".md"])]
)
def test_format_chooses_the_files_written(
    in_archive: Path, runner: CliRunner, formats: str, suffixes: list[str]
) -> None:
    render_ok(runner, f"visits/{VISIT_2018}.yaml", "--format", formats)

    assert sorted(documents(in_archive / "out")) == [f"{VISIT_2018}{s}" for s in suffixes]


def test_an_unknown_format_is_a_usage_error(in_archive: Path, runner: CliRunner) -> None:
    result = invoke(runner, "render", "--format", "pfd")

    assert result.exit_code == 2
    assert "okänt format ”pfd”" in result.output
    assert not (in_archive / "out").exists()


def test_out_chooses_the_folder(in_archive: Path, runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "dokument" / "nämnd"

    result = render_ok(runner, f"visits/{VISIT_2023}.yaml", "--out", str(target))

    assert sorted(documents(target)) == [f"{VISIT_2023}.docx", f"{VISIT_2023}.md"]
    assert not (in_archive / "out").exists()
    assert result.stdout == f"Skrev 2 filer för 1 dokument i {target}/.\n"


# Content rules


@pytest.mark.parametrize("name", [VISIT_2018, VISIT_2023, FORM_2018, FORM_2023])
def test_without_guidance_no_guidance_is_written(
    in_archive: Path, runner: CliRunner, name: str
) -> None:
    folder = "protocols" if name in (FORM_2018, FORM_2023) else "visits"
    protocol = read_yaml(in_archive / "protocols" / f"{PROTOCOL_OF.get(name, name)}.yaml")
    guidance = [
        text
        for section in protocol["avsnitt"]
        for question in section["frågor"]
        for text in paragraphs_of(question.get("hjälptext"))
    ]
    assert guidance

    render_ok(runner, f"{folder}/{name}.yaml", "--utan-hjälptext")

    out = in_archive / "out"
    markdown = (out / f"{name}.md").read_text("utf-8")
    texts = [text for _, text in blocks(out / f"{name}.docx")]
    assert "Hjälptext" not in [style for style, _ in blocks(out / f"{name}.docx")]
    assert "::: Hjälptext" not in markdown
    for text in guidance:
        assert text not in markdown
        assert text not in texts
    assert len([s for s, _ in blocks(out / f"{name}.docx") if s == "Heading 2"]) == len(
        [q for s in protocol["avsnitt"] for q in s["frågor"]]
    )


def test_an_unanswered_question_says_so(in_archive: Path, runner: CliRunner) -> None:
    visit = in_archive / "visits" / f"{VISIT_2018}.yaml"
    data = read_yaml(visit)
    answer = data["svar"]["samarbete-myndigheter"]
    edit(visit, "  samarbete-myndigheter: |\n    " + answer, "  samarbete-myndigheter: ''\n")

    render_ok(runner, f"visits/{VISIT_2018}.yaml")

    found = blocks(in_archive / "out" / f"{VISIT_2018}.docx")
    question = found.index(("Heading 2", "Samarbetar verksamheten med andra myndigheter?"))
    label = found.index(("Fältetikett", "Svar:"), question)
    assert found[label + 1] == ("Svar", UNANSWERED)
    assert [text for _, text in found].count(UNANSWERED) == 1
    assert f"*{UNANSWERED}*" in (in_archive / "out" / f"{VISIT_2018}.md").read_text("utf-8")


def test_a_diarienummer_gets_its_own_header_row(in_archive: Path, runner: CliRunner) -> None:
    visit = in_archive / "visits" / f"{VISIT_2023}.yaml"
    edit(
        visit, "besöksdatum: 2023-06-07\n", "besöksdatum: 2023-06-07\ndiarienummer: AMN 2023-123\n"
    )

    render_ok(runner, f"visits/{VISIT_2023}.yaml")

    table = tables(in_archive / "out" / f"{VISIT_2023}.docx")[0]
    assert table[-1] == ["Diarienummer", "AMN 2023-123"]
    assert len(table) == 5  # and none for the hemsida the visit does not give


def test_a_hemsida_is_a_link(in_archive: Path, runner: CliRunner) -> None:
    visit = in_archive / "visits" / f"{VISIT_2023}.yaml"
    edit(
        visit,
        "besöksdatum: 2023-06-07\n",
        "besöksdatum: 2023-06-07\nhemsida: https://www.linkoping.se/arbetsmarknad\n",
    )

    render_ok(runner, f"visits/{VISIT_2023}.yaml")

    document = docx.Document(str(in_archive / "out" / f"{VISIT_2023}.docx"))
    row = document.tables[0].rows[-1]
    assert row.cells[0].text == "Eventuell länk till hemsida"
    links = row.cells[1]._tc.findall(f".//{qn('w:hyperlink')}")
    assert len(links) == 1
    target = document.part.rels[links[0].get(qn("r:id"))].target_ref
    assert target == "https://www.linkoping.se/arbetsmarknad"
    markdown = (in_archive / "out" / f"{VISIT_2023}.md").read_text("utf-8")
    assert (
        "**Eventuell länk till hemsida:** [https://www.linkoping.se/arbetsmarknad]"
        "(https://www.linkoping.se/arbetsmarknad)" in markdown
    )


def _visit_with(archive: Path, **fields: Any) -> str:
    """A copy of the 2018 visit with some header fields replaced; returns its stem."""
    data = read_yaml(archive / "visits" / f"{VISIT_2018}.yaml")
    data.update(fields)
    del data["status"]  # another visit: a draft
    stem = "2018-10-18-specialtecken"
    (archive / "visits" / f"{stem}.yaml").write_text(
        yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return stem


@pytest.mark.parametrize(
    ("fields", "row", "cell"),
    [
        ({"verksamhet": "A | B"}, 0, "A | B"),
        ({"verksamhet": "# Rubrik"}, 0, "# Rubrik"),
        (
            {"verksamhet": "*Kursiv* [länk](https://x.se) <b>"},
            0,
            "*Kursiv* [länk](https://x.se) <b>",
        ),
        (
            {"ledamöter": ["Anna | Berg (S)", "Bo  Bergström (M)"]},
            1,
            "Anna | Berg (S) och Bo Bergström (M)",
        ),
        ({"tjänstepersoner": ["# Olle", "Lisa | Ek"]}, 2, "# Olle och Lisa | Ek"),
    ],
)
def test_header_values_cannot_break_the_document_s_structure(
    in_archive: Path, runner: CliRunner, fields: dict[str, Any], row: int, cell: str
) -> None:
    stem = _visit_with(in_archive, **fields)

    render_ok(runner, f"visits/{stem}.yaml")

    path = in_archive / "out" / f"{stem}.docx"
    table = tables(path)[0]
    assert len(table) == 4  # no row for the hemsida the visit does not give
    assert all(len(cells) == 2 for cells in table)
    assert table[row][1] == cell
    found = blocks(path)
    assert [text for style, text in found if style == "Heading 1"] == [
        "Besöksuppgifter",
        "Godkännande och fastställande",
        "Gemensamma förbättringsområden från bildningsnämndens verksamhetsberättelse",
        "Arbetsmarknad och integration",
        "Sammanfattning",
        "Uppföljning",
    ]
    assert len([style for style, _ in found if style.startswith("Heading")]) == 11
    body = (in_archive / "out" / f"{stem}.md").read_text("utf-8").split("---\n", 2)[2]
    assert not re.search(r"^#+ (Rubrik|Olle)", body, re.MULTILINE)


@pytest.mark.parametrize(
    "fields",
    [{"verksamhet": "Rad ett\nRad två"}, {"ledamöter": ["Anna Berg (S)", "Bo\nBergström (M)"]}],
)
def test_a_header_value_on_two_lines_is_refused_before_rendering(
    in_archive: Path, runner: CliRunner, fields: dict[str, Any]
) -> None:
    """A value that stands on one line in the header table may not hold a line break."""
    stem = _visit_with(in_archive, **fields)
    result = invoke(runner, "render", f"visits/{stem}.yaml")
    assert result.exit_code == 1, result.output
    assert "står på flera rader; skriv det på en rad" in result.output
    assert not (in_archive / "out" / f"{stem}.docx").exists()


# Templates


def test_an_archive_template_overrides_the_packaged_one_file_by_file(
    in_archive: Path, runner: CliRunner, rendered: Rendered
) -> None:
    (in_archive / "templates").mkdir(exist_ok=True)
    (in_archive / "templates" / "protokoll.md.j2").write_text(
        textwrap.dedent(
            """\
            {% import "_huvud.md.j2" as huvud %}
            ---
            title: {{ protokoll.titel | yaml_str }}
            date: {{ besök.besöksdatum | yaml_str }}
            ---

            # Egen mall för {{ besök.verksamhet | text }}

            {{ huvud.inledning(protokoll) }}
            """
        ),
        encoding="utf-8",
    )

    render_ok(runner, f"visits/{VISIT_2018}.yaml", f"protocols/{FORM_2018}.yaml")

    out = in_archive / "out"
    found = blocks(out / f"{VISIT_2018}.docx")
    assert found[1] == ("Heading 1", "Egen mall för Idrott- och service")
    # The shared macros and the blank form still come from the packaged defaults.
    assert found[3] == ("Body Text", "Underlag inför besöken:")
    assert "::: Svar" not in (out / f"{VISIT_2018}.md").read_text("utf-8")
    assert (out / f"{FORM_2018}.md").read_bytes() == (rendered.out / f"{FORM_2018}.md").read_bytes()


@pytest.mark.parametrize(
    ("source", "line", "message"),
    [
        ("# Rubrik\n\n{{ besök.finns_inte }}\n", 3, "”finns_inte” finns inte i mallens data"),
        ("# Rubrik\n{% if %}\n", 2, "syntaxfel i mallen"),
    ],
)
def test_a_template_error_names_the_file_and_line(
    in_archive: Path, runner: CliRunner, source: str, line: int, message: str
) -> None:
    (in_archive / "templates").mkdir(exist_ok=True)
    (in_archive / "templates" / "protokoll.md.j2").write_text(source, encoding="utf-8")

    result = invoke(runner, "render", f"visits/{VISIT_2018}.yaml")

    assert result.exit_code == 1, result.output
    assert f"templates/protokoll.md.j2:{line}:1: fel: " in result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert not (in_archive / "out" / f"{VISIT_2018}.docx").exists()


# Re-rendering


def test_a_render_ends_with_one_line_that_counts_and_lists_files_when_asked(
    in_archive: Path, runner: CliRunner
) -> None:
    first = render_ok(runner, "visits/", "protocols/")
    assert first.stdout == "Skrev 8 filer för 4 dokument i out/.\n"
    edit(in_archive / "visits" / f"{VISIT_2018}.yaml", "arbetar även med film", "gör film")

    verbose = render_ok(runner, "visits/", "protocols/", "--verbose")

    assert verbose.stdout.splitlines() == [
        f"Skrev out/{VISIT_2018}.md",
        f"Skrev out/{VISIT_2018}.docx",
        "Skrev 2 filer för 1 dokument i out/; 3 dokument var oförändrade och skrevs inte om.",
    ]


def test_a_second_render_of_unchanged_inputs_rewrites_nothing(
    in_archive: Path, runner: CliRunner
) -> None:
    render_ok(runner, "visits/", "protocols/")
    out = in_archive / "out"
    before = {path.name: path.stat().st_mtime_ns for path in out.glob("*")}
    contents = output_files(out)

    result = render_ok(runner, "visits/", "protocols/")

    assert result.stdout.strip() == "4 dokument var oförändrade och skrevs inte om."
    assert output_files(out) == contents
    assert {path.name: path.stat().st_mtime_ns for path in out.glob("*")} == before
    single = render_ok(runner, f"visits/{VISIT_2018}.yaml")
    assert single.stdout.strip() == "1 dokument var oförändrat och skrevs inte om."


# Runs one nbesok command in a fresh interpreter and prints, after its own output, the
# modules that process imported: what a command imports, not how long it takes.
_IMPORTS_OF = """\
import json, sys
from nbesok.cli import cli
try:
    cli(sys.argv[1:], prog_name="nbesok", standalone_mode=False)
except SystemExit:
    pass
print("MODULER " + json.dumps(sorted(sys.modules)))
"""
# What a render that skips every document has no use for: the template engine, the
# models, the Markdown parser and renderer, python-docx, PyYAML, the worker pool.
_HEAVY = ("jinja2", "pydantic", "markdown_it", "mdformat", "docx", "lxml", "yaml")


def modules_of(archive: Path, *args: str) -> tuple[str, set[str]]:
    """The output of ``nbesok ARGS`` run in its own process in ``archive``, and the
    top-level names of every module that process imported."""
    done = subprocess.run(
        [sys.executable, "-c", _IMPORTS_OF, *args],
        cwd=archive,
        env={**os.environ, "CI": "1"},
        capture_output=True,
        text=True,
        check=False,
    )
    output, _, listed = done.stdout.rpartition("MODULER ")
    assert listed, done.stdout + done.stderr
    return output + done.stderr, {name.split(".")[0] for name in json.loads(listed)}


def test_an_unchanged_re_render_imports_neither_jinja_nor_pydantic(in_archive: Path) -> None:
    first, imported_first = modules_of(in_archive, "render", "visits/")
    assert f"{VISIT_2018}" in first or "2 dokument" in first, first
    # The same check on a run that renders: it does load them, so the test can tell.
    assert {"jinja2", "pydantic"} <= imported_first

    again, imported = modules_of(in_archive, "render", "visits/")

    assert "2 dokument var oförändrade och skrevs inte om." in again
    assert not imported & {*_HEAVY, "multiprocessing"}, sorted(imported & set(_HEAVY))


def test_one_visit_starts_no_worker_pool(in_archive: Path) -> None:
    output, imported = modules_of(in_archive, "render", f"visits/{VISIT_2018}.yaml")

    assert "fel:" not in output, output
    assert (in_archive / "out" / f"{VISIT_2018}.docx").is_file()
    assert "multiprocessing" not in imported
    assert "concurrent" not in imported


def test_changing_the_archive_settings_renders_again(in_archive: Path, runner: CliRunner) -> None:
    """The default nämnd of nbesok.yaml stands in a protocol without one: a run that
    skips unchanged documents must see a change to the settings."""
    render_ok(runner, f"visits/{VISIT_2023}.yaml")
    protocol = in_archive / "protocols" / f"{FORM_2023}.yaml"
    text = protocol.read_text("utf-8")
    committee = re.search(r"^nämnd: (.+)$", text, re.MULTILINE)
    assert committee is not None
    protocol.write_text(text.replace(committee.group(0) + "\n", ""), "utf-8")
    settings = in_archive / "nbesok.yaml"
    settings.write_text(
        re.sub(r"^nämnd: .*$", "nämnd: Nämnden för prov", settings.read_text("utf-8"), flags=re.M),
        "utf-8",
    )
    render_ok(runner, f"visits/{VISIT_2023}.yaml")  # the protocol changed: rendered again
    settings.write_text(
        settings.read_text("utf-8").replace("Nämnden för prov", "Nämnden för ett annat prov"),
        "utf-8",
    )

    result = render_ok(runner, f"visits/{VISIT_2023}.yaml")

    assert "oförändra" not in result.output
    markdown = (in_archive / "out" / f"{VISIT_2023}.md").read_text("utf-8")
    assert "Nämnden för ett annat prov" in markdown


def _change_reference(archive: Path) -> None:
    """A reference .docx with the same styles but other bytes (a re-saved file)."""
    source = PACKAGE_TEMPLATES / "referens.docx"
    buffer = io.BytesIO()
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(buffer, "w") as new:
        for info in old.infolist():
            new.writestr(info.filename, old.read(info), compress_type=zipfile.ZIP_STORED)
    (archive / "templates").mkdir(exist_ok=True)
    (archive / "templates" / "referens.docx").write_bytes(buffer.getvalue())


def test_changing_the_reference_docx_renders_again(in_archive: Path, runner: CliRunner) -> None:
    render_ok(runner, "visits/")
    _change_reference(in_archive)

    result = render_ok(runner, "visits/", "--verbose")

    assert f"Skrev out/{VISIT_2018}.docx" in result.output
    assert f"Skrev out/{VISIT_2023}.docx" in result.output
    assert "oförändra" not in result.output


def test_changing_the_visit_renders_that_visit_again(in_archive: Path, runner: CliRunner) -> None:
    render_ok(runner, "visits/")
    edit(
        in_archive / "visits" / f"{VISIT_2018}.yaml",
        "Idrott- och service arbetar även med film",
        "Idrott- och service arbetar även med korta filmer",
    )

    result = render_ok(runner, "visits/", "--verbose")

    assert f"Skrev out/{VISIT_2018}.docx" in result.output
    assert f"Skrev out/{VISIT_2023}" not in result.output
    assert "1 dokument var oförändrat" in result.output
    assert "korta filmer" in (in_archive / "out" / f"{VISIT_2018}.md").read_text("utf-8")
    assert any(
        "korta filmer" in text for _, text in blocks(in_archive / "out" / f"{VISIT_2018}.docx")
    )


def test_changing_the_protocol_renders_again_with_the_new_text(
    in_archive: Path, runner: CliRunner
) -> None:
    render_ok(runner, f"visits/{VISIT_2018}.yaml")
    edit(
        in_archive / "protocols" / f"{FORM_2018}.yaml",
        "fråga: Hur ser arbetet med handlingsplaner ut?",
        "fråga: Hur ser arbetet med handlingsplanerna ut?",
    )

    result = render_ok(runner, f"visits/{VISIT_2018}.yaml", "--verbose")

    assert f"Skrev out/{VISIT_2018}.docx" in result.output
    headings = styles_of(in_archive / "out" / f"{VISIT_2018}.docx", "Heading 2")
    assert "Hur ser arbetet med handlingsplanerna ut?" in headings, (
        "dokumentet skrevs om men med protokollets gamla text"
    )


def test_changing_an_archive_template_renders_again_with_the_new_text(
    in_archive: Path, runner: CliRunner
) -> None:
    render_ok(runner, f"visits/{VISIT_2018}.yaml")
    template = (PACKAGE_TEMPLATES / "protokoll.md.j2").read_text("utf-8")
    (in_archive / "templates").mkdir(exist_ok=True)
    (in_archive / "templates" / "protokoll.md.j2").write_text(
        template + "\nTillägg från arkivets mall.\n", encoding="utf-8"
    )

    result = render_ok(runner, f"visits/{VISIT_2018}.yaml", "--verbose")

    assert f"Skrev out/{VISIT_2018}.md" in result.output
    markdown = (in_archive / "out" / f"{VISIT_2018}.md").read_text("utf-8")
    assert markdown.endswith("Tillägg från arkivets mall.\n"), (
        "dokumentet skrevs om men med den gamla mallen"
    )


def test_a_deleted_output_file_is_written_again(in_archive: Path, runner: CliRunner) -> None:
    render_ok(runner, "visits/")
    out = in_archive / "out"
    before = output_files(out)
    (out / f"{VISIT_2023}.md").unlink()

    result = render_ok(runner, "visits/", "--verbose")

    assert f"Skrev out/{VISIT_2023}.md" in result.output
    assert "1 dokument var oförändrat" in result.output
    assert documents(out) == {k: v for k, v in before.items() if not k.startswith(".")}


# A write that is interrupted


class _CutOff:
    """A file that writes half of what it is given and is then interrupted."""

    def __init__(self, stream: Any, interrupt: type[BaseException]) -> None:
        self._stream = stream
        self._interrupt = interrupt

    def write(self, data: bytes) -> int:
        self._stream.write(data[: len(data) // 2])
        self._stream.flush()
        raise self._interrupt(1)

    def __enter__(self) -> _CutOff:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stream.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@pytest.mark.parametrize("interrupt", [KeyboardInterrupt, SystemExit])
@pytest.mark.parametrize("step", ["write", "replace"])
def test_an_interrupted_write_keeps_the_old_file_whole(
    in_archive: Path,
    runner: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
    interrupt: type[BaseException],
    step: str,
) -> None:
    render_ok(runner, f"visits/{VISIT_2018}.yaml")
    out = in_archive / "out"
    old = {name: (out / f"{VISIT_2018}{name}").read_bytes() for name in (".md", ".docx")}
    edit(
        in_archive / "visits" / f"{VISIT_2018}.yaml",
        "Idrott- och service arbetar även med film",
        "Idrott- och service arbetar även med korta filmer",
    )
    cut: list[int] = []
    with monkeypatch.context() as patch:
        if step == "replace":
            real_replace = os.replace

            def replace(source: Any, target: Any, *args: Any, **kwargs: Any) -> None:
                if str(target).endswith(".docx"):
                    raise interrupt(1)  # the temporary file is complete, the rename never runs
                real_replace(source, target, *args, **kwargs)

            patch.setattr(os, "replace", replace)  # the os module nbesok.core.output calls
        else:
            real_fdopen = os.fdopen

            def fdopen(descriptor: int, *args: Any, **kwargs: Any) -> Any:
                stream = real_fdopen(descriptor, *args, **kwargs)
                if cut:
                    return stream
                cut.append(descriptor)  # the .md comes first: cut it off mid-write
                return _CutOff(stream, interrupt)

            patch.setattr(os, "fdopen", fdopen)

        result = invoke(runner, "render", f"visits/{VISIT_2018}.yaml")

    assert result.exit_code != 0
    assert (out / f"{VISIT_2018}.docx").read_bytes() == old[".docx"]
    if step == "write":
        assert cut, "avbrottet kom aldrig: nbesok.core.output skriver inte längre via os.fdopen"
        assert (out / f"{VISIT_2018}.md").read_bytes() == old[".md"]
    with zipfile.ZipFile(out / f"{VISIT_2018}.docx") as package:
        assert package.testzip() is None
    assert docx.Document(str(out / f"{VISIT_2018}.docx")).paragraphs
    leftovers = sorted(path.name for path in out.glob(".*.tmp"))
    render_ok(runner, f"visits/{VISIT_2018}.yaml")  # the next run finishes the job
    assert "korta filmer" in (out / f"{VISIT_2018}.md").read_text("utf-8")
    assert any("korta filmer" in text for _, text in blocks(out / f"{VISIT_2018}.docx"))
    assert leftovers == [], "ett avbrott lämnade temporära filer kvar i out/"


def test_a_killed_batch_leaves_only_whole_documents(archive: Path) -> None:
    source = (archive / "visits" / f"{VISIT_2023}.yaml").read_text("utf-8")
    first = date(2020, 1, 1)
    for index in range(200):
        day = first + timedelta(days=index)
        text = source.replace("besöksdatum: 2023-06-07", f"besöksdatum: {day.isoformat()}")
        (archive / "visits" / f"{day.isoformat()}-kopia-{index:03d}.yaml").write_text(
            text, encoding="utf-8"
        )
    out = archive / "out"
    env = {**os.environ}
    env.pop("NBESOK_DEBUG", None)
    log = (archive / "render.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "nbesok", "render", "--format", "docx"],
        cwd=archive,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
        start_new_session=True,  # its own process group: the kill reaches the workers too
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            if out.is_dir() and any(out.glob("*.docx")):
                break
            time.sleep(0.01)
        time.sleep(0.3)
        assert process.poll() is None, (archive / "render.log").read_text("utf-8")
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        log.close()

    written = sorted(out.glob("*.docx"))
    assert 0 < len(written) < 202
    for path in written:
        with zipfile.ZipFile(path) as package:
            assert package.testzip() is None, path
        assert docx.Document(str(path)).paragraphs, path


# Files as any program writes them (issue 12)


def test_outputs_follow_the_umask(in_archive: Path, runner: CliRunner) -> None:
    previous = os.umask(0o027)
    try:
        render_ok(runner, f"visits/{VISIT_2018}.yaml")
    finally:
        os.umask(previous)

    for suffix in (".md", ".docx"):
        mode = (in_archive / "out" / f"{VISIT_2018}{suffix}").stat().st_mode & 0o777
        assert mode == 0o640, oct(mode)


def test_the_record_forgets_documents_whose_files_are_gone(
    in_archive: Path, runner: CliRunner
) -> None:
    render_ok(runner, "visits/")
    for suffix in (".md", ".docx"):
        (in_archive / "out" / f"{VISIT_2018}{suffix}").unlink()
    (in_archive / "visits" / f"{VISIT_2018}.yaml").unlink()

    render_ok(runner, f"visits/{VISIT_2023}.yaml", "--format", "md")

    record = json.loads((in_archive / "out" / ".nbesok-render.json").read_text("utf-8"))
    assert VISIT_2018 not in record
    assert record[VISIT_2023]["source"] == f"visits/{VISIT_2023}.yaml"


def test_the_output_budget_grows_with_a_real_season(in_archive: Path, runner: CliRunner) -> None:
    """600 long visits make a compilation of several million characters; the template's
    size budget scales with its input, so it is written, not called a runaway loop."""
    text = (in_archive / "visits" / f"{VISIT_2023}.yaml").read_text("utf-8")
    text = text[: text.index("\nstatus:") + 1]  # copies on other dates are drafts
    for number in range(600):
        day = date(2023, 1, 1) + timedelta(days=number % 360)
        copy = text.replace("besöksdatum: 2023-06-07", f"besöksdatum: {day.isoformat()}")
        name = f"{day.isoformat()}-besok-{number:03d}.yaml"
        (in_archive / "visits" / name).write_text(copy, "utf-8")

    result = invoke(
        runner, "report", "--period", "2023", "--per", "2023-12-31", "--format", "md", "--utkast"
    )

    assert result.exit_code == 0, result.output
    compilation = in_archive / "out" / "sammanstallning-2023.md"
    assert compilation.stat().st_size > 5_000_000
