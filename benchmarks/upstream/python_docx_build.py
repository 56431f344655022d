"""python-docx building a document through its public API, installed against patched.

    uv run python benchmarks/upstream/python_docx_build.py --patched ../python-docx/src

Each build adds 200 paragraphs (keep with next, space after, an indent, three runs with
bold, italic, underline and a size) and a 20 × 4 table, as a document generator does;
styles by name are left out, since looking one up walks every style and would hide
what the patch changes.
Builds run in fresh processes for each python-docx in turn (alternating, so that a
change in the machine's load hits both). Prints min/median/max milliseconds per build,
and checks that both versions write the same document XML. See README.md here.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

_ONE_PROCESS = """\
import hashlib, json, sys, time
import docx
from docx.shared import Pt

def build():
    document = docx.Document()
    for number in range(200):
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.keep_with_next = True
        paragraph.paragraph_format.space_after = Pt(6)
        paragraph.paragraph_format.first_line_indent = Pt(12 * (number % 2))
        paragraph.add_run("Ett stycke ").bold = True
        paragraph.add_run("med kursiv ").italic = True
        run = paragraph.add_run("och understruken text.")
        run.underline = True
        run.font.size = Pt(11)
    table = document.add_table(rows=20, cols=4)
    for row in table.rows:
        for cell in row.cells:
            cell.paragraphs[0].add_run("cell").bold = True
            cell.paragraphs[0].paragraph_format.keep_with_next = True
    return document

build()
times = []
for _ in range(int(sys.argv[1])):
    start = time.perf_counter()
    document = build()
    times.append(time.perf_counter() - start)
xml = document.element.xml.encode()
print(json.dumps({"times": times, "sha256": hashlib.sha256(xml).hexdigest(),
                  "file": docx.__file__}))
"""


def measure(patched: Path | None, runs: int) -> dict[str, object]:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    if patched is not None:
        env["PYTHONPATH"] = str(patched)
    done = subprocess.run(
        [sys.executable, "-c", _ONE_PROCESS, str(runs)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--patched", type=Path, required=True, help="the patched python-docx's src/"
    )
    parser.add_argument("--processes", type=int, default=7, help="processes per version")
    parser.add_argument("--runs", type=int, default=20, help="builds per process")
    arguments = parser.parse_args()
    found: dict[str, list[float]] = {"installed": [], "patched": []}
    digests: set[str] = set()
    for _ in range(arguments.processes):
        for label, patched in (("installed", None), ("patched", arguments.patched)):
            result = measure(patched, arguments.runs)
            digests.add(str(result["sha256"]))
            found[label].extend(result["times"])  # type: ignore[arg-type]
    print("same document XML" if len(digests) == 1 else "DOCUMENT XML DIFFERS")
    for label, times in found.items():
        shown = " / ".join(
            f"{value * 1000:.2f}" for value in (min(times), statistics.median(times), max(times))
        )
        print(f"  {label:<9} {shown} ms per build (min / median / max)")
    ratio = statistics.median(found["patched"]) / statistics.median(found["installed"])
    print(f"  patched/installed: {ratio:.2f}")


if __name__ == "__main__":
    main()
