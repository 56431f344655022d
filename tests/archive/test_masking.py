"""Masking by OSL: a public copy and an internal copy from one source (issue 24).

The example archive's 2023 visit (the seed's own text) gets a mask of every kind: an
inline passage and a block in its answers, a masked link, a masked header field, a
follow-up item and a masked verksamhet that also names the file. Both copies are
rendered to every format by ``render`` and ``report`` (a tjänsteskrivelse and a season
compilation), and every public file is read with readers that are not nbesok's:
python-docx's package (every XML part and every relationship), pdftotext and pikepdf
(the text, every string object and the metadata), and markdown-it (the .md).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from docx import Document
from docx.opc.package import OpcPackage
from lxml import etree
from markdown_it import MarkdownIt
from support import adopt_visits, invoke, missing_tool

from nbesok.archive.lifecycle import content_hash
from nbesok.archive.loading import load_visit
from nbesok.archive.root import Archive
from nbesok.core.paths import package_templates_dir

VISIT = "visits/2023-06-07-arbetslik-aktivitet.yaml"
MASKED_VISIT = "visits/2023-06-07-gruppboendet-solrosen.yaml"
NEUTRAL = "2023-06-07-besok"

# (the seed's text, the same text masked): every kind of mask the source can hold.
EDITS = (
    # A masked verksamhet (the file below is named after it, as nbesok new would).
    (
        "verksamhet: Arbetslik aktivitet",
        'verksamhet: "[Gruppboendet Solrosen]{maskera=\\"26 kap. 1 § OSL\\"}"',
    ),
    # A header field: one of the tjänstepersoner, a protected employee.
    ("  - Sandy Oueis\n", '  - "[Sandy Oueis]{maskera=\\"39 kap. 3 § OSL\\"}"\n'),
    # Inline, in a list inside an answer.
    (
        "Produktion - utgår från Dvärggatan",
        'Produktion - utgår från [Dvärggatan]{maskera="21 kap. 3 § OSL"}',
    ),
    # A private person's data without an OSL ground.
    (
        "odligen i Vreta Kloster och",
        'odligen i [Vreta Kloster]{maskera="personuppgift"} och',
    ),
    # A block: a whole paragraph of an answer.
    (
        "    Integrations- och arbetsmarknadsförvaltningen samordnar även kommunens feriearbete",
        '    ::: {maskera="26 kap. 1 § OSL"}\n'
        "    Integrations- och arbetsmarknadsförvaltningen samordnar även kommunens feriearbete",
    ),
    (
        "behöver engagera sig i för att det ska bli hållbart på verksamhetsnivå.\n",
        "behöver engagera sig i för att det ska bli hållbart på verksamhetsnivå.\n",
    ),
    (
        "att de också måste gå på lovskola.\n",
        "att de också måste gå på lovskola.\n    :::\n",
    ),
    # A masked link: its address must go with it.
    (
        "    Genom att kategorisera platserna",
        "    Se [[Solrosens sida](https://solrosen.example.se/boende)]"
        '{maskera="26 kap. 1 § OSL"}.\n\n    Genom att kategorisera platserna',
    ),
    # A follow-up item.
    (
        "uppföljning:\n",
        "uppföljning:\n"
        '  - punkt: "Ge [Lisa Nyberg]{maskera=\\"personuppgift\\"} besked om praktikplatsen"\n'
        "    ansvarig: Arbetsmarknadsnämnden\n"
        "    senast: 2023-09-30\n"
        "    status: påbörjad\n",
    ),
)

# What no public file may contain, in any part: the masked words and the link's address.
SECRETS = (
    "Gruppboendet",
    "Solrosen",
    "Sandy Oueis",
    "Oueis",
    "Dvärggatan",
    "Vreta Kloster",
    "feriearbete",
    "Bildningsnämnden",
    "lovskola",
    "solrosen.example.se",
    "Lisa Nyberg",
    "Nyberg",
)
PLACEHOLDERS = (
    "[Uppgift borttagen enligt 26 kap. 1 § OSL]",
    "[Uppgift borttagen enligt 39 kap. 3 § OSL]",
    "[Uppgift borttagen enligt 21 kap. 3 § OSL]",
    "[Personuppgift borttagen]",
)


def mask_visit(root: Path) -> Path:
    """The example's 2023 visit with every kind of mask, renamed after its verksamhet,
    approved and fastställd anew (its content changed)."""
    source = root / VISIT
    text = source.read_text("utf-8")
    for before, after in EDITS:
        assert before in text, before
        text = text.replace(before, after, 1)
    text = text[: text.index("# Exempel: godkännandena")]  # the old review no longer holds
    target = root / MASKED_VISIT
    target.write_text(text, "utf-8")
    source.unlink()
    adopt_visits(root)
    return target


@pytest.fixture(scope="module")
def copies(tmp_path_factory: pytest.TempPathFactory, libreoffice: Path) -> dict[str, Path]:
    """Both copies of the masked visit's protocol, tjänsteskrivelse and season
    compilation, in every format: file name → path."""
    import contextlib

    from support import REPO_ROOT, copy_archive

    root = copy_archive(REPO_ROOT, tmp_path_factory.mktemp("maskning") / "arkiv")
    mask_visit(root)
    formats = ("--format", "md,docx,pdf", "--publik")
    with contextlib.chdir(root):
        for command in (
            ("render", MASKED_VISIT, *formats),
            ("report", MASKED_VISIT, "--per", "2024-01-15", *formats),
            ("report", "--period", "2023", "--per", "2024-01-15", *formats),
        ):
            result = invoke(CliRunner(), *command)
            assert result.exit_code == 0, result.output
    return {path.name: path for path in (root / "out").iterdir() if path.is_file()}


PUBLIC_NAMES = (
    f"{NEUTRAL}-publik",
    f"{NEUTRAL}-uppfoljning-publik",
    "sammanstallning-2023-publik",
)
INTERNAL_NAMES = (
    "2023-06-07-gruppboendet-solrosen",
    "2023-06-07-gruppboendet-solrosen-uppfoljning",
    "sammanstallning-2023",
)


# Independent readers --------------------------------------------------------------


def docx_parts(path: Path) -> Iterator[tuple[str, str]]:
    """Every XML part of the package as python-docx opens it, as raw XML and as its
    text nodes joined (Word splits words over runs), and every relationship target."""
    package = OpcPackage.open(str(path))
    for part in package.iter_parts():
        name = str(part.partname)
        blob = part.blob
        if part.content_type.endswith("xml"):
            xml = blob.decode("utf-8")
            yield name, xml
            yield f"{name} (text)", "".join(etree.fromstring(blob).itertext())
        for relationship in part.rels.values():
            yield f"{name} (rels)", relationship.target_ref
    for relationship in package.rels.values():
        yield "/_rels/.rels", relationship.target_ref


def pdf_texts(path: Path) -> Iterator[tuple[str, str]]:
    """pdftotext's text, and every string pikepdf finds in the file (document
    information, XMP, the structure tree's alternative texts, link addresses)."""
    import pikepdf

    if shutil.which("pdftotext") is None:
        missing_tool("pdftotext saknas: installera poppler-utils")
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    ).stdout.decode("utf-8")
    yield "pdftotext", text
    with pikepdf.open(path) as pdf:
        yield "docinfo", " ".join(str(value) for value in pdf.docinfo.values())
        with pdf.open_metadata() as xmp:
            yield "xmp", str(xmp)
        strings: list[str] = []
        for obj in pdf.objects:
            strings.extend(_pdf_strings(obj))
        yield "objekt", "\n".join(strings)


def _pdf_strings(obj: object) -> Iterator[str]:
    """The strings of one object, and of the direct objects inside it."""
    import pikepdf

    stack = [obj]
    while stack:
        item = stack.pop()
        if isinstance(item, pikepdf.String):
            yield str(item)
        elif isinstance(item, pikepdf.Dictionary | pikepdf.Stream | pikepdf.Array):
            values = list(item) if isinstance(item, pikepdf.Array) else list(item.values())
            stack.extend(
                value
                for value in values
                if isinstance(value, pikepdf.Object) and not value.is_indirect
            )


def markdown_texts(path: Path) -> Iterator[tuple[str, str]]:
    text = path.read_text("utf-8")
    yield "md", text
    yield "md (html)", MarkdownIt("commonmark").enable("table").render(text)


def texts_of(path: Path) -> Iterator[tuple[str, str]]:
    yield "filnamn", path.name
    if path.suffix == ".docx":
        yield from docx_parts(path)
    elif path.suffix == ".pdf":
        yield from pdf_texts(path)
    else:
        yield from markdown_texts(path)


def style_name(paragraph: Any) -> str:
    return str(paragraph.style.name) if paragraph.style is not None else ""


def found_in(path: Path, word: str) -> list[str]:
    wanted = " ".join(word.casefold().split())
    return [where for where, text in texts_of(path) if wanted in " ".join(text.casefold().split())]


# The public copy -----------------------------------------------------------------


def test_every_public_file_is_written_with_a_neutral_name(copies: dict[str, Path]) -> None:
    for name in (*PUBLIC_NAMES, *INTERNAL_NAMES):
        for suffix in (".md", ".docx", ".pdf"):
            assert f"{name}{suffix}" in copies, f"{name}{suffix} skrevs inte"


@pytest.mark.parametrize("suffix", [".md", ".docx", ".pdf"])
@pytest.mark.parametrize("name", PUBLIC_NAMES)
def test_no_masked_word_in_any_part_of_a_public_file(
    copies: dict[str, Path], name: str, suffix: str
) -> None:
    path = copies[f"{name}{suffix}"]
    leaks = {word: found_in(path, word) for word in SECRETS}
    assert {word: where for word, where in leaks.items() if where} == {}


@pytest.mark.parametrize("suffix", [".md", ".docx", ".pdf"])
def test_the_internal_copy_keeps_every_masked_word(copies: dict[str, Path], suffix: str) -> None:
    """The same readers find the words in the internal copy: the test above can fail."""
    path = copies[f"{INTERNAL_NAMES[0]}{suffix}"]
    missing = [word for word in SECRETS if not found_in(path, word)]
    if suffix == ".pdf":  # the link address is a link, not text, in the PDF
        missing = [word for word in missing if word != "solrosen.example.se"]
    assert missing == []


def test_each_masked_passage_is_its_placeholder(copies: dict[str, Path]) -> None:
    document = Document(str(copies[f"{PUBLIC_NAMES[0]}.docx"]))
    body = "\n".join(p.text for p in document.paragraphs)
    cells = "\n".join(
        cell.text for table in document.tables for row in table.rows for cell in row.cells
    )
    for placeholder in PLACEHOLDERS:
        assert placeholder in body + cells
    # The block is one paragraph, in the style the reference gives masked passages.
    block = [p for p in document.paragraphs if p.text == PLACEHOLDERS[0]]
    assert block
    style = block[0].runs[0].style
    assert style is not None and style.name == "Maskerad uppgift"
    # The follow-up item's cell, and the tjänsteperson's.
    assert "Ge [Personuppgift borttagen] besked om praktikplatsen" in cells
    assert "[Uppgift borttagen enligt 39 kap. 3 § OSL]" in cells
    notice = [p.text for p in document.paragraphs if style_name(p) == "Sekretessmarkering"]
    assert notice == [
        "Publik kopia. 7 uppgifter har tagits bort: 1 enligt 21 kap. 3 § OSL, 3 enligt "
        "26 kap. 1 § OSL, 1 enligt 39 kap. 3 § OSL och 2 personuppgifter. Hela handlingen "
        "finns hos Arbetsmarknadsnämnden, Linköpings kommun."
    ]


def test_a_masked_verksamhet_leaves_title_keywords_and_file_name(copies: dict[str, Path]) -> None:
    for name in PUBLIC_NAMES:
        core = Document(str(copies[f"{name}.docx"])).core_properties
        assert "Solrosen" not in f"{core.title} {core.subject} {core.keywords}"
        assert core.category == "Publik kopia"
    protocol = Document(str(copies[f"{PUBLIC_NAMES[0]}.docx"])).core_properties
    assert protocol.title == "Nämndbesök 2023-06-07"
    # The internal copy has the neutral title too: titles reach every register.
    internal = Document(str(copies[f"{INTERNAL_NAMES[0]}.docx"])).core_properties
    assert internal.title == "Nämndbesök 2023-06-07"


def test_the_public_pdf_says_the_passages_in_words(copies: dict[str, Path]) -> None:
    text = dict(pdf_texts(copies[f"{PUBLIC_NAMES[0]}.pdf"]))["pdftotext"]
    squashed = " ".join(text.split())
    for placeholder in PLACEHOLDERS:
        assert placeholder in squashed


def test_the_season_compilation_and_tjanesteskrivelse_count_what_they_masked(
    copies: dict[str, Path],
) -> None:
    for name in PUBLIC_NAMES[1:]:
        text = copies[f"{name}.md"].read_text("utf-8")
        assert re.search(r"\*\*Publik kopia\.\*\* \d+ uppgifter? har tagits bort: ", text)
        assert "26 kap. 1 § OSL" in text


# The internal copy's sekretessmarkering --------------------------------------------


def test_the_internal_copy_carries_a_sekretessmarkering(copies: dict[str, Path]) -> None:
    """OSL 5 kap. 5 §: the provision, the date of the marking and the authority, at the
    top of the document and in its properties; and a visible mark on each passage."""
    document = Document(str(copies[f"{INTERNAL_NAMES[0]}.docx"]))
    first = document.paragraphs[2]  # after the title and the subtitle
    assert style_name(first) == "Sekretessmarkering"
    assert first.text.startswith("Sekretessmarkering enligt 5 kap. 5 § OSL.")
    rows = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}
    assert rows["Sekretess enligt"].startswith("21 kap. 3 § OSL (uppgift om var en enskild")
    assert (
        "26 kap. 1 § OSL (uppgift om enskilds personliga förhållanden inom socialtjänsten)"
        in (rows["Sekretess enligt"])
    )
    assert "39 kap. 3 § OSL" in rows["Sekretess enligt"]
    assert rows["Datum för markeringen"] == "2023-06-07"  # the day it was fastställd
    assert rows["Myndighet"] == "Arbetsmarknadsnämnden, Linköpings kommun"
    assert rows["Personuppgifter"] == "2 uppgifter, maskeras utan sekretessgrund"
    core = document.core_properties
    assert core.category == "Sekretessmarkerad"
    assert core.comments == (
        "Sekretessmarkering: sekretess enligt 21 kap. 3 § OSL, 26 kap. 1 § OSL och "
        "39 kap. 3 § OSL; datum 2023-06-07; myndighet Arbetsmarknadsnämnden, Linköpings "
        "kommun; 2 maskerade personuppgifter."
    )
    # Each passage: its text in the masked style, its ground after it in words.
    marked = [
        (run.text, run.style.name)
        for paragraph in document.paragraphs
        for run in paragraph.runs
        if run.style.name in ("Maskerad uppgift", "Maskeringsgrund")
    ]
    assert ("Dvärggatan", "Maskerad uppgift") in marked
    assert ("[21 kap. 3 § OSL]", "Maskeringsgrund") in marked
    assert ("[Maskeras enligt 26 kap. 1 § OSL:]", "Maskeringsgrund") in marked
    assert ("[Slut på maskerad text]", "Maskeringsgrund") in marked


def test_the_internal_pdf_has_the_marking_in_its_text_and_keywords(
    copies: dict[str, Path],
) -> None:
    texts = dict(pdf_texts(copies[f"{INTERNAL_NAMES[0]}.pdf"]))
    assert "Sekretessmarkering enligt 5 kap. 5 § OSL" in " ".join(texts["pdftotext"].split())
    assert "sekretessmarkerad enligt 21 kap. 3 § OSL" in texts["docinfo"].replace("\xa0", " ")


# The guard at publish time ---------------------------------------------------------


def test_a_public_copy_that_would_show_a_masked_word_is_never_written(
    in_archive: Path, runner: CliRunner
) -> None:
    visit = in_archive / VISIT
    text = visit.read_text("utf-8").replace(
        "Produktion - utgår från Dvärggatan",
        'Produktion - utgår från [Dvärggatan]{maskera="21 kap. 3 § OSL"}, nära Dvärggatans torg',
    )
    visit.write_text(text, "utf-8")
    result = invoke(runner, "render", VISIT, "--publik")
    assert result.exit_code == 1
    assert (
        "fel: svar.individens-behov: den publika kopian skrivs inte: ”dvä…” ur den maskerade "
        "uppgiften i svar.individens-behov står i dokumentet"
    ) in result.output
    # Neither copy: the two are made together, and the source needs mending first.
    stem = Path(VISIT).stem
    assert [path.name for path in (in_archive / "out").glob(f"{stem}*")] == []
    # validate says where the word stands unmasked.
    checked = invoke(runner, "validate", VISIT)
    assert "står här omaskerat, så maskeringen döljer det inte" in checked.output


def test_the_guard_reads_every_part_not_only_the_body(in_archive: Path, runner: CliRunner) -> None:
    """A template of the municipality's own that writes the verksamhet into the
    properties unfiltered: the public copy is stopped at its properties."""
    visit = in_archive / VISIT
    visit.write_text(
        visit.read_text("utf-8").replace(
            "verksamhet: Arbetslik aktivitet",
            'verksamhet: "[Gruppboendet Solrosen]{maskera=\\"26 kap. 1 § OSL\\"}"',
        ),
        "utf-8",
    )
    packaged = package_templates_dir() / "protokoll.md.j2"
    template = packaged.read_text("utf-8").replace(
        "author: {{ besök.tjänstepersoner | yaml_lista }}",
        "author: {{ [besök.verksamhet] | tojson }}",
    )
    assert "tojson" in template
    (in_archive / "templates" / "protokoll.md.j2").write_text(template, "utf-8")
    result = invoke(runner, "render", VISIT, "--publik", "--format", "docx")
    assert result.exit_code == 1, result.output
    assert "står i dokumentegenskaperna" in result.output
    assert not (in_archive / "out" / f"{Path(VISIT).stem}-publik.docx").exists()


def test_the_pdf_rule_reads_what_libreoffice_made(copies: dict[str, Path], tmp_path: Path) -> None:
    """The last line: a PDF is read back with pypdf before it is moved into place."""
    from nbesok.archive.masked_words import MaskedWords
    from nbesok.archive.secrecy import Secrecy, Secret
    from nbesok.documents.outlets import pdf_texts as published_texts

    secret = Secret(Path(MASKED_VISIT), 1, 1, "svar.x", "21 kap. 3 § OSL", ("dvärggatan",))
    rule = MaskedWords(Secrecy((secret,)))
    assert rule.findings(published_texts(copies[f"{PUBLIC_NAMES[0]}.pdf"])) == []
    found = rule.findings(published_texts(copies[f"{INTERNAL_NAMES[0]}.pdf"]))
    assert found and all("står på sidan" in f.message for f in found)


# validate ------------------------------------------------------------------------


def test_validate_lists_the_masked_passages_of_a_visit(in_archive: Path, runner: CliRunner) -> None:
    mask_visit(in_archive)
    result = invoke(runner, "validate", MASKED_VISIT)
    assert result.exit_code == 0, result.output
    assert (
        f"{MASKED_VISIT}:1:1: notering: 7 maskerade uppgifter (1 enligt 21 kap. 3 § OSL, "
        "3 enligt 26 kap. 1 § OSL, 1 enligt 39 kap. 3 § OSL, 2 personuppgifter) i verksamhet, "
        "tjänstepersoner[5], uppföljning[1].punkt, svar.individens-behov, "
        "svar.handlingsplaner, svar.samarbete-kommunen; de tas bort i den publika kopian "
        "(--publik)"
    ) in result.output
    assert "Dvärggatan" not in result.output  # the terminal is an outlet too


@pytest.mark.parametrize(
    ("mask", "message"),
    [
        (
            '[Dvärggatan]{maskera="26 kap 1 § OSL"}',
            "fel: svar.individens-behov: okänd grund för maskering ”26 kap 1 § OSL”; menade "
            "du ”26 kap. 1 § OSL”?",
        ),
        (
            '[Dvärggatan]{maskera="OSL 23:2"}',
            "okänd grund för maskering ”OSL 23:2”; menade du ”23 kap. 2 § OSL”?",
        ),
        (
            "[Dvärggatan]{maskera=26 kap. 1 § OSL}",
            "fel: svar.individens-behov: maskeringen går inte att läsa, så texten skulle stå "
            "kvar i den publika kopian",
        ),
        (
            "[Dvärggatan]{maskera='personuppgift'}",
            "maskeringen går inte att läsa",
        ),
        (
            '[se [Dvärggatan]{maskera="personuppgift"}](https://example.se)',
            "maskera en länk hel: [[text](https://…)]{maskera=",
        ),
    ],
)
def test_a_wrong_mask_is_a_located_error(
    in_archive: Path, runner: CliRunner, mask: str, message: str
) -> None:
    visit = in_archive / VISIT
    text = visit.read_text("utf-8").replace("utgår från Dvärggatan", f"utgår från {mask}")
    visit.write_text(text, "utf-8")
    line = next(n for n, row in enumerate(text.split("\n"), 1) if "maskera" in row)
    result = invoke(runner, "validate", VISIT)
    assert result.exit_code == 1
    assert f"{VISIT}:{line}:" in result.output
    assert message in result.output


def test_the_archive_adds_grounds_of_its_own(in_archive: Path, runner: CliRunner) -> None:
    settings = in_archive / "nbesok.yaml"
    settings.write_text(
        settings.read_text("utf-8")
        + 'sekretessgrunder:\n  "24 kap. 8 § OSL": uppgift om enskild i statistikverksamhet\n',
        "utf-8",
    )
    visit = in_archive / VISIT
    visit.write_text(
        visit.read_text("utf-8").replace(
            "utgår från Dvärggatan", 'utgår från [Dvärggatan]{maskera="24 kap. 8 § OSL"}'
        ),
        "utf-8",
    )
    assert "okänd grund" not in invoke(runner, "validate").output
    result = invoke(runner, "render", VISIT, "--format", "md")
    assert result.exit_code == 0, result.output
    internal = (in_archive / "out" / f"{Path(VISIT).stem}.md").read_text("utf-8")
    assert "24 kap. 8 § OSL (uppgift om enskild i statistikverksamhet)" in internal


def test_a_personnummer_is_allowed_in_a_masked_passage_only(
    in_archive: Path, runner: CliRunner
) -> None:
    number = "811228-9874"  # Skatteverket's test number
    visit = in_archive / VISIT
    original = visit.read_text("utf-8")
    visit.write_text(
        original.replace(
            "utgår från Dvärggatan", f'utgår från [Dvärggatan, {number}]{{maskera="personuppgift"}}'
        ),
        "utf-8",
    )
    assert "personnummer" not in invoke(runner, "validate", VISIT).output
    result = invoke(runner, "render", VISIT, "--publik", "--format", "md,docx")
    assert result.exit_code == 0, result.output
    out = in_archive / "out"
    assert number in (out / f"{Path(VISIT).stem}.md").read_text("utf-8")
    assert number not in (out / f"{Path(VISIT).stem}-publik.md").read_text("utf-8")
    # Outside a mask it is still refused.
    visit.write_text(original.replace("utgår från Dvärggatan", f"utgår från {number}"), "utf-8")
    refused = invoke(runner, "render", VISIT, "--publik")
    assert refused.exit_code == 1
    assert "personnummer ”811228-XXXX”" in refused.output


# One source ----------------------------------------------------------------------


def test_the_content_hash_covers_the_masks(archive: Path) -> None:
    """A mask is part of the text it stands in: adding one, or changing its ground,
    changes what the ledamöter approved."""
    path = archive / VISIT
    plain = load_visit(path).model
    path.write_text(
        path.read_text("utf-8").replace(
            "utgår från Dvärggatan", 'utgår från [Dvärggatan]{maskera="21 kap. 3 § OSL"}'
        ),
        "utf-8",
    )
    masked = load_visit(path).model
    path.write_text(path.read_text("utf-8").replace("21 kap. 3 §", "26 kap. 1 §"), "utf-8")
    other_ground = load_visit(path).model
    hashes = {content_hash(plain), content_hash(masked), content_hash(other_ground)}
    assert len(hashes) == 3


def test_publik_in_nbesok_yaml_writes_the_public_copy(in_archive: Path, runner: CliRunner) -> None:
    settings = in_archive / "nbesok.yaml"
    settings.write_text(settings.read_text("utf-8") + "publik: true\n", "utf-8")
    result = invoke(runner, "render", "visits/2018-10-17-idrott-och-service.yaml")
    assert result.exit_code == 0, result.output
    out = in_archive / "out"
    public = out / "2018-10-17-idrott-och-service-publik.docx"
    assert public.is_file()
    # No mask: the same document, but for its properties saying which copy it is.
    assert Document(str(public)).core_properties.category == "Publik kopia"
    internal = (out / "2018-10-17-idrott-och-service.md").read_text("utf-8")
    published = (out / "2018-10-17-idrott-och-service-publik.md").read_text("utf-8")
    assert published.replace('category: "Publik kopia"\n', "") == internal


def test_import_writes_the_masks_back_from_an_internal_copy(
    in_archive: Path, runner: CliRunner
) -> None:
    masked = mask_visit(in_archive)
    assert invoke(runner, "render", MASKED_VISIT, "--publik").exit_code == 0
    source = load_visit(masked).model
    masked.rename(in_archive / "gammal.yaml")
    result = invoke(runner, "import", f"out/{masked.stem}.docx")
    assert result.exit_code == 0, result.output
    imported = load_visit(in_archive / "visits" / f"{NEUTRAL}.yaml").model
    assert imported.operation == source.operation
    assert imported.officials == source.officials
    assert imported.answers == {
        key: (value or "").rstrip() + "\n" for key, value in source.answers.items()
    }
    # Documents list items open first: the order is no content.
    assert sorted(item.item for item in imported.follow_up) == sorted(
        item.item for item in source.follow_up
    )
    # The review comes along, and the masks are the content fastställd.
    assert content_hash(imported) == content_hash(source)
    refused = invoke(runner, "import", f"out/{NEUTRAL}-publik.docx")
    assert refused.exit_code == 1
    assert "dokumentet är en publik kopia" in refused.output


def test_followup_history_and_csv_show_public_text_unless_asked(
    in_archive: Path, runner: CliRunner
) -> None:
    mask_visit(in_archive)
    listed = invoke(runner, "followup", "--per", "2024-01-01").output
    assert "Ge [Personuppgift borttagen] besked om praktikplatsen" in listed
    assert "[Uppgift borttagen enligt 26 kap. 1 § OSL]" in listed
    assert "Nyberg" not in listed and "Solrosen" not in listed
    csv = invoke(runner, "followup", "--format", "csv", "--per", "2024-01-01").output
    assert "Nyberg" not in csv and "[Personuppgift borttagen]" in csv
    shown = invoke(runner, "followup", "--per", "2024-01-01", "--visa-maskerat").output
    assert "Ge Lisa Nyberg besked om praktikplatsen" in shown
    # A filter matches the words of a masked verksamhet, and shows it masked.
    history = invoke(runner, "history", "Gruppboendet Solrosen").output
    assert history.startswith("[Uppgift borttagen enligt 26 kap. 1 § OSL]: 1 besök")
    assert "Oueis" not in history
    shown = invoke(runner, "history", "Gruppboendet Solrosen", "--visa-maskerat").output
    assert "Sandy Oueis" in shown
    status = invoke(runner, "status").output
    assert "Solrosen" not in status.replace("gruppboendet-solrosen.yaml", "")


def test_a_mask_block_stays_inside_the_answer(archive: Path) -> None:
    """The block's closing ::: must not close the template's ::: Svar around it."""
    from nbesok.archive import fragments, markup

    value = '::: {maskera="26 kap. 1 § OSL"}\nHemligt.\n:::\n\nÖppet.'
    document = f"::: Svar\n{fragments.close(value)}\n:::\n\nEfter svaret.\n"
    tokens = markup.parser().parse(document)
    kinds = [token.type for token in tokens]
    assert kinds.index("container_styled_close") > kinds.index("container_masked_close")
    # Never closed: it masks to the end of the answer, and validate says so.
    assert fragments.problems('::: {maskera="personuppgift"}\nHemligt.')[0].message.startswith(
        "den maskerade texten som börjar här avslutas aldrig"
    )


def test_new_names_the_file_of_a_masked_verksamhet_neutrally(
    in_archive: Path, runner: CliRunner
) -> None:
    result = invoke(
        runner,
        "new",
        "--protokoll",
        "arbetslik-aktivitet-2023",
        "--verksamhet",
        '[Gruppboendet Solrosen]{maskera="26 kap. 1 § OSL"}',
        "--datum",
        "2024-02-01",
    )
    assert result.exit_code == 0, result.output
    assert (in_archive / "visits" / "2024-02-01-besok.yaml").is_file()


def test_masks_are_found_in_the_archive_as_written(archive: Path) -> None:
    """The library's view, for issue 26's e-arkiv: the passages of a visit."""
    from nbesok.archive.secrecy import visit_passages

    mask_visit(archive)
    passages = visit_passages(load_visit(archive / MASKED_VISIT).model)
    kinds = {(p.keypath[0], p.found.block, p.found.ground) for p in passages}
    assert ("svar", True, "26 kap. 1 § OSL") in kinds
    assert ("verksamhet", False, "26 kap. 1 § OSL") in kinds
    assert ("uppföljning", False, "personuppgift") in kinds
    assert Archive(archive).settings.public is False


def test_a_public_copy_with_masks_shows_no_content_hash(copies: dict[str, Path]) -> None:
    internal = copies[f"{INTERNAL_NAMES[0]}.md"].read_text("utf-8")
    public = copies[f"{PUBLIC_NAMES[0]}.md"].read_text("utf-8")
    assert re.search(r"sha256:[0-9a-f]{64}", internal)
    assert "sha256:" not in public
    assert "Kontrollsumma för det fastställda innehållet: visas bara i den interna kopian" in public


def readme_blocks(readme: str, kind: str) -> list[str]:
    return re.findall(rf"<!-- maskering: {kind} -->\n```\w+\n(.*?)```", readme, re.DOTALL)


def test_the_readme_before_and_after_is_what_nbesok_writes(
    in_archive: Path, runner: CliRunner, repo_root: Path
) -> None:
    """The README's example of masking, in the registrator's words: its visit text goes
    into the example visit, and its excerpts must be in what render writes."""
    import yaml

    readme = (repo_root / "README.md").read_text("utf-8")
    (before,) = readme_blocks(readme, "före")
    internal, *public = readme_blocks(readme, "intern") + readme_blocks(readme, "publik")
    answer = yaml.safe_load(before)["svar"]["handlingsplaner"]
    visit = in_archive / VISIT
    text = visit.read_text("utf-8")
    start = text.index("  handlingsplaner: |\n")
    end = text.index("  samarbete-kommunen: |")
    indented = "".join(f"    {line}" if line.strip() else "\n" for line in answer.splitlines(True))
    visit.write_text(text[:start] + "  handlingsplaner: |\n" + indented + text[end:], "utf-8")
    result = invoke(runner, "render", VISIT, "--publik", "--format", "md")
    assert result.exit_code == 0, result.output
    out = in_archive / "out"
    assert internal in (out / "2023-06-07-arbetslik-aktivitet.md").read_text("utf-8")
    written = (out / "2023-06-07-arbetslik-aktivitet-publik.md").read_text("utf-8")
    assert len(public) == 2
    for excerpt in public:
        assert excerpt in written


def test_publish_visit_gives_both_copies(in_archive: Path) -> None:
    """The library call an e-arkiv package makes for each visit (issue 26)."""
    from datetime import date

    from nbesok.commands.render import publish_visit

    masked = mask_visit(in_archive)
    copies = publish_visit(
        Archive(in_archive), masked, in_archive / "paket", today=date(2024, 1, 15), formats=["md"]
    )
    assert [path.name for path in copies.internal] == [f"{masked.stem}.md"]
    assert [path.name for path in copies.public] == [f"{NEUTRAL}-publik.md"]
    assert "Dvärggatan" not in copies.public[0].read_text("utf-8")


@pytest.mark.parametrize("strict", [False, True], ids=["permissive", "strict"])
@pytest.mark.parametrize("name", [*INTERNAL_NAMES, *PUBLIC_NAMES])
def test_both_copies_pass_openxml_audit(copies: dict[str, Path], name: str, strict: bool) -> None:
    from openxml_audit import OpenXmlValidator

    result = OpenXmlValidator(strict=strict).validate(copies[f"{name}.docx"])
    assert (result.error_count, result.warning_count) == (0, 0), [
        error.description for error in result.errors
    ]


@pytest.mark.parametrize("name", [*INTERNAL_NAMES, *PUBLIC_NAMES])
def test_both_copies_pass_the_accessibility_review(copies: dict[str, Path], name: str) -> None:
    from nbesok.documents.docx.review import review_file

    assert [found.format() for found in review_file(copies[f"{name}.docx"])] == []
