"""Writing files so that a failed or killed run never leaves half a file behind."""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from nbesok.core.errors import OutputError


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one step: a temporary file renamed into place.

    A killed or failing run leaves either the old file or the new one, never half of
    one. Rendered documents are not fsync'ed: they can always be made again, and an
    fsync per file would cost more than rendering the document (see benchmarks/).
    """
    write_all_atomic({path: data})


def write_all_atomic(outputs: Mapping[Path, bytes]) -> None:
    """Write several files that belong together (a document's .md and .docx).

    Every target is checked and every temporary file written before the first one is
    renamed into place, so a target that cannot be written (a folder in the way, a
    full disk) leaves all of them as they were, not a new .md beside an old .docx.
    """
    for path in outputs:
        if _is_folder(path):
            raise OutputError.at(
                path, "finns redan som mapp; ta bort mappen eller välj en annan --out"
            )
    temporaries: dict[Path, Path] = {}
    with signals_held(), _removing(temporaries):
        for path, data in outputs.items():
            temporaries[path] = _write_temporary(path, data, durable=False)
        for path, temporary in temporaries.items():
            try:
                os.replace(temporary, path)
            except OSError as error:
                raise _write_error(path, error) from None


def _is_folder(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:  # a name too long for the file system: said when it is written
        return False


@contextlib.contextmanager
def _removing(temporaries: Mapping[Path, Path]) -> Iterator[None]:
    """Whatever happens, no temporary file is left behind."""
    try:
        yield
    finally:
        for temporary in temporaries.values():
            with contextlib.suppress(OSError):
                temporary.unlink(missing_ok=True)


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Hold SIGINT, SIGTERM and SIGHUP while files are being written and renamed.

    A signal that arrived between creating a temporary file and noting it for removal
    would leave it behind; held, it is handled as soon as the files are in place or
    gone. (Windows has no signal mask; there only Ctrl-C matters.)
    """
    names = ("SIGINT", "SIGTERM", "SIGHUP")
    held = {getattr(signal, name) for name in names if hasattr(signal, name)}
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


# On Windows a folder cannot be locked, so a file in it is.
_LOCK_FILE = ".nbesok-lås"


def make_folder(folder: Path, *, instead: str = "välj en annan --out") -> None:
    """Make ``folder`` and its parents, or raise a located error saying why not and
    what to do ``instead``; a file in its place is refused."""
    if folder.exists() and not folder.is_dir():
        raise OutputError.at(folder, "finns redan som fil; --out ska vara en mapp")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError.at(
            folder, f"mappen kan inte skapas ({error.strerror}); {instead}"
        ) from None


@contextlib.contextmanager
def held_folder(folder: Path, waiting: Callable[[Path], None] | None = None) -> Iterator[None]:
    """Hold ``folder`` for one run that writes documents and their record there.

    Another nbesok that wants to write there waits (``waiting`` is told once) until this
    run is done, so both read the record only after the other has written it. The lock
    is the operating system's (``flock`` on the folder itself), so it goes with the
    process: a killed run never leaves the folder locked. The folder is made if it is
    missing.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError.at(
            folder, f"mappen kan inte skrivas ({error.strerror}); välj en annan --out"
        ) from None
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        with _held_by_file(folder, waiting):
            yield
        return
    import fcntl

    descriptor = os.open(folder, os.O_RDONLY)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if waiting is not None:
                waiting(folder)
            fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # which releases the lock


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only

    @contextlib.contextmanager
    def _held_by_file(folder: Path, waiting: Callable[[Path], None] | None) -> Iterator[None]:
        import msvcrt
        import time

        with open(folder / _LOCK_FILE, "a+b") as stream:
            told = False
            while True:
                try:
                    msvcrt.locking(stream.fileno(), msvcrt.LK_NBLCK, 1)
                    break
                except OSError:
                    if not told and waiting is not None:
                        waiting(folder)
                        told = True
                    time.sleep(0.2)
            try:
                yield
            finally:
                stream.seek(0)
                msvcrt.locking(stream.fileno(), msvcrt.LK_UNLCK, 1)


def create_new(
    path: Path, data: bytes, *, if_exists: str = "ta bort filen eller välj ett annat datum"
) -> None:
    """Write ``path`` only if it does not exist yet; never overwrite, never half-write.

    Used for the user's own files (a new visit), so it is also fsync'ed to disk.
    ``if_exists`` tells the user what to do when the file is already there.
    """
    with signals_held():
        temporary = _write_temporary(path, data, durable=True, instead="välj en annan mapp")
        try:
            os.link(temporary, path)
        except FileExistsError:
            raise OutputError.at(path, f"finns redan och skrivs inte över; {if_exists}") from None
        except OSError as error:
            raise _write_error(path, error) from None
        finally:
            temporary.unlink(missing_ok=True)


def replace_file(path: Path, data: bytes) -> None:
    """Replace the user's own file ``path`` with ``data``: written to a temporary file,
    synced to disk and renamed into place, keeping the file's permissions."""
    try:
        mode = path.stat().st_mode & 0o7777
    except OSError as error:
        raise _write_error(path, error) from None
    with signals_held():
        temporary = _write_temporary(path, data, durable=True)
        try:
            os.chmod(temporary, mode)
            os.replace(temporary, path)
        except OSError as error:
            raise _write_error(path, error) from None
        finally:
            temporary.unlink(missing_ok=True)


def file_mode() -> int:
    """rw for everyone the user's umask lets read and write, as any program's new file."""
    mask = os.umask(0o022)  # reading the umask means setting it; set it straight back
    os.umask(mask)
    return 0o666 & ~mask


def _write_error(path: Path, error: OSError) -> OutputError:
    if error.errno == errno.ENAMETOOLONG:
        return OutputError.at(
            path,
            f"filnamnet är för långt för filsystemet ({len(path.name)} tecken); ge indatafilen "
            "ett kortare namn",
        )
    return OutputError.at(path, f"kan inte skrivas ({error.strerror})")


def _write_temporary(
    path: Path, data: bytes, *, durable: bool, instead: str = "välj en annan --out"
) -> Path:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # A short name of its own: the target's name may already be as long as the file
        # system allows, and then only the target should be blamed.
        handle, name = tempfile.mkstemp(prefix=".nbesok-", suffix=".tmp", dir=path.parent)
    except OSError as error:
        raise OutputError.at(
            path.parent, f"mappen kan inte skrivas ({error.strerror}); {instead}"
        ) from None
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            if durable:
                stream.flush()
                os.fsync(stream.fileno())
        os.chmod(temporary, file_mode())
    except BaseException as error:  # Ctrl-C too: remove the half-written file, then go on
        with contextlib.suppress(OSError):
            temporary.unlink()
        if isinstance(error, OSError):
            raise OutputError.at(path, f"kan inte skrivas ({error.strerror})") from None
        raise
    return temporary
