"""Work spread over every core, and stopping all of it on a signal.

Rendering and validating large archives run in a pool of worker processes, in small
chunks so that both cores stay busy to the end. When the user presses Ctrl-C, a CI
job times out (SIGTERM) or the terminal closes (SIGHUP), the main process turns the
signal into :class:`Stopped`; unwinding terminates the workers and LibreOffice and
removes temporary files, and the command exits with 128 + the signal's number. The
workers ignore the terminal's Ctrl-C themselves: the main process stops them.

A worker can also die on its own: the kernel's out-of-memory killer, a crash in a C
library. Its work is then done again in a fresh pool, and what fails a second time is
reported as not done; a batch never waits for a worker that is gone.

``multiprocessing`` is imported only when a pool is started: every command goes
through :func:`stop_on_signals`, and one document should not pay for a pool.
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
from collections.abc import Callable, Generator, Iterator, Sequence
from types import FrameType
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

T = TypeVar("T")
R = TypeVar("R")

# A chunk this small keeps both cores busy until the end of a batch, and still
# amortises the cost of sending work to a worker.
CHUNK = 8
_HANDLED = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


class Stopped(BaseException):
    """A signal asked nbesok to stop; a BaseException so that no ``except Exception``
    swallows it on its way up."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name


_MAIN_PID: list[int] = []


def _raise_stopped(signum: int, frame: FrameType | None) -> None:
    if os.getpid() not in _MAIN_PID:
        _exit_worker(signum, frame)  # a worker that has not set its own handler yet
    raise Stopped(signum)


@contextlib.contextmanager
def stop_on_signals() -> Iterator[None]:
    """While inside, SIGTERM and SIGHUP raise :class:`Stopped` in the main thread."""
    _MAIN_PID[:] = [os.getpid()]
    previous = {number: signal.signal(number, _raise_stopped) for number in _HANDLED}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def chunked(items: Sequence[T], size: int = CHUNK) -> list[list[T]]:
    return [list(items[start : start + size]) for start in range(0, len(items), size)]


def _exit_worker(signum: int, frame: FrameType | None) -> None:
    del frame
    # SystemExit, so the worker's finally blocks remove its temporary files, and
    # multiprocessing ends the process without printing a traceback.
    raise SystemExit(128 + signum)


def _run_chunk(function: Callable[[list[T]], list[R]], chunk: list[T]) -> list[R]:
    """One chunk in a worker, without the cyclic garbage collector while it runs.

    A document leaves its cycles (a parsed tree's parent links, python-docx's objects)
    behind; one collection after the chunk frees them all, where the collector would
    otherwise run many times during it. After the first chunk every module, the
    parsed reference and the compiled templates are loaded and live to the end:
    frozen, no collection walks them again. (Measured with callgrind: the collector
    cost 1.2 % of a document with the freeze alone, nothing measurable this way.)
    """
    gc.disable()
    try:
        return function(chunk)
    finally:
        gc.enable()
        gc.collect()
        if not _FROZEN:
            gc.freeze()
            _FROZEN.append(True)


_FROZEN: list[bool] = []  # in a worker: frozen after its first chunk


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """A few documents made in this process, without the cyclic garbage collector.

    Right after the imports, its first full collection walks every object they made
    and finds next to nothing to free: about 18 ms of a one-visit render (measured with
    the collector paused and not). What the documents leave is freed when it runs
    next, after them.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _init_worker(initializer: Callable[..., None] | None, arguments: tuple[Any, ...]) -> None:
    # Ctrl-C reaches every process of the terminal's group; the main process decides.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The main process ends a pool with SIGTERM; a closed terminal sends SIGHUP.
    for number in _HANDLED:
        signal.signal(number, _exit_worker)
    if initializer is not None:
        initializer(*arguments)


Chunks = list[tuple[int, list[T]]]


def run_chunks(
    function: Callable[[list[T]], list[R]],
    items: Sequence[T],
    *,
    workers: int,
    lost: Callable[[T, str], R],
    deaths: list[str] | None = None,
    initializer: Callable[..., None] | None = None,
    initargs: tuple[Any, ...] = (),
) -> Iterator[R]:
    """``function`` over ``items`` in chunks on ``workers`` processes.

    Results come in order, until a worker dies (killed for its memory, a crash): then
    the chunks left undone are run again in a fresh pool, after the others, and
    ``deaths`` is told why. A chunk that kills its worker every time is finally run
    alone, so that it takes no other chunk with it; what dies then becomes
    ``lost(item, why)``. The batch always ends, never waits for a worker that is gone.
    If the caller stops iterating early, or anything is raised here (a signal, Ctrl-C),
    the workers are terminated at once rather than left to finish.
    """
    pool = (initializer, initargs)
    failed, why = yield from _round(function, list(enumerate(chunked(items))), workers, pool)
    if failed:
        if deaths is not None:
            deaths.append(why)
        failed, why = yield from _round(function, failed, workers, pool)
    for chunk in failed:
        alone, why = yield from _round(function, [chunk], 1, pool)
        for _index, undone in alone:
            for item in undone:
                yield lost(item, why)


def _round(
    function: Callable[[list[T]], list[R]],
    chunks: Chunks[T],
    workers: int,
    pool: tuple[Callable[..., None] | None, tuple[Any, ...]],
) -> Generator[R, None, tuple[Chunks[T], str]]:
    """One pool over ``chunks``: their results, then the chunks a dead worker took with
    it and how it died."""
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    failed: Chunks[T] = []
    executor = ProcessPoolExecutor(workers, initializer=_init_worker, initargs=pool)
    started: dict[int, Any] = {}
    try:
        futures = [
            (index, chunk, executor.submit(_run_chunk, function, chunk)) for index, chunk in chunks
        ]
        # The pool forgets its workers when one dies; keep them to say how it died.
        started = dict(getattr(executor, "_processes", None) or {})
        for index, chunk, future in futures:
            try:
                results = future.result()
            except BrokenProcessPool:
                failed.append((index, chunk))
                continue
            yield from results
    finally:
        _terminate(executor)
    return failed, _why_dead(started) if failed else ""


def _why_dead(processes: dict[int, Any]) -> str:
    """How the dead worker ended, in words: a signal's name, or its exit code. The pool
    itself ends the other workers with SIGTERM; that is not the reason."""
    stopped = (-signal.SIGTERM, 128 + signal.SIGTERM)
    for process in processes.values():
        code = process.exitcode
        if code is None or code == 0 or code in stopped:
            continue
        if code < 0:
            with contextlib.suppress(ValueError):
                return f"signalen {signal.Signals(-code).name}"
        return f"slutkod {code}"
    return "okänd orsak"


def _terminate(executor: ProcessPoolExecutor) -> None:
    """Stop every worker now; unfinished work is dropped."""
    processes: dict[int, Any] = dict(getattr(executor, "_processes", None) or {})
    executor.shutdown(wait=False, cancel_futures=True)
    for process in processes.values():
        with contextlib.suppress(OSError, ValueError, AttributeError):
            if process.is_alive():
                process.terminate()
    for process in processes.values():
        with contextlib.suppress(OSError, ValueError, AssertionError):
            process.join(5)
