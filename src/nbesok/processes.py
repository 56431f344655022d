"""Work spread over every core, and stopping all of it on a signal.

Rendering and validating large archives run in a pool of worker processes, in small
chunks so that both cores stay busy to the end. When the user presses Ctrl-C, a CI
job times out (SIGTERM) or the terminal closes (SIGHUP), the main process turns the
signal into :class:`Stopped`; unwinding terminates the workers and LibreOffice and
removes temporary files, and the command exits with 128 + the signal's number. The
workers ignore the terminal's Ctrl-C themselves: the main process stops them.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from types import FrameType
from typing import Any, TypeVar

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


def _init_worker(initializer: Callable[..., None] | None, arguments: tuple[Any, ...]) -> None:
    # Ctrl-C reaches every process of the terminal's group; the main process decides.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The main process ends a pool with SIGTERM; a closed terminal sends SIGHUP.
    for number in _HANDLED:
        signal.signal(number, _exit_worker)
    if initializer is not None:
        initializer(*arguments)


def run_chunks(
    function: Callable[[list[T]], list[R]],
    items: Sequence[T],
    *,
    workers: int,
    initializer: Callable[..., None] | None = None,
    initargs: tuple[Any, ...] = (),
) -> Iterator[R]:
    """``function`` over ``items`` in chunks on ``workers`` processes; results in order.

    If the caller stops iterating early, or anything is raised here (a signal, Ctrl-C),
    the workers are terminated at once rather than left to finish or hang.
    """
    pool = multiprocessing.Pool(workers, _init_worker, (initializer, initargs))
    try:
        for results in pool.imap(function, chunked(items)):
            yield from results
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.terminate()
        pool.join()
