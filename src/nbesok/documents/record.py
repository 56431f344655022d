"""What was written from what: the output folder's record, ``.nbesok-render.json``.

Per document name it holds the input it was made from (``source``), a fingerprint of
everything the document depends on (``key``, for skipping unchanged documents) and the
hash of each file written. It lets ``render`` skip what has not changed, and lets
``render`` and ``report`` refuse to write a file that another input wrote: a visit
named ``…-uppfoljning`` must not silently replace the tjänsteskrivelse of another
visit, and ``Åsa.docx`` and ``åsa.docx`` are one file on Windows and macOS. It also
says which files nbesok wrote at all: a file in the folder that the record does not
list, or that has changed since, is the user's, and is never replaced
(:meth:`Record.foreign`). A run holds the folder (:func:`nbesok.core.output.held_folder`)
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

from nbesok.core.errors import Finding, LoadError, finding
from nbesok.core.inputs import read_bounded
from nbesok.core.output import write_atomic

RECORD = ".nbesok-render.json"
_MAX_RECORD_BYTES = 64 * 1024 * 1024
_MAX_OUTPUT_BYTES = 512 * 1024 * 1024


def fold(name: str) -> str:
    """The name as case-insensitive, normalising file systems see it."""
    return unicodedata.normalize("NFC", name).casefold()


@dataclass
class Record:
    """The record of one output folder, read once and written back once.

    Every question a run asks of it (who wrote a name, is a file nbesok's) is a lookup
    by name, not a walk over all entries: a run asks once per document, and a walk per
    question made a re-render of thousands of documents grow with their square.
    """

    out_dir: Path
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    # fold(name) -> the entries of that name as a file system sees it (one, once noted).
    _names: dict[str, dict[str, None]] = field(default_factory=dict, init=False, repr=False)
    # fold(name or a written file's stem) -> the entries that write files of that name
    # (a document's files can carry another name too: its public copy's).
    _stems: dict[str, dict[str, None]] = field(default_factory=dict, init=False, repr=False)
    # fold(file name) -> the entries that list the file.
    _files: dict[str, dict[str, None]] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        for name, entry in self.entries.items():
            self._index(name, entry)

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
        for other_name in self._stems.get(fold(name), {}):
            entry = self.entries[other_name]
            owner = entry.get("source")
            if not isinstance(owner, str) or owner == source:
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
        if self._files.get(fold(path.name)):
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
        for other in list(self._names.get(fold(name), {})):  # the same name to a file system
            self._unindex(other, self.entries.pop(other))
        entry = {"source": source, "key": key, "outputs": dict(outputs)}
        self.entries[name] = entry
        self._index(name, entry)

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

    def _index(self, name: str, entry: dict[str, Any]) -> None:
        self._names.setdefault(fold(name), {})[name] = None
        for stem in _stems_of(name, entry):
            self._stems.setdefault(stem, {})[name] = None
        for file in _files_of(entry):
            self._files.setdefault(file, {})[name] = None

    def _unindex(self, name: str, entry: dict[str, Any]) -> None:
        names, stems, files = {fold(name)}, _stems_of(name, entry), _files_of(entry)
        for index, keys in ((self._names, names), (self._stems, stems), (self._files, files)):
            for key in keys:
                owners = index.get(key, {})
                owners.pop(name, None)
                if not owners:
                    index.pop(key, None)

    def _hash(self, path: Path) -> str | None:
        try:
            return hashlib.sha256(read_bounded(path, _MAX_OUTPUT_BYTES, _unreadable)).hexdigest()
        except LoadError:
            return None


def _files_of(entry: dict[str, Any]) -> set[str]:
    """The folded names of the files an entry lists."""
    outputs = entry.get("outputs")
    return {fold(str(file)) for file in outputs} if isinstance(outputs, dict) else set()


def _stems_of(name: str, entry: dict[str, Any]) -> set[str]:
    """The folded names an entry writes files under: its own, and its files' stems."""
    return {fold(name)} | {_stem(file) for file in _files_of(entry)}


def _stem(file: str) -> str:
    """``x.docx`` → ``x``, as ``Path.stem`` has it (a leading dot is no suffix)."""
    dot = file.rfind(".")
    return file[:dot] if 0 < dot < len(file) - 1 else file


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
