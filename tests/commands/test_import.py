"""Word round trip: the fillable form, ``nbesok import`` of forms and old protocols.

Every document here is made the way a user's would be: the form by ``nbesok render``,
filled in with python-docx (and, where LibreOffice is present, saved again by it), the
old protocol built from seed 002's own text and structure.
"""

from __future__ import annotations

import copy
import io
import re
import shutil
import subprocess
import zipfile
from contextlib import chdir
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import docx
import pytest
import yaml
from click.testing import CliRunner, Result
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from support import REPO_ROOT, copy_archive

from nbesok.cli import cli
from nbesok.commands.import_ import member_entry, parse_names

REPO = REPO_ROOT
# Seed 002 (b2cce88075d6df17) as the repository keeps it, byte for byte.
SEED_002 = REPO / "tests" / "golden" / "seed-002-idrott-och-service.txt"
ITEM_FIELDS = ("punkt", "ansvarig", "senast", "status")
FORM_2023 = "arbetslik-aktivitet-2023"
FORM_2018 = "arbetsmarknad-och-integration-2018-19"
HEADER_FIELDS = (
    "verksamhet",
    "ledamöter",
    "tjänstepersoner",
    "besöksdatum",
    "hemsida",
    "diarienummer",
)


def nbesok(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), prog_name="nbesok")


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text("utf-8"))
    assert isinstance(data, dict)
    return data


def same_markdown(text: str | None) -> str:
    """Markdown as a reader sees it: the HTML of CommonMark, spacing normalised."""
    html = MarkdownIt("commonmark").render(text or "")
    return " ".join(html.split())


def render(archive: Path, *paths: str) -> Path:
    out = archive / "out"
    result = nbesok("render", *paths, "--format", "docx", "--out", str(out))
    assert result.exit_code == 0, result.output
    return out


def controls(document: Any) -> dict[str, Any]:
    """The form's content controls by tag."""
    found = {}
    for sdt in document.element.body.iter(qn("w:sdt")):
        tag = sdt.find(f"{qn('w:sdtPr')}/{qn('w:tag')}")
        if tag is not None:
            found[tag.get(qn("w:val"))] = sdt
    return found


def fill(sdt: Any, paragraphs: list[Any]) -> None:
    """Replace a control's placeholder with paragraphs, as typing in Word does."""
    properties = sdt.find(qn("w:sdtPr"))
    placeholder = properties.find(qn("w:showingPlcHdr"))
    if placeholder is not None:
        properties.remove(placeholder)
    content = sdt.find(qn("w:sdtContent"))
    template = content.find(qn("w:p"))
    for child in list(content):
        content.remove(child)
    for paragraph in paragraphs:
        if paragraph.find(qn("w:pPr")) is None and template.find(qn("w:pPr")) is not None:
            paragraph.insert(0, copy.deepcopy(template.find(qn("w:pPr"))))
        content.append(paragraph)


def paragraph(*runs: tuple[str, str], numbering: Any = None) -> Any:
    """A ``w:p`` of runs given as (text, "b"/"i"/"bi"/"")."""
    p = OxmlElement("w:p")
    if numbering is not None:
        p.append(copy.deepcopy(numbering))
    for text, look in runs:
        r = p.add_r()
        if "b" in look:
            r.get_or_add_rPr().append(OxmlElement("w:b"))
        if "i" in look:
            r.get_or_add_rPr().append(OxmlElement("w:i"))
        r.text = text
    return p


def list_properties(document: Any, level: int, *, ordered: bool) -> Any:
    """A ``w:pPr`` with the numbering of a new bullet (or numbered) list, as Word adds
    one: a ``w:num`` on the reference's list definition of that kind."""
    numbering = document.part.numbering_part.element
    wanted = "decimal" if ordered else "bullet"
    for abstract in numbering.findall(qn("w:abstractNum")):
        lvl = next(v for v in abstract.findall(qn("w:lvl")) if v.get(qn("w:ilvl")) == str(level))
        if lvl.find(qn("w:numFmt")).get(qn("w:val")) == wanted:
            num = numbering.add_num(int(abstract.get(qn("w:abstractNumId"))))
            properties = OxmlElement("w:pPr")
            properties.append(OxmlElement("w:pStyle", {qn("w:val"): "ListParagraph"}))
            num_pr = OxmlElement("w:numPr")
            num_pr.append(OxmlElement("w:ilvl", {qn("w:val"): str(level)}))
            num_pr.append(OxmlElement("w:numId", {qn("w:val"): str(num.numId)}))
            properties.append(num_pr)
            return properties
    raise AssertionError(f"ingen {wanted}-lista i referensen")


def text_paragraph(text: str) -> Any:
    return paragraph((text, ""))


# The fillable form


def test_the_blank_form_has_a_tagged_control_per_field(in_archive: Path) -> None:
    out = render(in_archive, f"protocols/{FORM_2023}.yaml")
    document = docx.Document(str(out / f"{FORM_2023}.docx"))
    protocol = load(in_archive / "protocols" / f"{FORM_2023}.yaml")
    questions = [q["id"] for s in protocol["avsnitt"] for q in s["frågor"]]
    found = controls(document)
    items = [f"uppföljning.{n}.{c}" for n in range(1, 5) for c in ITEM_FIELDS]
    expected = [f"nbesok:{FORM_2023}:{name}" for name in HEADER_FIELDS] + [
        f"nbesok:{FORM_2023}:{name}"
        for name in (*(f"svar.{qid}" for qid in questions), "sammanfattning", *items)
    ]
    assert sorted(found) == sorted(expected)
    assert document.core_properties.identifier == f"nbesok:{FORM_2023}"
    for tag, sdt in found.items():
        field = tag.rsplit(":", 1)[1]
        properties = sdt.find(qn("w:sdtPr"))
        alias = properties.find(qn("w:alias")).get(qn("w:val"))
        assert alias.endswith(f"[{field}]"), alias  # LibreOffice keeps the alias only
        assert properties.find(qn("w:showingPlcHdr")) is not None
        # The control cannot be deleted by mistake (its content can be replaced).
        assert properties.find(qn("w:lock")).get(qn("w:val")) == "sdtLocked"
        text = "".join(t.text for t in sdt.iter(qn("w:t")))
        if field.startswith("svar."):
            assert text == "Skriv svaret här"
        else:
            assert text  # a hint in Swedish: "ÅÅÅÅ-MM-DD", "Skriv verksamheten här", …
    # The header fields stand in the value column of the Besöksuppgifter table.
    table = document.tables[0]
    assert table.style is not None and table.style.name == "Besöksuppgifter"
    in_table = {
        sdt.find(f"{qn('w:sdtPr')}/{qn('w:tag')}").get(qn("w:val"))
        for sdt in table._tbl.iter(qn("w:sdt"))
    }
    # The follow-up items are a table of fields, a row per item.
    items_table = document.tables[-1]
    assert [cell.text for cell in items_table.rows[0].cells] == [
        "Punkt",
        "Ansvarig",
        "Senast",
        "Status",
    ]
    assert in_table == {f"nbesok:{FORM_2023}:{name}" for name in HEADER_FIELDS}
    # The placeholder is grey (Word's Placeholder Text style), not the answer's look.
    placeholder_runs = [
        r for sdt in found.values() for r in sdt.iter(qn("w:r")) if r.find(qn("w:rPr")) is not None
    ]
    assert placeholder_runs
    assert {
        r.find(f"{qn('w:rPr')}/{qn('w:rStyle')}").get(qn("w:val")) for r in placeholder_runs
    } == {"PlaceholderText"}


def test_the_published_form_md_has_no_placeholders(in_archive: Path) -> None:
    out = in_archive / "out"
    result = nbesok("render", f"protocols/{FORM_2023}.yaml", "--format", "md", "--out", str(out))
    assert result.exit_code == 0, result.output
    text = (out / f"{FORM_2023}.md").read_text("utf-8")
    assert "Skriv svaret här" not in text
    assert "field=" not in text and "{" not in text.split("---", 2)[2]
    assert "-   **Verksamhetsinriktning:**\n" in text


def filled_form(archive: Path) -> tuple[Path, dict[str, Any]]:
    """The 2023 form rendered and filled in with python-docx, and what was filled in."""
    out = render(archive, f"protocols/{FORM_2023}.yaml")
    document = docx.Document(str(out / f"{FORM_2023}.docx"))
    found = controls(document)

    def field(name: str) -> Any:
        return found[f"nbesok:{FORM_2023}:{name}"]

    fill(field("verksamhet"), [text_paragraph("Hemtjänsten Ryd")])
    fill(field("ledamöter"), [text_paragraph("Roger Bandick (s), Madelaine Erlandsson (M)")])
    fill(
        field("tjänstepersoner"),
        [text_paragraph("Anja Lindahl"), text_paragraph("Christina Björkman")],
    )
    fill(field("besöksdatum"), [text_paragraph("2025-09-15")])
    fill(field("hemsida"), [text_paragraph("https://www.linkoping.se/hemtjanst")])
    fill(field("diarienummer"), [text_paragraph("AMN 2025-0042")])
    bullet = list_properties(document, 0, ordered=False)
    nested = list_properties(document, 1, ordered=False)
    fill(
        field("svar.individens-behov"),
        [
            paragraph(("Varje brukare har en ", ""), ("genomförandeplan", "i"), (".", "")),
            paragraph(("Planerna ", ""), ("följs upp", "b"), (" varje halvår:", "")),
            paragraph(("Kontaktperson", ""), numbering=bullet),
            paragraph(("namngiven", ""), numbering=nested),
            paragraph(("Anhörigsamtal", ""), numbering=bullet),
        ],
    )
    numbered = list_properties(document, 0, ordered=True)
    heading = OxmlElement("w:pPr")
    heading.append(OxmlElement("w:pStyle", {qn("w:val"): "Heading3"}))
    link = paragraph(("Se ", ""))
    address = document.part.relate_to(
        "https://www.linkoping.se/plan", RT.HYPERLINK, is_external=True
    )
    hyperlink = OxmlElement("w:hyperlink", {qn("r:id"): address})
    hyperlink.append(paragraph(("kommunens sida", "")).find(qn("w:r")))
    link.append(hyperlink)
    link.append(paragraph((".", "")).find(qn("w:r")))
    fill(
        field("svar.handlingsplaner"),
        [
            text_paragraph("Handlingsplaner uppdateras månadsvis."),
            paragraph(("Rutiner", ""), numbering=heading),
            paragraph(("Samtal", ""), numbering=numbered),
            paragraph(("Plan", ""), numbering=numbered),
            link,
        ],
    )
    path = archive / "ifylld.docx"
    document.save(str(path))
    expected = {
        "verksamhet": "Hemtjänsten Ryd",
        "besöksdatum": "2025-09-15",
        "ledamöter": ["Roger Bandick (S)", "Madelaine Erlandsson (M)"],
        "tjänstepersoner": ["Anja Lindahl", "Christina Björkman"],
        "hemsida": "https://www.linkoping.se/hemtjanst",
        "diarienummer": "AMN 2025-0042",
        "svar": {
            "individens-behov": (
                "Varje brukare har en *genomförandeplan*.\n\n"
                "Planerna **följs upp** varje halvår:\n\n"
                "- Kontaktperson\n  - namngiven\n- Anhörigsamtal\n"
            ),
            "handlingsplaner": (
                "Handlingsplaner uppdateras månadsvis.\n\n"
                "# Rutiner\n\n"
                "1. Samtal\n2. Plan\n\n"
                "Se [kommunens sida](https://www.linkoping.se/plan).\n"
            ),
        },
    }
    return path, expected


def assert_imported(visit: dict[str, Any], expected: dict[str, Any]) -> None:
    assert visit["protokoll"] == FORM_2023
    for key in ("verksamhet", "ledamöter", "tjänstepersoner", "hemsida", "diarienummer"):
        assert visit[key] == expected[key], key
    assert str(visit["besöksdatum"]) == expected["besöksdatum"]
    answered = {key: value for key, value in visit["svar"].items() if value}
    assert answered == expected["svar"]


def test_a_form_filled_in_with_python_docx_imports_exactly(in_archive: Path) -> None:
    form, expected = filled_form(in_archive)
    result = nbesok("import", str(form))
    assert result.exit_code == 0, result.output
    target = in_archive / "visits" / "2025-09-15-hemtjansten-ryd.yaml"
    assert "Skapade visits/2025-09-15-hemtjansten-ryd.yaml" in result.output
    assert_imported(load(target), expected)
    # Unanswered questions stay in the file to fill in, as new writes them.
    assert "# Fråga: Hur ser samarbetet med andra verksamheter" in target.read_text("utf-8")
    validated = nbesok("validate", str(target))
    assert validated.exit_code == 0, validated.output
    assert "obesvarad" in validated.output  # says what is left to fill in


def test_a_form_filled_and_saved_by_libreoffice_imports(
    in_archive: Path, libreoffice: Path, tmp_path: Path
) -> None:
    """LibreOffice drops the tags and keeps only the first paragraph of an answer in
    its control (shared/DESIGN.md); the alias, the identifier and the headings carry
    the import."""
    form, expected = filled_form(in_archive)
    converted = tmp_path / "libreoffice"
    subprocess.run(
        [
            str(libreoffice),
            f"-env:UserInstallation=file://{tmp_path / 'profil'}",
            "--headless",
            "--convert-to",
            "docx:MS Word 2007 XML",
            "--outdir",
            str(converted),
            str(form),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    saved = converted / form.name
    with zipfile.ZipFile(saved) as package:
        body = package.read("word/document.xml").decode("utf-8")
    assert "w:tag" not in body  # what this test is about: the tags are gone
    result = nbesok("import", str(saved))
    assert result.exit_code == 0, result.output
    # LibreOffice also drops the formatting of the text it keeps inside a control (the
    # first paragraph of each answer); everything after it keeps its formatting.
    first = expected["svar"]["individens-behov"]
    expected["svar"]["individens-behov"] = first.replace("*genomförandeplan*", "genomförandeplan")
    assert_imported(load(in_archive / "visits" / "2025-09-15-hemtjansten-ryd.yaml"), expected)


def test_import_never_overwrites(in_archive: Path) -> None:
    form, _ = filled_form(in_archive)
    assert nbesok("import", str(form)).exit_code == 0
    target = in_archive / "visits" / "2025-09-15-hemtjansten-ryd.yaml"
    before = target.read_bytes()
    again = nbesok("import", str(form))
    assert again.exit_code == 1
    assert (
        "ifylld.docx: fel: visits/2025-09-15-hemtjansten-ryd.yaml finns redan och skrivs inte "
        "över; dokumentet är kanske redan importerat" in again.output
    )
    assert "Traceback" not in again.output
    assert target.read_bytes() == before


def test_an_empty_form_says_it_is_not_filled_in(in_archive: Path) -> None:
    out = render(in_archive, f"protocols/{FORM_2023}.yaml")
    before = sorted((in_archive / "visits").iterdir())
    result = nbesok("import", str(out / f"{FORM_2023}.docx"))
    assert result.exit_code == 1
    assert "blanketten är inte ifylld" in result.output
    assert sorted((in_archive / "visits").iterdir()) == before


# Round trip: every example visit, rendered and imported back


@pytest.mark.parametrize(
    "visit", ["2018-10-17-idrott-och-service", "2023-06-07-arbetslik-aktivitet"]
)
def test_every_example_visit_survives_render_and_import(in_archive: Path, visit: str) -> None:
    out = render(in_archive, f"visits/{visit}.yaml")
    original_path = in_archive / "visits" / f"{visit}.yaml"
    original = load(original_path)
    original_path.unlink()  # import writes it again, under the same name
    result = nbesok("import", str(out / f"{visit}.docx"))
    assert result.exit_code == 0, result.output
    assert "oplacerat" not in result.output
    imported = load(original_path)
    for key in ("protokoll", "verksamhet", "besöksdatum", "tjänstepersoner", "diarienummer"):
        assert imported.get(key) == original.get(key), key
    assert imported["ledamöter"] == original["ledamöter"]
    assert set(imported["svar"]) == set(original["svar"])
    for question, answer in original["svar"].items():
        assert same_markdown(imported["svar"][question]) == same_markdown(answer), question
    assert same_markdown(imported["sammanfattning"]) == same_markdown(original["sammanfattning"])

    # The protocol lists open items first; the items themselves are the same.
    def items(data: dict[str, Any]) -> list[tuple[str, ...]]:
        return sorted(
            (i["punkt"], i["ansvarig"], str(i.get("senast")), i.get("status", "ej påbörjad"))
            for i in data.get("uppföljning", [])
        )

    assert items(imported) == items(original)
    assert nbesok("validate", str(original_path)).exit_code == 0


# An old protocol: seed 002, as the Word document it was


def seed_document(
    path: Path,
    *,
    extra: str = "",
    header_lines: bool = False,
    question_and_guidance: bool = False,
) -> None:
    """Seed 002 as a Word file: its paragraphs, its labelled rows as a table, its lists
    as Word lists and its *italics* as italic runs. ``extra`` is one more paragraph
    between the header and the questions, as a stray note would be.

    Two shapes old protocols often have: ``header_lines`` writes the labelled rows as
    lines of one paragraph (Shift+Enter), ``question_and_guidance`` each question and
    its guidance as one paragraph, a line each.
    """
    document = docx.Document()
    lines = [line.strip() for line in SEED_002.read_text("utf-8").splitlines() if line.strip()]
    protocol = load(REPO / "protocols" / f"{FORM_2018}.yaml")
    questions = {q["fråga"] for s in protocol["avsnitt"] for q in s["frågor"]}
    table = None
    header: Any = None
    question: Any = None
    for number, line in enumerate(lines):
        if number == 0:
            document.add_paragraph(line, style="Title")
            continue
        if "\t" in line:
            label, value = line.split("\t", 1)
            if header_lines:
                if header is None:
                    header = document.add_paragraph()
                else:
                    header.add_run().add_break()
                header.add_run(f"{label} {value}")
                continue
            if table is None:
                table = document.add_table(rows=0, cols=2)
            cells = table.add_row().cells
            cells[0].text, cells[1].text = label, value
            continue
        table = None
        if extra and line.startswith("Gemensamma förbättringsområden"):
            document.add_paragraph(extra)
        if line.startswith("- "):
            document.add_paragraph(line[2:], style="List Bullet")
            continue
        if question is not None:
            question.add_run().add_break()
            paragraph, question = question, None
        else:
            paragraph = document.add_paragraph()
            if question_and_guidance and line in questions:
                question = paragraph
        for index, part in enumerate(re.split(r"\*([^*]+)\*", line)):
            if part:
                paragraph.add_run(part).italic = index % 2 == 1
    document.save(str(path))


def test_seed_002_imports_to_the_visit_transcribed_from_it(in_archive: Path) -> None:
    old = in_archive / "idrott-och-service-2018.docx"
    seed_document(old)
    expected = load(in_archive / "visits" / "2018-10-17-idrott-och-service.yaml")
    (in_archive / "visits" / "2018-10-17-idrott-och-service.yaml").unlink()
    result = nbesok("import", str(old))  # the protocol is found by its questions
    assert result.exit_code == 0, result.output
    assert "varning" not in result.output
    imported = load(in_archive / "visits" / "2018-10-17-idrott-och-service.yaml")
    assert imported["protokoll"] == FORM_2018
    assert imported["verksamhet"] == expected["verksamhet"]
    assert imported["besöksdatum"] == expected["besöksdatum"]
    # "Roger Bandick (s), Madelaine Erlandsson (m) och Christoffer Rosendahl (c)"
    assert imported["ledamöter"] == expected["ledamöter"]
    assert imported["tjänstepersoner"] == expected["tjänstepersoner"]
    assert set(imported["svar"]) == set(expected["svar"])
    for question, answer in expected["svar"].items():
        assert same_markdown(imported["svar"][question]) == same_markdown(answer), question


@pytest.mark.parametrize(
    "shape",
    [
        pytest.param({"header_lines": True}, id="header-as-lines-of-one-paragraph"),
        pytest.param({"question_and_guidance": True}, id="question-and-guidance-together"),
    ],
)
@pytest.mark.parametrize("flags", [(), ("--datum", "2018-10-17")], ids=["", "datum"])
def test_old_protocols_in_their_common_shapes(
    in_archive: Path, shape: dict[str, Any], flags: tuple[str, ...]
) -> None:
    old = in_archive / "gammalt.docx"
    seed_document(old, **shape)
    expected = load(in_archive / "visits" / "2018-10-17-idrott-och-service.yaml")
    (in_archive / "visits" / "2018-10-17-idrott-och-service.yaml").unlink()
    result = nbesok("import", str(old), *flags)
    assert result.exit_code == 0, result.output
    assert "varning" not in result.output
    imported = load(in_archive / "visits" / "2018-10-17-idrott-och-service.yaml")
    assert imported["protokoll"] == FORM_2018
    for key in ("verksamhet", "besöksdatum", "ledamöter", "tjänstepersoner"):
        assert imported[key] == expected[key], key
    for question, answer in expected["svar"].items():
        assert same_markdown(imported["svar"][question]) == same_markdown(answer), question


def test_the_visit_date_chooses_between_protocols_with_the_same_questions(
    in_archive: Path,
) -> None:
    """Next season's protocol, copied from this one, has the same questions: the
    rendered 2023 protocol's date says which it follows."""
    copied = nbesok(
        "new-protocol", "arbetslik-aktivitet-2024", "--from", FORM_2023, "--period", "2024"
    )
    assert copied.exit_code == 0, copied.output
    visit = "2023-06-07-arbetslik-aktivitet"
    out = render(in_archive, f"visits/{visit}.yaml")
    (in_archive / "visits" / f"{visit}.yaml").unlink()
    result = nbesok("import", str(out / f"{visit}.docx"))
    assert result.exit_code == 0, result.output
    assert load(in_archive / "visits" / f"{visit}.yaml")["protokoll"] == FORM_2023


def test_a_members_group_survives_render_and_import(in_archive: Path) -> None:
    path = in_archive / "visits" / "2018-10-17-idrott-och-service.yaml"
    text = path.read_text("utf-8")
    path.write_text(
        text.replace(
            "  - Madelaine Erlandsson (M)\n",
            "  - {namn: Madelaine Erlandsson, parti: M, grupp: opposition}\n",
        ),
        "utf-8",
    )
    before = load(path)["ledamöter"]
    assert {"namn": "Madelaine Erlandsson", "parti": "M", "grupp": "opposition"} in before
    out = render(in_archive, "visits/2018-10-17-idrott-och-service.yaml")
    path.unlink()
    result = nbesok("import", str(out / "2018-10-17-idrott-och-service.docx"))
    assert result.exit_code == 0, result.output
    assert load(path)["ledamöter"] == before


def test_text_that_fits_no_question_is_kept_and_named(in_archive: Path) -> None:
    old = in_archive / "gammalt.docx"
    stray = "Fika serverades i caféet efter besöket."
    seed_document(old, extra=stray)
    (in_archive / "visits" / "2018-10-17-idrott-och-service.yaml").unlink()
    result = nbesok("import", str(old))
    assert result.exit_code == 0, result.output
    warning = re.search(r"gammalt\.docx: varning: stycke (\d+): oplacerat: ”Fika", result.output)
    assert warning, result.output
    imported = load(in_archive / "visits" / "2018-10-17-idrott-och-service.yaml")
    # An answer in which the note stands would be wrong; the note is under oplacerat.
    assert imported["oplacerat"].strip() == stray
    assert all(stray not in answer for answer in imported["svar"].values())
    text = (in_archive / "visits" / "2018-10-17-idrott-och-service.yaml").read_text("utf-8")
    assert f"(stycke {warning.group(1)})" in text
    validated = nbesok("validate", "visits/2018-10-17-idrott-och-service.yaml")
    assert "varning: oplacerat: text från Word-importen" in validated.output


def test_a_personnummer_stops_the_import(in_archive: Path) -> None:
    form, _ = filled_form(in_archive)
    document = docx.Document(str(form))
    fill(
        controls(document)[f"nbesok:{FORM_2023}:svar.handlingsplaner"],
        [text_paragraph("Deltagaren 811228‑9874 har en plan.")],  # a non-breaking hyphen
    )
    document.save(str(form))
    result = nbesok("import", str(form))
    assert result.exit_code == 1
    found = r"ifylld\.docx: fel: stycke \d+: svar\.handlingsplaner: personnummer ”811228-XXXX”"
    assert re.search(found, result.output), result.output
    assert not (in_archive / "visits" / "2025-09-15-hemtjansten-ryd.yaml").exists()
    allowed = nbesok("import", str(form), "--tillåt-personnummer")
    assert allowed.exit_code == 0, allowed.output


def test_the_visit_file_import_writes_is_guarded_too(in_archive: Path) -> None:
    """An open item carried over from an earlier visit that allows its number would put
    the number in a new file without that permission: the written file is an outlet."""
    earlier = in_archive / "visits" / "2025-01-10-hemtjansten-ryd.yaml"
    earlier.write_text(
        f"protokoll: {FORM_2023}\n"
        "verksamhet: Hemtjänsten Ryd\n"
        "besöksdatum: 2025-01-10\n"
        "uppföljning:\n"
        "  - punkt: Ring 811228-9874 om schemat\n"
        "    ansvarig: Äldrenämnden\n"
        "    status: påbörjad\n"
        "tillåtna_personnummer: [811228-9874]\n",
        encoding="utf-8",
    )
    form, _ = filled_form(in_archive)

    result = nbesok("import", str(form))

    assert result.exit_code == 1, result.output
    assert (
        "visits/2025-01-10-hemtjansten-ryd.yaml:5:17: fel: personnummer ”811228-XXXX” i "
        "visits/2025-09-15-hemtjansten-ryd.yaml, som inte skrevs"
    ) in result.output
    assert not (in_archive / "visits" / "2025-09-15-hemtjansten-ryd.yaml").exists()


# Bad Word files


def docx_with(part: str, data: bytes) -> bytes:
    """The example form with one part replaced."""
    source = REPO / "templates" / "referens.docx"
    buffer = io.BytesIO()
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(buffer, "w") as changed:
        for entry in original.infolist():
            content = data if entry.filename == part else original.read(entry)
            changed.writestr(entry, content)
    return buffer.getvalue()


def zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml", b"\0" * 20_000_000)
    return buffer.getvalue()


def password_protected() -> bytes:
    # Word wraps an encrypted .docx in an OLE2 container with an EncryptionInfo stream.
    return (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\0" * 1000
        + "EncryptionInfo".encode("utf-16-le")
        + b"\0" * 1000
    )


XXE = (
    b'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    b"<w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>"
)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(b"Det har ar text.\n", "är inget Word-dokument", id="not-a-zip"),
        pytest.param(zip_bomb(), "zip-bomb", id="zip-bomb"),
        pytest.param(docx_with("word/document.xml", XXE), "har en DTD", id="xxe"),
        pytest.param(password_protected(), "lösenordsskyddad", id="password-protected"),
        pytest.param(b"", "är inget Word-dokument", id="empty-file"),
    ],
)
def test_a_bad_word_file_gets_a_located_error(
    in_archive: Path, content: bytes, message: str
) -> None:
    path = in_archive / "dåligt.docx"
    path.write_bytes(content)
    before = sorted((in_archive / "visits").iterdir())
    result = nbesok("import", str(path))
    assert result.exit_code == 1, result.output
    assert f"{path.name}" in result.output and message in result.output, result.output
    assert "Traceback" not in result.output and "internt fel" not in result.output
    assert sorted((in_archive / "visits").iterdir()) == before


def test_a_document_with_questions_but_no_answers_says_so(in_archive: Path) -> None:
    """Not ”ingen av frågorna”: the questions are there, with nothing under them."""
    path = in_archive / "bara-frågor.docx"
    document = docx.Document()
    document.add_paragraph("Hur ser arbetet med handlingsplaner ut?")
    document.save(str(path))
    result = nbesok("import", str(path), "--verksamhet", "Ryd", "--datum", "2023-09-01")
    assert result.exit_code == 1, result.output
    assert "bara-frågor.docx: fel: dokumentet har frågorna i protokollet" in result.output
    assert "men inga svar och inga besöksuppgifter" in result.output
    assert not (in_archive / "visits" / "2023-09-01-ryd.yaml").exists()


def test_a_document_without_questions_is_refused(in_archive: Path) -> None:
    path = in_archive / "brev.docx"
    document = docx.Document()
    document.add_paragraph("Hej! Här kommer protokollet från mötet i tisdags.")
    document.save(str(path))
    result = nbesok("import", str(path))
    assert result.exit_code == 1
    assert "brev.docx: fel: dokumentet har ingen av frågorna" in result.output


def test_a_form_of_another_protocol_is_refused(in_archive: Path) -> None:
    form, _ = filled_form(in_archive)
    result = nbesok("import", str(form), "--protokoll", FORM_2018)
    assert result.exit_code == 1
    assert f"formuläret är gjort av protokollet ”{FORM_2023}”, inte ”{FORM_2018}”" in result.output
    # A form from an archive whose protocol this one does not have.
    shutil.move(in_archive / "protocols" / f"{FORM_2023}.yaml", in_archive / f"{FORM_2023}.yaml")
    missing = nbesok("import", str(form))
    assert missing.exit_code == 1
    assert f"”{FORM_2023}”, som inte finns i protocols/" in missing.output


def test_several_files_one_bad_the_others_written(in_archive: Path) -> None:
    form, _ = filled_form(in_archive)
    bad = in_archive / "trasig.docx"
    bad.write_bytes(b"inte en docx")
    result = nbesok("import", str(bad), str(form))
    assert result.exit_code == 1
    assert "1 av 2 filer kunde inte importeras" in result.output
    assert (in_archive / "visits" / "2025-09-15-hemtjansten-ryd.yaml").is_file()


# Names in the header


def test_what_the_command_line_overrides_is_named(in_archive: Path) -> None:
    form, _ = filled_form(in_archive)
    result = nbesok("import", str(form), "--datum", "2025-09-16")
    assert result.exit_code == 0, result.output
    assert "varning: besöksdatum: dokumentet anger ”2025-09-15”; --datum 2025-09-16" in (
        result.output
    )
    assert (in_archive / "visits" / "2025-09-16-hemtjansten-ryd.yaml").is_file()


def test_a_header_row_that_is_no_field_is_kept(in_archive: Path) -> None:
    path = in_archive / "gammalt.docx"
    document = docx.Document()
    document.add_paragraph("Dokumentation nämndbesök 2018", style="Title")
    table = document.add_table(rows=0, cols=2)
    for label, value in (
        ("Verksamhet", "Idrott- och service"),
        ("Besöksdatum", "2018-10-17"),
        ("Kontaktperson", "Lisa Ström"),
        ("Eventuell länk till hemsida", "www.linkoping.se/idrott"),
    ):
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value
    document.add_paragraph("Samarbetar verksamheten med andra myndigheter?")  # only in 2018/19
    document.add_paragraph("Med Arbetsförmedlingen.")
    document.save(str(path))
    (in_archive / "visits" / "2018-10-17-idrott-och-service.yaml").unlink()
    result = nbesok("import", str(path))
    assert result.exit_code == 0, result.output
    visit = load(in_archive / "visits" / "2018-10-17-idrott-och-service.yaml")
    # Neither the title nor the unknown row is dropped in silence.
    assert "Dokumentation nämndbesök 2018" in visit["oplacerat"]
    assert "Kontaktperson: Lisa Ström" in visit["oplacerat"]
    assert "”Kontaktperson: Lisa Ström” hör inte till någon fråga" in result.output
    # A web address without https:// is kept, with the scheme added and a word about it.
    assert visit["hemsida"] == "https://www.linkoping.se/idrott"
    assert "varning: hemsida: ”www.linkoping.se/idrott” skrevs som https://" in result.output
    assert visit["svar"]["samarbete-myndigheter"] == "Med Arbetsförmedlingen.\n"


def test_members_are_split_and_their_parties_written_as_codes() -> None:
    names = parse_names("Roger Bandick (s), Madelaine Erlandsson (m) och Christoffer Rosendahl (c)")
    assert [member_entry(name) for name in names] == [
        "Roger Bandick (S)",
        "Madelaine Erlandsson (M)",
        "Christoffer Rosendahl (C)",
    ]
    assert parse_names("Anja Lindahl och Christina Björkman") == [
        "Anja Lindahl",
        "Christina Björkman",
    ]
    # A party after a comma belongs to the name before it.
    assert parse_names("Anna Berg (s), Cia Holm, C") == ["Anna Berg (s)", "Cia Holm (C)"]
    assert parse_names("Anja Lindahl\nChristina Björkman; Bo Ek") == [
        "Anja Lindahl",
        "Christina Björkman",
        "Bo Ek",
    ]


# Whatever a user types comes back as the same text


_TYPED = st.text(
    alphabet=st.characters(
        whitelist_categories=("L", "N", "P", "S", "Zs"), blacklist_characters="\u00a0\u2028\u2029"
    ),
    min_size=1,
    max_size=80,
).filter(lambda text: text.strip() and not re.match(r"\s*([-•–·▪◦]|\d{1,3}[.)])\s", text))


def _plain_markdown(markdown: str) -> str:
    """The text a reader of the Markdown sees, spacing normalised."""
    tokens = MarkdownIt("commonmark").parse(markdown)
    blocks = [
        "".join(
            child.content for child in token.children or [] if child.type in ("text", "code_inline")
        )
        for token in tokens
        if token.type == "inline"
    ]
    return " ".join(" ".join(blocks).split())


@settings(
    max_examples=40,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(texts=st.lists(_TYPED, min_size=1, max_size=3), bold=st.booleans())
def test_any_typed_text_is_imported_as_the_same_text(
    archive: Path, texts: list[str], bold: bool
) -> None:
    """Markdown characters typed in Word (``*``, ``#``, ``[``, ``|``, ``<``, …) are
    escaped, so the imported answer reads as the text that was typed."""
    from nbesok.archive.root import Archive
    from nbesok.commands.import_ import import_document, read_document

    out = archive / "out"
    if not (out / f"{FORM_2023}.docx").exists():
        with chdir(archive):
            render(archive, f"protocols/{FORM_2023}.yaml")
    document = docx.Document(str(out / f"{FORM_2023}.docx"))
    fields = controls(document)
    fill(fields[f"nbesok:{FORM_2023}:verksamhet"], [text_paragraph("Café Ryd")])
    fill(
        fields[f"nbesok:{FORM_2023}:svar.handlingsplaner"],
        [paragraph((text, "b" if bold else "")) for text in texts],
    )
    path = archive / "fuzz.docx"
    document.save(str(path))
    imported = import_document(Archive(archive), read_document(path), None)
    answer = imported.answers["handlingsplaner"]
    assert _plain_markdown(answer) == " ".join(" ".join(texts).split())
    if bold and any(text.strip() for text in texts):
        assert "**" in answer


def test_a_folder_means_its_word_files(in_archive: Path) -> None:
    out = render(in_archive, "visits/")
    for visit in in_archive.glob("visits/*.yaml"):
        visit.unlink()
    (out / "~$2018-10-17-idrott-och-service.docx").write_bytes(b"Words lock file")
    result = nbesok("import", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(path.name for path in (in_archive / "visits").glob("*.yaml")) == [
        "2018-10-17-idrott-och-service.yaml",
        "2023-06-07-arbetslik-aktivitet.yaml",
    ]


def test_a_form_for_a_verksamhet_visited_before_carries_its_open_items(
    in_archive: Path,
) -> None:
    """As with new: the items the 2023 visit left open follow into the imported visit."""
    form, _ = filled_form(in_archive)
    result = nbesok("import", str(form), "--verksamhet", "arbetslik aktivitet")
    assert result.exit_code == 0, result.output
    assert "3 öppna punkter från tidigare besök fördes över" in result.output
    # The archive's spelling of the name, so that the visits count as one verksamhet.
    target = in_archive / "visits" / "2025-09-15-arbetslik-aktivitet.yaml"
    visit = load(target)
    assert visit["verksamhet"] == "Arbetslik aktivitet"
    earlier = load(in_archive / "visits" / "2023-06-07-arbetslik-aktivitet.yaml")
    open_items = [i["punkt"] for i in earlier["uppföljning"] if i["status"] != "klar"]
    assert [i["punkt"] for i in visit["uppföljning"]] == open_items
    assert {i["från"] for i in visit["uppföljning"]} == {"2023-06-07-arbetslik-aktivitet"}
    assert nbesok("validate", str(target)).exit_code == 0


# Packages other writers make, and files that stop nothing


def repackaged(source: Path, target: Path, change: Any) -> Path:
    """``source`` with each entry passed through ``change(name, data)`` → (name, data) or
    None to leave it out."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as changed:
        for entry in original.infolist():
            kept = change(entry.filename, original.read(entry))
            if kept is not None:
                changed.writestr(kept[0], kept[1])
    return target


CORE = (
    b'<Relationship Id="rIdKopia" Target="docProps/core.xml" Type="http://schemas.'
    b'openxmlformats.org/package/2006/relationships/metadata/core-properties"/>'
)
MAIN = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def two_core_properties(name: str, data: bytes) -> tuple[str, bytes]:
    if name == "_rels/.rels":
        data = data.replace(b"</Relationships>", CORE + b"</Relationships>")
    return name, data


def main_part_renamed(name: str, data: bytes) -> tuple[str, bytes]:
    """As Word Online saves: the main part is word/document2.xml."""
    renames = {"word/document.xml": "word/document2.xml"}
    renames["word/_rels/document.xml.rels"] = "word/_rels/document2.xml.rels"
    if name in ("_rels/.rels", "[Content_Types].xml"):
        data = data.replace(b"word/document.xml", b"word/document2.xml")
    return renames.get(name, name), data


def main_type_by_default(name: str, data: bytes) -> tuple[str, bytes]:
    """The main part's content type from a Default entry for its extension."""
    if name == "[Content_Types].xml":
        data = re.sub(rb'<Override PartName="/word/document.xml"[^>]*/>', b"", data)
        data = re.sub(rb'<Default Extension="xml" ContentType="[^"]*"/>', b"", data)
        data = data.replace(
            b"</Types>", b'<Default Extension="xml" ContentType="' + MAIN + b'"/></Types>'
        )
    return name, data


@pytest.mark.parametrize("change", [two_core_properties, main_part_renamed, main_type_by_default])
def test_packages_python_docx_reads_are_imported(in_archive: Path, change: Any) -> None:
    form, expected = filled_form(in_archive)
    other = repackaged(form, in_archive / "anders.docx", change)
    result = nbesok("import", str(other))
    assert result.exit_code == 0, result.output
    assert_imported(load(in_archive / "visits" / "2025-09-15-hemtjansten-ryd.yaml"), expected)
    reviewed = nbesok("granska", str(other))
    assert "internt fel" not in reviewed.output, reviewed.output


def utf16_with_dtd(name: str, data: bytes) -> tuple[str, bytes]:
    if name == "word/document.xml":
        text = XXE.decode("utf-8").replace(
            '<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>'
        )
        data = "\ufeff".encode("utf-16-le") + text.encode("utf-16-le")
    return name, data


def renamed_main_with_dtd(name: str, data: bytes) -> tuple[str, bytes]:
    name, data = main_part_renamed(name, data)
    if name == "_rels/.rels" or name == "[Content_Types].xml":
        data = data.replace(b"word/document2.xml", b"word/huvud.bin")
    if name == "word/document2.xml":
        return "word/huvud.bin", XXE
    if name == "word/_rels/document2.xml.rels":
        return "word/_rels/huvud.bin.rels", data
    return name, data


def strict_open_xml(name: str, data: bytes) -> tuple[str, bytes]:
    if name == "_rels/.rels":
        data = data.replace(
            b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument",
            b"http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument",
        )
    return name, data


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (utf16_with_dtd, "delen word/document.xml har en DTD"),
        (renamed_main_with_dtd, "delen word/huvud.bin har en DTD"),
        (strict_open_xml, "är sparad som ”Strikt Open XML-dokument”, som nbesok inte läser"),
    ],
)
def test_packages_that_hide_something_are_refused_in_swedish(
    in_archive: Path, change: Any, message: str
) -> None:
    form, _ = filled_form(in_archive)
    other = repackaged(form, in_archive / "anders.docx", change)
    result = nbesok("import", str(other))
    assert result.exit_code == 1, result.output
    assert f"anders.docx: fel: anders.docx {message}" in result.output or message in result.output
    assert "Traceback" not in result.output and "internt fel" not in result.output
    assert not re.search(r"\b(the|is|not|file|package)\b", result.output)  # no English
    assert "1 av 1 fil kunde inte importeras." in result.output


def header_form(archive: Path, operation: str, name: str = "ifylld.docx") -> Path:
    """The filled form with another verksamhet typed in."""
    form, _ = filled_form(archive)
    document = docx.Document(str(form))
    fill(controls(document)[f"nbesok:{FORM_2023}:verksamhet"], [text_paragraph(operation)])
    path = archive / name
    document.save(str(path))
    return path


@pytest.mark.parametrize("operation", ["..", "!!!", "🙂🙂"])
def test_a_verksamhet_that_makes_no_file_name_is_the_documents_error(
    in_archive: Path, operation: str
) -> None:
    bad = header_form(in_archive, operation, "konstig.docx")
    good, _ = filled_form(in_archive)
    result = nbesok("import", str(bad), str(good))
    assert result.exit_code == 1, result.output
    assert re.search(
        r"konstig\.docx: fel: stycke \d+: verksamhet: verksamheten: .* ger inget filnamn.*"
        r"rätta den i Word-filen eller ange --verksamhet",
        result.output,
    ), result.output
    assert "--verksamhet: fel" not in result.output
    # The rest of the batch is imported all the same.
    assert (in_archive / "visits" / "2025-09-15-hemtjansten-ryd.yaml").is_file()
    assert "1 av 2 filer kunde inte importeras." in result.output


def test_a_line_separator_in_the_verksamhet_is_a_space(in_archive: Path) -> None:
    form = header_form(in_archive, "Hemtjänsten\u2028Ryd")
    result = nbesok("import", str(form))
    assert result.exit_code == 0, result.output
    visit = load(in_archive / "visits" / "2025-09-15-hemtjansten-ryd.yaml")
    assert visit["verksamhet"] == "Hemtjänsten Ryd"
    assert "varning: stycke" in result.output and "på flera rader" in result.output


def test_an_invisible_direction_mark_is_taken_out_with_a_word(in_archive: Path) -> None:
    form, _ = filled_form(in_archive)
    document = docx.Document(str(form))
    fill(
        controls(document)[f"nbesok:{FORM_2023}:svar.handlingsplaner"],
        [text_paragraph("Planen \u202bgäller\u202c i ett år.")],
    )
    document.save(str(form))
    result = nbesok("import", str(form))
    assert result.exit_code == 0, result.output
    assert re.search(
        r"varning: stycke \d+: svar\.handlingsplaner: osynliga styrtecken \(U\+202B, U\+202C\)",
        result.output,
    ), result.output
    answer = load(in_archive / "visits" / "2025-09-15-hemtjansten-ryd.yaml")["svar"]
    assert answer["handlingsplaner"] == "Planen gäller i ett år.\n"


def test_a_line_break_in_the_file_name_stays_in_its_comment(in_archive: Path) -> None:
    form, expected = filled_form(in_archive)
    odd = in_archive / "protokoll\nprotokoll: inget\nsvar: {}\n.docx"
    form.rename(odd)
    result = nbesok("import", str(odd))
    assert result.exit_code == 0, result.output
    target = in_archive / "visits" / "2025-09-15-hemtjansten-ryd.yaml"
    assert_imported(load(target), expected)
    assert "# Importerad ur protokoll protokoll: inget svar: {} .docx med" in target.read_text()


def test_an_error_in_what_the_document_says_points_at_the_document(in_archive: Path) -> None:
    form, _ = filled_form(in_archive)
    document = docx.Document(str(form))
    fill(controls(document)[f"nbesok:{FORM_2023}:ledamöter"], [text_paragraph("(S)")])
    document.save(str(form))
    result = nbesok("import", str(form))
    assert result.exit_code == 1, result.output
    assert re.search(r"ifylld\.docx: fel: stycke \d+: ledamöter\[1\]\.namn: ", result.output)
    assert "visits/2025-09-15" not in result.output  # a file never written


def test_a_folder_of_old_doc_files_names_each_one(in_archive: Path) -> None:
    folder = in_archive / "gamla"
    folder.mkdir()
    for name in ("a.doc", "b.doc"):
        (folder / name).write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2000)  # OLE2
    result = nbesok("import", str(folder))
    assert result.exit_code == 1
    assert result.output.count("är ett gammalt Word-format (.doc); spara om den som .docx") == 2
    assert result.output.rstrip().endswith("2 av 2 filer kunde inte importeras.")
    empty = in_archive / "tom"
    empty.mkdir()
    nothing = nbesok("import", str(empty))
    assert nothing.exit_code == 1
    assert "tom: fel: mappen har inga Word-filer (.docx)" in nothing.output


def test_every_run_ends_with_how_many_files(in_archive: Path) -> None:
    form, _ = filled_form(in_archive)
    result = nbesok("import", str(form))
    assert result.exit_code == 0, result.output
    assert result.output.rstrip().endswith("1 av 1 fil importerades.")


def test_a_field_still_flagged_as_placeholder_keeps_what_was_typed(in_archive: Path) -> None:
    """Some tools fill a control without clearing w:showingPlcHdr."""
    form, expected = filled_form(in_archive)
    document = docx.Document(str(form))
    for sdt in controls(document).values():
        properties = sdt.find(qn("w:sdtPr"))
        if properties.find(qn("w:showingPlcHdr")) is None:
            properties.append(OxmlElement("w:showingPlcHdr"))
    document.save(str(form))
    result = nbesok("import", str(form))
    assert result.exit_code == 0, result.output
    assert_imported(load(in_archive / "visits" / "2025-09-15-hemtjansten-ryd.yaml"), expected)


# A batch on every core


def test_a_large_batch_on_every_core_imports_as_one_file_after_another(
    tmp_path: Path, repo_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reading and placing run in worker processes; the visit files are still written
    in order, so the outcome is the same as importing the files one by one: the same
    files byte for byte, the same messages, the first of two copies of one visit kept."""
    import nbesok.core.processes
    from nbesok.archive.root import Archive
    from nbesok.commands.import_ import PARALLEL_THRESHOLD, Created, import_files

    pools: list[int] = []
    run_chunks = nbesok.core.processes.run_chunks

    def spy(*args: Any, **kwargs: Any) -> Any:
        pools.append(kwargs["workers"])
        return run_chunks(*args, **kwargs)

    monkeypatch.setattr(nbesok.core.processes, "run_chunks", spy)

    source = copy_archive(repo_root, tmp_path / "källa")
    visit = load(source / "visits" / "2018-10-17-idrott-och-service.yaml")
    visit.pop("status", None)
    for path in (source / "visits").glob("*.yaml"):
        path.unlink()
    for number in range(PARALLEL_THRESHOLD + 2):
        day = date(2018, 10, 1) + timedelta(days=number)
        visit["besöksdatum"] = day.isoformat()
        text = yaml.safe_dump(visit, allow_unicode=True, sort_keys=False)
        (source / "visits" / f"{day}-idrott-och-service.yaml").write_text(text, "utf-8")
    with chdir(source):
        folder = render(source, "visits/")
    first = sorted(folder.glob("*.docx"))[0]
    shutil.copy(first, folder / f"{first.stem}-kopia.docx")  # the same visit again
    (folder / "trasig.docx").write_bytes(b"ingen docx")
    files = sorted(folder.glob("*.docx"))

    outcomes: dict[int, list[tuple[str, list[str]]]] = {}
    written: dict[int, dict[str, bytes]] = {}
    for workers in (1, 2):
        root = copy_archive(repo_root, tmp_path / f"arkiv-{workers}")
        for path in (root / "visits").glob("*.yaml"):
            path.unlink()
        found = import_files(Archive(root), files, workers=workers)
        outcomes[workers] = [
            (
                (outcome.path if isinstance(outcome, Created) else outcome.source).name,
                [
                    found.format().replace(f"{root}/", "")
                    for found in (
                        outcome.warnings if isinstance(outcome, Created) else outcome.findings
                    )
                ],
            )
            for outcome in found
        ]
        written[workers] = {p.name: p.read_bytes() for p in (root / "visits").glob("*.yaml")}

    assert pools == [2], "the batch of workers=2 ran in the pool, the other did not"
    assert outcomes[2] == outcomes[1]
    assert written[2] == written[1]
    assert len(written[1]) == PARALLEL_THRESHOLD + 2
    # "x-kopia.docx" sorts before "x.docx": the copy is imported, the original is not.
    failed = {name: messages for name, messages in outcomes[1] if name.endswith(".docx")}
    assert sorted(failed) == [first.name, "trasig.docx"]
    assert any("finns redan och skrivs inte över" in m for m in failed[first.name])
    assert any("trasig.docx" in m for m in failed["trasig.docx"])
