"""A worker process that dies (issue 20): killed for its memory, or crashing in a C
library. The batch goes on without it and says so; it never waits for a dead worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import docx
import pytest
from test_signals import VISITS, add_visits, processes, start, wait_for

from nbesok.core.processes import CHUNK, run_chunks

POISON = 13  # the item that kills its worker, every time


def _square_or_die(chunk: list[int]) -> list[int]:
    if POISON in chunk:
        os._exit(7)  # as a crash in C code would: no exception, no cleanup
    return [item * item for item in chunk]


def _die_once(chunk: list[int]) -> list[int]:
    marker = Path(os.environ["NBESOK_TEST_MARKER"])
    if POISON in chunk and not marker.exists():
        marker.touch()
        os.kill(os.getpid(), signal.SIGKILL)  # as the out-of-memory killer would
    return [item * item for item in chunk]


def _lost(item: int, why: str) -> int:
    return -item


def test_a_worker_killed_once_costs_nothing_but_a_retry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NBESOK_TEST_MARKER", str(tmp_path / "dog"))
    deaths: list[str] = []

    results = list(run_chunks(_die_once, range(60), workers=2, lost=_lost, deaths=deaths))

    assert sorted(results) == [item * item for item in range(60)]
    assert deaths == ["signalen SIGKILL"]


def test_a_chunk_that_always_kills_its_worker_is_lost_alone(tmp_path: Path) -> None:
    deaths: list[str] = []

    results = list(run_chunks(_square_or_die, range(60), workers=2, lost=_lost, deaths=deaths))

    poisoned = range(POISON // CHUNK * CHUNK, (POISON // CHUNK + 1) * CHUNK)
    assert sorted(results) == sorted(
        -item if item in poisoned else item * item for item in range(60)
    )
    assert deaths == ["slutkod 7"]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_render_finishes_when_a_worker_is_killed(archive: Path) -> None:
    """kill -9 on one worker of a batch render, as the OOM killer would: the command
    returns, every document is written, and the death is reported."""
    add_visits(archive)
    out = archive / "out"
    render = start(archive)
    try:
        wait_for(lambda: out.is_dir() and len(list(out.glob("*.docx"))) >= 2)
        workers = [
            int(entry.split(":")[0])
            for entry in processes(lambda group, _: group == render.pid)
            if int(entry.split(":")[0]) != render.pid
        ]
        assert workers, "inga arbetsprocesser"
        os.kill(workers[0], signal.SIGKILL)
        _, stderr = render.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        pytest.fail("render väntar för evigt på en död arbetsprocess")
    finally:
        if render.poll() is None:
            os.killpg(render.pid, signal.SIGKILL)

    message = stderr.decode()
    assert render.returncode == 0, message
    assert "nbesok: varning: en arbetsprocess avslutades oväntat (signalen SIGKILL" in message
    written = sorted(out.glob("*.docx"))
    assert len(written) == VISITS + 2  # the example's two visits and the copies
    for path in written:
        docx.Document(str(path))
    time.sleep(0.2)
    assert processes(lambda group, _: group == render.pid) == []


def _gc_state(chunk: list[int]) -> list[tuple[int, bool, int]]:
    import gc

    return [(item, gc.isenabled(), gc.get_freeze_count()) for item in chunk]


def test_a_chunk_runs_without_the_garbage_collector_and_the_first_freezes_the_rest() -> None:
    """In the workers: no collection during a chunk, one after it; after the first
    chunk, what every chunk shares (modules, the reference, templates) is frozen."""

    def lost(item: int, why: str) -> tuple[int, bool, int]:
        raise AssertionError(f"{item}: {why}")

    results = list(run_chunks(_gc_state, list(range(3 * CHUNK)), workers=2, lost=lost))

    assert [item for item, _, _ in results] == list(range(3 * CHUNK))
    assert not any(enabled for _, enabled, _ in results)
    frozen = [count for _, _, count in results]
    assert frozen[0] == 0 and max(frozen) > 0  # a worker's first chunk, then its others


def test_a_few_documents_are_made_with_the_collector_paused_and_it_comes_back() -> None:
    import gc

    from nbesok.core.processes import collector_paused

    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():  # nested: still paused, and not turned on early
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_render_of_one_visit_runs_with_the_collector_paused(
    archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc
    from datetime import date

    import nbesok.commands.render
    from nbesok.archive.root import Archive

    seen: list[bool] = []
    render_one = nbesok.commands.render._render_one

    def spy(*args: Any) -> Any:
        seen.append(gc.isenabled())
        return render_one(*args)

    monkeypatch.setattr(nbesok.commands.render, "_render_one", spy)
    outcome = nbesok.commands.render.render_batch(
        Archive(archive),
        [archive / "visits" / "2018-10-17-idrott-och-service.yaml"],
        options=nbesok.commands.render.Options(("md",)),
        out_dir=archive / "out",
        today=date(2024, 1, 1),
    )

    assert not outcome.failed, outcome.findings
    assert seen == [False]
    assert gc.isenabled()
