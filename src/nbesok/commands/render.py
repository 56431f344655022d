"""``nbesok render``: many inputs, skipping what has not changed, on every core.

A record in the output folder (``.nbesok-render.json``) holds, per output name, a
fingerprint of everything the document depends on – the input file, all protocols,
all templates, the reference .docx, the options and nbesok's version – and the hash
of each file written. When the fingerprint is unchanged and the files on disk still
have those hashes, the document is skipped: the bytes would be identical anyway.

This module imports nothing heavy: a run that skips everything reads the record, hashes
the inputs and stops, without Jinja, pydantic, markdown-it or python-docx, and without
reading ``nbesok.yaml`` (its bytes are in the fingerprint; tests/test_render.py checks
what such a run imports). Every question to the record is a lookup by name, so the
bookkeeping grows with the number of documents, not with its square.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nbesok import __version__
from nbesok.archive.root import MARKER, Archive
from nbesok.core.errors import Finding, LoadError, NbesokError, OutputError, finding, worker_died
from nbesok.core.inputs import INVALID_NAME, expand_paths, read_bounded
from nbesok.core.inputs import MAX_FILE_BYTES as MAX_INPUT_BYTES
from nbesok.core.names import PUBLIC_SUFFIX
from nbesok.core.output import held_folder
from nbesok.core.paths import display_path, package_templates_dir
from nbesok.documents.publish import Outcome, add_pdfs, withdraw
from nbesok.documents.record import RECORD, Record, fold, sources_text

if TYPE_CHECKING:
    from nbesok.archive.guard import Guard
    from nbesok.archive.masked_words import MaskedWords
    from nbesok.documents.signing import Signer

__all__ = ["RECORD", "Options", "render_batch"]

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
    per: date | None = None  # overdue follow-up items as of this date (default the visit's)
    # Where LibreOffice is; it does not change a document, so it is no part of a fingerprint.
    libreoffice: Path | None = None
    signer: Signer | None = None  # --signera: who signs the PDFs
    # --publik: each visit's public copy beside it. The archive's ``publik: true`` turns
    # it on as well; render_batch reads that setting only when it renders something.
    public: bool = False

    def fingerprint(self) -> str:
        per = self.per.isoformat() if self.per else None
        signed = self.signer.identity() if self.signer else None
        fields = [self.formats, self.guidance, self.allow_personnummer, per, signed]
        if self.public:  # appended, so that records written before --publik stay valid
            fields.append("publik")
        return json.dumps(fields)


@dataclass(frozen=True)
class _Result:
    name: str
    path: Path
    key: str
    outputs: dict[str, str]  # file name -> sha256 of its bytes, of both copies
    findings: list[Finding]
    fatal: bool = False
    # The DOCX of each copy to convert, by document name, with the guard for its PDF and
    # the public copy's rule on masked words.
    pdf_sources: dict[str, bytes] = field(default_factory=dict)
    pdf_guards: dict[str, Guard] = field(default_factory=dict)
    pdf_rules: dict[str, MaskedWords] = field(default_factory=dict)


def input_files(archive: Archive, paths: Sequence[Path]) -> list[Path]:
    """The files to render: the given files, the YAML in given folders, or all visits."""
    if not paths:
        return archive.visit_paths()
    return expand_paths(paths, ".yaml")


def _clashing_names(files: Iterable[Path], public: Callable[[], bool]) -> list[Finding]:
    """Two inputs must never write the same output file, also where a file system sees
    ``Åsa`` and ``åsa`` (or two spellings of å) as one name. With public copies, whose
    names end in ``-publik``, no input's name may end so (``public`` is asked only
    when one does)."""
    seen: dict[str, Path] = {}
    found: list[Finding] = []
    files = list(files)
    for path in files:
        if fold(path.stem).endswith(PUBLIC_SUFFIX) and public():
            found.append(
                finding(
                    path,
                    f"filnamnet slutar på ”{PUBLIC_SUFFIX}”, som de publika kopiorna får "
                    "(--publik); byt namn på filen",
                )
            )
    for path in files:
        key = fold(path.stem)
        first = seen.setdefault(key, path)
        if first is not path and first.resolve() != path.resolve():
            for one, other in ((path, first), (first, path)):
                found.append(
                    finding(
                        one,
                        f"ger samma utfil ”{one.stem}” som {display_path(other)}; byt namn "
                        "på den ena, eller rendera dem var för sig med olika --out",
                    )
                )
    return found


def shared_fingerprint(archive: Archive, options: Options) -> str:
    """A hash of everything every document depends on besides its own input file.

    The archive's settings are in it as the bytes of ``nbesok.yaml`` (a default nämnd,
    the municipality's own grounds for masking, ``publik``), so that a run that skips
    every document need not read them.
    """
    from nbesok.archive.pictures import FOLDER, MAX_BYTES

    digest = hashlib.sha256()
    digest.update(f"{__version__}\0{options.fingerprint()}".encode())
    settings = archive.root / MARKER
    try:
        digest.update(b"\0settings\0" + read_bounded(settings, MAX_INPUT_BYTES + 1, _unreadable))
    except LoadError:
        digest.update(b"\0settings not a file\0")
    folders = (
        package_templates_dir(),
        archive.templates_dir,
        archive.protocols_dir,
        archive.root / FOLDER,  # the pictures answers show
    )
    for folder in folders:
        limit = MAX_BYTES if folder.name == FOLDER else MAX_INPUT_BYTES
        for path in sorted(folder.glob("*")) if folder.is_dir() else []:
            digest.update(f"\0{folder.name}/{path.name}\0".encode(errors="surrogateescape"))
            try:
                digest.update(read_bounded(path, limit + 1, _unreadable))
            except LoadError:
                # A folder, a dangling link or a device where a template or the reference
                # .docx belongs changes the outcome (an error): never "unchanged".
                digest.update(b"\0not a file\0")
    return digest.hexdigest()


def _unreadable(message: str) -> LoadError:
    return LoadError.at("", message)  # only caught


def render_batch(
    archive: Archive,
    paths: Sequence[Path],
    *,
    options: Options,
    out_dir: Path,
    today: date,
    progress: Progress | None = None,
    workers: int | None = None,
    waiting: Callable[[Path], None] | None = None,
) -> Outcome:
    """Render every input into ``out_dir``; unchanged documents are skipped.

    An input with errors is reported and left out, and the others are still written;
    nothing is ever half-written, and no file nbesok did not write is replaced. The run
    holds ``out_dir``: another run that writes there waits (``waiting`` is told).
    """
    files = input_files(archive, paths)
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError.at(out_dir, "finns redan som fil; --out ska vara en mapp")
    archive.check_output_folder(out_dir)
    with held_folder(out_dir, waiting), _collector_for(len(files)):
        return _render_held(archive, files, options, out_dir, today, progress, workers)


def _collector_for(inputs: int) -> contextlib.AbstractContextManager[None]:
    """A run of a few inputs, made in this process, goes without the cyclic garbage
    collector (see :func:`nbesok.core.processes.collector_paused`); a larger one uses the
    worker pool, which has its own way."""
    if inputs >= PARALLEL_THRESHOLD:
        return contextlib.nullcontext()
    from nbesok.core.processes import collector_paused

    return collector_paused()


def _render_held(
    archive: Archive,
    files: list[Path],
    options: Options,
    out_dir: Path,
    today: date,
    progress: Progress | None,
    workers: int | None,
) -> Outcome:
    shared = shared_fingerprint(archive, options)
    record = Record.read(out_dir)
    outcome = Outcome()

    def public() -> bool:  # the archive's settings are read only when this is asked
        return options.public or archive.settings.public

    clashes = _clashing_names(files, public)
    outcome.findings.extend(clashes)
    refused = {found.path for found in clashes}
    todo: list[tuple[Path, str]] = []
    for path in files:
        if display_path(path) in refused:
            continue
        try:
            key = _key(shared, path)
        except NbesokError as error:
            outcome.findings.extend(error.findings)
            continue
        source = sources_text([path], archive.root)
        clash = record.owner_clash(path.stem, source, path)
        if clash is not None:
            outcome.findings.append(clash)
        elif record.unchanged(path.stem, key):
            outcome.unchanged += 1
        else:
            targets = [out_dir / f"{path.stem}.{suffix}" for suffix in options.formats]
            foreign = [found for target in targets if (found := record.foreign(target))]
            outcome.findings.extend(foreign)
            if not foreign:
                todo.append((path, key))
                record.claim(path.stem, source, (target.name for target in targets))
    if todo:
        options = replace(options, public=public())
        record.write(prune=False)
    done = outcome.unchanged
    deaths: list[str] = []
    pdf_sources: dict[str, bytes] = {}
    pdf_rules: dict[str, MaskedWords] = {}
    pdf_guards: dict[str, Guard] = {}
    owners: dict[str, str] = {}  # the name of each document made -> the input's
    written: dict[str, tuple[Path, str, dict[str, str]]] = {}
    try:
        for result in _run(archive, todo, options, out_dir, today, workers, deaths, record):
            if result.fatal:
                raise NbesokError(result.findings)
            outcome.findings.extend(result.findings)
            if result.outputs or result.pdf_sources:
                written[result.name] = (result.path, result.key, dict(result.outputs))
                outcome.written += [out_dir / name for name in result.outputs]
            for name, docx in result.pdf_sources.items():
                pdf_sources[name] = docx
                owners[name] = result.name
            pdf_rules.update(result.pdf_rules)
            pdf_guards.update(result.pdf_guards)
            done += 1
            if progress:
                progress(done, len(files))
        outcome.findings += [worker_died(why) for why in deaths]
        pdfs, held = add_pdfs(
            pdf_sources,
            out_dir,
            options.libreoffice,
            outcome,
            signer=options.signer,
            guards=pdf_guards,
            rules=pdf_rules,
        )
        for pdf in pdfs:
            outputs = written[owners[pdf.stem]][2]
            outputs[pdf.name] = hashlib.sha256(pdf.read_bytes()).hexdigest()
        # A document the guard stopped at its PDF is withdrawn whole, both copies, none of
        # its files recorded: its .md and .docx hold what the PDF showed.
        for owner in {owners[name] for name in held}:
            gone = written.pop(owner)[2]
            withdraw(out_dir, gone)
            outcome.written = [path for path in outcome.written if path.name not in gone]
        for name, owner in owners.items():
            if owner in written and not any(f == f"{name}.pdf" for f in written[owner][2]):
                written.pop(owner)  # unrecorded, so the next run tries the PDF again
    finally:
        for name, (path, key, outputs) in written.items():
            record.note(name, sources_text([path], archive.root), key, outputs)
        if todo:
            record.write()
    return outcome


def _key(shared: str, path: Path) -> str:
    """The fingerprint of one input: the shared one, its name and its bytes."""
    try:
        name = path.name.encode("utf-8")
    except UnicodeEncodeError:
        raise LoadError.at(path, INVALID_NAME) from None
    data = read_bounded(path, MAX_INPUT_BYTES, lambda message: LoadError.at(path, message))
    return hashlib.sha256(shared.encode() + name + b"\0" + data).hexdigest()


def _run(
    archive: Archive,
    todo: list[tuple[Path, str]],
    options: Options,
    out_dir: Path,
    today: date,
    workers: int | None,
    deaths: list[str],
    record: Record,
) -> Iterator[_Result]:
    """Render ``todo``, on every core for a large batch; ``deaths`` is told why a worker
    died, if one did. ``record`` holds the claims of this run, as written."""
    count = workers if workers is not None else (os.cpu_count() or 1)
    if count <= 1 or len(todo) < PARALLEL_THRESHOLD:
        for path, key in todo:
            yield _render_one(archive, path, key, options, out_dir, today, lambda: record)
        return
    from nbesok.core.processes import run_chunks  # multiprocessing: only batches pay for it

    yield from run_chunks(
        _render_chunk,
        todo,
        workers=count,
        lost=_lost,
        deaths=deaths,
        initializer=_start_worker,
        initargs=(archive.root, archive.named, options, out_dir, today),
    )


def _lost(item: tuple[Path, str], why: str) -> _Result:
    """A document whose worker died, and died again when it was tried once more."""
    path, key = item
    message = (
        f"dokumentet gjordes inte: arbetsprocessen som renderade det avslutades oväntat två "
        f"gånger ({why}, till exempel för att minnet tog slut); rendera filen för sig och "
        "se om felet följer med den"
    )
    return _Result(path.stem, path, key, {}, [finding(path, message)])


# A worker's state: its archive (each protocol is parsed once per worker), its options.
_WORKER: dict[str, Any] = {}


def _start_worker(
    root: Path, named: frozenset[Path], options: Options, out_dir: Path, today: date
) -> None:
    _WORKER.update(archive=Archive(root, named), options=options, out_dir=out_dir, today=today)


def _worker_record() -> Record:
    """The record as the main process wrote it with this run's claims, read once per
    worker: it does not change until the run is over."""
    if "record" not in _WORKER:
        _WORKER["record"] = Record.read(_WORKER["out_dir"])
    record: Record = _WORKER["record"]
    return record


def _render_chunk(chunk: list[tuple[Path, str]]) -> list[_Result]:
    return [
        _render_one(
            _WORKER["archive"],
            path,
            key,
            _WORKER["options"],
            _WORKER["out_dir"],
            _WORKER["today"],
            _worker_record,
        )
        for path, key in chunk
    ]


def _render_one(
    archive: Archive,
    path: Path,
    key: str,
    options: Options,
    out_dir: Path,
    today: date,
    run_record: Callable[[], Record],
) -> _Result:
    """Render one input; runs in the main process or in a worker. ``run_record`` gives
    the record with this run's claims, asked for only by a document with a public copy."""
    from nbesok.documents.compose import document_for, reference_docx
    from nbesok.documents.publish import make_copies, write

    try:
        document, _warnings = document_for(
            archive,
            path,
            today,
            guidance=options.guidance,
            allow_personnummer=options.allow_personnummer,
            per=options.per,
        )
        copies = make_copies(
            document,
            options.formats,
            out_dir,
            reference_docx(archive),
            allow_personnummer=options.allow_personnummer,
            public=options.public and document.secrecy is not None,
        )
        source = sources_text([path], archive.root)
        record = run_record() if len(copies) > 1 else None
        for made in copies[1:]:
            clash = record.owner_clash(made.name, source, path) if record else None
            if clash is not None:
                return _Result(path.stem, path, key, {}, [clash])
            # The public copy's names are known only now: a file of that name that
            # nbesok did not write is the user's, as for the internal copy's.
            foreign = [
                found for name in made.files if record and (found := record.foreign(out_dir / name))
            ]
            if foreign:
                return _Result(path.stem, path, key, {}, foreign)
        hashes: dict[str, str] = {}
        for made in copies:
            hashes.update(write(made, out_dir))
    except OutputError as error:
        return _Result(path.stem, path, key, {}, error.findings, fatal=True)
    except NbesokError as error:
        return _Result(path.stem, path, key, {}, error.findings)
    return _Result(
        path.stem,
        path,
        key,
        hashes,
        [found for made in copies for found in made.findings],
        pdf_sources={m.name: m.pdf_source for m in copies if m.pdf_source is not None},
        pdf_guards={m.name: m.guard for m in copies if m.guard is not None},
        pdf_rules={m.name: m.pdf_rule for m in copies if m.pdf_rule is not None},
    )


@dataclass(frozen=True)
class VisitCopies:
    """The files of a visit's protocol: the internal copy's and the public copy's."""

    internal: tuple[Path, ...]
    public: tuple[Path, ...]
    findings: tuple[Finding, ...]  # warnings: the accessibility review


def publish_visit(
    archive: Archive,
    path: Path,
    out_dir: Path,
    *,
    today: date,
    formats: Sequence[str] = ("md", "docx", "pdf"),
    libreoffice: Path | None = None,
    per: date | None = None,
) -> VisitCopies:
    """Write a visit's protocol and its public copy, from the same source, into
    ``out_dir``: for whoever needs both, such as an e-arkiv package.

    The public copy is checked for the masked words in every part of every file before
    it is written. Raises :class:`NbesokError` for bad input, a leak or a failed PDF;
    nothing half-written is left.
    """
    from nbesok.documents.compose import document_for, reference_docx
    from nbesok.documents.publish import publish

    document, _warnings = document_for(archive, path, today, guidance=True, per=per)
    if document.secrecy is None:
        raise LoadError.at(path, "är inget besök; bara besök har en publik kopia")
    outcome = publish(
        document,
        sources_text([path], archive.root),
        formats,
        out_dir,
        reference_docx(archive),
        libreoffice,
        public=True,
    )
    errors = [found for found in outcome.findings if found.is_error]
    if errors:
        raise NbesokError(errors)
    public_name = document.public_copy().name
    return VisitCopies(
        tuple(p for p in outcome.written if p.stem == document.name),
        tuple(p for p in outcome.written if p.stem == public_name),
        tuple(outcome.findings),
    )
