"""Writing a package: its folder, and the same folder as one ZIP or TAR file.

Both are reproducible: entries in sorted order, every time stamp the package's date,
fixed permissions and no owner, so the same package gives the same bytes (CSIPSTR3:
the container's format is left to the parties; CSIPSTR1: it unpacks to one folder).
Nothing is half-written: the folder is made beside its place and renamed into it, the
archive file is written atomically. A package already in place is left alone when it
is byte for byte the one being written, and never replaced when it is not.
"""

from __future__ import annotations

import io
import os
import shutil
import tarfile
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from nbesok.commands.arkivera.builder import Package
from nbesok.core.errors import OutputError
from nbesok.core.output import file_mode, signals_held, write_atomic

CONTAINERS = ("zip", "tar")
_FILE_MODE = 0o644
_FOLDER_MODE = 0o755


@dataclass
class Written:
    """What writing did: paths written, and paths already there with these bytes."""

    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)


def write_package(package: Package, out_dir: Path, container: str) -> Written:
    """``out_dir/<OBJID>/`` and ``out_dir/<OBJID>.<container>``."""
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError.at(out_dir, "finns redan som fil; --out ska vara en mapp")
    folder = out_dir / package.objid
    archive = out_dir / f"{package.objid}.{container}"
    data = container_bytes(package, container)
    outcome = Written()
    folder_same = _same_folder(folder, package)
    archive_same = archive.is_file() and archive.read_bytes() == data
    for path, same in ((folder, folder_same), (archive, archive_same)):
        if path.exists() and not same:
            raise OutputError.at(
                path,
                "finns redan men är inte det här paketet; nbesok skriver inte över den. "
                "Ta bort den eller välj en annan --out",
            )
    if folder_same:
        outcome.unchanged.append(folder)
    else:
        _write_folder(folder, package)
        outcome.written.append(folder)
    if archive_same:
        outcome.unchanged.append(archive)
    else:
        write_atomic(archive, data)
        outcome.written.append(archive)
    return outcome


def container_bytes(package: Package, container: str) -> bytes:
    """The package as one ZIP or TAR file whose entries all lie in ``<OBJID>/``."""
    if container == "zip":
        return _zip(package)
    return _tar(package)


def _entries(package: Package) -> Iterator[tuple[str, bytes | None]]:
    """Folders (None) and files under the root folder, in sorted order."""
    folders = {package.objid}
    for path in package.files:
        parts = path.split("/")[:-1]
        folders.update("/".join([package.objid, *parts[: end + 1]]) for end in range(len(parts)))
    entries: list[tuple[str, bytes | None]] = [(f"{name}/", None) for name in folders]
    entries += [(f"{package.objid}/{path}", data) for path, data in package.files.items()]
    yield from sorted(entries, key=lambda entry: entry[0])


def _zip(package: Package) -> bytes:
    stamp = (package.day.year, package.day.month, package.day.day, 0, 0, 0)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in _entries(package):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.create_system = 3  # Unix, so that the permission bits below mean the same
            if data is None:
                info.external_attr = (0o040000 | _FOLDER_MODE) << 16 | 0x10
                archive.writestr(info, b"")
            else:
                info.external_attr = (0o100000 | _FILE_MODE) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, data)
    return buffer.getvalue()


def _tar(package: Package) -> bytes:
    mtime = int(
        datetime(package.day.year, package.day.month, package.day.day, tzinfo=UTC).timestamp()
    )
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for name, data in _entries(package):
            info = tarfile.TarInfo(name.rstrip("/"))
            info.mtime = mtime
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            if data is None:
                info.type = tarfile.DIRTYPE
                info.mode = _FOLDER_MODE
                archive.addfile(info)
            else:
                info.mode = _FILE_MODE
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _same_folder(folder: Path, package: Package) -> bool:
    if not folder.is_dir():
        return False
    found = {
        path.relative_to(folder).as_posix(): path
        for path in folder.rglob("*")
        if path.is_file() or path.is_symlink()
    }
    if set(found) != set(package.files):
        return False
    return all(found[name].read_bytes() == data for name, data in package.files.items())


def _write_folder(folder: Path, package: Package) -> None:
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".nbesok-paket-", dir=folder.parent))
    except OSError as error:
        raise OutputError.at(
            folder.parent, f"mappen kan inte skrivas ({error.strerror}); välj en annan --out"
        ) from None
    try:
        root = staging / package.objid
        for path, data in package.files.items():
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            os.chmod(target, file_mode())
        with signals_held():
            os.replace(root, folder)
    except OSError as error:
        raise OutputError.at(folder, f"kan inte skrivas ({error.strerror})") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
