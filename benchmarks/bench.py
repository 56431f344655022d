"""Benchmark for nbesok: whole-process timings against pandoc and plain click, in one run.

Builds a fresh archive in a temporary folder with N visits generated from the two real
ones, then runs every command as its own process (as a user would) and prints a table
of medians, ratios against references measured in the same run, and the targets from
the issue. Nothing is asserted: the table says "ok" or by how much a target is missed.

    uv run python benchmarks/bench.py [--visits 1000] [--repeat 21] [--json figures.json]

Not part of the test suite. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

import yaml

PROJECT = Path(__file__).resolve().parent.parent
PYTHON = Path(sys.executable)  # the venv's interpreter; not resolved, or the venv is lost
NBESOK = PYTHON.parent / "nbesok"

# Generated visits get dates counting back from here: real calendar dates, in the past.
LATEST_DATE = date(2024, 12, 31)
# Per sentence: the chance to drop it and the chance to write it twice. Equal chances
# keep the expected size of an answer, so sizes stay in the real visits' range.
DROP = DUPLICATE = 0.12
SIZE_TOLERANCE = 0.2  # a varied answer is redrawn until its size is within 20 %
ATTEMPTS = 20
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ0-9(*])")
STRUCTURE = re.compile(r"^(#|[-*+] |\d+[.)] |\||>|:::)")

MB = 1_000_000
POLL_SECONDS = 0.02
RESCAN_POLLS = 10

# Targets from the issues.
BATCH_SPEEDUP = 15.0  # batch render per document: at least 15x pandoc's rate
ONE_VISIT_RATIO = 1.2  # one visit, whole process: at most 1.2x importing its libraries
IN_PROCESS_RATIO = 3.0  # per document in one process: at most 3x python-docx's floor
IN_PROCESS_DOCUMENTS = 200  # documents timed in one process, alternating with the floor
HELP_RATIO = 1.2  # nbesok --help: at most 1.2x python -c "import click"
VALIDATE_SECONDS = 1.0  # validate of all visits: under 1 s
RERENDER_SHARE = 0.05  # unchanged re-render: at most 5 % of the first render
BATCH_RUNS = 3  # full renders of all visits; their median is the batch rate
PANDOC_BESIDE = 7  # pandoc runs beside each batch run, its own reference
PEAK_MEMORY = 300 * MB  # batch render, sum of RSS over the process tree

# What a one-visit render cannot do without, whatever nbesok's own code does: the
# libraries it is built on (click, PyYAML, pydantic, Jinja2, markdown-it-py with its
# plugins, python-docx, and mdformat with its GFM plugins for the published .md);
# pydantic loads its model machinery only when BaseModel is first asked for.
LIBRARY_IMPORTS = (
    "import click, jinja2, markdown_it, mdit_py_plugins, yaml, docx, mdformat.renderer;"
    " from mdformat.plugins import PARSER_EXTENSIONS; from pydantic import BaseModel"
)
IN_PROCESS = Path(__file__).resolve().parent / "in_process.py"


# Generating the archive


def _vary_paragraph(paragraph: str, rng: random.Random) -> str:
    """Shuffle the sentences of a prose paragraph; drop or repeat a few of them."""
    if "\n" in paragraph or STRUCTURE.match(paragraph.lstrip()):
        return paragraph  # headings, lists and tables keep their structure
    sentences = SENTENCE_END.split(paragraph)
    if len(sentences) < 2:
        return paragraph
    rng.shuffle(sentences)
    varied: list[str] = []
    for sentence in sentences:
        roll = rng.random()
        if roll < DROP:
            continue
        varied.append(sentence)
        if roll >= 1 - DUPLICATE:
            varied.append(sentence)
    return " ".join(varied or sentences[:1])


def vary_text(text: str, rng: random.Random) -> str:
    """A variation of ``text`` whose size stays within SIZE_TOLERANCE of the original."""
    paragraphs = text.strip("\n").split("\n\n")
    for _ in range(ATTEMPTS):
        varied = "\n\n".join(_vary_paragraph(paragraph, rng) for paragraph in paragraphs) + "\n"
        if abs(len(varied) - len(text)) <= SIZE_TOLERANCE * len(text):
            break
    return varied


def _plain(value: Any) -> Any:
    """Dates as ``YYYY-MM-DD`` text, as they were written (safe_load makes date objects)."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


class _Dumper(yaml.SafeDumper):
    """safe_dump, with multi-line text as literal blocks (``|``) as people write it."""


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # Plain style still gets quoted where it would not read back as text (dates).
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_text)


def dump_yaml(data: dict[str, Any]) -> str:
    return yaml.dump(
        data,
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=10_000,
    )


@dataclass(frozen=True)
class Archive:
    root: Path
    visits: list[Path]  # generated, in generation order (alternating real sources)
    real_answers: list[dict[str, str]]
    generated_answers: list[dict[str, str]]


def build_archive(root: Path, count: int, seed: int) -> Archive:
    """Copy settings, protocols (and templates) and generate ``count`` visits."""
    root.mkdir(parents=True)
    shutil.copy2(PROJECT / "nbesok.yaml", root / "nbesok.yaml")
    shutil.copytree(PROJECT / "protocols", root / "protocols")
    if (PROJECT / "templates").is_dir():
        shutil.copytree(PROJECT / "templates", root / "templates")
    sources = sorted((PROJECT / "visits").glob("*.yaml"))
    if not sources:
        sys.exit(f"bench: hittar inga besök i {PROJECT / 'visits'}")
    real = [_plain(yaml.safe_load(path.read_text(encoding="utf-8"))) for path in sources]
    rng = random.Random(seed)
    latest = min(LATEST_DATE, date.today() - timedelta(days=1))
    width = len(str(count - 1))
    (root / "visits").mkdir()
    visits: list[Path] = []
    generated: list[dict[str, str]] = []
    for index in range(count):
        source, data = sources[index % len(sources)], dict(real[index % len(real)])
        visit_date = (latest - timedelta(days=index)).isoformat()
        slug = re.sub(r"^\d{4}-\d{2}-\d{2}-", "", source.stem)
        data["besöksdatum"] = visit_date
        # Other dates and answers: the copies are drafts, not the source's fastställd content.
        data.pop("status", None)
        data["svar"] = {key: vary_text(text, rng) for key, text in data["svar"].items()}
        if isinstance(data.get("sammanfattning"), str):
            data["sammanfattning"] = vary_text(data["sammanfattning"], rng)
        path = root / "visits" / f"{visit_date}-{slug}-{index:0{width}d}.yaml"
        header = f"# Genererat av benchmarks/bench.py ur {source.name} (nr {index}).\n"
        path.write_text(header + dump_yaml(data), encoding="utf-8")
        visits.append(path)
        generated.append(data["svar"])
    return Archive(root, visits, [data["svar"] for data in real], generated)


def size_summary(answers: list[dict[str, str]]) -> dict[str, tuple[int, float, int]]:
    """Min, median and max characters per answer and per visit (all answers together)."""
    per_answer = [len(text) for visit in answers for text in visit.values()]
    per_visit = [sum(len(text) for text in visit.values()) for visit in answers]
    return {
        "per_svar": (min(per_answer), statistics.median(per_answer), max(per_answer)),
        "per_besök": (min(per_visit), statistics.median(per_visit), max(per_visit)),
    }


# Running and measuring processes


@dataclass(frozen=True)
class Run:
    seconds: float
    returncode: int = 0
    max_rss: int = 0  # bytes: ru_maxrss of the largest process in the tree (wait4)
    peak_tree_rss: int = 0  # bytes: peak of the summed RSS of the whole tree (polled)
    peak_processes: int = 0
    output: str = ""


def _read(path: str) -> bytes:
    """A small /proc file in one read; empty if the process is gone."""
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except OSError:
        return b""
    try:
        return os.read(descriptor, 4096)
    except OSError:
        return b""
    finally:
        os.close(descriptor)


def _process_tree(root: int) -> list[int]:
    """``root`` and all its descendants, from the parent pid in every /proc/<pid>/stat."""
    children: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        stat = _read(f"/proc/{name}/stat") if name.isdigit() else b""
        if stat:
            # The command name is in parentheses and may hold anything; state, ppid follow.
            ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
            children.setdefault(ppid, []).append(int(name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, ()))
    return tree


def _rss(pid: int) -> int:
    """VmRSS in bytes; 0 for a process that is gone or a zombie."""
    for line in _read(f"/proc/{pid}/status").splitlines():
        if line.startswith(b"VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


class TreeMemory(threading.Thread):
    """Polls the summed RSS of a process and its descendants until stopped.

    RSS is read every POLL_SECONDS; the tree is found again every RESCAN_POLLS polls,
    since a scan of all of /proc costs a few milliseconds of a core that the measured
    run needs (the worker processes start once and live until the end).
    """

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self.processes = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        polls, tree = 0, [self.pid]
        while not self._stop_event.is_set():
            if polls % RESCAN_POLLS == 0:
                tree = _process_tree(self.pid)
            self.peak = max(self.peak, sum(_rss(pid) for pid in tree))
            self.processes = max(self.processes, len(tree))
            polls += 1
            self._stop_event.wait(POLL_SECONDS)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def run(
    command: Sequence[str | Path],
    cwd: Path,
    env: dict[str, str],
    *,
    memory: bool = False,
    allowed: Sequence[int] = (0,),
) -> Run:
    """Run ``command`` as a whole process and time it from start to exit."""
    with tempfile.TemporaryFile() as output:
        start = time.perf_counter()
        process = subprocess.Popen(
            [str(part) for part in command],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        poller = TreeMemory(process.pid) if memory else None
        if poller:
            poller.start()
        # wait4 rather than wait: it also gives the tree's ru_maxrss, for this run only.
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if poller:
            poller.stop()
        output.seek(0)
        text = output.read().decode("utf-8", "replace")
    if process.returncode not in allowed:
        sys.exit(
            f"bench: ”{' '.join(str(part) for part in command)}” slutade med kod "
            f"{process.returncode}:\n{text}"
        )
    return Run(
        seconds,
        process.returncode,
        max_rss=usage.ru_maxrss * 1024,
        peak_tree_rss=poller.peak if poller else 0,
        peak_processes=poller.processes if poller else 0,
        output=text,
    )


def child_environment(pycache: Path, *, write_bytecode: bool = True) -> dict[str, str]:
    """CI=1 (no progress bar); Python's bytecode cache in our own folder.

    A user's installation caches compiled modules after the first run. Some machines
    set PYTHONDONTWRITEBYTECODE, which would make every run compile every module; a
    private PYTHONPYCACHEPREFIX gives every machine the same warm cache and writes
    nothing into the project or the venv.
    """
    env = dict(os.environ, CI="1", PYTHONPYCACHEPREFIX=str(pycache))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if not write_bytecode:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def median_seconds(runs: Sequence[Run]) -> float:
    return statistics.median(run.seconds for run in runs)


def spread(count: int, wanted: int) -> list[int]:
    """``wanted`` indices spread over ``count`` items, alternating odd and even.

    Generated visits alternate between the real sources, so both sources are sampled.
    """
    step = max(count // max(wanted, 1) // 2 * 2, 2)  # even, so index % 2 picks the source
    return [(index * step + index % 2) % count for index in range(wanted)]


# The table


def seconds_text(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def short_seconds_text(value: float) -> str:
    return f"{value * 1000:.1f} ms" if value < 0.1 else seconds_text(value)


def per_document_text(value: float) -> str:
    return f"{short_seconds_text(value)}/dok"


def megabytes_text(value: float) -> str:
    return f"{value / MB:.0f} MB"


def verdict(
    value: float, limit: float, show: Callable[[float], str], aim: float | None = None
) -> str:
    """``ok``, or by how much ``value`` is above ``limit`` (in its unit, and as a factor)."""
    if value <= limit:
        if aim is not None and value > aim:
            return f"ok (sikte missas med {show(value - aim)})"
        return "ok"
    ratio = value / limit
    over = f"+{(ratio - 1) * 100:.0f} %" if ratio < 2 else f"{ratio:.1f}×"
    return f"missar med {show(value - limit)} ({over})"


@dataclass(frozen=True)
class Row:
    measurement: str
    median: str
    per_document: str
    ratio: str
    target: str
    outcome: str


def print_table(rows: Sequence[Row], stream: TextIO) -> None:
    header = Row("mätning", "median", "per dokument", "kvot", "mål", "utfall")
    columns = list(zip(*(asdict(row).values() for row in (header, *rows)), strict=True))
    widths = [max(len(cell) for cell in column) for column in columns]

    def line(row: Row) -> str:
        cells = asdict(row).values()
        return " | ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True))

    print(line(header).rstrip(), file=stream)
    print("-+-".join("-" * width for width in widths), file=stream)
    for row in rows:
        print(line(row).rstrip(), file=stream)


# Machine


def _output(command: Sequence[str | Path]) -> str | None:
    """What ``command`` prints, or None if it cannot run or fails."""
    try:
        result = subprocess.run(
            [str(part) for part in command], capture_output=True, text=True, check=False
        )
    except OSError:
        return None
    return result.stdout.strip() if result.returncode == 0 else None


def _first_line(command: Sequence[str | Path]) -> str:
    lines = (_output(command) or "").splitlines()
    return lines[0] if lines else "okänd"


def _proc_field(path: str, name: str) -> str:
    try:
        with open(path, encoding="utf-8") as stream:
            for line in stream:
                key, _, value = line.partition(":")
                if key.strip() == name:
                    return value.strip()
    except OSError:
        pass
    return "okänd"


def machine(pandoc: str) -> dict[str, str]:
    memory = _proc_field("/proc/meminfo", "MemTotal")
    if memory.endswith(" kB"):
        memory = f"{int(memory.split()[0]) / 1024**2:.1f} GiB"
    commit = _first_line(["git", "-C", PROJECT, "rev-parse", "--short", "HEAD"])
    dirty = bool(_output(["git", "-C", PROJECT, "status", "--porcelain", "--untracked-files=no"]))
    return {
        "datum": datetime.now().astimezone().isoformat(timespec="minutes"),
        "nproc": str(os.cpu_count()),
        "cpu": _proc_field("/proc/cpuinfo", "model name"),
        "minne": memory,
        "python": sys.version.split()[0],
        "pandoc": _first_line([pandoc, "--version"]),
        "nbesok": _first_line([NBESOK, "--version"]),
        "commit": commit + (" (med oincheckade ändringar)" if dirty else ""),
        "belastning_före": _load_average(),
    }


def _load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "okänd"


# The benchmark


@dataclass
class Measurements:
    count: int
    pandoc: list[Run]  # one per Markdown file, each a different visit
    one_visit: list[Run]  # the same visits, each into a fresh --out folder
    one_visit_cold: list[Run]  # without a bytecode cache (for information)
    libraries: list[Run]  # importing the libraries the design prescribes, nothing else
    first: Run  # all visits into an empty folder, memory polled
    batches: list[Run]  # first and the further full renders, each into an empty folder
    pandoc_beside: list[list[Run]]  # per batch run: pandoc conversions right beside it
    second: Run  # the same again, nothing changed
    validate: list[Run]
    help: list[Run]
    click: list[Run]
    floor: list[float]  # python-docx: open the reference, add nothing, save (one process)
    in_process: list[float]  # one document's whole work in memory, beside the floor
    word_part: list[float]  # of which the python-docx part: build, review, save


def measure(workspace: Path, archive: Archive, pandoc: str, repeat: int) -> Measurements:
    root, visits, count = archive.root, archive.visits, len(archive.visits)
    env = child_environment(workspace / "pycache")

    def nbesok(*arguments: str | Path, environment: dict[str, str] = env) -> Run:
        return run([NBESOK, *arguments], root, environment)

    def render_one(index: int, out: Path, environment: dict[str, str] = env) -> Run:
        return nbesok(
            "render", visits[index].relative_to(root), "--out", out, environment=environment
        )

    for visit in visits[:2]:  # one from each real source
        result = run([NBESOK, "validate", visit.relative_to(root)], root, env, allowed=(0, 1))
        if result.returncode != 0:
            sys.exit(
                f"bench: det genererade besöket {visit.name} är inte giltigt:\n{result.output}"
            )

    progress("värmer upp (Pythons bytekodcache, diskcache)")
    render_one(0, workspace / "värm")
    nbesok("--help")
    run([PYTHON, "-c", "import click"], root, env)

    progress(f"renderar {count} besök (docx + md)")
    out = workspace / "out"
    first = run([NBESOK, "render", "--out", out], root, env, memory=True)
    written = len(list(out.glob("*.docx"))), len(list(out.glob("*.md")))
    if written != (count, count):
        sys.exit(f"bench: väntade {count} .docx och .md, fick {written[0]} och {written[1]}")

    def pandoc_block(number: int) -> list[Run]:
        """pandoc on a few rendered files, right beside a batch run: this machine's speed
        drifts over tens of seconds, so each batch is compared with its own reference."""
        folder = workspace / "pandoc-bredvid" / str(number)
        folder.mkdir(parents=True)
        return [
            run(
                [pandoc, "-f", "markdown", "-t", "docx", "-o", folder / f"{stem}.docx", source],
                root,
                env,
            )
            for stem, source in (
                (visits[index].stem, out / f"{visits[index].stem}.md")
                for index in spread(count, PANDOC_BESIDE)
            )
        ]

    pandoc_beside = [pandoc_block(1)]  # after the first batch: its .md files are the input

    progress("renderar samma besök igen, oförändrade")
    second = nbesok("render", "--out", out)
    if "Skrev " in second.output:
        progress("varning: den andra renderingen skrev om dokument")

    # One batch run is one sample of a noisy machine; the rate is their median.
    progress(f"renderar alla besök {BATCH_RUNS - 1} gånger till, var och en bredvid pandoc")
    batches = [first]
    for number in range(2, BATCH_RUNS + 1):
        pandoc_beside.append(pandoc_block(number))
        batches.append(nbesok("render", "--out", workspace / f"out-{number}"))

    validate_runs = max(3, repeat // 7)
    progress(f"validerar alla besök ({validate_runs} gånger)")
    validations = [nbesok("validate") for _ in range(validate_runs)]

    # Alternating them keeps their ratios fair when the machine's load changes.
    progress(f"pandoc, ett besök och biblioteken, omväxlande ({repeat} gånger var)")
    (workspace / "pandoc").mkdir()
    pandoc_runs: list[Run] = []
    one_runs: list[Run] = []
    library_runs: list[Run] = []
    for number, index in enumerate(spread(count, repeat)):
        stem = visits[index].stem
        target, markdown = workspace / "pandoc" / f"{stem}.docx", out / f"{stem}.md"
        pandoc_runs.append(
            run([pandoc, "-f", "markdown", "-t", "docx", "-o", target, markdown], root, env)
        )
        one_runs.append(render_one(index, workspace / "ett" / str(number)))
        library_runs.append(run([PYTHON, "-c", LIBRARY_IMPORTS], root, env))

    progress(f"nbesok --help och python -c 'import click', omväxlande ({repeat} gånger var)")
    help_runs: list[Run] = []
    click_runs: list[Run] = []
    for _ in range(repeat):
        help_runs.append(nbesok("--help"))
        click_runs.append(run([PYTHON, "-c", "import click"], root, env))

    progress(f"{IN_PROCESS_DOCUMENTS} dokument i en process, omväxlande med python-docx golv")
    sample = [visits[index] for index in spread(count, IN_PROCESS_DOCUMENTS)]
    timed = json.loads(run([PYTHON, IN_PROCESS, root, *sample], root, env).output)

    cold_runs = max(3, repeat // 4)
    progress(f"ett besök utan bytekodcache ({cold_runs} gånger, som upplysning)")
    cold = child_environment(workspace / "tom-pycache", write_bytecode=False)
    one_cold = [
        render_one(index, workspace / "kall" / str(number), cold)
        for number, index in enumerate(spread(count, cold_runs))
    ]
    return Measurements(
        count,
        pandoc_runs,
        one_runs,
        one_cold,
        library_runs,
        first,
        batches,
        pandoc_beside,
        second,
        validations,
        help_runs,
        click_runs,
        timed["golv"],
        timed["dokument"],
        timed["word"],
    )


def table(m: Measurements) -> list[Row]:
    """The measurements against their references and the issue's targets."""
    count = m.count
    pandoc = median_seconds(m.pandoc)
    one, cold = median_seconds(m.one_visit), median_seconds(m.one_visit_cold)
    libraries = median_seconds(m.libraries)
    batch_seconds = median_seconds(m.batches)
    batch, rerender = batch_seconds / count, m.second.seconds / count
    # Each batch run against the pandoc runs beside it, then the median of those ratios.
    speedup = statistics.median(
        median_seconds(beside) / (run.seconds / count)
        for run, beside in zip(m.batches, m.pandoc_beside, strict=True)
    )
    validate = median_seconds(m.validate)
    help_time, click = median_seconds(m.help), median_seconds(m.click)
    share = m.second.seconds / batch_seconds
    floor, in_process = statistics.median(m.floor), statistics.median(m.in_process)
    word_part = statistics.median(m.word_part)
    return [
        Row(
            "pandoc .md → .docx (referens)",
            seconds_text(pandoc),
            short_seconds_text(pandoc),
            "1.00",
            "",
            f"referens, {len(m.pandoc)} filer",
        ),
        Row(
            f"nbesok render, {count} besök",
            seconds_text(batch_seconds),
            short_seconds_text(batch),
            f"{speedup:.1f}× snabbare än pandoc",
            f"≥ {BATCH_SPEEDUP:g}× snabbare",
            verdict(batch, batch * speedup / BATCH_SPEEDUP, per_document_text)
            + f", median av {len(m.batches)} mot pandoc bredvid",
        ),
        Row(
            "nbesok render, ett besök",
            seconds_text(one),
            "",
            f"{one / libraries:.2f}× biblioteken ({one / pandoc:.1f}× pandoc)",
            f"≤ {ONE_VISIT_RATIO:g}× biblioteken",
            verdict(one, ONE_VISIT_RATIO * libraries, seconds_text),
        ),
        Row(
            "  bara importera biblioteken",
            seconds_text(libraries),
            "",
            f"{libraries / pandoc:.1f}× pandoc",
            "",
            "referens: golvet för en process",
        ),
        Row(
            "  dito utan bytekodcache",
            seconds_text(cold),
            "",
            f"{cold / pandoc:.1f}× pandoc",
            "",
            f"upplysning, {len(m.one_visit_cold)} körningar",
        ),
        Row(
            "python-docx: öppna referensen, spara",
            short_seconds_text(floor),
            short_seconds_text(floor),
            "1.00",
            "",
            f"referens, {len(m.floor)} gånger i en process",
        ),
        Row(
            "ett dokument i en process",
            short_seconds_text(in_process),
            short_seconds_text(in_process),
            f"{in_process / floor:.1f}× python-docx golv",
            f"≤ {IN_PROCESS_RATIO:g}×",
            verdict(in_process, IN_PROCESS_RATIO * floor, short_seconds_text)
            + ", omväxlande med golvet",
        ),
        Row(
            "  därav Word-delen",
            short_seconds_text(word_part),
            short_seconds_text(word_part),
            f"{word_part / floor:.1f}× python-docx golv",
            "",
            "upplysning: bygga, granska och spara ur tolkad Markdown",
        ),
        Row(
            "nbesok render igen, oförändrade",
            seconds_text(m.second.seconds),
            short_seconds_text(rerender),
            f"{share * 100:.1f} % av första",
            f"≤ {RERENDER_SHARE * 100:g} %",
            verdict(m.second.seconds, RERENDER_SHARE * batch_seconds, seconds_text),
        ),
        Row(
            f"nbesok validate, {count} besök",
            seconds_text(validate),
            short_seconds_text(validate / count),
            "",
            f"< {VALIDATE_SECONDS:g} s",
            verdict(validate, VALIDATE_SECONDS, seconds_text),
        ),
        Row(
            "nbesok --help",
            seconds_text(help_time),
            "",
            f"{help_time / click:.2f}× import click",
            f"≤ {HELP_RATIO:g}×",
            verdict(help_time, HELP_RATIO * click, seconds_text),
        ),
        Row('python -c "import click" (referens)', seconds_text(click), "", "1.00", "", "referens"),
        Row(
            f"toppminne, render {count} besök",
            megabytes_text(m.first.peak_tree_rss),
            "",
            f"summa RSS, {m.first.peak_processes} processer",
            f"< {PEAK_MEMORY / MB:g} MB",
            verdict(m.first.peak_tree_rss, PEAK_MEMORY, megabytes_text),
        ),
        Row(
            "  största process (ru_maxrss)",
            megabytes_text(m.first.max_rss),
            "",
            "",
            "",
            "upplysning",
        ),
    ]


def figures(
    info: dict[str, str],
    sizes: dict[str, dict[str, tuple[int, float, int]]],
    m: Measurements,
    rows: list[Row],
    seed: int,
) -> dict[str, Any]:
    """Everything printed, plus every single timing, for --json."""

    def seconds(runs: list[Run]) -> list[float]:
        return [run.seconds for run in runs]

    return {
        "maskin": info,
        "inställningar": {"besök": m.count, "upprepningar": len(m.help), "frö": seed},
        "svarstext_tecken": sizes,
        "sekunder": {
            "pandoc_per_dokument": seconds(m.pandoc),
            "render_ett_besök": seconds(m.one_visit),
            "render_ett_besök_utan_bytekodcache": seconds(m.one_visit_cold),
            "importera_biblioteken": seconds(m.libraries),
            "render_alla": seconds(m.batches),
            "pandoc_bredvid_render_alla": [seconds(runs) for runs in m.pandoc_beside],
            "render_alla_igen": m.second.seconds,
            "validate_alla": seconds(m.validate),
            "help": seconds(m.help),
            "import_click": seconds(m.click),
            "python_docx_golv": m.floor,
            "dokument_i_en_process": m.in_process,
            "word_delen_i_en_process": m.word_part,
        },
        "minne_byte": {
            "topp_summa_rss": m.first.peak_tree_rss,
            "ru_maxrss_största_process": m.first.max_rss,
        },
        "tabell": [asdict(row) for row in rows],
    }


def print_report(
    info: dict[str, str], sizes: dict[str, dict[str, tuple[int, float, int]]], rows: list[Row]
) -> None:
    print("\nMaskin:")
    for key, value in info.items():
        print(f"  {key}: {value}")
    print("\nSvarstext i tecken (min / median / max):")
    for kind, summary in sizes.items():
        answer, visit = summary["per_svar"], summary["per_besök"]
        print(
            f"  {kind:<10} per svar {answer[0]} / {answer[1]:.0f} / {answer[2]}, "
            f"per besök {visit[0]} / {visit[1]:.0f} / {visit[2]}"
        )
    print()
    print_table(rows, sys.stdout)


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Mät nbesok som hela processer mot pandoc och click, i en och samma körning."
    )
    parser.add_argument("--visits", type=int, default=1000, help="antal besök (standard 1000)")
    parser.add_argument(
        "--repeat",
        type=int,
        default=21,
        help="körningar per liten mätning: pandoc, ett besök, --help, import click (standard 21)",
    )
    parser.add_argument("--seed", type=int, default=2023, help="frö för variationen av svaren")
    parser.add_argument("--json", type=Path, metavar="FIL", help="skriv siffrorna som JSON hit")
    parser.add_argument("--keep", action="store_true", help="behåll det genererade arkivet")
    arguments = parser.parse_args(argv)
    if arguments.visits < 2 or arguments.repeat < 1:
        parser.error("--visits ska vara minst 2 och --repeat minst 1")
    return arguments


def progress(text: str) -> None:
    print(f"… {text}", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> None:
    arguments = parse_arguments(argv)
    import pypandoc  # dev dependency; it supplies the pandoc binary

    pandoc = str(pypandoc.get_pandoc_path())
    info = machine(pandoc)
    workspace = Path(tempfile.mkdtemp(prefix="nbesok-bench-"))
    try:
        progress(f"genererar {arguments.visits} besök")
        archive = build_archive(workspace / "arkiv", arguments.visits, arguments.seed)
        measurements = measure(workspace, archive, pandoc, arguments.repeat)
    finally:
        if arguments.keep:
            print(f"Arkivet finns kvar i {workspace / 'arkiv'}", file=sys.stderr)
        else:
            shutil.rmtree(workspace, ignore_errors=True)
    info["belastning_efter"] = _load_average()
    sizes = {
        "verkliga": size_summary(archive.real_answers),
        "genererade": size_summary(archive.generated_answers),
    }
    rows = table(measurements)
    print_report(info, sizes, rows)
    if arguments.json:
        data = figures(info, sizes, measurements, rows, arguments.seed)
        text = json.dumps(data, ensure_ascii=False, indent=2)
        arguments.json.write_text(text + "\n", encoding="utf-8")
        print(f"\nSiffrorna skrevs till {arguments.json}")


if __name__ == "__main__":
    main()
