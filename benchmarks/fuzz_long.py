"""A long fuzzing run over mutated real visits and protocols.

The same mutants and the same rules as ``tests/adversarial/test_fuzz.py`` (success, or
nbesok's own error with every finding located in the input; and for Markdown put into
answers, a document that keeps every question heading and every word of every answer;
and for generated personnummer with random separators, markup and invisible characters,
refused by validate and stopped at every outlet, yet there when allowed), but thousands
of them, random rather than derandomized, and without stopping at the first failure:
every failing input is saved with the reason next to it.

    uv run python benchmarks/fuzz_long.py --examples 5000 --failures /tmp/nbesok-fuzz

Every ``--cli-every``-th mutant also goes through the command line (validate and
render) with a CliRunner; the rest call the library directly, which is much faster.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from adversarial.fuzzing import (  # noqa: E402 - needs the tests folder on the path
    SOURCES,
    VISIT_SOURCES,
    copy_archive,
    guard_inputs,
    markdown_mutants,
    mutants,
    mutate,
    mutate_markdown,
    put_number,
    run_cli,
    run_guard,
    run_library,
    run_markdown,
)

# How run_guard says a number got past the guard (other failures are unlocated findings).
LEAKS = ("numret nådde dokumentet", "validate såg inte numret")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=2000, help="mutants to try")
    parser.add_argument("--seed", type=int, default=None, help="for a repeatable run")
    parser.add_argument("--cli-every", type=int, default=20, help="every Nth also via the CLI")
    parser.add_argument(
        "--failures",
        type=Path,
        default=Path("fuzz-failures"),
        help="folder for failing inputs (created only if something fails)",
    )
    args = parser.parse_args(argv)

    counts: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="nbesok-fuzz-") as temporary:
        root = copy_archive(Path(temporary) / "arkiv")

        @settings(
            max_examples=args.examples,
            deadline=None,
            database=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(
            pick=st.one_of(
                mutants().map(lambda mutant: ("yaml", mutant)),
                markdown_mutants().map(lambda mutant: ("markdown", mutant)),
                st.tuples(st.sampled_from(VISIT_SOURCES), guard_inputs()).map(
                    lambda number: ("guard", number)
                ),
            )
        )
        def run(pick: tuple[str, Any]) -> None:
            kind, (source, edits) = pick
            counts["tried"] += 1
            if kind == "markdown":
                counts["Markdown"] += 1
                data = mutate_markdown(SOURCES[source], edits)
                outcome = run_markdown(root, source, data)
            elif kind == "guard":
                counts["guard"] += 1
                data = put_number(SOURCES[source], edits)
                outcome = run_guard(root, source, data, edits.digits)
                if outcome.failure is not None and outcome.failure.startswith(LEAKS):
                    counts["guard failures"] += 1
            else:
                data = mutate(SOURCES[source], edits)
                outcome = run_library(root, source, data)
            if (
                kind != "guard"
                and outcome.failure is None
                and counts["tried"] % args.cli_every == 0
            ):
                counts["via CLI"] += 1
                outcome = run_cli(root, source, data)
            if outcome.failure is not None:
                counts["failures"] += 1
                kind = _signature(outcome.failure)
                kinds[kind] += 1
                new_kind = kinds[kind] == 1
                _save(args.failures, counts["failures"], source, data, outcome.failure, new_kind)
            else:
                counts["rejected" if outcome.rejected else "accepted"] += 1
            if counts["tried"] % 500 == 0:
                _report(counts, started, end="\r")

        if args.seed is not None:
            run = seed(args.seed)(run)
        run()
    _report(counts, started)
    for kind, number in kinds.most_common():
        print(f"{number:6d} × {kind}")
    return 1 if counts["failures"] else 0


def _save(folder: Path, number: int, source: str, data: bytes, failure: str, show: bool) -> None:
    """Keep the input and the reason; print the first failure of each kind in full."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{number:04d}-{Path(source).stem}"
    (folder / f"{stem}.yaml").write_bytes(data)
    (folder / f"{stem}.txt").write_text(f"{source}\n\n{failure}\n", encoding="utf-8")
    if show:
        print(f"\nFEL {number}: {source} → {folder / stem}.yaml\n{failure.strip()[:2000]}")


def _signature(failure: str) -> str:
    """The kind of a failure: its message without file names and numbers."""
    last = failure.strip().splitlines()[-1]
    last = re.sub(r"\S*\.yaml:\d+:\d+", "FIL:RAD:KOL", last)
    return re.sub(r"\d+", "N", last.split("”")[0])[:160]


def _report(counts: Counter[str], started: float, end: str = "\n") -> None:
    seconds = time.perf_counter() - started
    print(
        f"inputs tried: {counts['tried']} (Markdown in answers: {counts['Markdown']}, "
        f"generated personnummer: {counts['guard']}, of which got past the guard: "
        f"{counts['guard failures']})  accepted: {counts['accepted']}  "
        f"rejected with a location: {counts['rejected']}  via CLI: {counts['via CLI']}  "
        f"failures: {counts['failures']}  time: {seconds:.1f} s",
        end=end,
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
