"""PDF/A through LibreOffice: finding the program, one batch run, and what the PDF holds.

The real-conversion tests need LibreOffice and poppler-utils, which a user installs by
hand (README). Where they are missing the tests are skipped with a message saying how
to install them, so the README's test command works on a machine with only Python;
in CI (``CI`` or ``NBESOK_REQUIRE_PDF_TOOLS`` set, as ``.ci/run`` does) they fail
instead, so a runner that lacks the tools cannot pass by accident. The
PDFs are read with poppler (pdfinfo, pdffonts, pdftotext), never with our own code.
The failure paths (timeout, a crash, a missing PDF) use small fake ``soffice`` scripts.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result
from conftest import RENDERED_NAMES, Rendered
from docx import Document
from support import missing_tool

import nbesok.documents.pdf
from nbesok.archive.loading import load_protocol, load_visit
from nbesok.cli import cli
from nbesok.core.errors import OutputError
from nbesok.documents.pdf import (
    ENVIRONMENT_VARIABLE,
    LibreOfficeError,
    convert_documents,
    convert_to_pdf,
    find_libreoffice,
)

VISITS = ("2018-10-17-idrott-och-service", "2023-06-07-arbetslik-aktivitet")
SEASON = "sammanstallning-2018-19"
INSTALL = "apt-get install libreoffice-writer-nogui"
PAGE_NUMBER = re.compile(r"\d+ \(\d+\)")  # the reference's header: "1 (4)"
# Whitespace, hyphens (real ones and hyphenation), soft hyphens, list bullets and the
# Markdown markers of the source: what layout adds or removes between YAML and PDF.
IGNORED = re.compile(r"[\s\-\u00ad\u2010\u2011•*#]+")


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), prog_name="nbesok")


def poppler(tool: str, *args: str) -> str:
    if shutil.which(tool) is None:
        missing_tool(f"{tool} saknas: installera poppler-utils (apt-get install poppler-utils)")
    done = subprocess.run([tool, *args], capture_output=True, check=True)
    return done.stdout.decode("utf-8")


def xmp_value(xmp: str, name: str) -> str:
    """A property of the XMP packet, written as an element or as an attribute."""
    found = re.search(rf"<{name}>\s*([^<]*?)\s*</{name}>|{name}=\"([^\"]*)\"", xmp)
    assert found, f"{name} saknas i XMP:\n{xmp}"
    return found.group(1) or found.group(2)


def info(pdf: Path) -> dict[str, str]:
    lines = poppler("pdfinfo", str(pdf)).splitlines()
    return {key.strip(): value.strip() for key, _, value in (line.partition(":") for line in lines)}


def squashed(text: str) -> str:
    return IGNORED.sub("", text)


def body_text(pdf: Path, docx: Path) -> str:
    """The PDF's text without the page header (the subject field and "n (m)")."""
    subject = Document(str(docx)).core_properties.subject.strip()
    lines = poppler("pdftotext", "-enc", "UTF-8", str(pdf), "-").splitlines()
    return "\n".join(
        line
        for line in lines
        if line.strip() != subject and not PAGE_NUMBER.fullmatch(line.strip())
    )


def questions_and_answers(archive: Path, name: str) -> Iterator[str]:
    """Each question of the protocol, followed by the paragraphs of its answer."""
    visit = load_visit(archive / "visits" / f"{name}.yaml").model
    protocol = load_protocol(archive / "protocols" / f"{visit.protocol}.yaml").model
    for question in protocol.questions():
        yield question.question
        answer = visit.answers.get(question.id) or ""
        yield from (part for part in re.split(r"\n\s*\n", answer.strip()) if part.strip())


# Real conversions


@pytest.mark.parametrize("name", RENDERED_NAMES)
def test_the_pdf_is_pdfa_2b(pdfs: dict[str, Path], name: str) -> None:
    xmp = poppler("pdfinfo", "-meta", str(pdfs[name]))

    assert xmp_value(xmp, "pdfaid:part") == "2"
    assert xmp_value(xmp, "pdfaid:conformance") == "B"
    # PDF/UA-1 is claimed too, and held to the claim in tests/test_pdfua.py.
    assert xmp_value(xmp, "pdfuaid:part") == "1"


@pytest.mark.parametrize("name", RENDERED_NAMES)
def test_the_pdf_is_tagged_with_the_document_title(
    pdfs: dict[str, Path], rendered: Rendered, name: str
) -> None:
    title = Document(str(rendered.docx(name))).core_properties.title
    pdf = info(pdfs[name])

    assert pdf["Tagged"] == "yes"
    assert title
    assert pdf["Title"] == title


@pytest.mark.parametrize("name", RENDERED_NAMES)
def test_the_pdf_shows_its_title_and_speaks_swedish(pdfs: dict[str, Path], name: str) -> None:
    # poppler prints neither; LibreOffice writes the catalog uncompressed, so read it.
    data = pdfs[name].read_bytes()

    assert re.search(rb"/DisplayDocTitle\s*true", data)
    assert re.search(rb"/Lang\s*\(sv-SE\)", data)


@pytest.mark.parametrize("name", RENDERED_NAMES)
def test_every_font_is_embedded(pdfs: dict[str, Path], name: str) -> None:
    lines = poppler("pdffonts", str(pdfs[name])).splitlines()
    fonts = lines[lines.index(next(line for line in lines if line.startswith("---"))) + 1 :]

    assert fonts
    # Read from the right: the type column may contain spaces ("TrueType (CID)").
    not_embedded = [line for line in fonts if line.split()[-5] != "yes"]
    assert not not_embedded, "\n".join(lines)


@pytest.mark.parametrize("name", VISITS)
def test_the_pdf_has_every_question_and_answer_in_order(
    pdfs: dict[str, Path], rendered: Rendered, name: str
) -> None:
    text = squashed(body_text(pdfs[name], rendered.docx(name)))
    position = 0
    expected = list(questions_and_answers(rendered.archive, name))
    assert len(expected) > 10

    for paragraph in expected:
        found = text.find(squashed(paragraph), position)
        assert found >= 0, (
            f"saknas efter position {position}: {paragraph[:80]!r}\n"
            f"PDF-texten där: {text[position : position + 200]!r}"
        )
        position = found + len(squashed(paragraph))


def test_the_season_report_pdf_has_every_follow_up_item(
    pdfs: dict[str, Path], rendered: Rendered
) -> None:
    text = squashed(body_text(pdfs[SEASON], rendered.docx(SEASON)))
    visit = load_visit(rendered.archive / "visits" / f"{VISITS[0]}.yaml").model

    assert visit.follow_up
    for item in visit.follow_up:
        assert squashed(item.item) in text
        assert squashed(item.status.value) in text  # the traffic light is also text


def test_the_pdf_structure_has_headings_and_table_headers(pdfs: dict[str, Path]) -> None:
    structure = poppler("pdfinfo", "-struct", str(pdfs[SEASON]))
    elements = {line.strip().split(" ")[0].rstrip(":") for line in structure.splitlines()}

    assert {"H1", "H2", "Table", "TR", "TH", "TD", "L", "LI"} <= elements
    assert "/Scope /Column" in structure


@pytest.mark.parametrize("name", RENDERED_NAMES)
def test_the_visible_title_is_the_first_heading(
    pdfs: dict[str, Path], rendered: Rendered, name: str
) -> None:
    title = Document(str(rendered.docx(name))).core_properties.title
    structure = poppler("pdfinfo", "-struct-text", str(pdfs[name])).splitlines()
    elements = [line.strip() for line in structure if line.strip()]

    assert elements[:2] == ["Document", "H1 (block):"], elements[:4]
    # The heading's text, one quoted line per printed line, up to the next element.
    lines: list[str] = []
    for line in elements[2:]:
        if line.startswith('"'):
            lines.append(line[1:-1])
        elif lines:
            break
    assert "".join(lines) == title


@pytest.mark.parametrize("name", RENDERED_NAMES)
def test_nothing_is_painted_outside_the_structure(pdfs: dict[str, Path], name: str) -> None:
    """PDF/UA §7.1: every mark on a page is tagged content or an artifact."""
    import pikepdf

    painting = {"S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "Tj", "TJ", "'", '"', "Do", "sh"}
    untagged: list[tuple[int, str]] = []
    with pikepdf.open(pdfs[name]) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            open_marks = 0
            for instruction in pikepdf.parse_content_stream(page):
                op = str(instruction.operator)
                if op in ("BDC", "BMC"):
                    open_marks += 1
                elif op == "EMC":
                    open_marks = max(open_marks - 1, 0)
                elif op in painting and open_marks == 0:
                    untagged.append((number, op))

    assert untagged == [], f"otaggat innehåll (sida, operator): {untagged[:10]}"


@pytest.mark.parametrize("name", RENDERED_NAMES)
def test_the_keywords_are_whole(pdfs: dict[str, Path], rendered: Rendered, name: str) -> None:
    # The published Markdown's front matter is the source of the keywords.
    markdown = (rendered.out / f"{name}.md").read_text("utf-8")
    front = yaml.safe_load(markdown.split("---\n")[1])

    # Inside a keyword the spaces are non-breaking: LibreOffice splits at plain ones.
    keywords = info(pdfs[name])["Keywords"].replace("\u00a0", " ")
    assert [word.strip() for word in keywords.split(",")] == [
        str(word) for word in front["keywords"]
    ]


@pytest.mark.parametrize("name", RENDERED_NAMES)
def test_no_word_in_a_table_is_broken_across_lines(
    pdfs: dict[str, Path], rendered: Rendered, name: str
) -> None:
    """Columns fit their longest word: "Bildningsnämnd|en" would hide it from search.

    The layout text keeps line ends as they are (plain pdftotext joins hyphenated
    lines); a line may still break after a hyphen that is in the text.
    """
    piece = re.compile(r"[^\s\-\u2010\u2011]+")
    text = poppler("pdftotext", "-layout", "-enc", "UTF-8", str(pdfs[name]), "-")
    printed = set(piece.findall(text))
    words = [
        word
        for table in Document(str(rendered.docx(name))).tables
        for row in table.rows
        for cell in row.cells
        for word in piece.findall(cell.text)
    ]

    assert words
    assert [word for word in words if word not in printed] == []


def test_the_batch_leaves_only_the_pdfs(pdfs: dict[str, Path]) -> None:
    out = pdfs[SEASON].parent

    # Besides render's hidden record of what it wrote.
    assert sorted(name for name in os.listdir(out) if not name.startswith(".")) == sorted(
        path.name for path in pdfs.values()
    )


def test_parallel_runs_do_not_collide_and_give_the_same_text(
    rendered: Rendered, libreoffice: Path, tmp_path: Path
) -> None:
    """Private profiles: two conversions at once both succeed, with identical text."""
    source = rendered.docx(VISITS[1])
    results: dict[int, list[Path]] = {}
    errors: list[BaseException] = []

    def convert(number: int) -> None:
        try:
            results[number] = convert_to_pdf(
                [source], tmp_path / str(number), libreoffice=libreoffice
            )
        except BaseException as error:  # reported in the main thread
            errors.append(error)

    threads = [threading.Thread(target=convert, args=(number,)) for number in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors, errors
    first, second = (poppler("pdftotext", str(results[n][0]), "-") for n in (1, 2))
    assert first == second
    assert first.strip()


def test_a_docx_that_does_not_convert_is_named_and_nothing_is_moved(
    rendered: Rendered, libreoffice: Path, tmp_path: Path
) -> None:
    good = rendered.docx(VISITS[0])
    truncated = tmp_path / "trasig.docx"
    truncated.write_bytes(good.read_bytes()[:3000])
    out = tmp_path / "out"

    with pytest.raises(LibreOfficeError) as raised:
        convert_to_pdf([good, truncated], out, libreoffice=libreoffice)

    assert [Path(found.path).name for found in raised.value.findings] == ["trasig.docx"]
    assert "gjorde ingen PDF" in raised.value.findings[0].message
    assert os.listdir(out) == []  # all or nothing, and no temporary folder left behind


# Finding LibreOffice


def fake_program(path: Path, body: str = "") -> Path:
    """An executable Python script standing in for soffice."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!{sys.executable}\n{body}", "utf-8")
    path.chmod(0o755)
    return path


@pytest.fixture
def no_libreoffice(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A machine without LibreOffice: empty PATH, no variable, no install folders."""
    empty = tmp_path / "tom-path"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.delenv(ENVIRONMENT_VARIABLE, raising=False)
    monkeypatch.setattr(nbesok.documents.pdf, "_install_locations", list)


def test_an_explicit_program_is_used(tmp_path: Path, no_libreoffice: None) -> None:
    program = fake_program(tmp_path / "lo" / "soffice")

    assert find_libreoffice(program) == program


def test_an_install_folder_is_searched(tmp_path: Path, no_libreoffice: None) -> None:
    program = fake_program(tmp_path / "LibreOffice" / "program" / "soffice")

    assert find_libreoffice(tmp_path / "LibreOffice") == program


def test_the_environment_variable_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_libreoffice: None
) -> None:
    program = fake_program(tmp_path / "lo" / "soffice")
    monkeypatch.setenv(ENVIRONMENT_VARIABLE, str(program))

    assert find_libreoffice() == program
    assert find_libreoffice(fake_program(tmp_path / "other" / "soffice")) != program


def test_path_is_searched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_libreoffice: None
) -> None:
    program = fake_program(tmp_path / "bin" / "libreoffice")
    monkeypatch.setenv("PATH", str(program.parent))

    assert find_libreoffice() == program


def test_a_missing_libreoffice_says_how_to_install_it(no_libreoffice: None) -> None:
    with pytest.raises(LibreOfficeError) as raised:
        find_libreoffice()

    message = str(raised.value)
    assert "LibreOffice behövs för PDF men hittades inte" in message
    assert INSTALL in message
    assert "https://www.libreoffice.org/download/" in message
    assert "--libreoffice" in message
    assert ENVIRONMENT_VARIABLE in message


@pytest.mark.parametrize("source", ["explicit", "environment"])
def test_a_wrong_location_is_an_error_not_a_fallback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str
) -> None:
    """Even with soffice on PATH: a location the user gave must be the one used."""
    monkeypatch.setenv("PATH", str(fake_program(tmp_path / "bin" / "soffice").parent))
    wrong = tmp_path / "finns-inte" / "soffice"
    if source == "environment":
        monkeypatch.setenv(ENVIRONMENT_VARIABLE, str(wrong))

    with pytest.raises(LibreOfficeError) as raised:
        find_libreoffice(wrong if source == "explicit" else None)

    found = raised.value.findings[0]
    assert found.key == ("--libreoffice" if source == "explicit" else ENVIRONMENT_VARIABLE)
    assert found.message.startswith("finns inte")
    assert INSTALL in found.message


def test_a_file_that_is_not_a_program_is_an_error(tmp_path: Path) -> None:
    text = tmp_path / "soffice.txt"
    text.write_text("inte ett program", "utf-8")

    with pytest.raises(LibreOfficeError, match="är inte LibreOffice-programmet"):
        find_libreoffice(text)


# The LibreOffice run, with fake programs

RECORDING_SOFFICE = """
import json, pathlib, sys
import pikepdf
arguments = sys.argv[1:]
pathlib.Path(__file__).with_suffix(".json").write_text(json.dumps(arguments))
out = pathlib.Path(arguments[arguments.index("--outdir") + 1])
for source in arguments[arguments.index("--outdir") + 2 :]:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    packet = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        b'<rdf:Description xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/" rdf:about="">'
        b"<pdfaid:part>2</pdfaid:part></rdf:Description></rdf:RDF></x:xmpmeta>"
    )
    metadata = pdf.make_stream(packet, Type=pikepdf.Name.Metadata, Subtype=pikepdf.Name.XML)
    pdf.Root.Metadata = metadata
    pdf.save(out / (pathlib.Path(source).stem + ".pdf"), compress_streams=False)
print("convert ... using filter : writer_pdf_Export")
"""


@pytest.fixture
def docx_pair(tmp_path: Path) -> list[Path]:
    files = [tmp_path / "in" / "a.docx", tmp_path / "in" / "b b.docx"]
    for path in files:
        path.parent.mkdir(exist_ok=True)
        Document().save(str(path))
    return files


def test_one_run_converts_the_batch_with_a_private_profile(
    tmp_path: Path, docx_pair: list[Path], capfd: pytest.CaptureFixture[str]
) -> None:
    program = fake_program(tmp_path / "lo" / "soffice", RECORDING_SOFFICE)
    out = tmp_path / "out"

    written = convert_to_pdf(docx_pair, out, libreoffice=program)

    assert written == [out / "a.pdf", out / "b b.pdf"]
    assert sorted(os.listdir(out)) == ["a.pdf", "b b.pdf"]
    arguments = json.loads(program.with_suffix(".json").read_text("utf-8"))
    profile = next(a for a in arguments if a.startswith("-env:UserInstallation="))
    profile_uri = profile.partition("=")[2]
    assert profile_uri.startswith("file:///")
    assert not Path(profile_uri.removeprefix("file://")).exists()  # removed after the run
    assert "--headless" in arguments
    convert_to = arguments[arguments.index("--convert-to") + 1]
    assert convert_to.startswith("pdf:writer_pdf_Export:{")
    options = json.loads(convert_to.removeprefix("pdf:writer_pdf_Export:"))
    assert options["SelectPdfVersion"] == {"type": "long", "value": "2"}
    assert options["UseTaggedPDF"] == {"type": "boolean", "value": "true"}
    assert options["DisplayPDFDocumentTitle"] == {"type": "boolean", "value": "true"}
    assert options["PDFUACompliance"] == {"type": "boolean", "value": "true"}
    staging = Path(arguments[arguments.index("--outdir") + 1])
    assert staging.parent == out  # same file system, so os.replace is one step
    assert arguments[-2:] == [str(path.resolve()) for path in docx_pair]
    assert "convert" not in capfd.readouterr().out  # LibreOffice's chatter stays hidden


def test_no_documents_no_run(tmp_path: Path) -> None:
    assert convert_to_pdf([], tmp_path / "out", libreoffice=tmp_path / "finns-inte") == []
    assert not (tmp_path / "out").exists()


def test_documents_in_memory_are_converted_without_leaving_docx(tmp_path: Path) -> None:
    program = fake_program(tmp_path / "lo" / "soffice", RECORDING_SOFFICE)
    out = tmp_path / "out"

    empty = io.BytesIO()
    Document().save(empty)
    written = convert_documents(
        {"a": empty.getvalue(), "b": empty.getvalue()}, out, libreoffice=program
    )

    assert written == [out / "a.pdf", out / "b.pdf"]
    assert sorted(os.listdir(out)) == ["a.pdf", "b.pdf"]


def test_a_missing_pdf_names_its_docx(tmp_path: Path, docx_pair: list[Path]) -> None:
    program = fake_program(
        tmp_path / "lo" / "soffice", "print('Error: source file could not be loaded')\n"
    )
    out = tmp_path / "out"

    with pytest.raises(LibreOfficeError) as raised:
        convert_to_pdf(docx_pair, out, libreoffice=program)

    assert [Path(found.path).name for found in raised.value.findings] == ["a.docx", "b b.docx"]
    assert "source file could not be loaded" in raised.value.findings[0].message
    assert os.listdir(out) == []


def test_a_failing_libreoffice_shows_its_output(tmp_path: Path, docx_pair: list[Path]) -> None:
    program = fake_program(
        tmp_path / "lo" / "soffice", "import sys\nsys.stderr.write('kraschade\\n')\nsys.exit(3)\n"
    )

    with pytest.raises(LibreOfficeError) as raised:
        convert_to_pdf(docx_pair, tmp_path / "out", libreoffice=program)

    message = raised.value.findings[0].message
    assert "felkod 3" in message
    assert "kraschade" in message


def test_a_plain_pdf_means_a_too_old_libreoffice(tmp_path: Path, docx_pair: list[Path]) -> None:
    program = fake_program(
        tmp_path / "lo" / "soffice",
        RECORDING_SOFFICE.replace("<pdfaid:part>2</pdfaid:part>", ""),
    )

    with pytest.raises(LibreOfficeError, match=r"LibreOffice 7\.4 eller senare"):
        convert_to_pdf(docx_pair, tmp_path / "out", libreoffice=program)


def _alive(pid: int) -> bool:
    """Running and not a zombie (a container's init may never reap the orphan)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text("utf-8").rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_a_hanging_libreoffice_is_killed_with_its_children(
    tmp_path: Path, docx_pair: list[Path]
) -> None:
    pids = tmp_path / "pids"
    program = fake_program(
        tmp_path / "lo" / "soffice",
        "import os, subprocess, sys, time\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        f"open({str(pids)!r}, 'w').write(f'{{os.getpid()}} {{child.pid}}')\n"
        "time.sleep(60)\n",
    )
    started = time.monotonic()

    with pytest.raises(LibreOfficeError) as raised:
        convert_to_pdf(docx_pair, tmp_path / "out", libreoffice=program, timeout=2)

    assert time.monotonic() - started < 30
    assert "på 2 sekunder och avbröts" in raised.value.findings[0].message
    deadline = time.monotonic() + 5
    while any(_alive(int(pid)) for pid in pids.read_text().split()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(int(pid)) for pid in pids.read_text().split())
    assert os.listdir(tmp_path / "out") == []


def test_two_documents_with_one_name_are_refused(tmp_path: Path) -> None:
    first, second = tmp_path / "a" / "x.docx", tmp_path / "b" / "x.docx"
    for path in (first, second):
        path.parent.mkdir()
        Document().save(str(path))

    with pytest.raises(LibreOfficeError, match=r"ger samma PDF ”x\.pdf”"):
        convert_to_pdf([first, second], tmp_path / "out", libreoffice=tmp_path / "soffice")


def test_a_missing_docx_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(LibreOfficeError, match="filen finns inte"):
        convert_to_pdf([tmp_path / "x.docx"], tmp_path / "out", libreoffice=tmp_path / "soffice")


def test_an_out_folder_that_is_a_file_is_an_error(tmp_path: Path, docx_pair: list[Path]) -> None:
    (tmp_path / "out").write_text("", "utf-8")

    with pytest.raises(OutputError, match="--out ska vara en mapp"):
        convert_to_pdf(docx_pair, tmp_path / "out", libreoffice=tmp_path / "soffice")


# The command line (wired in cli.py)


def _pdfa(path: Path) -> bool:
    return b"<pdfaid:part>2</pdfaid:part>" in path.read_bytes()


def _names(folder: Path) -> Sequence[str]:
    """The documents in ``folder``; render's hidden record of what it wrote is not one."""
    return sorted(name for name in os.listdir(folder) if not name.startswith("."))


def test_render_format_pdf(in_archive: Path, libreoffice: Path) -> None:
    result = invoke(
        "render", "visits/", "--format", "md,docx,pdf", "--out", "dokument", "--verbose"
    )

    assert result.exit_code == 0, result.output
    expected = [f"{name}.{suffix}" for name in VISITS for suffix in ("docx", "md", "pdf")]
    assert _names(in_archive / "dokument") == expected
    for name in VISITS:
        assert f"Skrev dokument/{name}.pdf" in result.output
        assert _pdfa(in_archive / "dokument" / f"{name}.pdf")


def test_only_web_and_mail_links_reach_the_pdf(in_archive: Path, libreoffice: Path) -> None:
    """A relative link would point into LibreOffice's temporary folder, smb: at a share:
    both stay plain text; a web address stays a link."""
    visit = in_archive / "visits" / "2023-06-07-arbetslik-aktivitet.yaml"
    text = visit.read_text("utf-8").replace(
        "Koordinatorn följer också upp deltagaren kontinuerligt.",
        "Se [bilagan](bilaga.pdf), [mappen](smb://server/delad) och "
        "[kommunen](https://www.linkoping.se).",
    )
    visit.write_text(text, "utf-8")

    result = invoke("render", str(visit.relative_to(in_archive)), "--format", "pdf")

    assert result.exit_code == 0, result.output
    path = in_archive / "out" / "2023-06-07-arbetslik-aktivitet.pdf"
    pdf = path.read_bytes()
    uris = re.findall(rb"/URI\s*\(([^)]*)\)", pdf)
    assert [uri.rstrip(b"/") for uri in uris] == [b"https://www.linkoping.se"]
    assert b"file:" not in pdf and b"smb:" not in pdf
    shown = " ".join(poppler("pdftotext", "-raw", str(path), "-").split())
    assert "Se bilagan, mappen och kommunen." in shown


def test_report_format_pdf_alone_writes_only_pdf(in_archive: Path, libreoffice: Path) -> None:
    result = invoke(
        "report", "--period", "2018/19", "--per", "2019-06-30", "--format", "pdf", "--out", "ut"
    )

    assert result.exit_code == 0, result.output
    assert _names(in_archive / "ut") == [f"{SEASON}.pdf"]
    assert _pdfa(in_archive / "ut" / f"{SEASON}.pdf")


@pytest.mark.parametrize("source", ["option", "environment"])
def test_without_libreoffice_the_other_formats_are_still_written(
    in_archive: Path, monkeypatch: pytest.MonkeyPatch, source: str
) -> None:
    wrong = str(in_archive / "finns-inte" / "soffice")
    options = ["--libreoffice", wrong] if source == "option" else []
    if source == "environment":
        monkeypatch.setenv(ENVIRONMENT_VARIABLE, wrong)

    result = invoke(
        "render", f"visits/{VISITS[0]}.yaml", "--format", "md,docx,pdf", "--out", "ut", *options
    )

    assert result.exit_code == 1, result.output
    assert INSTALL in result.output
    assert _names(in_archive / "ut") == [f"{VISITS[0]}.docx", f"{VISITS[0]}.md"]
    assert "Skrev 2 filer för 1 dokument i ut/." in result.output  # the .md and the .docx
    assert "Traceback" not in result.output
