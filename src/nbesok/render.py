"""``nbesok render``: many inputs, skipping what has not changed, on every core.

A record in the output folder (``.nbesok-render.json``) holds, per output name, a
fingerprint of everything the document depends on – the input file, all protocols,
all templates, the reference .docx, the options and nbesok's version – and the hash
of each file written. When the fingerprint is unchanged and the files on disk still
have those hashes, the document is skipped: the bytes would be identical anyway.
This module imports nothing heavy, so a run that skips everything stays fast.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from nbesok import __version__
from nbesok.archive import Archive
from nbesok.errors import Finding, NbesokError, OutputError, UsageError, finding
from nbesok.inputs import expand_paths
from nbesok.output import write_atomic
from nbesok.publish import Outcome, add_pdfs

RECORD = ".nbesok-render.json"
# Below this many documents, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 16

# Called as (documents done, documents in all) after each document.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Options:
    """Everything besides the input file that changes a rendered document."""

    formats: tuple[str, ...]
    guidance: bool = True
    allow_personnummer: bool = False
    # Where LibreOffice is; it does not change a document, so it is no part of a fingerprint.
    libreoffice: Path | None = None

    def fingerprint(self) -> str:
        return json.dumps([self.formats, self.guidance, self.allow_personnummer])


@dataclass(frozen=True)
class _Result:
    name: str
    key: str
    outputs: dict[str, str]  # file name -> sha256 of its bytes
    findings: list[Finding]
    fatal: bool = False
    pdf_source: bytes | None = None


def input_files(archive: Archive, paths: Sequence[Path]) -> list[Path]:
    """The files to render: the given files, the YAML in given folders, or all visits."""
    if not paths:
        return archive.visit_paths()
    return expand_paths(paths, ".yaml")


def check_unique_names(files: Iterable[Path]) -> None:
    """Two inputs must never write the same output file."""
    seen: dict[str, Path] = {}
    for path in files:
        if path.stem in seen and seen[path.stem].resolve() != path.resolve():
            raise UsageError(
                finding(
                    path,
                    f"ger samma utfil «{path.stem}» som {seen[path.stem]}; byt namn på den ena "
                    "eller rendera dem var för sig med olika --out",
                )
            )
        seen[path.stem] = path


def shared_fingerprint(archive: Archive, options: Options) -> str:
    """A hash of everything every document depends on besides its own input file."""
    from nbesok.templating import package_templates_dir

    digest = hashlib.sha256()
    digest.update(f"{__version__}\0{options.fingerprint()}".encode())
    folders = (package_templates_dir(), archive.templates_dir, archive.protocols_dir)
    for folder in folders:
        for path in sorted(folder.glob("*")) if folder.is_dir() else []:
            digest.update(f"\0{folder.name}/{path.name}\0".encode())
            if path.is_file():
                digest.update(path.read_bytes())
            else:
                # A folder or a dangling link where a template or the reference .docx
                # belongs changes the outcome (an error), so it must not look unchanged.
                digest.update(b"\0not a file\0")
    return digest.hexdigest()


def render_batch(
    archive: Archive,
    paths: Sequence[Path],
    *,
    options: Options,
    out_dir: Path,
    today: date,
    progress: Progress | None = None,
    workers: int | None = None,
) -> Outcome:
    """Render every input into ``out_dir``; unchanged documents are skipped.

    An input with errors is reported and left out; nothing is ever half-written.
    """
    files = input_files(archive, paths)
    check_unique_names(files)
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError.at(out_dir, "finns redan som fil; --out ska vara en mapp")
    shared = shared_fingerprint(archive, options)
    record = _read_record(out_dir)
    outcome = Outcome()
    todo: list[tuple[Path, str]] = []
    for path in files:
        key = hashlib.sha256((shared + path.name).encode() + path.read_bytes()).hexdigest()
        if _unchanged(record.get(path.stem), key, out_dir):
            outcome.unchanged += 1
        else:
            todo.append((path, key))
    done = outcome.unchanged
    pending: dict[str, dict[str, Any]] = {}
    pdf_sources: dict[str, bytes] = {}
    try:
        for result in _run(archive, todo, options, out_dir, today, workers):
            if result.fatal:
                raise NbesokError(result.findings)
            outcome.findings.extend(result.findings)
            if result.outputs or result.pdf_source is not None:
                pending[result.name] = {"key": result.key, "outputs": dict(result.outputs)}
                outcome.written += [out_dir / name for name in result.outputs]
            if result.pdf_source is not None:
                pdf_sources[result.name] = result.pdf_source
            done += 1
            if progress:
                progress(done, len(files))
        for pdf in add_pdfs(pdf_sources, out_dir, options.libreoffice, outcome):
            pending[pdf.stem]["outputs"][pdf.name] = hashlib.sha256(pdf.read_bytes()).hexdigest()
        for name in pdf_sources:
            if not any(key.endswith(".pdf") for key in pending[name]["outputs"]):
                pending.pop(name)  # unrecorded, so the next run tries the PDF again
    finally:
        record.update(pending)
        if todo:
            _write_record(out_dir, record)
    return outcome


def _unchanged(entry: Any, key: str, out_dir: Path) -> bool:
    if not isinstance(entry, dict) or entry.get("key") != key:
        return False
    outputs = entry.get("outputs")
    if not isinstance(outputs, dict) or not outputs:
        return False
    for name, digest in outputs.items():
        target = out_dir / str(name)
        if not target.is_file() or hashlib.sha256(target.read_bytes()).hexdigest() != digest:
            return False
    return True


def _read_record(out_dir: Path) -> dict[str, Any]:
    try:
        data = json.loads((out_dir / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # no record, or a damaged one: render everything again
    return data if isinstance(data, dict) else {}


def _write_record(out_dir: Path, record: dict[str, Any]) -> None:
    text = json.dumps(record, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    write_atomic(out_dir / RECORD, text.encode("utf-8"))


def _run(
    archive: Archive,
    todo: list[tuple[Path, str]],
    options: Options,
    out_dir: Path,
    today: date,
    workers: int | None,
) -> Iterator[_Result]:
    count = workers if workers is not None else (os.cpu_count() or 1)
    if count <= 1 or len(todo) < PARALLEL_THRESHOLD:
        for path, key in todo:
            yield _render_one(archive, path, key, options, out_dir, today)
        return
    from nbesok.processes import run_chunks  # multiprocessing: only batches pay for it

    yield from run_chunks(
        _render_chunk,
        todo,
        workers=count,
        initializer=_start_worker,
        initargs=(archive.root, options, out_dir, today),
    )


# A worker's state: its archive (each protocol is parsed once per worker), its options.
_WORKER: dict[str, Any] = {}


def _start_worker(root: Path, options: Options, out_dir: Path, today: date) -> None:
    _WORKER.update(archive=Archive(root), options=options, out_dir=out_dir, today=today)


def _render_chunk(chunk: list[tuple[Path, str]]) -> list[_Result]:
    results = [
        _render_one(
            _WORKER["archive"], path, key, _WORKER["options"], _WORKER["out_dir"], _WORKER["today"]
        )
        for path, key in chunk
    ]
    if not _WORKER.get("frozen"):
        # By now every module, the parsed reference and the compiled templates are loaded
        # and live to the end; frozen, the garbage collector stops walking them again and
        # again while the rest of the batch is rendered (about a tenth of a worker's time).
        gc.freeze()
        _WORKER["frozen"] = True
    return results


def _render_one(
    archive: Archive, path: Path, key: str, options: Options, out_dir: Path, today: date
) -> _Result:
    """Render one input; runs in the main process or in a worker."""
    from nbesok.documents import document_for, reference_docx
    from nbesok.publish import make, write

    try:
        document, _warnings = document_for(
            archive,
            path,
            today,
            guidance=options.guidance,
            allow_personnummer=options.allow_personnummer,
        )
        made = make(document, options.formats, out_dir, reference_docx(archive))
        hashes = write(made, out_dir)
    except OutputError as error:
        return _Result(path.stem, key, {}, error.findings, fatal=True)
    except NbesokError as error:
        return _Result(path.stem, key, {}, error.findings)
    return _Result(path.stem, key, hashes, made.findings, pdf_source=made.pdf_source)
