"""Two nbesok runs writing to one folder at the same time (issue 20): the second waits
for the first, so the render record keeps every entry and the rule that no input
overwrites another's document holds across processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from test_signals import add_visits

from nbesok.documents.record import RECORD

REAL = "visits/2023-06-07-arbetslik-aktivitet.yaml"


def run(archive: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "nbesok", *args],
        cwd=archive,
        env={**os.environ, "CI": "1"},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen[str]) -> tuple[int, str]:
    stdout, stderr = process.communicate(timeout=300)
    return process.returncode, stdout + stderr


def test_two_renders_at_once_keep_every_entry_of_the_record(archive: Path) -> None:
    add_visits(archive)
    visits = sorted(path.relative_to(archive).as_posix() for path in archive.glob("visits/*"))
    half = len(visits) // 2

    first = run(archive, "render", *visits[:half], "--out", "out")
    second = run(archive, "render", *visits[half:], "--out", "out")
    results = [finish(first), finish(second)]

    assert [code for code, _ in results] == [0, 0], results
    record = json.loads((archive / "out" / RECORD).read_text("utf-8"))
    assert sorted(record) == sorted(Path(visit).stem for visit in visits)
    for name, entry in record.items():
        assert entry["key"], name  # each written to the end, none a leftover claim
        assert set(entry["outputs"]) == {f"{name}.md", f"{name}.docx"}
    assert any("väntar på en annan körning av nbesok" in output for _, output in results)


def test_a_render_and_a_report_at_once_cannot_overwrite_each_other(archive: Path) -> None:
    """A visit named like another visit's tjänsteskrivelse: whichever run comes second
    refuses, as it would one after the other."""
    add_visits(archive)
    clash = archive / "visits" / "2023-06-07-arbetslik-aktivitet-uppfoljning.yaml"
    clash.write_text((archive / REAL).read_text("utf-8"), "utf-8")
    everything = sorted(path.relative_to(archive).as_posix() for path in archive.glob("visits/*"))

    render = run(archive, "render", *everything, "--out", "out")
    report = run(archive, "report", REAL, "--out", "out", "--per", "2024-01-01")
    results = {"render": finish(render), "report": finish(report)}

    refusals = [name for name, (_, output) in results.items() if "ger samma utfil" in output]
    assert len(refusals) == 1, results
    record = json.loads((archive / "out" / RECORD).read_text("utf-8"))
    owner = record["2023-06-07-arbetslik-aktivitet-uppfoljning"]["source"]
    expected = (
        "visits/2023-06-07-arbetslik-aktivitet-uppfoljning.yaml"
        if refusals == ["report"]
        else f"tjänsteskrivelsen om {REAL}"
    )
    assert owner == expected
