"""What was written from what: the output folder's record, ``.nbesok-render.json``.

Per document name it holds the input it was made from (``source``), a fingerprint of
everything the document depends on (``key``, for skipping unchanged documents) and the
hash of each file written. It lets ``render`` skip what has not changed, and lets
``render`` and ``report`` refuse to write a file that another input wrote: a visit
named ``…-uppfoljning`` must not silently replace the tjänsteskrivelse of another
visit, and ``Åsa.docx`` and ``åsa.docx`` are one file on Windows and macOS. It also
says which files nbesok wrote at all: a file in the folder that the record does not
list, or that has changed since, is the user's, and is never replaced
(:meth:`Record.foreign`). A run holds the folder (:func:`nbesok.output.held_folder`)
from reading the record to writing it back, so two runs cannot lose each other's
entries.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nbesok.errors import Finding, LoadError, finding
from nbesok.inputs import read_bounded
from nbesok.output import write_atomic

RECORD = ".nbesok-render.json"
_MAX_RECORD_BYTES = 64 * 1024 * 1024
_MAX_OUTPUT_BYTES = 512 * 1024 * 1024


def fold(name: str) -> str:
    """The name as case-insensitive, normalising file systems see it."""
    return unicodedata.normalize("NFC", name).casefold()


@dataclass
class Record:
    """The record of one output folder, read once and written back once."""

    out_dir: Path
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def read(cls, out_dir: Path) -> Record:
        try:
            data = json.loads(read_bounded(out_dir / RECORD, _MAX_RECORD_BYTES, _unreadable))
        except (LoadError, ValueError):
            return cls(out_dir)  # no record, or a damaged one: everything is new
        entries = data if isinstance(data, dict) else {}
        return cls(out_dir, {k: v for k, v in entries.items() if isinstance(v, dict)})

    def unchanged(self, name: str, key: str) -> bool:
        """The document ``name`` was made from inputs with this ``key`` and is still on disk."""
        entry = self.entries.get(name)
        if entry is None or entry.get("key") != key:
            return False
        outputs = entry.get("outputs")
        if not isinstance(outputs, dict) or not outputs:
            return False
        return all(
            self._hash(self.out_dir / str(file)) == digest for file, digest in outputs.items()
        )

    def owner_clash(self, name: str, source: str, shown: Path) -> Finding | None:
        """An error if another input, still in the archive, wrote a file called ``name``.

        ``source`` says which input is about to write it (``visits/x.yaml``); ``shown``
        is the input file for the message.
        """
        wanted = fold(name)
        for other_name, entry in self.entries.items():
            owner = entry.get("source")
            if not isinstance(owner, str) or owner == source:
                continue
            # A document's files can carry another name too (its public copy's).
            written = entry.get("outputs")
            stems = (
                {fold(Path(str(file)).stem) for file in written}
                if isinstance(written, dict)
                else set()
            )
            if fold(other_name) != wanted and wanted not in stems:
                continue
            if not _still_there(self.out_dir, entry):
                continue
            return finding(
                shown,
                f"ger samma utfil ”{name}” som {owner} redan skrev i {self.out_dir.name}/; "
                "byt namn på den ena filen, eller skriv dem till olika mappar med --out",
            )
        return None

    def foreign(self, path: Path) -> Finding | None:
        """An error if ``path`` is there but the record does not list it: the user's file."""
        try:
            if not (path.exists() or path.is_symlink()) or path.is_dir():
                return None  # nothing to replace, or a folder: reported when it is written
        except OSError:
            return None  # a name the file system refuses: reported when it is written
        wanted = fold(path.name)
        for entry in self.entries.values():
            outputs = entry.get("outputs")
            if isinstance(outputs, dict) and any(fold(str(name)) == wanted for name in outputs):
                return None
        return finding(
            path,
            f"finns redan men är inte skriven av nbesok (den står inte i {RECORD}), och "
            "nbesok skriver bara över sina egna filer; flytta eller ta bort filen om den inte "
            "behövs, eller välj en annan --out",
        )

    def claim(self, name: str, source: str, files: Iterable[str]) -> None:
        """Note before writing that ``name``'s ``files`` are nbesok's: a run stopped between
        writing them and writing the record must not leave them looking like the user's.
        Nothing is skipped as unchanged on a claim (its key is empty)."""
        entry = self.entries.get(name)
        outputs = dict(entry.get("outputs", {})) if entry and entry.get("source") == source else {}
        for file in files:
            outputs.setdefault(file, "")
        self.note(name, source, "", outputs)

    def note(self, name: str, source: str, key: str, outputs: dict[str, str]) -> None:
        """``name`` was written from ``source``: its files and their hashes."""
        for other in [other for other in self.entries if fold(other) == fold(name)]:
            del self.entries[other]
        self.entries[name] = {"source": source, "key": key, "outputs": dict(outputs)}

    def write(self, *, prune: bool = True) -> None:
        """Write the record back, without the entries whose files are all gone (unless
        ``prune`` is False: claims for files not yet written)."""
        kept = {
            name: entry
            for name, entry in self.entries.items()
            if not prune
            or any((self.out_dir / str(file)).exists() for file in entry.get("outputs", {}))
        }
        text = json.dumps(kept, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
        write_atomic(self.out_dir / RECORD, text.encode("utf-8"))

    def _hash(self, path: Path) -> str | None:
        try:
            return hashlib.sha256(read_bounded(path, _MAX_OUTPUT_BYTES, _unreadable)).hexdigest()
        except LoadError:
            return None


def _still_there(out_dir: Path, entry: dict[str, Any]) -> bool:
    outputs = entry.get("outputs")
    return isinstance(outputs, dict) and any((out_dir / str(name)).exists() for name in outputs)


def sources_text(paths: Iterable[Path], root: Path) -> str:
    """How the record names the inputs of a document: archive-relative paths."""
    names = []
    for path in paths:
        try:
            names.append(path.resolve().relative_to(root.resolve()).as_posix())
        except ValueError:
            names.append(path.as_posix())
    return ", ".join(names)


def _unreadable(message: str) -> LoadError:
    return LoadError.at(RECORD, message)  # only caught: an unreadable file counts as changed
