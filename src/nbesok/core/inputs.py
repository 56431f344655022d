"""The files a command works on, and reading them without trusting them.

One rule for every command that takes paths (validate, render, report, granska): a
file is taken as it is, and a folder means the files with the command's suffix
directly inside it, not in its subfolders, leaving out hidden files and Word's lock
files. The archive keeps its protocols and visits in flat folders, so this finds
all of them, and never files in ``out/`` or a stray copy below a folder.

Every read of a user's file is bounded: only a regular file is read (never a FIFO,
which would hang, or a device such as /dev/zero, which never ends, even through a
symbolic link), and never more than the limit.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Sequence
from pathlib import Path

from nbesok.core.errors import NbesokError, UsageError

# The largest YAML file nbesok reads (a visit, a protocol, nbesok.yaml).
MAX_FILE_BYTES = 2 * 1024 * 1024
# A file name that is not UTF-8 (copied from an old system) cannot name a document.
INVALID_NAME = (
    "filnamnet är inte giltig UTF-8 (det som inte går att läsa visas som �); byt namn på filen"
)


def valid_name(path: Path) -> bool:
    try:
        path.name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def expand_paths(paths: Sequence[Path], suffix: str, *, keep_missing: bool = False) -> list[Path]:
    """The files named by ``paths``: files as given, folders by their ``*suffix`` files.

    A path that does not exist is a usage error, unless ``keep_missing`` passes it on
    to be reported with the other findings (validate, granska).
    """
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(folder_files(path, suffix))
        elif path.exists() or path.is_symlink() or keep_missing:
            files.append(path)
        else:
            raise UsageError.at(path, "filen finns inte; kontrollera sökvägen")
    return list(dict.fromkeys(files))


def folder_files(folder: Path, suffix: str) -> list[Path]:
    """The ``*suffix`` files directly in ``folder``, sorted; no hidden or lock files."""
    try:
        entries = sorted(folder.glob(f"*{suffix}"))
    except OSError:
        return []
    return [path for path in entries if not path.name.startswith((".", "~$"))]


def read_bounded(path: Path, limit: int, fail: Callable[[str], NbesokError]) -> bytes:
    """The bytes of the regular file at ``path``, at most ``limit`` of them.

    ``fail(message)`` makes the error for a file that cannot or must not be read.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise fail("filen finns inte") from None
    except IsADirectoryError:
        raise fail("är en mapp, inte en fil") from None
    except OSError as error:
        raise fail(f"filen kan inte läsas ({error.strerror})") from None
    try:
        info = os.fstat(descriptor)
        if stat.S_ISDIR(info.st_mode):
            raise fail("är en mapp, inte en fil")
        if not stat.S_ISREG(info.st_mode):
            # A FIFO would wait for a writer forever; a device such as /dev/zero never ends.
            raise fail(
                "är ingen vanlig fil (en enhet, en namngiven pipe eller en länk till en "
                "sådan); ange en riktig fil"
            )
        if info.st_size > limit:
            raise fail(_too_large(info.st_size, limit))
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(descriptor, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:  # the file grew while it was read
            raise fail(_too_large(size, limit))
        return b"".join(chunks)
    except OSError as error:
        raise fail(f"filen kan inte läsas ({error.strerror})") from None
    finally:
        os.close(descriptor)


def _too_large(size: int, limit: int) -> str:
    return (
        f"filen är {size / 1_048_576:.1f} MB; högst {limit / 1_048_576:.0f} MB tillåts. "
        "Kontrollera att det är rätt fil."
    )
