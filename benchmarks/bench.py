"""Benchmark for nbesok: whole processes against pandoc, python-docx and the libraries'
import, in one run, every figure over runs paired with its reference.

Builds fresh archives in a temporary folder with visits generated from the two real
ones, runs every command as its own process (as a user would), and prints a table with
min / median / max of every figure, ratios against references measured beside them in
the same run, and each target of issue 23 as met ("uppfyllt") or missed ("missat", by
how much). Nothing is asserted.

    uv run python benchmarks/bench.py [--visits 1000] [--large 5000] [--season 1000]
                                      [--repeat 21] [--json figures.json]

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
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

import yaml

PROJECT = Path(__file__).resolve().parent.parent
PYTHON = Path(sys.executable)  # the venv's interpreter; not resolved, or the venv is lost
NBESOK = PYTHON.parent / "nbesok"
CORES = os.cpu_count() or 1

# Generated visits get dates counting back from here: real calendar dates, in the past.
LATEST_DATE = date(2024, 12, 31)
# A season report's visits: all of one protocol's season (arbetslik-aktivitet-2023).
SEASON_SOURCE = "2023-06-07-arbetslik-aktivitet.yaml"
SEASON = "2023"
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

# Targets, issue 23 (and the earlier ones the table keeps).
BATCH_SPEEDUP = 12.0  # batch per document: at least 12x pandoc, one process per document
BATCH_SPEEDUP_CORES = 6.0  # and at least 6x pandoc run on every core (xargs -P)
ONE_VISIT_SAME_MODULES = 1.1  # one visit: at most 1.1x importing the modules it loads
ONE_VISIT_NAMED = 1.25  # and at most 1.25x importing the seven named libraries
RERENDER_SHARE = 0.02  # unchanged re-render: at most 2 % of the first, at both sizes
SEASON_MEMORY = 200 * MB  # a season report of 1,000 visits, peak RSS
PEAK_MEMORY = 300 * MB  # batch render, sum of RSS over the process tree
VALIDATE_SECONDS = 1.0  # validate of all visits
HELP_RATIO = 1.2  # nbesok --help: at most 1.2x python -c "import click"

BATCH_RUNS = 3  # full renders of all visits, each beside its own pandoc runs
PANDOC_ONE_BY_ONE = 7  # pandoc runs, one process after another, beside each batch run
PANDOC_ON_CORES = 4 * CORES  # pandoc runs through xargs -P CORES, beside each batch run
LARGE_RERENDERS = 3  # unchanged re-renders of the large archive after its first render
SEASON_RUNS = 3
IMPORT_FILES = 48  # Word files for nbesok import of a folder (information)
IMPORT_RUNS = 3
IN_PROCESS_DOCUMENTS = 200  # documents timed in one process, alternating with the floors

# The seven libraries issue 23 names, as a program imports them.
NAMED_LIBRARIES = "import click, pydantic, yaml, jinja2, docx, markdown_it, mdformat"
IN_PROCESS = Path(__file__).resolve().parent / "in_process.py"

# Runs one nbesok command and prints, as JSON, every module it imported from outside
# the standard library and nbesok itself, in the order they were imported.
_LIST_MODULES = """\
import json, sys, sysconfig
from nbesok.cli import cli
try:
    cli(sys.argv[1:], prog_name="nbesok", standalone_mode=False)
except SystemExit:
    pass
roots = {sysconfig.get_paths()[key] for key in ("purelib", "platlib")}
names = [
    name for name, module in list(sys.modules.items())
    if any(str(getattr(module, "__file__", None) or "").startswith(root) for root in roots)
    and not name.startswith(("nbesok", "_distutils_hack", "__editable__"))
]
print("MODULER " + json.dumps(names))
"""


# Generating the archives


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

    @property
    def reference(self) -> Path:
        """The reference .docx nbesok renders with: the archive's own, else the default."""
        own = self.root / "templates" / "referens.docx"
        return own if own.is_file() else PROJECT / "src" / "nbesok" / "templates" / "referens.docx"


def build_archive(root: Path, count: int, seed: int, *, season: bool = False) -> Archive:
    """Copy settings, protocols (and templates) and generate ``count`` visits.

    The visits alternate between the real ones, one a day counting back from
    LATEST_DATE; a ``season`` archive has only visits of the 2023 protocol, every one
    in 2023 (several a day), for a season report.
    """
    root.mkdir(parents=True)
    shutil.copy2(PROJECT / "nbesok.yaml", root / "nbesok.yaml")
    shutil.copytree(PROJECT / "protocols", root / "protocols")
    if (PROJECT / "templates").is_dir():
        shutil.copytree(PROJECT / "templates", root / "templates")
    sources = sorted((PROJECT / "visits").glob("*.yaml"))
    if season:
        sources = [path for path in sources if path.name == SEASON_SOURCE]
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
        if season:
            day = date(int(SEASON), 1, 1) + timedelta(days=index % 365)
        else:
            day = latest - timedelta(days=index)
        slug = re.sub(r"^\d{4}-\d{2}-\d{2}-", "", source.stem)
        data["besöksdatum"] = day.isoformat()
        # Other dates and answers: the copies are drafts, not the source's fastställd content.
        data.pop("status", None)
        data["svar"] = {key: vary_text(text, rng) for key, text in data["svar"].items()}
        if isinstance(data.get("sammanfattning"), str):
            data["sammanfattning"] = vary_text(data["sammanfattning"], rng)
        path = root / "visits" / f"{day.isoformat()}-{slug}-{index:0{width}d}.yaml"
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


def spread(count: int, wanted: int, offset: int = 0) -> list[int]:
    """``wanted`` indices spread over ``count`` items, alternating odd and even; another
    ``offset`` gives other items.

    Generated visits alternate between the real sources, so both sources are sampled.
    """
    step = max(count // max(wanted, 1) // 2 * 2, 2)  # even, so index % 2 picks the source
    return [(index * step + index % 2 + 2 * offset) % count for index in range(wanted)]


# Figures: samples and their spread


@dataclass(frozen=True)
class Figure:
    """Samples of one measurement (seconds, bytes or a ratio), with their spread."""

    samples: tuple[float, ...]

    @classmethod
    def of(cls, values: Sequence[float]) -> Figure:
        if not values:
            raise ValueError("a figure needs at least one sample")
        return cls(tuple(values))

    @property
    def min(self) -> float:
        return min(self.samples)

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def max(self) -> float:
        return max(self.samples)

    def spread(self, show: Callable[[float], str]) -> str:
        return f"{show(self.min)} / {show(self.median)} / {show(self.max)}"


def seconds_of(runs: Sequence[Run]) -> Figure:
    return Figure.of([run.seconds for run in runs])


def ratios(numerators: Sequence[float], denominators: Sequence[float]) -> Figure:
    """Each sample against the one it was paired with."""
    return Figure.of([n / d for n, d in zip(numerators, denominators, strict=True)])


# The benchmark


@dataclass
class Measurements:
    count: int
    cores: int
    first_output_lines: int = 0
    pandoc_one: list[list[Run]] = field(default_factory=list)  # per batch run
    pandoc_cores: list[Run] = field(default_factory=list)  # per batch run: xargs -P
    pandoc_cores_files: int = 0
    batches: list[Run] = field(default_factory=list)  # all visits into an empty folder
    rerenders: list[Run] = field(default_factory=list)  # after each batch, nothing changed
    large_count: int = 0
    large_first: list[Run] = field(default_factory=list)
    large_rerenders: list[Run] = field(default_factory=list)
    validate: list[Run] = field(default_factory=list)
    one_visit: list[Run] = field(default_factory=list)
    same_modules: list[Run] = field(default_factory=list)  # the modules one visit loads
    named: list[Run] = field(default_factory=list)  # the seven named libraries
    module_names: list[str] = field(default_factory=list)
    one_visit_cold: list[Run] = field(default_factory=list)
    help: list[Run] = field(default_factory=list)
    click: list[Run] = field(default_factory=list)
    in_process: dict[str, list[float]] = field(default_factory=dict)
    season_count: int = 0
    season: list[Run] = field(default_factory=list)
    import_files: int = 0
    imports: list[Run] = field(default_factory=list)


def _pandoc(pandoc: str, reference: Path, source: Path, target: Path) -> list[str | Path]:
    return [
        pandoc,
        "-f",
        "markdown",
        "-t",
        "docx",
        "--reference-doc",
        reference,
        "-o",
        target,
        source,
    ]


def measure(
    workspace: Path,
    archive: Archive,
    pandoc: str,
    arguments: argparse.Namespace,
) -> Measurements:
    root, visits, count = archive.root, archive.visits, len(archive.visits)
    env = child_environment(workspace / "pycache")
    m = Measurements(count, CORES)

    def nbesok(*args: str | Path, where: Path = root, **options: Any) -> Run:
        return run([NBESOK, *args], where, env, **options)

    def render_one(index: int, out: Path, environment: dict[str, str] = env) -> Run:
        visit = visits[index].relative_to(root)
        return run([NBESOK, "render", visit, "--out", out], root, environment)

    for visit in visits[:2]:  # one from each real source
        result = nbesok("validate", visit.relative_to(root), allowed=(0, 1))
        if result.returncode != 0:
            sys.exit(
                f"bench: det genererade besöket {visit.name} är inte giltigt:\n{result.output}"
            )

    progress("värmer upp (Pythons bytekodcache, diskcache)")
    render_one(0, workspace / "värm")
    nbesok("--help")
    run([PYTHON, "-c", "import click"], root, env)
    # pandoc's input: the .md of every visit any pandoc run below converts.
    markdown = workspace / "md"
    sampled = sorted(
        {index for offset in range(arguments.batch_runs) for index in _pandoc_sample(count, offset)}
    )
    nbesok(
        "render",
        *(visits[i].relative_to(root) for i in sampled),
        "--format",
        "md",
        "--out",
        markdown,
    )
    run(
        _pandoc(pandoc, archive.reference, markdown / f"{visits[0].stem}.md", workspace / "p.docx"),
        root,
        env,
    )

    for number in range(1, arguments.batch_runs + 1):
        progress(
            f"omgång {number}/{arguments.batch_runs}: pandoc en i taget och på {CORES} kärnor, "
            f"sedan nbesok render av {count} besök och samma igen oförändrade"
        )
        sample = [markdown / f"{visits[i].stem}.md" for i in _pandoc_sample(count, number - 1)]
        folder = workspace / "pandoc" / str(number)
        folder.mkdir(parents=True)
        m.pandoc_one.append(
            [
                run(
                    _pandoc(pandoc, archive.reference, source, folder / f"{source.stem}.docx"),
                    root,
                    env,
                )
                for source in sample[:PANDOC_ONE_BY_ONE]
            ]
        )
        m.pandoc_cores.append(
            _pandoc_on_cores(pandoc, archive.reference, sample, folder / "xargs", env)
        )
        m.pandoc_cores_files = len(sample)
        out = workspace / f"out-{number}"
        batch = nbesok("render", "--out", out, memory=number == 1)
        if number == 1:
            written = len(list(out.glob("*.docx"))), len(list(out.glob("*.md")))
            if written != (count, count):
                sys.exit(
                    f"bench: väntade {count} .docx och .md, fick {written[0]} och {written[1]}"
                )
            m.first_output_lines = len(batch.output.strip().splitlines())
        m.batches.append(batch)
        again = nbesok("render", "--out", out)
        if "Skrev " in again.output:
            progress("varning: renderingen av oförändrade besök skrev om dokument")
        m.rerenders.append(again)

    validate_runs = max(3, arguments.repeat // 7)
    progress(f"validerar alla besök ({validate_runs} gånger)")
    m.validate = [nbesok("validate") for _ in range(validate_runs)]

    progress("listar modulerna som ett besök läser in")
    listing = run(
        [
            PYTHON,
            "-c",
            _LIST_MODULES,
            "render",
            visits[0].relative_to(root),
            "--out",
            workspace / "lista",
        ],
        root,
        env,
    )
    _, _, listed = listing.output.rpartition("MODULER ")
    m.module_names = json.loads(listed)
    # In the order the run imported them; each brings what it imports itself.
    same_modules = (
        f"import importlib\nfor name in {m.module_names!r}:\n    importlib.import_module(name)\n"
    )
    run([PYTHON, "-c", same_modules], root, env)
    progress(f"ett besök, samma moduler och de sju biblioteken ({arguments.repeat} gånger var)")
    for number, index in enumerate(spread(count, arguments.repeat)):
        m.one_visit.append(render_one(index, workspace / "ett" / str(number)))
        m.same_modules.append(run([PYTHON, "-c", same_modules], root, env))
        m.named.append(run([PYTHON, "-c", NAMED_LIBRARIES], root, env))

    progress(
        f"nbesok --help och python -c 'import click', omväxlande ({arguments.repeat} gånger var)"
    )
    for _ in range(arguments.repeat):
        m.help.append(nbesok("--help"))
        m.click.append(run([PYTHON, "-c", "import click"], root, env))

    progress(f"{IN_PROCESS_DOCUMENTS} dokument i en process, omväxlande med python-docx golv")
    sample_visits = [visits[index] for index in spread(count, IN_PROCESS_DOCUMENTS)]
    m.in_process = json.loads(run([PYTHON, IN_PROCESS, root, *sample_visits], root, env).output)

    cold_runs = max(3, arguments.repeat // 4)
    progress(f"ett besök utan bytekodcache ({cold_runs} gånger, som upplysning)")
    cold = child_environment(workspace / "tom-pycache", write_bytecode=False)
    m.one_visit_cold = [
        render_one(index, workspace / "kall" / str(number), cold)
        for number, index in enumerate(spread(count, cold_runs))
    ]

    m.import_files = min(IMPORT_FILES, count)
    progress(f"nbesok import av en mapp med {m.import_files} Word-filer ({IMPORT_RUNS} gånger)")
    word = workspace / "word"
    word.mkdir()
    for index in spread(count, m.import_files):
        shutil.copy2(workspace / "out-1" / f"{visits[index].stem}.docx", word)
    for number in range(IMPORT_RUNS):
        target = workspace / f"import-{number}"
        _empty_archive(root, target)
        m.imports.append(run([NBESOK, "import", word], target, env, memory=True))

    if arguments.large:
        m.large_count = arguments.large
        progress(f"genererar {arguments.large} besök")
        large = build_archive(workspace / "stort", arguments.large, arguments.seed)
        progress(f"renderar {arguments.large} besök och sedan samma igen oförändrade")
        out = workspace / "stort-out"
        m.large_first.append(nbesok("render", "--out", out, where=large.root))
        m.large_rerenders = [
            nbesok("render", "--out", out, where=large.root) for _ in range(LARGE_RERENDERS)
        ]

    if arguments.season:
        m.season_count = arguments.season
        progress(f"genererar en säsong med {arguments.season} besök")
        season = build_archive(workspace / "säsong", arguments.season, arguments.seed, season=True)
        progress(f"nbesok report --period {SEASON} --utkast ({SEASON_RUNS} gånger, minnet mäts)")
        m.season = [
            nbesok(
                "report",
                "--period",
                SEASON,
                "--utkast",
                "--out",
                workspace / f"rapport-{n}",
                where=season.root,
                memory=True,
            )
            for n in range(SEASON_RUNS)
        ]
    return m


def _pandoc_sample(count: int, offset: int) -> list[int]:
    return spread(count, max(PANDOC_ONE_BY_ONE, PANDOC_ON_CORES), offset * 7)


def _pandoc_on_cores(
    pandoc: str, reference: Path, sources: Sequence[Path], folder: Path, env: dict[str, str]
) -> Run:
    """pandoc over ``sources`` on every core, one process per file, as ``xargs -P`` runs
    it (xargs appends ``-o OUT IN`` of each file to the command)."""
    folder.mkdir(parents=True)
    listing = folder / "filer"
    triples = [("-o", str(folder / f"{source.stem}.docx"), str(source)) for source in sources]
    listing.write_bytes(b"\0".join(part.encode() for triple in triples for part in triple))
    command = [
        "xargs",
        "-0",
        "-P",
        str(CORES),
        "-n",
        "3",
        "-a",
        str(listing),
        pandoc,
        "-f",
        "markdown",
        "-t",
        "docx",
        "--reference-doc",
        str(reference),
    ]
    return run(command, folder, env)


def _empty_archive(source: Path, target: Path) -> None:
    """An archive with the settings, protocols and templates of ``source``, no visits."""
    target.mkdir(parents=True)
    shutil.copy2(source / "nbesok.yaml", target / "nbesok.yaml")
    for folder in ("protocols", "templates"):
        if (source / folder).is_dir():
            shutil.copytree(source / folder, target / folder)
    (target / "visits").mkdir()


# The table


def ms(value: float) -> str:
    return f"{value * 1000:.1f} ms" if value < 0.1 else f"{value * 1000:.0f} ms"


def seconds_text(value: float) -> str:
    return ms(value) if value < 1 else f"{value:.2f} s"


def megabytes(value: float) -> str:
    return f"{value / MB:.0f} MB"


def times(value: float) -> str:
    return f"{value:.2f}×" if value < 10 else f"{value:.1f}×"


def percent(value: float) -> str:
    return f"{value * 100:.1f} %"


@dataclass(frozen=True)
class Row:
    measurement: str
    spread: str = ""  # min / median / max
    per_document: str = ""  # median
    ratio: str = ""  # median (min–max)
    target: str = ""
    outcome: str = ""


def ratio_text(figure: Figure, show: Callable[[float], str], what: str) -> str:
    if len(figure.samples) == 1:
        return f"{show(figure.median)} {what}"
    return f"{show(figure.median)} {what} ({show(figure.min)}–{show(figure.max)})"


def at_least(figure: Figure, target: float, show: Callable[[float], str]) -> str:
    """Met if the median reaches ``target`` (higher is better); else by how much not."""
    if figure.median >= target:
        return f"uppfyllt: {show(figure.median)} mot minst {show(target)}"
    share = figure.median / target * 100
    return f"missat: {show(figure.median)} mot minst {show(target)} ({share:.0f} % av målet)"


def at_most(figure: Figure, target: float, show: Callable[[float], str]) -> str:
    """Met if the median stays at or below ``target`` (lower is better)."""
    if figure.median <= target:
        return f"uppfyllt: {show(figure.median)} mot högst {show(target)}"
    over = figure.median / target
    factor = f"+{(over - 1) * 100:.0f} %" if over < 2 else f"{over:.1f} gånger målet"
    return f"missat: {show(figure.median)} mot högst {show(target)} ({factor})"


def table(m: Measurements) -> list[Row]:
    """Every figure against its reference and the issue's targets."""
    count, rows = m.count, []
    pandoc_one = Figure.of([run.seconds for runs in m.pandoc_one for run in runs])
    pandoc_cores = Figure.of([run.seconds / m.pandoc_cores_files for run in m.pandoc_cores])
    batch = seconds_of(m.batches)
    per_document = [run.seconds / count for run in m.batches]
    speedup = ratios(
        [statistics.median(run.seconds for run in runs) for runs in m.pandoc_one], per_document
    )
    speedup_cores = ratios(
        [run.seconds / m.pandoc_cores_files for run in m.pandoc_cores], per_document
    )
    rows += [
        Row("Många besök"),
        Row(
            "pandoc .md → .docx, en process per fil",
            pandoc_one.spread(ms),
            ms(pandoc_one.median),
            "1.00",
            "",
            f"referens: samma --reference-doc, {len(pandoc_one.samples)} filer",
        ),
        Row(
            f"pandoc på {m.cores} kärnor (xargs -P {m.cores})",
            pandoc_cores.spread(ms),
            ms(pandoc_cores.median),
            "",
            "",
            f"referens: {m.pandoc_cores_files} filer × {len(m.pandoc_cores)}, tid per fil",
        ),
        Row(
            f"nbesok render, {count} besök",
            batch.spread(seconds_text),
            ms(batch.median / count),
            ratio_text(speedup, times, "pandoc en i taget"),
            f"≥ {BATCH_SPEEDUP:g}×",
            at_least(speedup, BATCH_SPEEDUP, times),
        ),
        Row(
            "  mot pandoc på alla kärnor",
            "",
            "",
            ratio_text(speedup_cores, times, f"pandoc på {m.cores} kärnor"),
            f"≥ {BATCH_SPEEDUP_CORES:g}×",
            at_least(speedup_cores, BATCH_SPEEDUP_CORES, times),
        ),
    ]
    first = m.batches[0]
    memory = Figure.of([first.peak_tree_rss])
    rows += [
        Row(
            f"  toppminne, summa RSS ({first.peak_processes} processer)",
            megabytes(first.peak_tree_rss),
            "",
            f"största process {megabytes(first.max_rss)}",
            f"< {PEAK_MEMORY / MB:g} MB",
            at_most(memory, PEAK_MEMORY, megabytes),
        ),
        Row(
            "  utskrift från första renderingen",
            f"{m.first_output_lines} rad" + ("" if m.first_output_lines == 1 else "er"),
            "",
            "",
            "en sammanfattande rad",
            "uppfyllt" if m.first_output_lines == 1 else "missat",
        ),
    ]
    shares = ratios([run.seconds for run in m.rerenders], [run.seconds for run in m.batches])
    rows.append(
        Row(
            f"nbesok render igen, {count} besök oförändrade",
            seconds_of(m.rerenders).spread(seconds_text),
            ms(seconds_of(m.rerenders).median / count),
            ratio_text(shares, percent, "av första"),
            f"≤ {RERENDER_SHARE * 100:g} %",
            at_most(shares, RERENDER_SHARE, percent),
        )
    )
    if m.large_first:
        large = m.large_count
        first_large = m.large_first[0].seconds
        large_shares = Figure.of([run.seconds / first_large for run in m.large_rerenders])
        rows += [
            Row(
                f"nbesok render, {large} besök",
                seconds_of(m.large_first).spread(seconds_text),
                ms(first_large / large),
                "",
                "",
                f"referens: {len(m.large_first)} körning",
            ),
            Row(
                f"nbesok render igen, {large} besök oförändrade",
                seconds_of(m.large_rerenders).spread(seconds_text),
                ms(seconds_of(m.large_rerenders).median / large),
                ratio_text(large_shares, percent, "av första"),
                f"≤ {RERENDER_SHARE * 100:g} %",
                at_most(large_shares, RERENDER_SHARE, percent),
            ),
        ]
    validate = seconds_of(m.validate)
    rows.append(
        Row(
            f"nbesok validate, {count} besök",
            validate.spread(seconds_text),
            ms(validate.median / count),
            "",
            f"< {VALIDATE_SECONDS:g} s",
            at_most(validate, VALIDATE_SECONDS, seconds_text),
        )
    )
    one = seconds_of(m.one_visit)
    same = seconds_of(m.same_modules)
    named = seconds_of(m.named)
    one_same = ratios([r.seconds for r in m.one_visit], [r.seconds for r in m.same_modules])
    one_named = ratios([r.seconds for r in m.one_visit], [r.seconds for r in m.named])
    help_ratio = ratios([r.seconds for r in m.help], [r.seconds for r in m.click])
    rows += [
        Row("Ett besök som egen process"),
        Row(
            "nbesok render, ett besök",
            one.spread(ms),
            "",
            f"{times(one.median / pandoc_one.median)} pandoc",
            "",
            f"{len(m.one_visit)} körningar",
        ),
        Row(
            f"  mot samma {len(m.module_names)} moduler från biblioteken",
            same.spread(ms),
            "",
            ratio_text(one_same, times, "importen"),
            f"≤ {ONE_VISIT_SAME_MODULES:g}×",
            at_most(one_same, ONE_VISIT_SAME_MODULES, times),
        ),
        Row(
            "  mot de sju namngivna biblioteken",
            named.spread(ms),
            "",
            ratio_text(one_named, times, "importen"),
            f"≤ {ONE_VISIT_NAMED:g}×",
            at_most(one_named, ONE_VISIT_NAMED, times),
        ),
        Row(
            "  dito utan bytekodcache",
            seconds_of(m.one_visit_cold).spread(seconds_text),
            "",
            "",
            "",
            f"upplysning, {len(m.one_visit_cold)} körningar",
        ),
        Row(
            "nbesok --help",
            seconds_of(m.help).spread(ms),
            "",
            ratio_text(help_ratio, times, "import click"),
            f"≤ {HELP_RATIO:g}×",
            at_most(help_ratio, HELP_RATIO, times),
        ),
        Row('  python -c "import click"', seconds_of(m.click).spread(ms), "", "", "", "referens"),
    ]
    timed = {key: Figure.of(values) for key, values in m.in_process.items()}
    open_save, same_content = timed["golv_öppna_spara"], timed["golv_samma_innehåll"]
    document, word = timed["dokument"], timed["word"]
    rows += [
        Row(f"I en process, {len(document.samples)} dokument (de tre golven)"),
        Row(
            "golv: python-docx öppnar referensen och sparar",
            open_save.spread(ms),
            ms(open_save.median),
            "1.00",
            "",
            "referens",
        ),
        Row(
            "golv: samma innehåll genom python-docx",
            same_content.spread(ms),
            ms(same_content.median),
            ratio_text(ratios(same_content.samples, open_save.samples), times, "öppna+spara"),
            "",
            "referens: dokumentets stycken och tabeller",
        ),
        Row(
            "nbesok, hela dokumentet",
            document.spread(ms),
            ms(document.median),
            ratio_text(ratios(document.samples, same_content.samples), times, "samma innehåll"),
            "",
            "upplysning: YAML, mall, Markdown, .docx, .md, vakt, granskning",
        ),
        Row(
            "  därav Word-delen",
            word.spread(ms),
            ms(word.median),
            ratio_text(ratios(word.samples, same_content.samples), times, "samma innehåll"),
            "",
            "upplysning: bygga, granska, spara ur tolkad Markdown",
        ),
    ]
    rows.append(Row("Övrigt"))
    if m.season:
        season_memory = Figure.of([run.peak_tree_rss for run in m.season])
        rows.append(
            Row(
                f"nbesok report, säsong med {m.season_count} besök",
                seconds_of(m.season).spread(seconds_text),
                "",
                f"toppminne {season_memory.spread(megabytes)}",
                f"< {SEASON_MEMORY / MB:g} MB",
                at_most(season_memory, SEASON_MEMORY, megabytes),
            )
        )
    imports = seconds_of(m.imports)
    processes = max(run.peak_processes for run in m.imports)
    rows.append(
        Row(
            f"nbesok import, mapp med {m.import_files} Word-filer",
            imports.spread(seconds_text),
            ms(imports.median / m.import_files),
            f"{processes} processer",
            "",
            "upplysning",
        )
    )
    return rows


def print_table(rows: Sequence[Row], stream: TextIO) -> None:
    header = Row("mätning", "min / median / max", "per dokument", "kvot", "mål", "utfall")
    columns = list(zip(*(asdict(row).values() for row in (header, *rows)), strict=True))
    widths = [max(len(cell) for cell in column) for column in columns]

    def line(row: Row) -> str:
        cells = asdict(row).values()
        return " | ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True))

    print(line(header).rstrip(), file=stream)
    print("-+-".join("-" * width for width in widths), file=stream)
    for row in rows:
        if not any((row.spread, row.per_document, row.ratio, row.target, row.outcome)):
            print(f"{row.measurement}:", file=stream)
            continue
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


def figures(
    info: dict[str, str],
    sizes: dict[str, dict[str, tuple[int, float, int]]],
    m: Measurements,
    rows: list[Row],
    arguments: argparse.Namespace,
) -> dict[str, Any]:
    """Everything printed, plus every single sample, for --json."""

    def seconds(runs: Sequence[Run]) -> list[float]:
        return [run.seconds for run in runs]

    return {
        "maskin": info,
        "inställningar": {
            "besök": m.count,
            "stort_arkiv": m.large_count,
            "säsong": m.season_count,
            "upprepningar": arguments.repeat,
            "frö": arguments.seed,
        },
        "svarstext_tecken": sizes,
        "sekunder": {
            "pandoc_en_i_taget": [seconds(runs) for runs in m.pandoc_one],
            "pandoc_alla_kärnor": seconds(m.pandoc_cores),
            "pandoc_alla_kärnor_filer": m.pandoc_cores_files,
            "render_alla": seconds(m.batches),
            "render_alla_igen": seconds(m.rerenders),
            "render_stort": seconds(m.large_first),
            "render_stort_igen": seconds(m.large_rerenders),
            "validate_alla": seconds(m.validate),
            "render_ett_besök": seconds(m.one_visit),
            "importera_samma_moduler": seconds(m.same_modules),
            "importera_sju_bibliotek": seconds(m.named),
            "render_ett_besök_utan_bytekodcache": seconds(m.one_visit_cold),
            "help": seconds(m.help),
            "import_click": seconds(m.click),
            "i_en_process": m.in_process,
            "report_säsong": seconds(m.season),
            "import_mapp": seconds(m.imports),
        },
        "minne_byte": {
            "render_alla_topp_summa_rss": m.batches[0].peak_tree_rss,
            "render_alla_ru_maxrss": m.batches[0].max_rss,
            "report_säsong_topp_rss": [run.peak_tree_rss for run in m.season],
        },
        "moduler_ett_besök": m.module_names,
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
        description="Mät nbesok som hela processer mot pandoc, python-docx och bibliotekens "
        "import, i en och samma körning."
    )
    parser.add_argument("--visits", type=int, default=1000, help="antal besök (standard 1000)")
    parser.add_argument(
        "--large",
        type=int,
        default=5000,
        help="besök i det stora arkivet för renderingen igen (standard 5000, 0 hoppar över)",
    )
    parser.add_argument(
        "--season",
        type=int,
        default=1000,
        help="besök i säsongsrapporten (standard 1000, 0 hoppar över)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=21,
        help="körningar per liten mätning: ett besök, importerna, --help (standard 21)",
    )
    parser.add_argument(
        "--batch-runs",
        type=int,
        default=BATCH_RUNS,
        help=f"renderingar av alla besök, var och en bredvid pandoc (standard {BATCH_RUNS})",
    )
    parser.add_argument("--seed", type=int, default=2023, help="frö för variationen av svaren")
    parser.add_argument("--json", type=Path, metavar="FIL", help="skriv siffrorna som JSON hit")
    parser.add_argument("--keep", action="store_true", help="behåll de genererade arkiven")
    arguments = parser.parse_args(argv)
    if arguments.visits < 2 or arguments.repeat < 1 or arguments.batch_runs < 1:
        parser.error("--visits ska vara minst 2, --repeat och --batch-runs minst 1")
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
        measurements = measure(workspace, archive, pandoc, arguments)
    finally:
        if arguments.keep:
            print(f"Arkiven finns kvar i {workspace}", file=sys.stderr)
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
        data = figures(info, sizes, measurements, rows, arguments)
        text = json.dumps(data, ensure_ascii=False, indent=2)
        arguments.json.write_text(text + "\n", encoding="utf-8")
        print(f"\nSiffrorna skrevs till {arguments.json}")


if __name__ == "__main__":
    main()
