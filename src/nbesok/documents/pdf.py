"""PDF/A for the archive: the rendered .docx converted by LibreOffice.

LibreOffice is a program the user installs, not a Python dependency: it is found on
PATH, through ``--libreoffice`` or ``NBESOK_LIBREOFFICE``, or in its usual install
folder. One headless run converts a whole batch (starting LibreOffice costs seconds,
converting a document a fraction of that), with a private user profile so that
parallel runs and a desktop LibreOffice the user has open never collide.

The PDF is PDF/A-2b (the archival profile public records are kept in) and PDF/UA-1
(accessible: the heading, list and table structure reaches screen readers), and shows
the document title, not the file name, in the viewer's window title. The text
language comes from the .docx (``w:lang``, sv-SE). What LibreOffice 7.4 leaves undone
for PDF/UA is put right by :mod:`nbesok.documents.pdfua` before the file is moved into place.
PDF bytes are not reproducible (LibreOffice stamps the time and a random id), but
their text is.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from nbesok.core.errors import OutputError, RenderError, finding
from nbesok.core.output import file_mode, make_folder

if TYPE_CHECKING:
    from nbesok.documents.appendix import Appendix

__all__ = [
    "ENVIRONMENT_VARIABLE",
    "EXPORT_OPTIONS",
    "LibreOfficeError",
    "convert_documents",
    "convert_to_pdf",
    "export_filter",
    "find_libreoffice",
]

ENVIRONMENT_VARIABLE = "NBESOK_LIBREOFFICE"
PROGRAM_NAMES = ("soffice", "libreoffice")

# PDF export options in the JSON syntax of --convert-to (LibreOffice 7.4 and later;
# older versions ignore it and write a plain PDF, which _check_pdfa catches).
# PDFUACompliance claims PDF/UA-1 in the XMP and sets the structure tab order on pages
# with links; the tests hold every document to the claim with a third-party checker.
EXPORT_OPTIONS: Mapping[str, tuple[str, str]] = {
    "SelectPdfVersion": ("long", "2"),  # 2 = PDF/A-2b
    "PDFUACompliance": ("boolean", "true"),
    "UseTaggedPDF": ("boolean", "true"),
    "DisplayPDFDocumentTitle": ("boolean", "true"),
    "ExportBookmarks": ("boolean", "true"),  # headings as bookmarks: navigation in long documents
    "ExportNotes": ("boolean", "false"),
}
_PDFA_MARKER = b"<pdfaid:part>2</pdfaid:part>"

_INSTALL = (
    "installera LibreOffice (Debian/Ubuntu: sudo apt-get install libreoffice-writer-nogui; "
    "macOS och Windows: https://www.libreoffice.org/download/)"
)
_INSTALL_HINT = (
    f"{_INSTALL} eller ange programmet med --libreoffice SÖKVÄG eller miljövariabeln "
    f"{ENVIRONMENT_VARIABLE}"
)
_OUTPUT_LINES = 12


class LibreOfficeError(RenderError):
    """LibreOffice is missing or could not make the PDF; other formats are unaffected."""


def find_libreoffice(explicit: Path | None = None) -> Path:
    """The LibreOffice program to run.

    In order: ``explicit`` (from ``--libreoffice``), the environment variable
    ``NBESOK_LIBREOFFICE``, ``soffice`` or ``libreoffice`` on PATH, and the usual install
    folders on macOS, Windows and Linux (/opt). A folder is accepted if it holds the
    program (the .app bundle or the install folder). A location the user gave that does
    not hold the program is an error, never a silent fall-back to another copy.
    """
    if explicit is not None:
        return _given(explicit, "--libreoffice")
    from_environment = os.environ.get(ENVIRONMENT_VARIABLE, "").strip()
    if from_environment:
        return _given(Path(from_environment), ENVIRONMENT_VARIABLE)
    for name in PROGRAM_NAMES:
        found = shutil.which(name)
        if found:
            return Path(found)
    for candidate in _install_locations():
        if _is_program(candidate):
            return candidate
    raise LibreOfficeError.at(
        "soffice", f"LibreOffice behövs för PDF men hittades inte; {_INSTALL_HINT}"
    )


def _given(location: Path, source: str) -> Path:
    for candidate in (location, *_inside(location)):
        if _is_program(candidate):
            return candidate
    problem = "finns inte" if not location.exists() else "är inte LibreOffice-programmet soffice"
    raise LibreOfficeError.at(
        location,
        f"{problem} (angiven med {source}); peka på soffice, t.ex. /usr/bin/soffice, "
        f"eller {_INSTALL}",
        key=source,
    )


def _inside(folder: Path) -> list[Path]:
    """Where the program sits inside an install folder or a macOS .app bundle."""
    executable = "soffice.exe" if sys.platform == "win32" else "soffice"
    return [
        folder / "program" / executable,
        folder / "Contents" / "MacOS" / "soffice",
        folder / executable,
    ]


def _install_locations() -> list[Path]:
    locations = [Path("/Applications/LibreOffice.app/Contents/MacOS/soffice")]
    for variable in ("ProgramFiles", "ProgramFiles(x86)", "ProgramW6432"):
        folder = os.environ.get(variable)
        if folder:
            locations.append(Path(folder) / "LibreOffice" / "program" / "soffice.exe")
    # The packages from libreoffice.org install to /opt/libreofficeX.Y; newest first.
    locations += sorted(Path("/opt").glob("libreoffice*/program/soffice"), reverse=True)
    return locations


def _is_program(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def export_filter() -> str:
    """The ``--convert-to`` argument: PDF through Writer's export filter, with options."""
    options = {
        name: {"type": kind, "value": value} for name, (kind, value) in EXPORT_OPTIONS.items()
    }
    return "pdf:writer_pdf_Export:" + json.dumps(options, separators=(",", ":"))


# Called with a finished PDF, still in the staging folder, and its name; False keeps
# it from being published.
Inspect = Callable[[Path, str], bool]


def convert_to_pdf(
    docx_files: Sequence[Path],
    out_dir: Path,
    *,
    libreoffice: Path,
    timeout: float = 300,
    appendices: Mapping[str, Sequence[Appendix]] | None = None,
    finish: Callable[[Path], None] | None = None,
    inspect: Inspect | None = None,
) -> list[Path]:
    """Convert every .docx to ``out_dir/<stem>.pdf`` in one LibreOffice run.

    All or nothing: the PDFs are made in a temporary folder inside ``out_dir`` and
    moved into place (``os.replace``) only when every one of them was produced, so a
    failed or killed run never leaves a half-written or stale-looking PDF. Raises
    :class:`LibreOfficeError` naming the .docx that did not convert, or when
    LibreOffice fails or takes longer than ``timeout`` seconds (it is then killed).
    LibreOffice's own output is shown only when it failed. ``appendices`` (by the
    stem of a .docx) are appended to its PDF: a Word bilaga is converted in the same run.
    ``finish`` (the signature of ``--signera``) is applied to each finished PDF, after
    its bilagor, before any is moved, so a PDF that could not be signed is never left
    as if it were. ``inspect`` then sees each PDF as it will be published, before it is
    moved into place, and may hold it back. LibreOffice gets a temporary folder of its
    own, removed with whatever it left there.
    """
    if not docx_files:
        return []
    sources = _check_sources(docx_files)
    make_folder(out_dir)
    with (
        tempfile.TemporaryDirectory(prefix="nbesok-libreoffice-") as profile,
        tempfile.TemporaryDirectory(prefix=".nbesok-pdf-", dir=out_dir) as staging,
        tempfile.TemporaryDirectory(prefix="nbesok-bilagor-") as attached,
    ):
        extra = _word_appendices(appendices or {}, Path(attached))
        installation = Path(profile).resolve().as_uri()
        command = [
            str(libreoffice),
            f"-env:UserInstallation={installation}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--nologo",
            "--nodefault",
            "--convert-to",
            export_filter(),
            "--outdir",
            staging,
            *(str(source) for source in [*sources, *extra.values()]),
        ]
        every = [*sources, *extra.values()]
        try:
            output = _run(command, libreoffice, timeout, count=len(every), temporary=profile)
        finally:
            _remove_pipe(installation)
        produced = [Path(staging) / f"{source.stem}.pdf" for source in every]
        missing = [source for source, pdf in zip(every, produced, strict=True) if not pdf.is_file()]
        if missing:
            raise LibreOfficeError(
                finding(
                    source,
                    "LibreOffice gjorde ingen PDF av dokumentet; öppna det i Word eller "
                    "LibreOffice för att se om det är skadat, och rendera det igen"
                    + _output_note(output),
                )
                for source in missing
            )
        for source, pdf in zip(every, produced, strict=True):
            _check_pdfa(pdf, source, libreoffice)
            _finish(pdf, source)
        produced = produced[: len(sources)]
        for source, pdf in zip(sources, produced, strict=True):
            _append(pdf, source, (appendices or {}).get(source.stem, ()), extra, Path(staging))
        if finish is not None:
            for pdf in produced:
                finish(pdf)
        kept = [pdf for pdf in produced if inspect is None or inspect(pdf, pdf.stem)]
        targets = [out_dir / pdf.name for pdf in kept]
        for pdf, target in zip(kept, targets, strict=True):
            _move(pdf, target)
    return targets


def _word_appendices(
    appendices: Mapping[str, Sequence[Appendix]], folder: Path
) -> dict[Path, Path]:
    """Each Word bilaga copied under a name of its own, to convert with the documents."""
    copies: dict[Path, Path] = {}
    for attached in appendices.values():
        for appendix in attached:
            if appendix.kind == "docx" and appendix.path not in copies:
                copy = folder / f"nbesok-bilaga-{len(copies) + 1}.docx"
                shutil.copyfile(appendix.path, copy)
                copies[appendix.path] = copy
    return copies


def _append(
    pdf: Path,
    source: Path,
    attached: Sequence[Appendix],
    converted: Mapping[Path, Path],
    staging: Path,
) -> None:
    """The bilagor's pages after the document's, each a PDF/A of its own or converted."""
    if not attached:
        return
    import pikepdf

    from nbesok.documents.appendix import append

    files = [
        (appendix, staging / f"{converted[appendix.path].stem}.pdf")
        if appendix.kind == "docx"
        else (appendix, appendix.path)
        for appendix in attached
    ]
    try:
        append(pdf, files)
    except (pikepdf.PdfError, OSError) as error:
        raise LibreOfficeError.at(
            source, f"bilagorna kunde inte läggas till i PDF:en ({error})"
        ) from None


def convert_documents(
    documents: Mapping[str, bytes],
    out_dir: Path,
    *,
    libreoffice: Path,
    timeout: float = 300,
    appendices: Mapping[str, Sequence[Appendix]] | None = None,
    finish: Callable[[Path], None] | None = None,
    inspect: Inspect | None = None,
) -> list[Path]:
    """Convert .docx held in memory (``{name: bytes}``) to ``out_dir/<name>.pdf``.

    For ``--format pdf`` without ``docx``: the .docx go to a private temporary folder,
    never into ``out_dir``, and are converted there by :func:`convert_to_pdf`.
    """
    if not documents:
        return []
    with tempfile.TemporaryDirectory(prefix="nbesok-docx-") as folder:
        files: list[Path] = []
        for name, data in documents.items():
            path = Path(folder) / f"{name}.docx"
            path.write_bytes(data)
            files.append(path)
        return convert_to_pdf(
            files,
            out_dir,
            libreoffice=libreoffice,
            timeout=timeout,
            appendices=appendices,
            finish=finish,
            inspect=inspect,
        )


def _check_sources(docx_files: Sequence[Path]) -> list[Path]:
    """Absolute paths (LibreOffice resolves relative ones against its own folder)."""
    sources: list[Path] = []
    stems: dict[str, Path] = {}
    for path in docx_files:
        if not path.is_file():
            raise LibreOfficeError.at(path, "filen finns inte; rendera .docx-filen först")
        if path.stem in stems:
            raise LibreOfficeError.at(
                path,
                f"ger samma PDF ”{path.stem}.pdf” som {stems[path.stem]}; byt namn på den ena "
                "eller konvertera dem var för sig",
            )
        stems[path.stem] = path
        sources.append(path.resolve())
    return sources


def _run(
    command: list[str], libreoffice: Path, timeout: float, *, count: int, temporary: str
) -> str:
    """Run LibreOffice to the end; its combined output, for error messages only.

    Its temporary files (``lu*.tmp``) go to a folder inside ``temporary``, which is
    removed afterwards, also when a signal stops the run and LibreOffice is killed.
    """
    own = Path(temporary) / "tmp"
    own.mkdir(exist_ok=True)
    environment = {**os.environ, "TMPDIR": str(own), "TMP": str(own), "TEMP": str(own)}
    try:
        process = subprocess.Popen(
            command,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            # A group of its own, so that a timeout kills soffice.bin and oosplash too,
            # not only the wrapper script that PATH points to.
            start_new_session=sys.platform != "win32",
            creationflags=getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0),
        )
    except OSError as error:
        raise LibreOfficeError.at(
            libreoffice, f"kan inte startas ({error.strerror}); {_INSTALL_HINT}"
        ) from None
    try:
        stdout, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        process.communicate()
        raise LibreOfficeError.at(
            libreoffice,
            f"blev inte klar med {count} dokument på "
            f"{timeout:g} sekunder och avbröts; försök igen, och stäng annars en hängande "
            "LibreOffice eller konvertera färre dokument åt gången",
        ) from None
    except BaseException:
        _kill_group(process)
        process.communicate()
        raise
    output = stdout.decode("utf-8", errors="replace")
    if process.returncode != 0:
        raise LibreOfficeError.at(
            libreoffice,
            f"avslutades med felkod {process.returncode} utan att göra PDF; kontrollera att "
            "LibreOffice fungerar med ”soffice --headless --version”" + _output_note(output),
        )
    return output


def _remove_pipe(installation: str) -> None:
    """Remove the socket a LibreOffice killed mid-run leaves in /tmp.

    LibreOffice (7.4) names it after an MD5 of the user installation's address (each
    byte in hex, without leading zeros, as its launcher writes it) and ignores TMPDIR
    for it; the profile here is this run's own, so the socket is too. Elsewhere the
    name differs and nothing is removed.
    """
    if sys.platform == "win32":
        return
    digest = hashlib.md5(installation.encode("utf-16-le"), usedforsecurity=False).digest()
    name = f"OSL_PIPE_{os.getuid()}_SingleOfficeIPC_{''.join(f'{byte:x}' for byte in digest)}"
    for folder in ("/tmp", "/var/tmp"):
        with contextlib.suppress(OSError):
            Path(folder, name).unlink()


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    if sys.platform == "win32":
        subprocess.run(
            ["taskkill", "/F", "/T", "/PID", str(process.pid)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
    else:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    process.kill()


def _output_note(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    if not lines:
        return ""
    shown = "\n    ".join(lines[-_OUTPUT_LINES:])
    return f". LibreOffice skrev:\n    {shown}"


def _check_pdfa(pdf: Path, source: Path, libreoffice: Path) -> None:
    """LibreOffice before 7.4 silently ignores the JSON options and writes plain PDF."""
    try:
        data = pdf.read_bytes()
    except OSError as error:
        raise LibreOfficeError.at(source, f"PDF:en kan inte läsas ({error.strerror})") from None
    if _PDFA_MARKER not in data:
        raise LibreOfficeError.at(
            libreoffice,
            "gjorde en PDF som inte är PDF/A-2b; nbesok behöver LibreOffice 7.4 eller senare "
            f"för exportinställningarna; {_INSTALL_HINT}",
        )


def _finish(pdf: Path, source: Path) -> None:
    """The PDF/UA repairs, with the keywords and authors of the .docx it was made from."""
    import docx
    import pikepdf

    from nbesok.archive.markup import AUTHOR_SEPARATOR
    from nbesok.documents import pdfua

    core = docx.Document(str(source)).core_properties
    authors = [name.strip() for name in (core.author or "").split(AUTHOR_SEPARATOR.strip())]
    try:
        pdfua.finish(pdf, keywords=core.keywords or "", authors=[a for a in authors if a])
    except (pikepdf.PdfError, OSError) as error:
        raise LibreOfficeError.at(
            source, f"PDF:en från LibreOffice kunde inte göras tillgänglig (PDF/UA): {error}"
        ) from None


def _move(pdf: Path, target: Path) -> None:
    if target.is_dir():
        raise OutputError.at(
            target, "finns redan som mapp; ta bort mappen eller välj en annan --out"
        )
    try:
        os.chmod(pdf, file_mode())
        os.replace(pdf, target)
    except OSError as error:
        raise OutputError.at(target, f"kan inte skrivas ({error.strerror})") from None
