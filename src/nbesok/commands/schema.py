"""``nbesok schema``: the JSON Schemas of the archive's files, written for editors."""

from __future__ import annotations

from pathlib import Path

from nbesok.archive.json_schemas import schema_files
from nbesok.core.output import write_atomic


def write_schemas(folder: Path) -> list[Path]:
    """Write one schema per file kind into ``folder``; return the paths written."""
    written = []
    for name, data in schema_files().items():
        target = folder / name
        write_atomic(target, data)
        written.append(target)
    return written
