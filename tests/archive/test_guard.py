"""The guard on what is published (issue 20): no personnummer reaches any outlet.

A visit per leak form holds the number in its verksamhet (the title: document
properties, the page header, the PDF's metadata), in an answer, in a link's address
and in a follow-up item. Every outlet is then searched for the number's digits by an
independent reader: the DOCX's XML parts straight from the zip, the PDF through
poppler (text, information) and pikepdf (link annotations, XMP), the .md, and the
CSV and terminal output of followup and history. The search turns entities, percent
escapes and compatibility characters back into digits and then looks at the digits
alone, so no separator, markup or invisible character can hide the number from it.

The control: rendered with the permission, the same search finds the number in every
outlet kind, so the refusal is the guard's doing and not a blind search.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import pytest
from adversarial.cases import LEAK_SEPARATORS as SEPARATORS
from adversarial.cases import VISIT, edit, personnummer
from click.testing import CliRunner, Result
from support import missing_tool

from nbesok.cli import cli

D, S = "811228", "9874"
SD, SS = "811288", personnummer("811288", "987")[-4:]
DIGITS = {"personnummer": D + S, "samordningsnummer": SD + SS}
# Each separator with a personnummer, and a few with the other forms.
FORMS: dict[str, str] = {f"pnr-{name}": f"{D}{sep}{S}" for name, sep in SEPARATORS.items()}
for name in ("space-dash-space", "thin-space", "soft-hyphen", "horizontal-bar"):
    FORMS[f"samordning-{name}"] = f"{SD}{SEPARATORS[name]}{SS}"
    FORMS[f"tolv-{name}"] = f"19{D}{SEPARATORS[name]}{S}"
CLEAN = "visits/2023-06-30-ren.yaml"


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), prog_name="nbesok")


def leak_visit(form: str) -> str:
    """The complete example visit with ``form`` in its title, an answer, a link's
    address and a follow-up item (JSON strings: YAML reads them, escapes and all).
    A title and an item stand on one line (validate refuses a line break there), so
    they get a line break's form as a space."""
    line = form.replace("\n", " ")
    text = edit(
        VISIT, "verksamhet: Arbetslik aktivitet", f"verksamhet: {json.dumps('Läcka ' + line)}"
    )
    answer = f"Ring {form} i dag, eller se [sidan](https://example.org/{form.strip()})."
    text = edit(text, "  individens-behov: Svar.", f"  individens-behov: {json.dumps(answer)}")
    return edit(
        text, "  - punkt: Följa upp platserna.", f"  - punkt: {json.dumps('Kontakta ' + line)}"
    )


def leak_name(index: int) -> str:
    return f"2023-06-{index + 1:02d}-lacka"


@pytest.fixture
def leaky(in_archive: Path) -> dict[str, str]:
    """The archive with one visit per leak form and one clean visit; name -> digits."""
    names: dict[str, str] = {}
    for index, (form_id, form) in enumerate(FORMS.items()):
        name = leak_name(index)
        visit = leak_visit(form).replace("besöksdatum: 2023-06-07", f"besöksdatum: {name[:10]}")
        (in_archive / "visits" / f"{name}.yaml").write_text(visit, encoding="utf-8")
        names[name] = DIGITS[
            "samordningsnummer" if form_id.startswith("samordning") else "personnummer"
        ]
    (in_archive / CLEAN).write_text(VISIT.replace("2023-06-07", "2023-06-30"), "utf-8")
    return names


def digits_of(text: str) -> str:
    """Every digit a reader can see in ``text``, in order and nothing else."""
    text = unicodedata.normalize("NFKC", html.unescape(unquote(text)))
    return "".join(char for char in text if char.isdecimal())


def docx_outlets(path: Path) -> Iterator[tuple[str, str]]:
    """Every XML part of the package, its relationships (link targets) included."""
    with zipfile.ZipFile(path) as package:
        for name in package.namelist():
            if name.endswith((".xml", ".rels")):
                yield name, package.read(name).decode("utf-8")


def pdf_outlets(path: Path) -> Iterator[tuple[str, str]]:
    """The PDF as poppler and pikepdf read it: page text, information, link
    annotations, the XMP packet."""
    import shutil
    import subprocess

    import pikepdf

    for tool in ("pdftotext", "pdfinfo"):
        if shutil.which(tool) is None:
            missing_tool(f"{tool} saknas: installera poppler-utils")

    def run(*args: str) -> str:
        return subprocess.run(args, capture_output=True, check=True).stdout.decode()

    yield "text", run("pdftotext", "-enc", "UTF-8", str(path), "-")
    yield "information", run("pdfinfo", "-enc", "UTF-8", str(path))
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            for annotation in page.get("/Annots", []):
                action = annotation.get("/A")
                if action is not None and "/URI" in action:
                    yield "link", str(action["/URI"])
        yield "xmp", bytes(pdf.Root.Metadata.read_bytes()).decode("utf-8", "replace")


def outlets(out: Path) -> Iterator[tuple[str, str, str]]:
    """(file, part, text) for every document in ``out``."""
    for path in sorted(out.iterdir()):
        if path.suffix == ".md":
            yield path.name, "md", path.read_text("utf-8")
        elif path.suffix == ".docx":
            for part, text in docx_outlets(path):
                yield path.name, part, text
        elif path.suffix == ".pdf":
            for part, text in pdf_outlets(path):
                yield path.name, part, text


def leaks(text: str, digits: str) -> bool:
    return digits in digits_of(text) or digits[::-1] in digits_of(text)


@pytest.mark.usefixtures("libreoffice")
def test_no_leak_form_reaches_any_outlet(in_archive: Path, leaky: dict[str, str]) -> None:
    result = invoke("render", "visits/", "--format", "md,docx,pdf", "--out", "out")

    assert result.exit_code == 1, result.output
    errors = [line for line in result.output.splitlines() if ": fel: " in line]
    for name in leaky:
        assert any(line.startswith(f"visits/{name}.yaml:") for line in errors), name
        assert not list((in_archive / "out").glob(f"{name}.*")), name
    assert (in_archive / "out" / "2023-06-30-ren.pdf").is_file()  # the rest is written
    numbers = set(leaky.values())
    found = [
        (f, p) for f, p, text in outlets(in_archive / "out") for n in numbers if leaks(text, n)
    ]
    assert found == []
    assert all(n not in result.output for n in numbers)  # messages mask the serial


def test_followup_and_history_withhold_every_leak_form(
    in_archive: Path, leaky: dict[str, str]
) -> None:
    numbers = set(leaky.values())
    for output_format in ("table", "csv"):
        listed = invoke("followup", "--per", "2024-01-01", "--format", output_format)
        assert listed.exit_code == 1, listed.output
        assert not any(leaks(listed.stdout, number) for number in numbers), output_format
        for name in leaky:
            assert f"visits/{name}.yaml:" in listed.stderr, name
        assert "Följa upp platserna." in listed.stdout  # the clean visit's item is listed
    for index, form in enumerate(FORMS.values()):
        shown = invoke("history", "Läcka " + " ".join(form.split()), "--per", "2024-01-01")
        if shown.exit_code == 1 and "inga besök hos" in shown.stderr:
            continue  # a name that only exists with its invisible character
        assert shown.exit_code == 1, shown.output
        assert not leaks(shown.stdout, leaky[leak_name(index)]), form
        assert "Anna Andersson" in shown.stdout  # the rest of the visit is shown


@pytest.mark.usefixtures("libreoffice")
def test_the_search_finds_every_leak_form_when_it_is_allowed(
    in_archive: Path, leaky: dict[str, str]
) -> None:
    """The control: with the permission, the number is in every outlet kind."""
    result = invoke(
        "render", "visits/", "--format", "md,docx,pdf", "--out", "out", "--tillåt-personnummer"
    )
    assert result.exit_code == 0, result.output
    every = list(outlets(in_archive / "out"))
    kinds: set[str] = set()
    for name, number in leaky.items():
        shown = {(file, part) for file, part, text in every if leaks(text, number)}
        kinds |= {re.sub(r"\d+", "", part) for file, part in shown if file.startswith(name)}
        for suffix in (".md", ".docx", ".pdf"):
            assert any(file == name + suffix for file, _ in shown), name + suffix
    # Body, header, properties, link targets; the PDF's text, information, links, XMP.
    assert {
        "md",
        "word/document.xml",
        "word/header.xml",
        "docProps/core.xml",
        "word/_rels/document.xml.rels",
        "text",
        "information",
        "link",
        "xmp",
    } <= kinds
    allowed = "".join(
        f"tillåtna_personnummer: [{json.dumps(personnummer(number[:6], number[6:9]))}]\n"
        for number in [next(iter(leaky.values()))]
    )
    first = in_archive / "visits" / f"{leak_name(0)}.yaml"
    first.write_text(first.read_text("utf-8") + allowed, "utf-8")
    listed = invoke("followup", "--per", "2024-01-01", "--format", "csv")
    assert leaks(listed.stdout, leaky[leak_name(0)])


def test_a_pdf_that_shows_a_number_is_held_back_with_its_document(
    in_archive: Path, libreoffice: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The PDF is read back and checked on its own: with the checks before writing
    switched off, a number from a template still never reaches out/."""
    import nbesok.archive.guard

    number = personnummer("811218", "987")
    template = "# Protokoll\n\nRing " + number + "\n"
    (in_archive / "templates" / "protokoll.md.j2").write_text(template, "utf-8")
    real = "visits/2023-06-07-arbetslik-aktivitet.yaml"
    monkeypatch.setattr(nbesok.archive.guard.Guard, "check", lambda self, texts, outlet: None)

    result = invoke("render", real, "--format", "md,docx,pdf", "--out", "out")

    assert result.exit_code == 1, result.output
    assert (
        "templates/protokoll.md.j2:3:6: fel: personnummer ”811218-XXXX” på sidan 1 i PDF-filen"
        in result.output
    )
    assert list((in_archive / "out").glob("2023-06-07-arbetslik-aktivitet.*")) == []
