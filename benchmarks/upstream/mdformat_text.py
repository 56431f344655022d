"""mdformat.text() on Markdown files, the installed mdformat against a patched checkout.

    uv run python benchmarks/upstream/mdformat_text.py --patched ../mdformat/src FILE.md …

Each file is formatted in a fresh process by each mdformat in turn (alternating, so that
a change in the machine's load hits both), RUNS times per process after one first call.
Prints, per file and version, the first call (which compiles what mdformat compiles
lazily) and the min/median/max of the repeated calls over all processes, and checks that
both versions give the same text. See benchmarks/upstream/README.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

_ONE_PROCESS = """\
import hashlib, json, sys, time
import mdformat
text = open(sys.argv[1], encoding="utf-8").read()
start = time.perf_counter()
first = mdformat.text(text)
first_seconds = time.perf_counter() - start
times = []
for _ in range(int(sys.argv[2])):
    start = time.perf_counter()
    again = mdformat.text(text)
    times.append(time.perf_counter() - start)
    assert again == first
print(json.dumps({"first": first_seconds, "times": times,
                  "sha256": hashlib.sha256(first.encode()).hexdigest(),
                  "version": mdformat.__version__, "file": mdformat.__file__}))
"""


def measure(source: Path, patched: Path | None, runs: int) -> dict[str, object]:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    if patched is not None:
        env["PYTHONPATH"] = str(patched)
    done = subprocess.run(
        [sys.executable, "-c", _ONE_PROCESS, str(source), str(runs)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


def milliseconds(values: list[float]) -> str:
    return " / ".join(
        f"{value * 1000:.2f}" for value in (min(values), statistics.median(values), max(values))
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--patched", type=Path, required=True, help="the patched mdformat's src/")
    parser.add_argument("--processes", type=int, default=7, help="processes per version")
    parser.add_argument("--runs", type=int, default=30, help="calls per process")
    arguments = parser.parse_args()
    for source in arguments.files:
        found: dict[str, dict[str, list[float]]] = {}
        digests: set[str] = set()
        for _ in range(arguments.processes):
            for label, patched in (("installed", None), ("patched", arguments.patched)):
                result = measure(source, patched, arguments.runs)
                digests.add(str(result["sha256"]))
                entry = found.setdefault(label, {"first": [], "times": []})
                entry["first"].append(float(result["first"]))  # type: ignore[arg-type]
                entry["times"].extend(result["times"])  # type: ignore[arg-type]
        same = "same output" if len(digests) == 1 else "OUTPUT DIFFERS"
        size = len(source.read_bytes())
        sha = hashlib.sha256(source.read_bytes()).hexdigest()[:12]
        print(f"{source} ({size} bytes, sha256 {sha}…): {same}")
        for label, entry in found.items():
            print(
                f"  {label:<9} first call {milliseconds(entry['first'])} ms, "
                f"then {milliseconds(entry['times'])} ms (min / median / max)"
            )
        installed = statistics.median(found["installed"]["times"])
        patched_median = statistics.median(found["patched"]["times"])
        print(f"  patched/installed: {patched_median / installed:.2f}")


if __name__ == "__main__":
    main()
