"""``nbesok report``: the tjänsteskrivelse of a visit and the compilation of a season.

Golden Markdown lives in ``tests/golden/`` (regenerate with ``NBESOK_UPDATE_GOLDEN=1``,
see test_render.py). The season tests add visits of their own, so that a season holds
several verksamheter, and recompute every figure from the YAML to compare with the
document. Traffic-light colours are read from the reference .docx, never typed here.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import docx
import pypandoc
import pytest
import yaml
from click.testing import CliRunner, Result
from conftest import Rendered, write_tree
from docx.document import Document
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from readers import assert_same_in_every_reader
from support import adopt_visits, check_golden, copy_archive, invoke

from nbesok.archive.loading import load_visit
from nbesok.archive.models import Status, Visit
from nbesok.cli import cli
from nbesok.core.paths import package_templates_dir

REFERENCE = package_templates_dir() / "referens.docx"

VISIT_2023 = "2023-06-07-arbetslik-aktivitet"
REPORT_2023 = f"{VISIT_2023}-uppfoljning"
PROTOCOL_2018 = "arbetsmarknad-och-integration-2018-19"
SEASON = "sammanstallning-2018-19"
PER = "2019-06-30"
SECTIONS = ["Förslag till beslut", "Ärende", "Uppföljning", "Beslutsunderlag"]
STATUS_STYLES = {
    "klar": "Status klar",
    "påbörjad": "Status påbörjad",
    "ej påbörjad": "Status ej påbörjad",
}
UNANSWERED = "Frågan besvarades inte."

# Three more visits of 2018/19: a second verksamhet with items of every status (one
# without a date) and unanswered questions, a third verksamhet without items, and a
# second visit to Idrott- och service, so that visits and verksamheter differ in number.
EXTRA_VISITS = {
    "visits/2019-02-12-jobb-och-kunskapstorget.yaml": """\
        protokoll: arbetsmarknad-och-integration-2018-19
        verksamhet: Jobb- och kunskapstorget
        besöksdatum: 2019-02-12
        diarienummer: BIN 2019-17
        ledamöter:
          - Roger Bandick (S)
          - Madelaine Erlandsson (M)
          - Anna Lund (V)
          - Per Holm (SD)
        tjänstepersoner:
          - Anja Lindahl
        svar:
          individens-behov: |
            Varje deltagare kartläggs vid inskrivningen och får en *egen* coach.

            # Kartläggning

            Kartläggningen görs tillsammans med Arbetsförmedlingen.
          handlingsplaner: |
            Handlingsplanen följs upp varje månad.
          samarbete-kommunen: ""
          samarbete-myndigheter: |
            Samarbetet med Arbetsförmedlingen sker i ett gemensamt team.
        sammanfattning: |
          Jobb- och kunskapstorget arbetar med kartläggning och coachning.
        uppföljning:
          - punkt: Ta fram en gemensam rutin för överlämning till Idrott- och service
            ansvarig: Bildningsnämnden
            senast: 2019-05-31
            status: påbörjad
          - punkt: Redovisa hur många deltagare som gått vidare till arbete
            ansvarig: Jobb- och kunskapstorget
            senast: 2019-12-31
            status: ej påbörjad
          - punkt: Utvärdera kartläggningsmetoden
            ansvarig: Jobb- och kunskapstorget
            senast: 2019-04-30
            status: klar
          - punkt: Bjuda in Arbetsförmedlingen till nämnden
            ansvarig: Bildningsnämnden
        """,
    "visits/2019-04-03-arbetsmarknadssatsningen.yaml": """\
        protokoll: arbetsmarknad-och-integration-2018-19
        verksamhet: Arbetsmarknadssatsningen
        besöksdatum: 2019-04-03
        ledamöter:
          - Christoffer Rosendahl (C)
          - Madelaine Erlandsson (M)
          - Anna Lund (V)
          - Per Holm (SD)
        tjänstepersoner:
          - Christina Björkman
        svar:
          individens-behov: Deltagarna får stöd av en handledare på arbetsplatsen.
          handlingsplaner: Handlingsplanen skrivs av deltagaren och handledaren tillsammans.
          samarbete-kommunen: Satsningen samarbetar med Jobb- och kunskapstorget.
          samarbete-myndigheter: Försäkringskassan deltar vid behov.
          samarbete-naringslivet: Ett tiotal företag tar emot deltagare.
        """,
    "visits/2019-05-20-idrott-och-service.yaml": """\
        protokoll: arbetsmarknad-och-integration-2018-19
        verksamhet: Idrott- och service
        besöksdatum: 2019-05-20
        ledamöter:
          - Roger Bandick (S)
          - Christoffer Rosendahl (C)
          - Anna Lund (V)
          - Per Holm (SD)
        tjänstepersoner:
          - Anja Lindahl
        svar:
          individens-behov: Utvecklingstrappan används nu i alla enheter.
        uppföljning:
          - punkt: Redovisa utfallet av utvecklingstrappan
            ansvarig: Idrott- och service
            senast: 2019-06-01
            status: ej påbörjad
          - punkt: Se över arbetsledarnas utbildning i MI
            ansvarig: Idrott- och service
            senast: 2019-09-30
            status: påbörjad
        """,
}

Block = tuple[str, str]


@dataclass(frozen=True)
class Season:
    """An archive copy with the extra visits and its compilation for 2018/19."""

    archive: Path
    out: Path

    @property
    def markdown(self) -> Path:
        return self.out / f"{SEASON}.md"

    @property
    def docx(self) -> Path:
        return self.out / f"{SEASON}.docx"


# Helpers


def report_ok(runner: CliRunner, *args: str) -> Result:
    result = invoke(runner, "report", *args)
    assert result.exit_code == 0, result.output
    return result


def open_docx(path: Path) -> Document:
    return docx.Document(str(path))


def blocks(path: Path) -> list[Block]:
    """The body as (paragraph style, text); a table is ("[tabell]", "")."""
    document = open_docx(path)
    found: list[Block] = []
    for element in document.element.body.iterchildren():
        if element.tag == qn("w:p"):
            paragraph = Paragraph(element, document)
            found.append((paragraph.style.name if paragraph.style else "", paragraph.text))
        elif element.tag == qn("w:tbl"):
            found.append(("[tabell]", ""))
    return found


def section(found: list[Block], heading: str, level: int = 1) -> list[Block]:
    """The blocks under a heading, up to the next heading of the same or a higher level."""
    start = found.index((f"Heading {level}", heading))
    end = len(found)
    for index in range(start + 1, len(found)):
        style = found[index][0]
        if style.startswith("Heading ") and int(style.split()[1]) <= level:
            end = index
            break
    return found[start + 1 : end]


def headings(found: list[Block], level: int) -> list[str]:
    return [text for style, text in found if style == f"Heading {level}"]


def tables(path: Path) -> list[list[list[str]]]:
    """Every table's rows of cell texts; a stacked table (too wide for its words, written
    as labels and values) read back as the header row and a row per record."""
    found = []
    for table in open_docx(path).tables:
        rows = [[c.text for c in row.cells] for row in table.rows]
        if table.style is not None and table.style.name == "Staplad tabell":
            rows = unstacked(rows)
        found.append(rows)
    return found


def unstacked(pairs: list[list[str]]) -> list[list[str]]:
    """Label/value rows back to a header and records: a record starts at the first label."""
    first = pairs[0][0]
    labels: list[str] = []
    records: list[list[str]] = []
    for label, value in pairs:
        if label == first:
            records.append([])
        if len(records) == 1:
            labels.append(label)
        records[-1].append(value)
    return [labels, *records]


def list_formats(path: Path) -> list[tuple[str, str]]:
    """(number format, text) of every numbered paragraph, e.g. ("decimal", "Informationen …")."""
    document = open_docx(path)
    numbering = document.part.numbering_part.element
    abstract_of = {
        num.get(qn("w:numId")): num.find(qn("w:abstractNumId")).get(qn("w:val"))
        for num in numbering.iter(qn("w:num"))
    }
    formats: dict[tuple[str, str], str] = {}
    for abstract in numbering.iter(qn("w:abstractNum")):
        for level in abstract.iter(qn("w:lvl")):
            fmt = level.find(qn("w:numFmt"))
            key = (abstract.get(qn("w:abstractNumId")), level.get(qn("w:ilvl")))
            formats[key] = "" if fmt is None else str(fmt.get(qn("w:val")))
    found: list[tuple[str, str]] = []
    for paragraph in document.paragraphs:
        properties = paragraph._p.pPr
        numbered = None if properties is None else properties.find(qn("w:numPr"))
        if numbered is None:
            continue
        num_id = numbered.find(qn("w:numId")).get(qn("w:val"))
        level = numbered.find(qn("w:ilvl")).get(qn("w:val"))
        found.append((formats[(abstract_of[num_id], level)], paragraph.text))
    return found


def reference_shading() -> dict[str, str]:
    """The fill colour of each status character style, read from the reference .docx."""
    styles = open_docx(REFERENCE).styles
    fills: dict[str, str] = {}
    for status, name in STATUS_STYLES.items():
        style = styles[name]
        shading = style.element.find(f"{qn('w:rPr')}/{qn('w:shd')}")
        assert shading is not None, f"{name} har ingen skuggning i referens.docx"
        fills[status] = str(shading.get(qn("w:fill")))
    return fills


def status_cells(path: Path) -> list[tuple[str, str | None]]:
    """(text, shading fill) of the last cell of every body row of every table with a
    Status column."""
    found: list[tuple[str, str | None]] = []
    for table in open_docx(path).tables:
        if table.style is not None and table.style.name == "Staplad tabell":
            cells = [row.cells[1] for row in table.rows if row.cells[0].text == "Status"]
        elif table.rows[0].cells[-1].text == "Status":
            cells = [row.cells[-1] for row in table.rows[1:]]
        else:
            continue
        for cell in cells:
            properties = cell._tc.tcPr
            shading = None if properties is None else properties.find(qn("w:shd"))
            found.append((cell.text, None if shading is None else shading.get(qn("w:fill"))))
    return found


def read_yaml(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def paragraphs_of(markdown: str | None) -> list[str]:
    if not markdown:
        return []
    parts = re.split(r"\n\s*\n", markdown.strip())
    return [" ".join(part.split()).replace("*", "") for part in parts if part.strip()]


def pandoc_blocks(path: Path) -> list[dict[str, Any]]:
    ast = json.loads(pypandoc.convert_file(str(path), "json", format="docx"))
    result: list[dict[str, Any]] = ast["blocks"]
    return result


def stringify(node: Any) -> str:
    if isinstance(node, list):
        return "".join(stringify(child) for child in node)
    if isinstance(node, dict):
        kind = node.get("t")
        if kind == "Str":
            return str(node["c"])
        if kind in ("Space", "SoftBreak", "LineBreak"):
            return " "
        return stringify(node.get("c", []))
    return ""


def season_visits(archive: Path, period: str) -> list[Visit]:
    """The visits of a period, loaded from the YAML, in date order."""
    ids = {
        path.stem
        for path in (archive / "protocols").glob("*.yaml")
        if str(read_yaml(path)["period"]) == period
    }
    visits = [load_visit(path).model for path in sorted((archive / "visits").glob("*.yaml"))]
    return sorted((v for v in visits if v.protocol in ids), key=lambda v: v.date)


def overdue(visits: list[Visit], per: date) -> int:
    return sum(
        1
        for visit in visits
        for item in visit.follow_up
        if item.due is not None and item.due < per and item.status is not Status.DONE
    )


def uppföljning_table(path: Path) -> list[list[str]]:
    (table,) = [t for t in tables(path) if t[0][-1] == "Status"]
    return table


# Fixtures


@pytest.fixture(scope="module")
def season(tmp_path_factory: pytest.TempPathFactory, repo_root: Path) -> Season:
    """The example archive plus EXTRA_VISITS, compiled once for 2018/19 per 2019-06-30."""
    import contextlib

    root = copy_archive(repo_root, tmp_path_factory.mktemp("säsong") / "arkiv")
    write_tree(root, EXTRA_VISITS)
    adopt_visits(root)
    with contextlib.chdir(root):
        result = CliRunner().invoke(
            cli, ["report", "--period", "2018/19", "--per", PER], prog_name="nbesok"
        )
    assert result.exit_code == 0, result.output
    return Season(root, root / "out")


@pytest.fixture
def season_archive(in_archive: Path) -> Path:
    write_tree(in_archive, EXTRA_VISITS)
    adopt_visits(in_archive)
    return in_archive


# Golden Markdown


def test_the_visit_report_equals_the_golden_file(rendered: Rendered) -> None:
    check_golden(rendered.out / f"{REPORT_2023}.md", f"{REPORT_2023}.md")


def test_the_season_compilation_equals_the_golden_file(season: Season) -> None:
    check_golden(season.markdown, f"{SEASON}.md")


# The tjänsteskrivelse of one visit


def test_a_visit_report_is_written_next_to_the_visit_s_documents(
    in_archive: Path, runner: CliRunner
) -> None:
    result = report_ok(runner, f"visits/{VISIT_2023}.yaml", "--per", "2024-01-15")

    assert result.stdout.splitlines() == [
        f"Skrev out/{REPORT_2023}.md",
        f"Skrev out/{REPORT_2023}.docx",
    ]
    path = in_archive / "out" / f"{REPORT_2023}.docx"
    title = "Redovisning av nämndbesök hos Arbetslik aktivitet 2023-06-07"
    assert blocks(path)[0] == ("Title", title)
    core = open_docx(path).core_properties
    assert core.title == title
    assert core.language == "sv-SE"
    assert core.created.date() == date(2024, 1, 15)  # dated --per when --datum is not given
    assert (
        (in_archive / "out" / f"{REPORT_2023}.md")
        .read_text("utf-8")
        .startswith(f'---\ntitle: "{title}"\n')
    )


def test_a_visit_report_has_the_sections_of_a_tjänsteskrivelse(rendered: Rendered) -> None:
    found = blocks(rendered.out / f"{REPORT_2023}.docx")

    assert headings(found, 1) == SECTIONS
    assert section(found, "Förslag till beslut") == [("List Paragraph", "Informationen noteras.")]
    assert list_formats(rendered.out / f"{REPORT_2023}.docx")[0] == (
        "decimal",
        "Informationen noteras.",
    )
    underlag = (
        "Protokoll från nämndbesöket hos Arbetslik aktivitet 2023-06-07, fastställt 2023-06-16 "
        f"({VISIT_2023}.docx)"
    )
    assert section(found, "Beslutsunderlag") == [("Beslutsunderlag", underlag)]
    assert ("bullet", underlag) in list_formats(rendered.out / f"{REPORT_2023}.docx")


def test_the_answers_for_the_committee_are_the_case(rendered: Rendered) -> None:
    archive = rendered.archive
    protocol = read_yaml(archive / "protocols" / "arbetslik-aktivitet-2023.yaml")
    visit = read_yaml(archive / "visits" / f"{VISIT_2023}.yaml")
    for_committee = [
        question
        for part in protocol["avsnitt"]
        for question in part["frågor"]
        if question.get("till_nämnden")
    ]
    expected: list[Block] = [
        (
            "Body Text",
            "Den 7 juni 2023 besökte Isa Fredriksson, Elin Johansson, Jennie Löfgren och "
            "Birgitta Lantto Arbetslik aktivitet. Från förvaltningen deltog Robert Obing, "
            "Petra Myrinder, Hazhar Maroufi, Henrik Johansson, Sandy Oueis och Kaisa Halldan. "
            "Besöket dokumenterades enligt ”Dokumentationsmall nämndbesök; Arbetslik aktivitet”.",
        ),
        *[("Body Text", text) for text in paragraphs_of(visit["sammanfattning"])],
    ]
    for question in for_committee:
        expected.append(("Heading 2", question["fråga"]))
        expected += [("Body Text", text) for text in paragraphs_of(visit["svar"][question["id"]])]

    assert len(for_committee) == 2
    assert section(blocks(rendered.out / f"{REPORT_2023}.docx"), "Ärende") == expected


def test_the_follow_up_table_lists_the_visit_s_items(rendered: Rendered) -> None:
    visit = read_yaml(rendered.archive / "visits" / f"{VISIT_2023}.yaml")
    path = rendered.out / f"{REPORT_2023}.docx"

    # One visit: its verksamhet is in the title, not repeated on every row.
    assert uppföljning_table(path) == [
        ["Punkt", "Ansvarig", "Senast", "Status"],
        *[
            [
                item["punkt"],
                item["ansvarig"],
                str(item["senast"]),
                item["status"] + (" (försenad)" if item["senast"] < date(2024, 1, 15) else ""),
            ]
            for item in visit["uppföljning"]
        ],
    ]
    assert "[tabell]" in [style for style, _ in section(blocks(path), "Uppföljning")]


def test_per_marks_overdue_items_in_a_visit_report(in_archive: Path, runner: CliRunner) -> None:
    visit = read_yaml(in_archive / "visits" / f"{VISIT_2023}.yaml")
    due = sorted({item["senast"] for item in visit["uppföljning"]})
    assert len(due) == 2  # 2023-12-31 and 2024-03-31

    for per, late in [(due[0], 0), (due[0] + timedelta(days=1), 2), (due[1] + timedelta(1), 3)]:
        out = f"ut-{per.isoformat()}"
        report_ok(runner, f"visits/{VISIT_2023}.yaml", "--per", per.isoformat(), "--out", out)
        table = uppföljning_table(in_archive / out / f"{REPORT_2023}.docx")
        assert sum(row[-1].endswith(" (försenad)") for row in table[1:]) == late, per


@pytest.mark.parametrize("name", [REPORT_2023, "sammanstallning-2018-19"])
def test_every_status_cell_is_text_shaded_like_its_status_style(
    rendered: Rendered, name: str
) -> None:
    fills = reference_shading()
    cells = status_cells(rendered.out / f"{name}.docx")

    assert len(set(fills.values())) == 3, fills
    assert cells
    for text, fill in cells:
        status = text.removesuffix(" (försenad)")
        assert status in fills, text
        assert fill == fills[status], (text, fill)


def test_the_season_s_status_cells_are_shaded_like_their_status_style(season: Season) -> None:
    fills = reference_shading()
    cells = status_cells(season.docx)

    assert len(cells) == 9
    assert {text for text, _ in cells} == {
        "ej påbörjad",
        "ej påbörjad (försenad)",
        "påbörjad",
        "påbörjad (försenad)",
        "klar",
    }
    for text, fill in cells:
        assert fill == fills[text.removesuffix(" (försenad)")], (text, fill)


def test_the_archive_s_proposals_replace_the_default(in_archive: Path, runner: CliRunner) -> None:
    settings = in_archive / "nbesok.yaml"
    settings.write_text(
        settings.read_text("utf-8").replace(
            "  - Informationen noteras.\n",
            "  - Informationen noteras.\n  - Nämnden ger förvaltningen i uppdrag att följa upp.\n",
        ),
        encoding="utf-8",
    )

    report_ok(runner, f"visits/{VISIT_2023}.yaml")

    path = in_archive / "out" / f"{REPORT_2023}.docx"
    assert [text for fmt, text in list_formats(path) if fmt == "decimal"] == [
        "Informationen noteras.",
        "Nämnden ger förvaltningen i uppdrag att följa upp.",
    ]
    markdown = (in_archive / "out" / f"{REPORT_2023}.md").read_text("utf-8")
    assert (
        "1.  Informationen noteras.\n2.  Nämnden ger förvaltningen i uppdrag att följa upp.\n"
        in markdown
    )


def test_förslag_replaces_the_proposals_for_one_report(in_archive: Path, runner: CliRunner) -> None:
    report_ok(
        runner,
        f"visits/{VISIT_2023}.yaml",
        "--förslag",
        "Nämnden lägger informationen till handlingarna.",
        "--förslag",
        "Ärendet återkommer i december.",
    )

    path = in_archive / "out" / f"{REPORT_2023}.docx"
    found = blocks(path)
    assert section(found, "Förslag till beslut") == [
        ("List Paragraph", "Nämnden lägger informationen till handlingarna."),
        ("List Paragraph", "Ärendet återkommer i december."),
    ]
    assert [fmt for fmt, text in list_formats(path)][:2] == ["decimal", "decimal"]
    assert "Informationen noteras." not in [text for _, text in found]
    ordered = [b for b in pandoc_blocks(path) if b["t"] == "OrderedList"]
    assert len(ordered) == 1
    assert ordered[0]["c"][0][0] == 1
    assert [stringify(item) for item in ordered[0]["c"][1]] == [
        "Nämnden lägger informationen till handlingarna.",
        "Ärendet återkommer i december.",
    ]


def test_a_diarienummer_is_shown_when_the_visit_has_one(
    in_archive: Path, runner: CliRunner, rendered: Rendered
) -> None:
    visit = in_archive / "visits" / f"{VISIT_2023}.yaml"
    visit.write_text(
        visit.read_text("utf-8").replace(
            "besöksdatum: 2023-06-07\n", "besöksdatum: 2023-06-07\ndiarienummer: AMN 2023-123\n"
        ),
        encoding="utf-8",
    )

    report_ok(runner, f"visits/{VISIT_2023}.yaml")

    path = in_archive / "out" / f"{REPORT_2023}.docx"
    head = tables(path)[0]
    assert ["Diarienummer", "AMN 2023-123"] in head
    assert open_docx(path).core_properties.subject == "Dnr AMN 2023-123"
    text = "\n".join(t for _, t in blocks(path)) + str(tables(path))
    assert text.count("AMN 2023-123") == 1, "diarienumret ska stå en gång"
    without = tables(rendered.out / f"{REPORT_2023}.docx")[0]
    assert "Diarienummer" not in [label for label, *_ in without]


# The compilation of a season


def test_a_season_has_the_sections_of_a_tjänsteskrivelse_in_order(season: Season) -> None:
    found = blocks(season.docx)

    assert headings(found, 1) == SECTIONS
    assert [h for h in headings(section(found, "Ärende"), 2)] == [
        "Genomförda besök",
        "Sammanfattningar",
        "Svar per fråga",
    ]
    assert list_formats(season.docx)[0] == ("decimal", "Informationen noteras.")
    underlag: list[Block] = []
    for path in sorted((season.archive / "visits").glob("*.yaml")):
        visit = load_visit(path).model
        if visit.protocol == PROTOCOL_2018:
            assert visit.review is not None and visit.review.adoption is not None
            adopted = visit.review.adoption.date
            name = f"{visit.operation} {visit.date}, fastställt {adopted} ({path.stem}.docx)"
            underlag.append(("Beslutsunderlag", f"Protokoll från nämndbesöket hos {name}"))
    assert len(underlag) == 4
    assert section(found, "Beslutsunderlag") == underlag


def test_the_season_reads_the_same_in_every_markdown_reader(season: Season) -> None:
    found = assert_same_in_every_reader(season.markdown)

    assert ("h5", "", "quote0", "Kartläggning") in found  # an answer's own heading, demoted


def test_the_season_s_figures_are_counted_from_the_yaml(season: Season) -> None:
    visits = season_visits(season.archive, "2018/19")
    items = [item for visit in visits for item in visit.follow_up]
    statuses = Counter(item.status.value for item in items)
    late = overdue(visits, date.fromisoformat(PER))
    text = "\n".join(text for _, text in blocks(season.docx))

    assert len(visits) == 4  # the real visit and three of this test's
    assert len({v.operation for v in visits}) == 3
    assert statuses == {"ej påbörjad": 4, "påbörjad": 3, "klar": 2}
    case = re.search(
        r"Under 2018/19 genomfördes (\d+) nämndbesök hos (\d+) verksamhet(?:er)?\. "
        r"Vid besöken noterades (\d+) punkt(?:er)? att följa upp: (\d+) ej påbörjade?, "
        r"(\d+) påbörjade? och (\d+) klara?\.",
        text,
    )
    assert case is not None, text
    assert [int(n) for n in case.groups()] == [
        len(visits),
        len({v.operation for v in visits}),
        len(items),
        statuses["ej påbörjad"],
        statuses["påbörjad"],
        statuses["klar"],
    ]
    status_line = re.search(rf"Status per {PER}: (\d+) punkt(?:er)? har passerat", text)
    assert status_line is not None
    assert int(status_line.group(1)) == late
    table = uppföljning_table(season.docx)
    assert len(table) - 1 == len(items)
    assert sum(row[-1].endswith(" (försenad)") for row in table[1:]) == late


def test_the_season_table_lists_every_visit_in_date_order(season: Season) -> None:
    visits = season_visits(season.archive, "2018/19")
    (table,) = [t for t in tables(season.docx) if t[0][0] == "Datum"]

    assert table[0] == ["Datum", "Verksamhet", "Diarienummer", "Ledamöter", "Tjänstepersoner"]
    assert [row[:3] for row in table[1:]] == [
        [v.date.isoformat(), v.operation, v.case_number or "–"] for v in visits
    ]
    assert "BIN 2019-17" in [row[2] for row in table]  # each visit's own diarienummer
    assert (
        table[1][3] == "Roger Bandick (S), Madelaine Erlandsson (M) och Christoffer Rosendahl (C)"
    )
    assert "Arbetslik aktivitet" not in [row[1] for row in table]


def test_the_season_gives_every_answer_per_question_and_verksamhet(season: Season) -> None:
    visits = season_visits(season.archive, "2018/19")
    protocol = read_yaml(season.archive / "protocols" / f"{PROTOCOL_2018}.yaml")
    answers = section(section(blocks(season.docx), "Ärende"), "Svar per fråga", level=2)
    questions = [q for part in protocol["avsnitt"] for q in part["frågor"]]
    visit_headings = [f"{v.operation} {v.date.isoformat()}" for v in visits]

    assert headings(answers, 3) == [q["fråga"] for q in questions]
    for question in questions:
        per_visit = section(answers, question["fråga"], level=3)
        found = [h for h in headings(per_visit, 4) if h in visit_headings]
        assert found == visit_headings, question["id"]
        for visit, heading in zip(visits, visit_headings, strict=True):
            given = section(per_visit, heading, level=4)
            text = visit.answers.get(question["id"]) or ""
            if text.strip():
                assert given[0] == ("Body Text", paragraphs_of(text)[0])
            else:
                assert given == [("Body Text", UNANSWERED)]


def test_an_answer_s_own_heading_stays_below_its_verksamhet_in_the_season(
    in_archive: Path, runner: CliRunner
) -> None:
    # The real 2023 visit writes "# Interna platser" inside its first answer.
    report_ok(runner, "--protokoll", "arbetslik-aktivitet-2023", "--per", "2023-12-31")

    found = blocks(in_archive / "out" / "sammanstallning-arbetslik-aktivitet-2023.docx")
    level = {text: int(style.split()[1]) for style, text in found if style.startswith("Heading")}
    assert level["Arbetslik aktivitet 2023-06-07"] == 4
    assert level["Interna platser"] > 4, (
        "svarets egen rubrik hamnar på samma nivå som verksamhetens rubrik"
    )


def test_open_items_come_first_and_overdue_ones_are_marked(season: Season) -> None:
    visits = season_visits(season.archive, "2018/19")
    per = date.fromisoformat(PER)
    late = {
        item.item
        for visit in visits
        for item in visit.follow_up
        if item.due is not None and item.due < per and item.status is not Status.DONE
    }
    rows = uppföljning_table(season.docx)[1:]
    statuses = [row[-1].removesuffix(" (försenad)") for row in rows]

    assert sorted(row[1] for row in rows) == sorted(
        item.item for visit in visits for item in visit.follow_up
    )
    assert statuses.index("klar") == len(rows) - statuses.count("klar")
    assert {row[1] for row in rows if row[-1].endswith(" (försenad)")} == late
    assert len(late) == 3
    assert "Status per 2019-06-30:" in season.markdown.read_text("utf-8")
    undated = next(row for row in rows if row[1] == "Bjuda in Arbetsförmedlingen till nämnden")
    assert undated[3] == ""
    assert undated[4] == "ej påbörjad"


def test_protokoll_compiles_the_same_season(season_archive: Path, runner: CliRunner) -> None:
    report_ok(runner, "--protokoll", PROTOCOL_2018, "--per", PER, "--format", "md")
    report_ok(runner, "--period", "2018/19", "--per", PER, "--format", "md")

    out = season_archive / "out"
    assert (out / f"sammanstallning-{PROTOCOL_2018}.md").read_bytes() == (
        out / f"{SEASON}.md"
    ).read_bytes()


def _without_per(markdown: str) -> str:
    """The compilation with everything that --per may change taken out."""
    markdown = re.sub(r"^Status per .*$", "Status per PER", markdown, flags=re.MULTILINE)
    return markdown.replace(" (försenad)", "")


def test_per_changes_the_overdue_marking_and_nothing_else(
    season_archive: Path, runner: CliRunner
) -> None:
    day = ("--datum", "2020-02-01")
    report_ok(runner, "--period", "2018/19", "--per", "2019-01-01", *day, "--out", "tidigt")
    report_ok(runner, "--period", "2018/19", "--per", "2020-01-01", *day, "--out", "sent")

    early = (season_archive / "tidigt" / f"{SEASON}.md").read_text("utf-8")
    late = (season_archive / "sent" / f"{SEASON}.md").read_text("utf-8")
    visits = season_visits(season_archive, "2018/19")
    assert early.count("(försenad)") == overdue(visits, date(2019, 1, 1)) == 0
    assert late.count("(försenad)") == overdue(visits, date(2020, 1, 1)) == 6
    assert "Status per 2020-01-01: 6 punkter har passerat" in late
    assert _without_per(early) == _without_per(late)

    def normalised(path: Path) -> list[Block]:
        return [
            (style, text.replace(" (försenad)", ""))
            for style, text in blocks(path)
            if not text.startswith("Status per")
        ]

    early_docx = season_archive / "tidigt" / f"{SEASON}.docx"
    late_docx = season_archive / "sent" / f"{SEASON}.docx"
    assert normalised(early_docx) == normalised(late_docx)
    assert [fill for _, fill in status_cells(early_docx)] == [
        fill for _, fill in status_cells(late_docx)
    ]


# Usage errors


def test_a_report_needs_visits_or_a_season(in_archive: Path, runner: CliRunner) -> None:
    result = invoke(runner, "report")

    assert result.exit_code == 2, result.output
    assert "ange antingen besöksfiler, --protokoll ID eller --period PERIOD" in result.output
    assert not (in_archive / "out").exists()


def test_visits_and_a_season_together_are_a_usage_error(
    in_archive: Path, runner: CliRunner
) -> None:
    result = invoke(runner, "report", f"visits/{VISIT_2023}.yaml", "--period", "2023")

    assert result.exit_code == 2, result.output
    assert "exakt ett av dem" in result.output


def test_an_unknown_period_is_a_usage_error_with_a_suggestion(
    in_archive: Path, runner: CliRunner
) -> None:
    result = invoke(runner, "report", "--period", "HT19")

    assert result.exit_code == 2, result.output
    assert "”HT19” är ingen period" in result.output
    assert "perioderna i protocols/ är 2018/19, 2023" in result.output
    assert "Traceback" not in result.output
    assert not (in_archive / "out").exists()
