"""Benchmark: ``nbesok import`` of Word files with thousands of styles, against pandoc.

Real .docx files from public sources carry hundreds or thousands of styles (one seen
had 2,672). Import time used to grow with runs × styles, since python-docx looked up
the default style by scanning all styles for every run. This script builds documents
that grow together in styles and text (350 styles and 250 paragraphs of four runs per
step, half the runs in a character style), and for each size measures, in one run:

- ``nbesok import`` as a whole process, into a fresh copy of the example archive;
- nbesok's reading and placing in a process (no start-up), the part that scales;
- ``pandoc -f docx -t gfm`` on the same file, as the reference.

It prints a table with the medians, the time per 1,000 units of size (styles plus
runs), which stays flat when time is linear, and the ratio to pandoc. Nothing is
asserted; the numbers are for reading.

    uv run python benchmarks/import_styles.py            # steps 1, 2, 4, 8
    uv run python benchmarks/import_styles.py --steps 1 2 4 8 16 --repeat 5
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import docx
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

PROJECT = Path(__file__).resolve().parent.parent
NBESOK = str(Path(sys.executable).with_name("nbesok"))
PROTOCOL = "arbetslik-aktivitet-2023"
QUESTION = "Hur ser arbetet med handlingsplaner ut?"
STYLES_PER_STEP = 350
PARAGRAPHS_PER_STEP = 250
RUNS_PER_PARAGRAPH = 4


def build(path: Path, step: int) -> tuple[int, int]:
    """A document of ``step`` steps; returns its (styles, runs)."""
    document = docx.Document()
    styles = document.styles.element
    count = STYLES_PER_STEP * step
    for number in range(count):
        kind = "character" if number % 2 else "paragraph"
        styles.append(
            parse_xml(
                f'<w:style {nsdecls("w")} w:type="{kind}" w:customStyle="1" '
                f'w:styleId="Stil{number}"><w:name w:val="Stil {number}"/>'
                f'<w:basedOn w:val="{"DefaultParagraphFont" if number % 2 else "Normal"}"/>'
                f"<w:rPr>{'<w:b/>' if number % 4 == 1 else ''}</w:rPr></w:style>"
            )
        )
    table = document.add_table(rows=0, cols=2)
    for label, value in (("Verksamhetsinriktning", "Stilarna"), ("Besöksdatum", "2023-09-01")):
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value
    document.add_heading(QUESTION, level=2)
    runs = 0
    for number in range(PARAGRAPHS_PER_STEP * step):
        paragraph = document.add_paragraph()
        # The style ids straight into the XML: python-docx looks a style name up by
        # scanning every style, which would make building the file itself quadratic.
        paragraph._p.style = f"Stil{2 * (number % (count // 2))}"
        for index in range(RUNS_PER_PARAGRAPH):
            run = paragraph.add_run(f"Ord {number}.{index}. ")
            if index % 2:
                run._r.style = f"Stil{2 * (number % (count // 2)) + 1}"
            runs += 1
    document.save(str(path))
    return count, runs


def timed(command: list[str], cwd: Path | None = None) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"{' '.join(command)} slutade med {done.returncode}:\n{done.stderr}")
    return time.perf_counter() - start


def in_process(archive: Path, path: Path) -> float:
    """Reading and placing the document in this process, without start-up."""
    from nbesok.archive.root import Archive
    from nbesok.commands.import_ import import_document, read_document

    start = time.perf_counter()
    import_document(Archive(archive), read_document(path), PROTOCOL)
    return time.perf_counter() - start


def fresh_archive(workspace: Path) -> Path:
    archive = workspace / "arkiv"
    if archive.exists():
        shutil.rmtree(archive)
    archive.mkdir()
    shutil.copy2(PROJECT / "nbesok.yaml", archive)
    for folder in ("protocols", "visits"):
        shutil.copytree(PROJECT / folder, archive / folder)
    return archive


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # a user's Python writes bytecode
    import pypandoc  # dev dependency; it supplies the pandoc binary

    pandoc = str(pypandoc.get_pandoc_path())
    version = subprocess.run([pandoc, "--version"], capture_output=True, text=True).stdout
    print(
        f"pandoc: {version.splitlines()[0]}; python {sys.version.split()[0]}; "
        f"{os.cpu_count()} kärnor; median av {arguments.repeat}"
    )
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        workspace = Path(folder)
        for step in arguments.steps:
            path = workspace / f"stilar-{step}.docx"
            styles, runs = build(path, step)
            archive = fresh_archive(workspace)
            whole, inside, reference = [], [], []
            for _ in range(arguments.repeat):
                for visit in (archive / "visits").glob("2023-09-01-*.yaml"):
                    visit.unlink()
                whole.append(timed([NBESOK, "import", str(path), "--protokoll", PROTOCOL], archive))
                inside.append(in_process(archive, path))
                reference.append(timed([pandoc, "-f", "docx", "-t", "gfm", str(path)]))
            size = styles + runs
            rows.append(
                (
                    f"{styles} stilar, {runs} runs",
                    f"{path.stat().st_size / 1024:.0f} kB",
                    statistics.median(whole),
                    statistics.median(inside),
                    statistics.median(inside) / size * 1000,
                    statistics.median(reference),
                )
            )
    header = (
        "dokument",
        "storlek",
        "nbesok import",
        "läsa+placera",
        "per 1000 stilar+runs",
        "pandoc",
        "kvot",
    )
    print(" | ".join(header))
    for name, size, whole_s, inside_s, per_unit, pandoc_s in rows:
        print(
            f"{name} | {size} | {whole_s * 1000:.0f} ms | {inside_s * 1000:.0f} ms | "
            f"{per_unit * 1000:.1f} ms | {pandoc_s * 1000:.0f} ms | "
            f"{whole_s / pandoc_s:.2f}× pandoc"
        )


if __name__ == "__main__":
    main()
