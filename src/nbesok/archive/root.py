"""The archive on disk: its root, its settings, and where protocols and visits live.

Opening an archive reads nothing but the folder layout: settings and protocols are
loaded on first use, so a re-render of unchanged documents never pays for pydantic.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from nbesok.core.errors import ArchiveError, LoadError, NbesokError, UsageError
from nbesok.core.names import nearest

if TYPE_CHECKING:
    from nbesok.archive.loading import Loaded
    from nbesok.archive.models import Protocol, Settings

MARKER = "nbesok.yaml"
PROTOCOLS = "protocols"
VISITS = "visits"
TEMPLATES = "templates"
SCHEMAS = "schemas"


class Kind(Enum):
    SETTINGS = "inställningar"
    PROTOCOL = "protokoll"
    VISIT = "besök"


def find_root(start: Path) -> Path:
    """The nearest folder at or above ``start`` holding ``nbesok.yaml``, as git finds .git."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / MARKER).is_file():
            return folder
    # Named after the program, not the folder: ".: fel: …" reads as a typo.
    raise ArchiveError.at(
        "nbesok",
        f"hittar inget arkiv: ingen {MARKER} här eller i någon mapp ovanför (sökte från "
        f"{start}); gå till arkivets mapp, eller starta ett nytt arkiv med ”nbesok init” "
        "(skriv ”nbesok init --help” för flaggorna)",
    )


@dataclass
class Archive:
    """An archive folder; protocols are loaded on demand and kept.

    ``named`` are the files the user named on the command line: only they may lead out
    of the archive through a symbolic link (see :meth:`confine`).
    """

    root: Path
    named: frozenset[Path] = frozenset()
    # id -> (the file's mtime and size when read, what reading it gave)
    _protocols: dict[str, tuple[tuple[int, int], Loaded[Protocol] | NbesokError]] = field(
        default_factory=dict
    )

    @cached_property
    def settings(self) -> Settings:
        from nbesok.archive.loading import load_settings

        self.confine(self.root / MARKER)
        return load_settings(self.root / MARKER).model

    def confine(self, path: Path) -> None:
        """Refuse a file nbesok found in the archive that leads out of it.

        A symbolic link in visits/ to ``/etc/…`` or to another archive's visit would be
        read, its lines shown in messages and its text published. A file the user named
        on the command line is taken as it is.
        """
        if path.absolute() in self.named:
            return
        try:
            target = path.resolve()
        except (OSError, RuntimeError):
            raise LoadError.at(
                path, "är en symbolisk länk i en slinga (den leder tillbaka till sig själv)"
            ) from None
        try:
            target.relative_to(self.root.resolve())
        except ValueError:
            raise LoadError.at(
                path,
                f"är en symbolisk länk ut ur arkivet (till {target}); nbesok läser bara filer "
                "i arkivet. Lägg filen i arkivet, eller ange den själv på kommandoraden",
            ) from None

    @property
    def protocols_dir(self) -> Path:
        return self.root / PROTOCOLS

    @property
    def visits_dir(self) -> Path:
        return self.root / VISITS

    @property
    def templates_dir(self) -> Path:
        return self.root / TEMPLATES

    def protocol_ids(self) -> list[str]:
        return sorted(path.stem for path in self.protocols_dir.glob("*.yaml"))

    def protocol_paths(self) -> list[Path]:
        return sorted(self.protocols_dir.glob("*.yaml"))

    def visit_paths(self) -> list[Path]:
        return sorted(self.visits_dir.glob("*.yaml"))

    def protocol(self, protocol_id: str) -> Loaded[Protocol]:
        """The protocol with this id, or :class:`ArchiveError`/:class:`LoadError`.

        Read once and kept, until the file changes on disk.
        """
        from nbesok.archive.models import ID_PATTERN  # pydantic: only when a protocol is read

        path = self.protocols_dir / f"{protocol_id}.yaml"
        # An id is a file stem, never a path: "../visits/x" must not reach other files.
        if not re.fullmatch(ID_PATTERN, protocol_id) or not path.is_file():
            raise ArchiveError.at(self.protocols_dir, unknown_protocol_message(self, protocol_id))
        self.confine(path)
        stat = path.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
        cached = self._protocols.get(protocol_id)
        if cached is None or cached[0] != stamp:
            from nbesok.archive.loading import load_protocol

            loaded: Loaded[Protocol] | NbesokError
            try:
                loaded = load_protocol(path)
            except LoadError as error:
                loaded = error
            cached = self._protocols[protocol_id] = (stamp, loaded)
        if isinstance(cached[1], NbesokError):
            raise cached[1]
        return cached[1]

    def check_output_folder(self, out_dir: Path) -> None:
        """``--out`` may not be, or lie in, a folder of the archive's own inputs: a
        document named like a file there would replace a user's file (UsageError)."""
        try:
            target = out_dir.resolve()
        except (OSError, RuntimeError):
            return  # reported when the folder is made
        for folder in (self.visits_dir, self.protocols_dir, self.templates_dir):
            try:
                target.relative_to(folder.resolve())
            except (ValueError, OSError, RuntimeError):
                continue
            raise UsageError.at(
                "--out",
                f"{folder.name}/ håller arkivets egna filer, och dokument skrivs aldrig dit; "
                "välj en annan mapp, t.ex. out/",
            )

    def kind_of(self, path: Path) -> Kind:
        if path.name == MARKER:
            return Kind.SETTINGS
        if path.parent.name == PROTOCOLS:
            return Kind.PROTOCOL
        return Kind.VISIT


def unknown_protocol_message(archive: Archive, protocol_id: str) -> str:
    known = archive.protocol_ids()
    suggestion = nearest(protocol_id, known)
    hint = f"; menade du ”{suggestion}”?" if suggestion else ""
    listing = f" Protokoll i arkivet: {', '.join(known)}." if known and not suggestion else ""
    return f"protokollet ”{protocol_id}” finns inte i {PROTOCOLS}/{hint}{listing}"


def open_archive(start: Path | None = None) -> Archive:
    """Find the archive at or above ``start`` (default: the working directory) and read it."""
    return Archive(find_root(start or Path.cwd()))


def archive_of(paths: Sequence[Path]) -> Archive:
    """The archive the given files belong to, found from the first one's own folder, so
    that ``nbesok render /elsewhere/visits/x.yaml`` works from any folder. Without
    paths, the archive of the working directory. The files among ``paths`` are the
    archive's ``named`` ones."""
    named = frozenset(path.absolute() for path in paths if not path.is_dir())
    for path in paths:
        folder = path if path.is_dir() else path.parent
        if folder.is_dir():
            return Archive(find_root(folder), named)
    return Archive(find_root(Path.cwd()), named)
