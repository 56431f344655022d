"""Checking a delivered package: every file against the checksums its metadata records.

The package METS lists the package-level files and each representation's METS; each
representation METS lists its files; every PREMIS file records the SHA-256 and size of
the files it describes. A file that is missing, has another size or checksum, or is
listed nowhere is reported, located by its path in the package. Works on the package
folder and on its ZIP or TAR file.
"""

from __future__ import annotations

import contextlib
import hashlib
import posixpath
import tarfile
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from lxml import etree

from nbesok.commands.arkivera.namespaces import METS, PREMIS, XLINK, qualified
from nbesok.core.errors import Finding, OutputError, finding

_HREF = qualified(XLINK, "href")


@dataclass(frozen=True)
class Recorded:
    """What one metadata file says about one file: where, how big, which SHA-256."""

    path: str  # inside the package root
    size: int | None
    sha256: str
    by: str  # the metadata file that says so


@dataclass(frozen=True)
class Checked:
    root: Path
    files: int
    findings: list[Finding]


def check_package(location: Path) -> Checked:
    """Check the package folder, or the ZIP or TAR file, at ``location``."""
    with _unpacked(location) as root:
        recorded = list(_recorded(root))
        present = {path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file()}
        findings: list[Finding] = []
        shown = root.name
        for entry in recorded:
            target = root / entry.path
            where = f"{shown}/{entry.path}"
            if entry.path.startswith(("../", "/")) or entry.path == "..":
                findings.append(finding(where, f"{entry.by} pekar utanför paketet"))
                continue
            if entry.path not in present:
                findings.append(finding(where, f"saknas; {entry.by} förtecknar filen"))
                continue
            data = target.read_bytes()
            if entry.size is not None and len(data) != entry.size:
                findings.append(
                    finding(
                        where,
                        f"har {len(data)} byte men {entry.by} anger {entry.size}; filen är ändrad",
                    )
                )
            elif hashlib.sha256(data).hexdigest() != entry.sha256.lower():
                findings.append(
                    finding(
                        where,
                        f"kontrollsumman (SHA-256) stämmer inte med {entry.by}; filen är ändrad",
                    )
                )
        listed = {entry.path for entry in recorded} | {"METS.xml"}
        for path in sorted(present - listed):
            findings.append(
                finding(f"{shown}/{path}", "finns i paketet men förtecknas inte i METS")
            )
        return Checked(location, len(present), sorted(set(findings)))


@contextlib.contextmanager
def _unpacked(location: Path) -> Iterator[Path]:
    """The package root folder: as it is, or unpacked from its ZIP or TAR file."""
    if location.is_dir():
        yield location
        return
    if not location.is_file():
        raise OutputError.at(location, "finns inte; ange paketets mapp eller ZIP- eller TAR-fil")
    with tempfile.TemporaryDirectory(prefix="nbesok-kontroll-") as folder:
        try:
            if zipfile.is_zipfile(location):
                with zipfile.ZipFile(location) as archive:
                    archive.extractall(folder)
            elif tarfile.is_tarfile(location):
                with tarfile.open(location) as archive:
                    _extract_tar(archive, Path(folder))
            else:
                raise OutputError.at(location, "är varken en mapp, en ZIP-fil eller en TAR-fil")
        except (OSError, zipfile.BadZipFile, tarfile.TarError) as error:
            raise OutputError.at(location, f"kan inte packas upp ({error})") from None
        roots = list(Path(folder).iterdir())
        if len(roots) != 1 or not roots[0].is_dir():
            raise OutputError.at(
                location,
                "packas inte upp till en enda mapp, som ett informationspaket ska (CSIPSTR1)",
            )
        yield roots[0]


def _extract_tar(archive: tarfile.TarFile, folder: Path) -> None:
    """Only plain files and folders inside ``folder``: a package has nothing else, and a
    link or an absolute path in a TAR file from elsewhere must not reach other files."""
    for member in archive.getmembers():
        name = posixpath.normpath(member.name)
        if not (member.isfile() or member.isdir()) or name.startswith(("/", "..")):
            raise OutputError.at(
                member.name, "TAR-filen innehåller något annat än filer och mappar i paketet"
            )
    if hasattr(tarfile, "data_filter"):  # Python 3.11.4 and later
        archive.extractall(folder, filter="data")
    else:
        archive.extractall(folder)


def _recorded(root: Path) -> Iterator[Recorded]:
    """Every file the METS and PREMIS files record, with its checksum."""
    package_mets = root / "METS.xml"
    if not package_mets.is_file():
        raise OutputError.at(root, "saknar METS.xml; det är inget informationspaket")
    metadata = [("", "METS.xml")]
    seen: set[str] = set()
    while metadata:
        folder, name = metadata.pop(0)
        path = posixpath.join(folder, name) if folder else name
        if path in seen:
            continue
        seen.add(path)
        tree = _parse(root / path, path)
        namespace = etree.QName(tree).namespace
        if namespace == METS:
            for entry in _mets_entries(tree, folder, path):
                yield entry
                if entry.path.endswith(("METS.xml", "premis.xml")):
                    metadata.append(posixpath.split(entry.path))
        elif namespace == PREMIS:
            yield from _premis_entries(tree, path)


def _parse(path: Path, shown: str) -> etree._Element:
    try:
        parser = etree.XMLParser(no_network=True, resolve_entities=False)
        return etree.parse(str(path), parser).getroot()
    except (OSError, etree.XMLSyntaxError) as error:
        raise OutputError.at(shown, f"kan inte läsas som XML ({error})") from None


def _mets_entries(tree: etree._Element, folder: str, shown: str) -> Iterator[Recorded]:
    for element in tree.iter(qualified(METS, "file"), qualified(METS, "mdRef")):
        location = element if element.tag.endswith("mdRef") else element.find(f"{{{METS}}}FLocat")
        href = location.get(_HREF) if location is not None else None
        if not href:
            continue
        size = element.get("SIZE")
        yield Recorded(
            posixpath.normpath(posixpath.join(folder, unquote(href))),
            int(size) if size and size.isdigit() else None,
            element.get("CHECKSUM", ""),
            shown,
        )


def _premis_entries(tree: etree._Element, shown: str) -> Iterator[Recorded]:
    p = f"{{{PREMIS}}}"
    for element in tree.iter(f"{p}object"):
        digest = element.findtext(f"{p}objectCharacteristics/{p}fixity/{p}messageDigest")
        path = element.findtext(f"{p}objectIdentifier/{p}objectIdentifierValue")
        if digest and path:
            size = element.findtext(f"{p}objectCharacteristics/{p}size")
            yield Recorded(path, int(size) if size and size.isdigit() else None, digest, shown)
