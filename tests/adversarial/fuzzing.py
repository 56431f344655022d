"""Mutants of the real visits and protocols, and the property every mutant must keep.

A mutant is a real archive file with a few edits of the kinds people and tools make:
lines deleted, duplicated, swapped or re-indented, tabs, random bytes, YAML's special
characters, keys of the vocabulary with odd values, a truncated file. Whatever the
mutant, nbesok must either succeed or refuse it with its own error type, every finding
located (line > 0) in one of the files involved. ``test_fuzz.py`` runs a bounded,
derandomized number of mutants; ``benchmarks/fuzz_long.py`` runs many more.
"""

from __future__ import annotations

import contextlib
import io
import re
import traceback
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import docx
import yaml
from click.testing import CliRunner
from docx.document import Document
from hypothesis import strategies as st
from support import REPO_ROOT
from support import copy_archive as copy_example_archive

from nbesok.archive import fragments, markup
from nbesok.archive.checks import check_protocol, check_visit
from nbesok.archive.loading import load_protocol, load_visit
from nbesok.archive.models import Protocol, Visit
from nbesok.archive.root import Archive
from nbesok.cli import cli
from nbesok.core.errors import Finding, NbesokError
from nbesok.core.paths import display_path
from nbesok.documents.compose import document_for, reference_docx
from nbesok.documents.docx import markdown_to_docx
from nbesok.documents.docx.text import document_texts, package_texts

from .cases import PN_DASH

REPO = REPO_ROOT
TODAY = date(2030, 1, 1)  # every real visit lies in the past: no clock in the outcome
FUZZ_VISIT = "visits/fuzz.yaml"

SOURCES: dict[str, bytes] = {
    f"{folder}/{path.name}": path.read_bytes()
    for folder in ("visits", "protocols")
    for path in sorted((REPO / folder).glob("*.yaml"))
}

# Pieces with a meaning in YAML, Markdown, Jinja or to nbesok's own checks.
TOKENS: tuple[bytes, ...] = (
    b": ",
    b":",
    b"- ",
    b"-",
    b"&a ",
    b"*a",
    b"!!python/object/apply:os.system ",
    b"! ",
    b"!!str ",
    b"{",
    b"}",
    b"[",
    b"]",
    b"'",
    b'"',
    b"#",
    b"|",
    b">",
    b"\t",
    b"\x00",
    b"\x1b",
    b"\xff",
    b"\xc3",
    "åäö".encode(),
    "\u2028".encode(),
    b"\xef\xbb\xbf",
    b"\r",
    b"\r\n",
    b"%",
    b"@",
    b"`",
    b"---\n",
    b"...\n",
    b"? ",
    b"\\",
    b'"\\u',
    b"~",
    b"null",
    b"true",
    b"0x1F",
    b"2024-02-30",
    b"17/10/2018",
    b"<<: ",
    b"{{ x }}",
    b"{% raw %}",
    b"::: Svar",
    b":::",
    b"# Rubrik",
    b"| a | b |\n|---|---|",
    "[länk](javascript:alert(1))".encode(),
    b"<script>",
    b"\n",
    b"    ",
    b"9" * 30,
    PN_DASH.encode(),
)

KEYS: tuple[str, ...] = (
    "protokoll",
    "verksamhet",
    "besöksdatum",
    "hemsida",
    "diarienummer",
    "ledamöter",
    "namn",
    "parti",
    "grupp",
    "tjänstepersoner",
    "svar",
    "sammanfattning",
    "uppföljning",
    "punkt",
    "ansvarig",
    "senast",
    "status",
    "titel",
    "nämnd",
    "period",
    "inledning",
    "underlag",
    "sammansättning",
    "majoritet",
    "opposition",
    "majoritetspartier",
    "etiketter",
    "avsnitt",
    "rubrik",
    "text",
    "frågor",
    "id",
    "fråga",
    "följdfrågor",
    "hjälptext",
    "till_nämnden",
    "individens-behov",
    "handlingsplaner",
    "ovrig-information",
    "ledamoter",
    "<<",
)

KINDS: tuple[str, ...] = (
    "delete-lines",
    "duplicate-line",
    "swap-lines",
    "indent",
    "dedent",
    "tab-indent",
    "join-lines",
    "split-line",
    "insert-bytes",
    "replace-bytes",
    "truncate",
    "new-key",
    "replace-value",
)


@dataclass(frozen=True)
class Mutation:
    """One edit: ``at`` and ``other`` are places as fractions of the lines or bytes."""

    kind: str
    at: float
    other: float
    payload: bytes
    key: str = ""


def mutate(data: bytes, mutations: Iterable[Mutation]) -> bytes:
    for mutation in mutations:
        data = _apply(data, mutation)
    return data


def _apply(data: bytes, mutation: Mutation) -> bytes:
    kind = mutation.kind
    if kind in ("insert-bytes", "replace-bytes", "truncate"):
        place = int(mutation.at * (len(data) + 1))
        if kind == "truncate":
            return data[:place]
        rest = place + (len(mutation.payload) if kind == "replace-bytes" else 0)
        return data[:place] + mutation.payload + data[rest:]
    lines = data.split(b"\n")
    here = int(mutation.at * len(lines))
    there = int(mutation.other * len(lines))
    line = lines[here]
    indent = line[: len(line) - len(line.lstrip(b" "))]
    if kind == "delete-lines":
        del lines[here : here + 1 + int(mutation.other * 3)]
    elif kind == "duplicate-line":
        lines.insert(there, line)
    elif kind == "swap-lines":
        lines[here], lines[there] = lines[there], line
    elif kind == "indent":
        lines[here] = b" " * (1 + int(mutation.other * 4)) + line
    elif kind == "dedent":
        lines[here] = line[min(len(indent), 1 + int(mutation.other * 4)) :]
    elif kind == "tab-indent":
        lines[here] = b"\t" * max(1, len(indent) // 2) + line.lstrip(b" ")
    elif kind == "join-lines":
        lines[here : here + 2] = [b"".join(lines[here : here + 2])]
    elif kind == "split-line":
        cut = int(mutation.other * len(line))
        lines[here : here + 1] = [line[:cut], indent + line[cut:]]
    elif kind == "new-key":
        lines.insert(here, indent + mutation.key.encode("utf-8") + b": " + mutation.payload)
    elif kind == "replace-value" and b": " in line:
        lines[here] = line[: line.index(b": ") + 2] + mutation.payload
    return b"\n".join(lines)


_places = st.floats(min_value=0, max_value=1, exclude_max=True, allow_nan=False)
_payloads = st.one_of(
    st.sampled_from(TOKENS),
    st.binary(min_size=1, max_size=8),
    st.text(min_size=1, max_size=16).map(lambda text: text.encode("utf-8")),
)
_keys = st.one_of(st.sampled_from(KEYS), st.text(min_size=1, max_size=10))

mutations = st.builds(
    Mutation,
    kind=st.sampled_from(KINDS),
    at=_places,
    other=_places,
    payload=_payloads,
    key=_keys,
)

Mutant = tuple[str, list[Mutation]]


# Markdown that once broke a document: fences and comments left open, the templates' own
# ::: markers, deep nesting, endless emphasis, links that should not be links.
MARKDOWN_PAYLOADS: tuple[str, ...] = (
    "```",
    "```python\nkod",
    "~~~",
    "<!--",
    "<!-- kommentar -->",
    "<script>",
    "<pre>",
    "<?php",
    "<![CDATA[",
    ":::",
    "::: Svar",
    ":::: Hjälptext",
    "> " * 25 + "djupt citat",
    "\n".join("  " * level + "- nivå" for level in range(12)),
    "*" * 300 + "a" + "*" * 300,
    "_" * 200 + "b" + "_" * 200,
    "[delad](smb://server/delad)",
    "<ms-msdt:/id>",
    "[ref]: \\\\server\\delad",
    "[relativ](bilaga.pdf)",
    "# Rubrik",
    "###### Sjätte",
    "| a | b |\n|---|---|\n| 1 | 2 |",
    "1. ett\n2. två",
    "    indragen kod",
    "\\",
    "&#0; &#xFFFF;",
)
ANSWER_WORD = re.compile(r"[A-Za-zÅÄÖåäöé]{4,}")


@dataclass(frozen=True)
class MarkdownEdit:
    """Put ``payload`` into the answer (or summary) ``target`` at a fraction of its lines."""

    target: float
    at: float
    payload: str


markdown_edits = st.builds(
    MarkdownEdit,
    target=_places,
    at=_places,
    payload=st.one_of(
        st.sampled_from(MARKDOWN_PAYLOADS),
        st.lists(st.sampled_from(MARKDOWN_PAYLOADS), min_size=2, max_size=4).map("\n\n".join),
    ),
)
VISIT_SOURCES = sorted(source for source in SOURCES if source.startswith("visits/"))


def markdown_mutants(max_edits: int = 3) -> st.SearchStrategy[tuple[str, list[MarkdownEdit]]]:
    """A real visit and the Markdown to put into its answers."""
    return st.tuples(
        st.sampled_from(VISIT_SOURCES), st.lists(markdown_edits, min_size=1, max_size=max_edits)
    )


def mutate_markdown(data: bytes, edits: Iterable[MarkdownEdit]) -> bytes:
    """The visit with its answers edited, written back as a person would (``|`` blocks)."""
    visit = yaml.safe_load(data.decode("utf-8"))
    for edit in edits:
        fields = [("svar", key) for key in sorted(visit.get("svar") or {})] + [
            ("sammanfattning", None)
        ]
        field, key = fields[int(edit.target * len(fields))]
        text = (visit[field][key] if key else visit.get(field)) or ""
        lines = text.split("\n")
        place = int(edit.at * (len(lines) + 1))
        lines[place:place] = ["", *edit.payload.split("\n"), ""]
        if key:
            visit[field][key] = "\n".join(lines)
        else:
            visit[field] = "\n".join(lines)
    return _dump(visit).encode("utf-8")


def _dump(data: Any) -> str:
    class Dumper(yaml.SafeDumper):
        pass

    def text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
        block = "\n" in value and not any(line.endswith(" ") for line in value.split("\n"))
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if block else None)

    def day(dumper: yaml.SafeDumper, value: date) -> yaml.ScalarNode:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value.isoformat())

    Dumper.add_representer(str, text)
    Dumper.add_representer(date, day)
    return yaml.dump(data, Dumper=Dumper, allow_unicode=True, sort_keys=False, width=10_000)


def lost_text(visit: Visit, protocol: Protocol, document: Document) -> str | None:
    """What of the visit a rendered document does not show, or None.

    Every question must still be a heading (nothing swallowed the structure after an
    answer), and every word of every answer, as a reader of that answer alone would see
    it, must be somewhere in the document.
    """
    headings = {
        paragraph.text
        for paragraph in document.paragraphs
        if paragraph.style is not None and paragraph.style.name.startswith("Heading")
    }
    for question in protocol.questions():
        if question.question not in headings:
            return f"frågan är ingen rubrik längre: {question.question}"
    shown = "\n".join(document_texts(document))
    for key, answer in visit.answers.items():
        tree = markup.parse(fragments.close(answer or ""))
        for word in ANSWER_WORD.findall(" ".join(markup.plain_texts(tree))):
            if word not in shown:
                return f"ordet ”{word}” ur svaret {key} saknas i dokumentet"
    return None


def run_markdown(root: Path, source: str, data: bytes) -> Outcome:
    """Validate and render a visit with Markdown edits; nothing of it may be lost."""
    with installed(root, source, data) as (target, involved):
        archive = Archive(root)
        try:
            check = unlocated(check_visit(load_visit(target), archive, TODAY), involved)
            if check:
                return Outcome(failure=check)
            document, _ = document_for(archive, target, TODAY, guidance=True)
            word = docx.Document(io.BytesIO(word_document(document.markdown, archive)))
            loaded = load_visit(target).model
            lost = lost_text(loaded, archive.protocol(loaded.protocol).model, word)
            return Outcome(failure=lost)
        except NbesokError as error:
            return Outcome(rejected=True, failure=unlocated(error.findings, involved))
        except Exception:
            return Outcome(failure=traceback.format_exc())


def mutants(max_mutations: int = 4) -> st.SearchStrategy[Mutant]:
    """A real file's name and the edits to make to it."""
    return st.tuples(
        st.sampled_from(sorted(SOURCES)), st.lists(mutations, min_size=1, max_size=max_mutations)
    )


def word_document(markdown: str, archive: Archive) -> bytes:
    """The .docx of a document's Markdown, with the archive's pictures it shows."""
    from nbesok.archive.pictures import load

    return markdown_to_docx(markdown, reference_docx(archive), load(markdown, archive.root))


def copy_archive(target: Path) -> Path:
    """A copy of the example archive at ``target``, to be mutated."""
    return copy_example_archive(REPO, target)


@dataclass(frozen=True)
class Outcome:
    """How nbesok took one mutant: ``failure`` says why that was not allowed."""

    rejected: bool = False
    failure: str | None = None


@contextlib.contextmanager
def installed(root: Path, source: str, data: bytes) -> Iterator[tuple[Path, list[Path]]]:
    """Put the mutant in the archive; yield it and the files its findings may name.

    A mutated visit is a new file; a mutated protocol replaces the real one for the
    duration, and the real visits that use it are involved too.
    """
    if source.startswith("visits/"):
        target = root / FUZZ_VISIT
        target.write_bytes(data)
        yield target, [target]
        return
    target = root / source
    original = target.read_bytes()
    target.write_bytes(data)
    uses = f"protokoll: {target.stem}\n".encode()
    users = [
        path
        for path in sorted((root / "visits").glob("*.yaml"))
        if path != root / FUZZ_VISIT and uses in path.read_bytes()
    ]
    try:
        yield target, [target, *users]
    finally:
        target.write_bytes(original)


def unlocated(findings: Sequence[Finding], involved: Sequence[Path]) -> str | None:
    """Why these findings break the rule, or None.

    Each must name one of the involved files and a place that exists in it as an
    editor shows it: a line > 0 that the file has, and a column within that line.
    """
    files = {display_path(path): path for path in involved}
    for found in findings:
        path = files.get(found.path)
        if found.line <= 0 or path is None:
            return f"fynd utan plats i indatafilen: {found.format()}"
        # As editors count lines: CR LF, LF and a lone CR each end one.
        lines = re.split(rb"\r\n|\r|\n", path.read_bytes())
        if found.line > len(lines):
            return f"fynd på rad {found.line}, men filen har {len(lines)}: {found.format()}"
        try:
            text = lines[found.line - 1].decode("utf-8").removeprefix("\ufeff")
        except UnicodeDecodeError:
            continue  # the column of an undecodable line counts bytes
        if found.column > len(text) + 1:
            return (
                f"fynd i kolumn {found.column}, men raden har {len(text)} tecken: {found.format()}"
            )
    return None


def run_library(root: Path, source: str, data: bytes) -> Outcome:
    """Validate and render the mutant (Markdown and DOCX) by calling the library directly."""
    with installed(root, source, data) as (target, involved):
        archive = Archive(root)
        try:
            if target.parent.name == "protocols":
                found = check_protocol(load_protocol(target), root=archive.root)
                check = unlocated(found, involved)
                inputs = [target, *involved[1:]]
            else:
                check = unlocated(check_visit(load_visit(target), archive, TODAY), involved)
                inputs = [target]
            if check:
                return Outcome(failure=check)
            for path in inputs:
                document, warnings = document_for(archive, path, TODAY, guidance=True)
                check = unlocated(warnings, involved)
                if check:
                    return Outcome(failure=check)
                word_document(document.markdown, archive)
        except NbesokError as error:
            check = unlocated(error.findings, involved)
            return Outcome(rejected=True, failure=check)
        except Exception:
            return Outcome(failure=traceback.format_exc())
    return Outcome()


_LOCATED = re.compile(r"^[^:]+:[1-9]\d*:[1-9]\d*: (fel|varning): ")


def run_cli(root: Path, source: str, data: bytes) -> Outcome:
    """``nbesok validate`` and ``nbesok render`` on the mutant, as a user would run them."""
    with installed(root, source, data) as (target, _), contextlib.chdir(root):
        relative = target.relative_to(root).as_posix()
        rejected = False
        for args in (["validate", relative], ["render", relative, "--out", "fuzz-out"]):
            result = CliRunner().invoke(cli, args, prog_name="nbesok")
            output = result.output
            if result.exit_code not in (0, 1) or "Traceback" in output or "internt fel" in output:
                return Outcome(failure=f"nbesok {' '.join(args)} → {result.exit_code}\n{output}")
            if result.exception is not None and not isinstance(result.exception, SystemExit):
                return Outcome(failure=repr(result.exception))
            for line in output.splitlines():
                if (": fel: " in line or ": varning: " in line) and not _LOCATED.match(line):
                    return Outcome(failure=f"fynd utan plats: {line}")
            rejected = rejected or result.exit_code == 1
    return Outcome(rejected=rejected)


# --- guard inputs (issue 20): valid numbers written so that a plain search misses them

# What may stand between a number's date and its serial, and the invisible characters
# that may stand anywhere in it: every one of them still shows the reader the number.
GAP_PIECES: tuple[str, ...] = (
    " ",
    "-",
    "+",
    " - ",
    "\n",
    "\t",
    "\u00a0",
    "\u2009",
    "\u2002",
    "\u2007",
    "\u202f",
    "\u3000",
    "\u2010",
    "\u2011",
    "\u2013",
    "\u2014",
    "\u2015",
    "\u2212",
    "\u2043",
    "\u02d7",
    "\ufe58",
    "\ufe63",
    "\uff0d",
    "*",
    "**",
    "_",
    "`",
    "\\-",
    "<b></b>",
    "<span>",
    "&#45;",
    "&#x2D;",
    "&ndash;",
    "%2D",
)
INVISIBLE: tuple[str, ...] = ("\u00ad", "\u200b", "\u200c", "\u200d", "\u200e", "\u2060", "\ufeff")


@dataclass(frozen=True)
class GuardInput:
    """A valid number, how it is written, and where in a real visit it goes."""

    digits: str  # the ten digits YYMMDDNNNN
    written: str
    target: float  # which answer, the summary or the first follow-up item
    at: float


def _luhn(nine: str) -> str:
    total = sum(
        (value := int(char) * (2 if index % 2 == 0 else 1)) // 10 + value % 10
        for index, char in enumerate(nine)
    )
    return str(-total % 10)


@st.composite
def guard_inputs(draw: st.DrawFn) -> GuardInput:
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=date(2029, 12, 31)))
    day = born.day + (60 if draw(st.booleans()) else 0)
    yymmdd = f"{born.year % 100:02d}{born.month:02d}{day:02d}"
    serial = f"{draw(st.integers(0, 999)):03d}"
    tail = serial + _luhn(yymmdd + serial)
    gap = "".join(draw(st.lists(st.sampled_from(GAP_PIECES), min_size=0, max_size=3)))
    century = str(born.year // 100) if draw(st.booleans()) else ""
    characters = list(century + yymmdd + "\0" + tail)
    for _ in range(draw(st.integers(0, 3))):  # invisible characters anywhere in it
        place = draw(st.integers(0, len(characters)))
        characters.insert(place, draw(st.sampled_from(INVISIBLE)))
    written = "".join(characters).replace("\0", gap)
    return GuardInput(yymmdd + tail, written, draw(_places), draw(_places))


def put_number(data: bytes, number: GuardInput) -> bytes:
    """The visit with the number written into an answer, the summary or an item."""
    visit = yaml.safe_load(data.decode("utf-8"))
    fields = [("svar", key) for key in sorted(visit.get("svar") or {})]
    fields += [("sammanfattning", None), ("uppföljning", None)]
    field, key = fields[int(number.target * len(fields))]
    sentence = f"Ring {number.written} i dag."
    if field == "uppföljning":
        items = visit.get("uppföljning") or [{"ansvarig": "Nämnden", "status": "påbörjad"}]
        items[0]["punkt"] = sentence
        visit["uppföljning"] = items
    else:
        text = (visit[field][key] if key else visit.get(field)) or ""
        lines = text.split("\n")
        place = int(number.at * (len(lines) + 1))
        lines[place:place] = ["", sentence, ""]
        if key:
            visit[field][key] = "\n".join(lines)
        else:
            visit[field] = "\n".join(lines)
    return _dump(visit).encode("utf-8")


def digits_of(text: str) -> str:
    """Every digit a reader can see in ``text``, in order (entities, escapes and
    compatibility forms turned back into digits); nothing else."""
    import html
    import unicodedata
    from urllib.parse import unquote

    text = unicodedata.normalize("NFKC", html.unescape(unquote(text)))
    return "".join(char for char in text if char.isdecimal())


def run_guard(root: Path, source: str, data: bytes, digits: str) -> Outcome:
    """The number is refused where it was written (validate), and stopped at the
    outlets (the .md and every part of the DOCX) even when the input check is skipped;
    with the permission it does reach them, so the check is not blind."""
    from nbesok.core.errors import RenderError
    from nbesok.documents.publish import make

    with installed(root, source, data) as (target, involved):
        archive = Archive(root)
        try:
            findings = check_visit(load_visit(target), archive, TODAY)
            check = unlocated(findings, involved)
            if check:
                return Outcome(failure=check)
            if not any(f.is_error and "nummer ”" in f.message for f in findings):
                return Outcome(failure="validate såg inte numret: " + digits)
            document, _ = document_for(
                archive, target, TODAY, guidance=True, allow_personnummer=True
            )
            reference = reference_docx(archive)
            try:
                make(document, ("md", "docx"), root / "fuzz-out", reference)
            except RenderError as error:
                check = unlocated(error.findings, involved)
                if check:
                    return Outcome(failure=check)
            else:
                return Outcome(failure="numret nådde dokumentet: " + digits)
            made = make(
                document, ("md", "docx"), root / "fuzz-out", reference, allow_personnummer=True
            )
            shown = [
                data.decode("utf-8") for name, data in made.files.items() if name.endswith(".md")
            ]
            word = docx.Document(io.BytesIO(made.files[f"{document.name}.docx"]))
            shown += [text for _, text in package_texts(word)]
            if not any(digits in digits_of(text) for text in shown):
                return Outcome(failure="kontrollen ser inte numret ens när det tillåts: " + digits)
        except NbesokError as error:
            return Outcome(rejected=True, failure=unlocated(error.findings, involved))
        except Exception:
            return Outcome(failure=traceback.format_exc())
    return Outcome(rejected=True)
