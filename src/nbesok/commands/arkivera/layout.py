"""The parts of an information package, in memory, before any of it is written.

Every file is held with its bytes and what METS and PREMIS say about it. Paths are
POSIX paths inside the package's root folder (``representations/intern/data/x.pdf``);
METS files refer to them relative to their own folder.
"""

from __future__ import annotations

import hashlib
import posixpath
import uuid
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from urllib.parse import quote

# CSIP 5.2.1: xml ids must be NCNames; ids are derived from paths, so the same archive
# gives the same ids, and a path is unique in a package, so its id is too.
_ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://nbesok/e-ark-package")


def xml_id(kind: str, key: str) -> str:
    """A package-unique, reproducible xml id: ``file-3f2…``."""
    return f"{kind}-{uuid.uuid5(_ID_NAMESPACE, f'{kind}:{key}')}"


@dataclass(frozen=True)
class FileFormat:
    """A file's format as PREMIS names it (formatDesignation)."""

    name: str
    version: str | None = None


PDFA_2B = FileFormat("PDF/A", "2b (ISO 19005-2)")
YAML = FileFormat("YAML", "1.2")
MARKDOWN = FileFormat("Markdown", "GitHub Flavored Markdown")
JSON_SCHEMA = FileFormat("JSON Schema", "2020-12")
XML_SCHEMA = FileFormat("XML Schema", "1.0")
XML = FileFormat("XML", "1.0")
DOCX = FileFormat("Office Open XML WordprocessingML (DOCX)")
JINJA = FileFormat("Jinja2-mall (text)")

FORMATS_BY_SUFFIX: dict[str, tuple[str, FileFormat]] = {
    ".pdf": ("application/pdf", PDFA_2B),
    ".yaml": ("application/yaml", YAML),
    ".md": ("text/markdown", MARKDOWN),
    ".json": ("application/json", JSON_SCHEMA),
    ".xsd": ("application/xml", XML_SCHEMA),
    ".xml": ("application/xml", XML),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        DOCX,
    ),
    ".j2": ("text/plain", JINJA),
}
# Anything else a municipality keeps in templates/ (a logo, say) is carried as bytes.
UNKNOWN = ("application/octet-stream", FileFormat("okänt format"))


@dataclass(frozen=True)
class PackageFile:
    """One file of the package and what its metadata says about it."""

    path: str
    data: bytes
    created: date
    # Where the file came from in the nbesok archive (PREMIS originalName), for copies.
    original_name: str | None = None
    # Package paths of the files it was made from (PREMIS derivation relationships).
    sources: tuple[str, ...] = ()
    # The visit (file stem) the file belongs to, if any.
    visit: str | None = None

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def mimetype(self) -> str:
        return self._kind[0]

    @property
    def file_format(self) -> FileFormat:
        return self._kind[1]

    @property
    def _kind(self) -> tuple[str, FileFormat]:
        return FORMATS_BY_SUFFIX.get(posixpath.splitext(self.path)[1].lower(), UNKNOWN)

    def href(self, folder: str) -> str:
        """The URL by which a METS file in ``folder`` (``""`` for the root) refers to it:
        relative, with spaces and letters such as å percent-encoded (CSIP76)."""
        relative = posixpath.relpath(self.path, folder) if folder else self.path
        return quote(relative, safe="/")


@dataclass(frozen=True)
class Representation:
    """One representation folder: its data and, where it has them, schemas and
    documentation of its own."""

    name: str  # the folder name below representations/
    label: str  # what it is, in Swedish, for METS and the reader
    content_type: str  # CSIP2 content category (mets/@TYPE)
    files: tuple[PackageFile, ...]

    @property
    def folder(self) -> str:
        return f"representations/{self.name}"

    def files_in(self, subfolder: str) -> tuple[PackageFile, ...]:
        prefix = f"{self.folder}/{subfolder}/"
        return tuple(file for file in self.files if file.path.startswith(prefix))
