"""The adversarial case table: hostile files and trees, as data.

Each :class:`Case` names the files to write into a fresh copy of the example archive
(text, bytes, or a callable that produces the bytes at test time, so that a 50 MB file
never lives in the repository), an optional setup for what is not a file (symbolic
links, folders, permissions), the command to run, and what the user must see: the
exit code and one output line that starts with ``where`` (``path:line:col: fel: key: ``)
and contains ``message``. ``test_adversarial.py`` runs them all with the same checks:
no traceback, no file written except ``outputs`` (and the render record in ``out/``),
and earlier outputs byte-identical.

Line and column numbers in ``where`` are written out by hand from the texts below;
the comments under each base text give the line numbers.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import shutil
import struct
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from support import COMPLETE_VISIT, SMALL_PROTOCOL

Content = str | bytes | Callable[[], bytes]
Setup = Callable[[Path], None]


@dataclass(frozen=True)
class Case:
    id: str
    files: Mapping[str, Content]
    args: tuple[str, ...]
    exit_code: int
    where: str  # the start of one output line, e.g. "visits/x.yaml:2:18: fel: "
    message: str  # a distinctive part of the same line
    setup: Setup | None = None  # for what is not a plain file
    prerender: bool = False  # start from a successful render of the archive in out/
    outputs: tuple[str, ...] = ()  # files the command may create or change
    absent: tuple[str, ...] = ()  # text that must not appear in the output
    followup: tuple[str, ...] = ()  # a command that must then succeed without errors
    # Written documents and text each must (inside) or must not (lacks) hold; a .docx is
    # read as its paragraphs, table cells and headers.
    inside: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    lacks: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


X = "visits/x.yaml"
REAL = "visits/2023-06-07-arbetslik-aktivitet.yaml"  # rendered before the bad case
REAL_OUT = ("out/2023-06-07-arbetslik-aktivitet.md", "out/2023-06-07-arbetslik-aktivitet.docx")
RENDER_REAL = ("render", REAL, "--out", "out")
# Cases replace the example visit with their own, which is no longer fastställd.
REPORT_REAL = ("report", REAL, "--utkast", "--out", "out")
# What render says when it wrote one document (its .md and .docx) into out/.
RENDERED_ONE = "Skrev 2 filer för 1 dokument i out/."
TEMPLATE = "templates/protokoll.md.j2"
REFERENCE = "templates/referens.docx"
P = "protocols/liten.yaml"

# A complete visit of arbetslik-aktivitet-2023 without a single finding, with a summary
# and a follow-up item.
VISIT = (
    COMPLETE_VISIT
    + """\
sammanfattning: Kort sammanfattning.
uppföljning:
  - punkt: Följa upp platserna.
    ansvarig: Arbetsmarknadsnämnden
    senast: 2023-12-31
    status: påbörjad
"""
)
#  1 protokoll  2 verksamhet  3 besöksdatum  4 ledamöter (5–8)  9 tjänstepersoner (10)
# 11 svar (12–17)  18 sammanfattning  19 uppföljning: 20 punkt 21 ansvarig 22 senast 23 status

MEMBERS = VISIT[VISIT.index("ledamöter:\n") : VISIT.index("tjänstepersoner:")]
ANSWERS = VISIT[VISIT.index("svar:\n") : VISIT.index("sammanfattning:")]
FOLLOW_UP = VISIT[VISIT.index("uppföljning:\n") :]

PROTOCOL = SMALL_PROTOCOL  # its line numbers are listed under it in support.py

SMALL_VISIT = """\
protokoll: liten
verksamhet: Café Kungsgatan
besöksdatum: 2024-03-05
ledamöter: [Anna Andersson (S), Bo Berg (M), Cia Carlsson (V), Dan Dahl (SD)]
tjänstepersoner: [Eva Ek]
svar:
  forsta: Svar.
  andra: Svar.
"""


# The classic "billion laughs": nine levels of nine aliases, 9**9 strings if expanded.
def _laughs(level: int) -> str:
    items = ", ".join([f"*l{level - 1}"] * 9) if level else '"lol"'
    return f"l{level}: &l{level} [{items}]\n"


BILLION_LAUGHS = "".join(_laughs(level) for level in range(10))


def edit(text: str, old: str, new: str) -> str:
    """``text`` with ``old`` replaced once; fails loudly if ``old`` is not there exactly once."""
    assert text.count(old) == 1, f"{old!r} ska finnas exakt en gång"
    return text.replace(old, new)


def visit(old: str, new: str) -> str:
    return edit(VISIT, old, new)


def validate(
    case_id: str, content: Content, where: str, message: str, *, exit_code: int = 1
) -> Case:
    """``nbesok validate visits/x.yaml``; ``where`` is ``line:col: severity: key: ``."""
    return Case(case_id, {X: content}, ("validate", X), exit_code, f"{X}:{where}", message)


def render(case_id: str, content: Content, where: str, message: str) -> Case:
    """``nbesok render`` of the real visit, rendered once before and now replaced."""
    return Case(
        case_id, {REAL: content}, RENDER_REAL, 1, f"{REAL}:{where}", message, prerender=True
    )


def protocol(case_id: str, content: str, where: str, message: str) -> Case:
    return Case(case_id, {P: content}, ("validate", P), 1, f"{P}:{where}", message)


def template(
    case_id: str,
    text: str | bytes,
    where: str,
    message: str,
    *,
    name: str = "protokoll.md.j2",
    args: tuple[str, ...] = RENDER_REAL,
    absent: tuple[str, ...] = (),
) -> Case:
    """A broken template in the archive's templates/, rendering the (changed) real visit."""
    return Case(
        case_id,
        {f"templates/{name}": text, REAL: VISIT},
        args,
        1,
        f"templates/{name}{where}",
        message,
        prerender=True,
        absent=absent,
    )


def reference(
    case_id: str, message: str, content: Content | None = None, *, setup: Setup | None = None
) -> Case:
    """A broken templates/referens.docx, rendering the (changed) real visit."""
    files: dict[str, Content] = {REAL: VISIT}
    if content is not None:
        files[REFERENCE] = content
    return Case(
        case_id, files, RENDER_REAL, 1, f"{REFERENCE}: fel: ", message, setup, prerender=True
    )


# --- personnummer: valid dates and Luhn check digits, computed here rather than typed


def luhn_digit(nine: str) -> str:
    """The check digit that makes ``nine + digit`` pass the Luhn check (weights 2, 1, 2, …)."""
    total = 0
    for index, char in enumerate(nine):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product // 10 + product % 10
    return str(-total % 10)


# The ways of writing a number between its date and its serial that issue 20 found
# reaching a document: the guard and validate must see through each.
LEAK_SEPARATORS = {
    "space-dash-space": " - ",
    "dash-at-line-end": "-\n",
    "thin-space": "\u2009",
    "en-space": "\u2002",
    "figure-space": "\u2007",
    "ideographic-space": "\u3000",
    "tab": "\t",
    "soft-hyphen": "\u00ad",
    "zero-width-space": "\u200b",
    "word-joiner": "\u2060",
    "left-to-right-mark": "\u200e",
    "horizontal-bar": "\u2015",
    "hyphen-bullet": "\u2043",
    "modifier-minus": "\u02d7",
    "small-em-dash": "\ufe58",
    "empty-html-tag": "<b></b>-",
    "html-entity": "&#45;",
    "percent-escape": "%2D",
}


def personnummer(yymmdd: str, serial: str, separator: str = "-", century: str = "") -> str:
    return f"{century}{yymmdd}{separator}{serial}{luhn_digit(yymmdd + serial)}"


def masked(number: str) -> str:
    """How a message shows a number: never whole, the serial as XXXX."""
    return number[:-4] + "XXXX"


PN_DASH = personnummer("811218", "987")  # 811218-9876
PN_PLUS = personnummer("121212", "121", "+")  # over a hundred years old
PN_CENTURY = personnummer("811218", "987", century="19")
PN_SAMORDNING = personnummer("811278", "123")  # day 18 + 60
PN_BARE = PN_DASH.replace("-", "")
PN_BAD_LUHN = PN_DASH[:-1] + str((int(PN_DASH[-1]) + 1) % 10)
PHONE = "070-123 45 67"


def answer(text: str) -> str:
    """The visit with ``text`` in the first answer (line 12, the text from column 21)."""
    return visit("  individens-behov: Svar.", f"  individens-behov: {text}")


def _pn_where(severity: str, line: int, column: int, key: str, path: str = X) -> str:
    return f"{path}:{line}:{column}: {severity}: {key}: "


PERSONNUMMER_CASES = [
    Case(
        "pn-answer-yymmdd-dash-validate-refuses",
        {X: answer(f"Ring {PN_DASH} i dag.")},
        ("validate", X),
        1,
        _pn_where("fel", 12, 26, "svar.individens-behov"),
        f"personnummer ”{masked(PN_DASH)}”",
    ),
    Case(
        "pn-answer-yymmdd-plus-render-refuses",
        {REAL: answer(f"Ring {PN_PLUS} i dag.")},
        RENDER_REAL,
        1,
        _pn_where("fel", 12, 26, "svar.individens-behov", REAL),
        f"personnummer ”{masked(PN_PLUS)}”",
        prerender=True,
    ),
    Case(
        "pn-summary-yyyymmdd-report-refuses",
        {REAL: visit("sammanfattning: Kort", f"sammanfattning: Om {PN_CENTURY}")},
        REPORT_REAL,
        1,
        _pn_where("fel", 18, 20, "sammanfattning", REAL),
        f"personnummer ”{masked(PN_CENTURY)}”",
        prerender=True,
    ),
    Case(
        "pn-member-name-samordningsnummer-refused",
        {X: visit("  - Anna Andersson (S)", f"  - Anna Andersson {PN_SAMORDNING} (S)")},
        ("validate", X),
        1,
        _pn_where("fel", 5, 20, "ledamöter[1]"),
        f"samordningsnummer ”{masked(PN_SAMORDNING)}”",
    ),
    Case(
        "pn-official-name-season-report-refuses",
        {REAL: visit("  - Eva Ek", f"  - Eva Ek {PN_DASH}")},
        ("report", "--protokoll", "arbetslik-aktivitet-2023", "--utkast", "--out", "out"),
        1,
        _pn_where("fel", 10, 12, "tjänstepersoner[1]", REAL),
        f"personnummer ”{masked(PN_DASH)}”",
        prerender=True,
    ),
    Case(
        "pn-follow-up-item-render-refuses",
        {REAL: visit("  - punkt: Följa upp platserna.", f"  - punkt: Kontakta {PN_DASH}.")},
        RENDER_REAL,
        1,
        _pn_where("fel", 20, 21, "uppföljning[1].punkt", REAL),
        f"personnummer ”{masked(PN_DASH)}”",
        prerender=True,
    ),
    Case(
        "pn-follow-up-responsible-refused",
        {X: visit("    ansvarig: Arbetsmarknadsnämnden", f"    ansvarig: Handläggare {PN_DASH}")},
        ("validate", X),
        1,
        _pn_where("fel", 21, 27, "uppföljning[1].ansvarig"),
        f"personnummer ”{masked(PN_DASH)}”",
    ),
    Case(
        "pn-ten-bare-digits-possible",
        {X: answer(f"Ring {PN_BARE} i dag.")},
        ("validate", X),
        1,
        _pn_where("fel", 12, 26, "svar.individens-behov"),
        f"möjligt personnummer ”{masked(PN_BARE)}”",
    ),
    Case(
        "pn-second-occurrence-on-its-own-line",
        {
            X: visit(
                "  individens-behov: Svar.",
                f"  individens-behov: |\n    Första gången {PN_DASH}.\n    Andra gången {PN_DASH}.",
            )
        },
        ("validate", X),
        1,
        _pn_where("fel", 14, 18, "svar.individens-behov"),
        f"personnummer ”{masked(PN_DASH)}”",
    ),
    Case(
        "pn-allowed-render-writes",
        {REAL: answer(f"Ring {PN_DASH} i dag.")},
        (*RENDER_REAL, "--tillåt-personnummer"),
        0,
        RENDERED_ONE,
        "",
        prerender=True,
        outputs=REAL_OUT,
    ),
    Case(
        "pn-allowed-report-writes",
        {REAL: answer(f"Ring {PN_DASH} i dag.")},
        (*REPORT_REAL, "--tillåt-personnummer"),
        0,
        "Skrev out/2023-06-07-arbetslik-aktivitet-uppfoljning.md",
        "",
        prerender=True,
        outputs=(
            "out/2023-06-07-arbetslik-aktivitet-uppfoljning.md",
            "out/2023-06-07-arbetslik-aktivitet-uppfoljning.docx",
        ),
    ),
    *(
        Case(
            f"not-pn-{name}-renders",
            {REAL: answer(f"Ring {text} i dag.")},
            RENDER_REAL,
            0,
            RENDERED_ONE,
            "",
            prerender=True,
            outputs=REAL_OUT,
            absent=("personnummer",),
        )
        for name, text in (
            ("date", "2018-10-17"),
            ("phone", PHONE),
            ("bad-luhn", PN_BAD_LUHN),
            ("bare-bad-luhn", PN_BAD_LUHN.replace("-", "")),
        )
    ),
]


# --- the reference .docx


def _reference_bytes() -> bytes:
    from nbesok.documents.templating import package_templates_dir

    return (package_templates_dir() / "referens.docx").read_bytes()


def _repack(change: Callable[[str, bytes], bytes | None]) -> bytes:
    """The packaged reference with each entry passed through ``change`` (None drops it)."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(_reference_bytes())) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            data = change(info.filename, source.read(info))
            if data is not None:
                target.writestr(info.filename, data)
    return buffer.getvalue()


def _with_zeros(megabytes: int) -> bytes:
    """The packaged reference plus an image of ``megabytes`` MB of zeros (compresses ~1000:1)."""
    buffer = io.BytesIO(_reference_bytes())
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as package:
        info = zipfile.ZipInfo("word/media/image1.png")
        info.compress_type = zipfile.ZIP_DEFLATED
        chunk = bytes(1024 * 1024)
        with package.open(info, "w") as stream:
            for _ in range(megabytes):
                stream.write(chunk)
    return buffer.getvalue()


def _lying_sizes() -> bytes:
    """A 100 MB zero image whose headers claim 1000 bytes: only reading past them would tell."""
    data = bytearray(_with_zeros(100))
    name = b"word/media/image1.png"
    start = data.find(b"PK\x01\x02")
    while start >= 0:
        length = struct.unpack_from("<H", data, start + 28)[0]
        if bytes(data[start + 46 : start + 46 + length]) == name:
            struct.pack_into("<I", data, start + 24, 1000)  # central directory
            local = struct.unpack_from("<I", data, start + 42)[0]
            struct.pack_into("<I", data, local + 22, 1000)  # local header
        start = data.find(b"PK\x01\x02", start + 4)
    return bytes(data)


def _dotx() -> bytes:
    document = b"wordprocessingml.document.main+xml"
    template = b"wordprocessingml.template.main+xml"
    return _repack(
        lambda name, data: data.replace(document, template) if name.startswith("[") else data
    )


def _without_style(style: bytes) -> Callable[[], bytes]:
    def build() -> bytes:
        return _repack(
            lambda name, data: (
                data.replace(b'w:val="' + style + b'"', b'w:val="Annat"')
                if name == "word/styles.xml"
                else data
            )
        )

    return build


def _folder(relative: str) -> Setup:
    def setup(root: Path) -> None:
        target = root / relative
        if target.is_file():
            target.unlink()
        target.mkdir(parents=True)

    return setup


def _symlink(relative: str, target: str, content: str | None = None) -> Setup:
    """A symbolic link at ``relative`` to ``target`` (relative to the link's folder)."""

    def setup(root: Path) -> None:
        link = root / relative
        link.parent.mkdir(parents=True, exist_ok=True)
        if content is not None:
            (link.parent / target).write_text(content, encoding="utf-8")
        link.unlink(missing_ok=True)  # the example archive has its own templates/referens.docx
        link.symlink_to(target)

    return setup


# --- output


def _unwritable(relative: str) -> Setup:
    """Make ``relative/sub`` impossible to create, honestly, also when the tests run as root.

    A read-only folder blocks an ordinary user; root ignores permissions, so there the
    folder is replaced by a regular file, under which nothing can be created either.
    """

    def setup(root: Path) -> None:
        folder = root / relative
        folder.mkdir()
        folder.chmod(0o555)
        if os.access(folder, os.W_OK):
            folder.chmod(0o755)
            folder.rmdir()
            folder.write_text("en vanlig fil, ingen mapp\n", encoding="utf-8")

    return setup


def _visit_copy(relative: str) -> Setup:
    def setup(root: Path) -> None:
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / REAL, root / relative)

    return setup


def new_args(
    operation: str, day: str = "2023-06-08", protocol_id: str = "arbetslik-aktivitet-2023"
) -> tuple[str, ...]:
    return ("new", "--protokoll", protocol_id, "--verksamhet", operation, "--datum", day)


def new(case_id: str, operation: str, created: str) -> Case:
    """``nbesok new`` with a hostile --verksamhet: the file lands in visits/ and validates."""
    return Case(
        case_id,
        {},
        new_args(operation),
        0,
        "Skapade ",
        created,
        outputs=(created,),
        followup=("validate", created),
    )


def _big_file() -> bytes:
    line = b"# " + b"x" * 97 + b"\n"
    return VISIT.encode() + line * (50 * 1024 * 1024 // len(line))


def _big_answer(characters: int) -> Callable[[], bytes]:
    def build() -> bytes:
        return answer("a" * characters).encode()

    return build


WRONG_TYPE_WORDS = {
    "text": "ska vara text",
    "lista": "ska vara en lista",
    "mappning": "ska vara en mappning",
}


def wrong_type(case_id: str, where: str, key: str, should_be: str, old: str, new: str) -> Case:
    """A value of the wrong kind in a visit (or, for ids starting "protocol-", a protocol)."""
    message = WRONG_TYPE_WORDS[should_be]
    if case_id.startswith("protocol-"):
        return protocol(
            f"model-{case_id}", edit(PROTOCOL, old, new), f"{where}: fel: {key}: ", message
        )
    return validate(f"model-{case_id}", visit(old, new), f"{where}: fel: {key}: ", message)


# Every other kind of field with a value of the wrong kind.
WRONG_TYPES = [
    wrong_type(
        "id-of-protocol-a-list",
        "1:12",
        "protokoll",
        "text",
        "protokoll: arbetslik-aktivitet-2023",
        "protokoll: [x]",
    ),
    wrong_type(
        "operation-a-mapping",
        "2:13",
        "verksamhet",
        "text",
        "verksamhet: Arbetslik aktivitet",
        "verksamhet: {a: b}",
    ),
    wrong_type(
        "officials-a-mapping", "10:3", "tjänstepersoner", "lista", "  - Eva Ek", "  namn: Eva Ek"
    ),
    wrong_type(
        "official-a-list", "10:5", "tjänstepersoner[1]", "text", "  - Eva Ek", "  - [Eva, Ek]"
    ),
    wrong_type(
        "member-a-list", "6:5", "ledamöter[2]", "mappning", "  - Bo Berg (M)", "  - [Bo Berg, M]"
    ),
    wrong_type(
        "summary-a-list",
        "18:17",
        "sammanfattning",
        "text",
        "sammanfattning: Kort sammanfattning.",
        "sammanfattning: [Kort]",
    ),
    wrong_type(
        "follow-up-item-a-list",
        "20:12",
        "uppföljning[1].punkt",
        "text",
        "  - punkt: Följa upp platserna.",
        "  - punkt: [Följa]",
    ),
    wrong_type(
        "case-number-a-list",
        "4:15",
        "diarienummer",
        "text",
        "besöksdatum: 2023-06-07\n",
        "besöksdatum: 2023-06-07\ndiarienummer: [1, 2]\n",
    ),
    wrong_type(
        "protocol-labels-a-list",
        "4:12",
        "etiketter",
        "mappning",
        'period: "2024"\n',
        'period: "2024"\netiketter: [a]\n',
    ),
    wrong_type(
        "protocol-documents-a-mapping",
        "4:11",
        "underlag",
        "lista",
        'period: "2024"\n',
        'period: "2024"\nunderlag: {a: b}\n',
    ),
    wrong_type(
        "protocol-composition-a-list",
        "4:17",
        "sammansättning",
        "mappning",
        "sammansättning:\n  majoritet: 2",
        "sammansättning: [2]\nx:\n  majoritet: 2",
    ),
    wrong_type(
        "protocol-sections-a-mapping",
        "10:3",
        "avsnitt",
        "lista",
        "  - rubrik: Frågor",
        "  rubrik: Frågor\n  x:",
    ),
    wrong_type(
        "protocol-heading-a-list",
        "10:13",
        "avsnitt[1].rubrik",
        "text",
        "  - rubrik: Frågor",
        "  - rubrik: [Frågor]",
    ),
    wrong_type(
        "protocol-follow-up-questions-text",
        "14:22",
        "avsnitt[1].frågor[1].följdfrågor",
        "lista",
        "        fråga: Första frågan?",
        "        fråga: Första frågan?\n        följdfrågor: En fråga",
    ),
    wrong_type(
        "protocol-guidance-a-list",
        "14:20",
        "avsnitt[1].frågor[1].hjälptext",
        "text",
        "        fråga: Första frågan?",
        "        fråga: Första frågan?\n        hjälptext: [a]",
    ),
]


# --- issue 12: what an independent red-team pass found, one case or more per point


def _position(text: str, needle: str) -> str:
    """``line:column`` of the first ``needle`` in ``text``, as an editor counts them."""
    offset = text.index(needle)
    return f"{text.count(chr(10), 0, offset) + 1}:{offset - text.rfind(chr(10), 0, offset)}"


def _real(relative: str) -> str:
    from support import REPO_ROOT

    return (REPO_ROOT / relative).read_text("utf-8")


PN_DATE, PN_TAIL = PN_DASH.split("-")
# The same number written as Word, a keyboard or Markdown turn it out; each is published
# as "811218-9876" or "8112189876" unless the guard sees through it.
PN_DISGUISES = {
    "emphasis": f"{PN_DATE}-*{PN_TAIL}*",
    "escaped-hyphen": f"{PN_DATE}\\-{PN_TAIL}",
    "non-breaking-hyphen": f"{PN_DATE}\u2011{PN_TAIL}",
    "en-dash": f"{PN_DATE}\u2013{PN_TAIL}",
    "figure-dash": f"{PN_DATE}\u2012{PN_TAIL}",
    "minus-sign": f"{PN_DATE}\u2212{PN_TAIL}",
    "full-width-hyphen": f"{PN_DATE}\uff0d{PN_TAIL}",
    "space": f"{PN_DATE} {PN_TAIL}",
    "prefixed": f"pnr-{PN_DATE}{PN_TAIL}",
}
PROTOCOL_2023 = "protocols/arbetslik-aktivitet-2023.yaml"
VISIT_OUT_DOCX = "out/2023-06-07-arbetslik-aktivitet.docx"
VISIT_OUT_MD = "out/2023-06-07-arbetslik-aktivitet.md"
REPORT_OUT = "out/2023-06-07-arbetslik-aktivitet-uppfoljning"
LAST_QUESTION = "Finns det övrig information som verksamhetsinriktningen vill delge"
_POISONED_PROTOCOL = _real(PROTOCOL_2023).replace(
    "Verksamhetsstatistik", f"Verksamhetsstatistik, ring {PN_DASH}"
)
_POISONED_SETTINGS = _real("nbesok.yaml").replace(
    "Informationen noteras.", f"Informationen noteras, ring {PN_DASH}."
)
_PN_TEMPLATE = "{% import '_huvud.md.j2' as huvud %}\n# Protokoll\n\nRing " + PN_DASH + "\n"

# Markdown in one answer that would swallow the rest of the document.
SWALLOWERS = {
    "backtick-fence": "Före.\n\n```\nkod utan slut",
    "tilde-fence": "Före.\n\n~~~\nkod utan slut",
    "html-comment": "Före.\n\n<!-- en kommentar utan slut",
    "bare-container": "Före.\n\n:::\n\nEfter.",
    "fence-with-container-line": "Före.\n\n```\n:::\n```\n\nEfter.",
    # Found by the long fuzzing run: made an indented code block, the fence's lines were
    # read as more of the list before it, and the deep quote as Markdown.
    "unclosed-fence-after-a-list": (
        "Före.\n\n1. ett\n2. två\n\n~~~\n\n" + "> " * 25 + "djupt citat\n\n:::\n\nEfter."
    ),
}


def _answer_block(text: str) -> str:
    indented = "\n".join(f"    {line}" if line else "" for line in text.split("\n"))
    return visit("  individens-behov: Svar.", f"  individens-behov: |\n{indented}")


def _summary_block(text: str) -> str:
    indented = "\n".join(f"  {line}" if line else "" for line in text.split("\n"))
    return visit("sammanfattning: Kort sammanfattning.", f"sammanfattning: |\n{indented}")


def _fifo(relative: str) -> Setup:
    def setup(root: Path) -> None:
        path = root / relative
        path.unlink(missing_ok=True)
        os.mkfifo(path)

    return setup


def _invalid_utf8_name(root: Path) -> None:
    folder = os.fsencode(root / "visits")
    with open(folder + b"/2023-06-08-caf\xe9.yaml", "wb") as stream:
        stream.write(VISIT.replace("2023-06-07", "2023-06-08").encode("utf-8"))


def _dtd_in_header() -> bytes:
    entity = b'<!DOCTYPE w:hdr [<!ENTITY x "x">]>'
    return _repack(
        lambda name, data: (
            data.replace(b"?>", b"?>" + entity, 1) if name == "word/header1.xml" else data
        )
    )


RED_TEAM_CASES: list[Case] = [
    # 1. personnummer: every disguise is refused where it was written
    *(
        Case(
            f"pn-disguised-{name}-render-refuses",
            {REAL: answer(f"Ring {text} i dag.")},
            RENDER_REAL,
            1,
            _pn_where("fel", 12, 26 + text.index(PN_DATE), "svar.individens-behov", REAL),
            "personnummer",
            prerender=True,
        )
        for name, text in PN_DISGUISES.items()
    ),
    Case(
        "pn-in-protocol-text-render-refuses",
        {PROTOCOL_2023: _POISONED_PROTOCOL, REAL: VISIT},
        RENDER_REAL,
        1,
        f"{PROTOCOL_2023}:{_position(_POISONED_PROTOCOL, PN_DASH)}: fel: ",
        f"personnummer ”{masked(PN_DASH)}”",
        prerender=True,
    ),
    Case(
        "pn-in-protocol-validate-refuses",
        {PROTOCOL_2023: _POISONED_PROTOCOL},
        ("validate", PROTOCOL_2023),
        1,
        f"{PROTOCOL_2023}:{_position(_POISONED_PROTOCOL, PN_DASH)}: fel: underlag[3]: ",
        f"personnummer ”{masked(PN_DASH)}”",
    ),
    Case(
        "pn-in-settings-report-refuses",
        {"nbesok.yaml": _POISONED_SETTINGS, REAL: VISIT},
        REPORT_REAL,
        1,
        f"nbesok.yaml:{_position(_POISONED_SETTINGS, PN_DASH)}: fel: ",
        f"personnummer ”{masked(PN_DASH)}”",
        prerender=True,
    ),
    Case(
        "pn-in-proposal-option-report-refuses",
        {REAL: VISIT},
        (*REPORT_REAL, "--förslag", f"Kontakta {PN_DASH}."),
        1,
        "--förslag: fel: ",
        f"personnummer ”{masked(PN_DASH)}”",
        prerender=True,
    ),
    Case(
        "pn-in-file-name-render-refuses",
        {f"visits/2023-06-08-{PN_DASH}.yaml": VISIT},
        ("render", f"visits/2023-06-08-{PN_DASH}.yaml", "--out", "out"),
        1,
        f"visits/2023-06-08-{PN_DASH}.yaml: fel: ",
        "i filnamnet",
        prerender=True,
    ),
    Case(
        "pn-in-template-text-render-refuses",
        {TEMPLATE: _PN_TEMPLATE, REAL: VISIT},
        RENDER_REAL,
        1,
        f"{TEMPLATE}:{_position(_PN_TEMPLATE, PN_DASH)}: fel: ",
        f"personnummer ”{masked(PN_DASH)}”",
        prerender=True,
    ),
    # 2. one answer never swallows the rest of the document
    *(
        Case(
            f"swallow-answer-{name}-stays-in-its-answer",
            {REAL: _answer_block(text)},
            RENDER_REAL,
            0,
            RENDERED_ONE,
            "",
            prerender=True,
            outputs=REAL_OUT,
            inside={VISIT_OUT_DOCX: (LAST_QUESTION, "Före."), VISIT_OUT_MD: (LAST_QUESTION,)},
            # The template's own markers never show; a ::: the user wrote shows as text.
            lacks={} if ":::" in text else {VISIT_OUT_DOCX: (":::",)},
        )
        for name, text in SWALLOWERS.items()
    ),
    *(
        Case(
            f"swallow-summary-{name}-leaves-the-report-whole",
            {REAL: _summary_block(text)},
            REPORT_REAL,
            0,
            f"Skrev {REPORT_OUT}.docx",
            "",
            prerender=True,
            outputs=(f"{REPORT_OUT}.md", f"{REPORT_OUT}.docx"),
            inside={f"{REPORT_OUT}.docx": ("Följa upp platserna.", "Beslutsunderlag")},
            lacks={} if ":::" in text else {f"{REPORT_OUT}.docx": (":::",)},
        )
        for name, text in SWALLOWERS.items()
    ),
    Case(
        "swallow-unclosed-fence-validate-warns",
        {X: _answer_block(SWALLOWERS["backtick-fence"])},
        ("validate", X),
        0,
        f"{X}:15:1: varning: svar.individens-behov: ",
        "kodblocket som börjar med ``` avslutas aldrig",
    ),
    Case(
        "swallow-unclosed-comment-validate-warns",
        {X: _answer_block(SWALLOWERS["html-comment"])},
        ("validate", X),
        0,
        f"{X}:15:1: varning: svar.individens-behov: ",
        "avslutas aldrig med -->",
    ),
    Case(
        "swallow-bare-container-line-validate-warns",
        {X: _summary_block(SWALLOWERS["bare-container"])},
        ("validate", X),
        0,
        f"{X}:21:1: varning: sammanfattning: ",
        "raden börjar med :::",
    ),
    # 3. deep structure never loses text
    Case(
        "deep-blockquote-render-refuses",
        {REAL: _answer_block(">" * 19 + " djupt")},
        RENDER_REAL,
        1,
        f"{REAL}:13:1: fel: svar.individens-behov: ",
        "citat och listor står i varandra i 19 nivåer",
        prerender=True,
    ),
    Case(
        "deep-list-validate-refuses",
        {X: _answer_block("\n".join("  " * depth + f"- nivå {depth}" for depth in range(10)))},
        ("validate", X),
        1,
        f"{X}:13:1: fel: svar.individens-behov: ",
        "i 10 nivåer",
    ),
    # 4. a bad document never aborts the batch
    Case(
        "emphasis-run-renders",
        {REAL: answer("'" + "*" * 500 + "a" + "*" * 500 + "'")},
        RENDER_REAL,
        0,
        RENDERED_ONE,
        "",
        prerender=True,
        outputs=REAL_OUT,
        inside={VISIT_OUT_DOCX: (LAST_QUESTION,)},
    ),
    Case(
        "file-name-not-utf8-validate-names-it",
        {},
        ("validate",),
        1,
        "visits/2023-06-08-caf�.yaml: fel: ",
        "filnamnet är inte giltig UTF-8",
        setup=_invalid_utf8_name,
    ),
    Case(
        "file-name-not-utf8-render-writes-the-others",
        {},
        ("render", "--out", "out"),
        1,
        "visits/2023-06-08-caf�.yaml: fel: ",
        "filnamnet är inte giltig UTF-8",
        setup=_invalid_utf8_name,
        prerender=True,
        outputs=(*REAL_OUT, "out/2018-10-17-idrott-och-service.md"),
    ),
    # 5. reading is bounded everywhere
    Case(
        "visit-is-dev-zero-render-refuses",
        {},
        ("render", "--out", "out"),
        1,
        f"{X}: fel: ",
        "ingen vanlig fil",
        setup=_symlink(X, "/dev/zero"),
        prerender=True,
    ),
    Case(
        "visit-is-fifo-validate-refuses",
        {},
        ("validate",),
        1,
        f"{X}: fel: ",
        "ingen vanlig fil",
        setup=_fifo(X),
    ),
    Case(
        "template-is-fifo-render-refuses",
        {REAL: VISIT},
        RENDER_REAL,
        1,
        f"{TEMPLATE}: fel: ",
        "ingen vanlig fil",
        setup=_fifo(TEMPLATE),
        prerender=True,
    ),
    Case(
        "granska-zip-bomb",
        {"out/bomb.docx": lambda: _with_zeros(20)},
        ("granska", "out/bomb.docx"),
        1,
        "out/bomb.docx: fel: ",
        "komprimerad mer än 100:1",
    ),
    # 6. template limits on every path
    template(
        "template-nested-loops-over-a-list",
        "{% set l = range(3000) | list %}"
        "{% for a in l %}{% for b in l %}{% for c in l %}{% endfor %}{% endfor %}{% endfor %}\n",
        ":1:1: fel: ",
        "mallen tog mer än 5 sekunder",
    ),
    template(
        "template-replace-grows",
        "# P\n{{ ('x' * 1000) | replace('x', 'y' * 100000) }}\n",
        ":2:1: fel: ",
        "mallen försöker bygga en text på 100 000 000 tecken",
    ),
    template(
        "template-center-width",
        "# P\n{{ 'x' | center(10**10) }}\n",
        ":2:1: fel: ",
        "mallen försöker bygga en text på 10 000 000 000 tecken",
    ),
    template(
        "template-format-width",
        "# P\n{{ '%10000000000s' | format(1) }}\n",
        ":2:1: fel: ",
        "mallen ber om en bredd eller precision på 10 000 000 000 tecken",
    ),
    template(
        "template-lipsum",
        "# P\n{{ lipsum(10**7) }}\n",
        ":2:1: fel: ",
        "mallen försöker bygga en text",
    ),
    template(
        "template-string-method-width",
        "# P\n{{ 'x'.ljust(10**10) }}\n",
        ":2:1: fel: ",
        "mallen försöker bygga en text på 10 000 000 000 tecken",
    ),
    template(
        "template-percent-width",
        "# P\n{{ '%9999999999d' % 1 }}\n",
        ":2:1: fel: ",
        "mallen ber om en bredd eller precision på 9 999 999 999 tecken",
    ),
    # 8. no output overwrites another
    Case(
        "clash-visit-named-like-a-report",
        {"visits/2023-06-07-arbetslik-aktivitet-uppfoljning.yaml": VISIT, REAL: VISIT},
        ("render", "visits/2023-06-07-arbetslik-aktivitet-uppfoljning.yaml", "--out", "out"),
        1,
        "visits/2023-06-07-arbetslik-aktivitet-uppfoljning.yaml: fel: ",
        f"som tjänsteskrivelsen om {REAL} redan skrev",
        setup=lambda root: _report_first(root),
        prerender=True,
    ),
    Case(
        "clash-report-named-like-a-visit",
        {"visits/2023-06-07-arbetslik-aktivitet-uppfoljning.yaml": VISIT, REAL: VISIT},
        REPORT_REAL,
        1,
        f"{REAL}: fel: ",
        "som visits/2023-06-07-arbetslik-aktivitet-uppfoljning.yaml redan skrev",
        setup=lambda root: _render_first(root, "2023-06-07-arbetslik-aktivitet-uppfoljning"),
    ),
    Case(
        "clash-names-differing-in-case",
        {"visits/2023-06-08-Cafe.yaml": VISIT, "visits/2023-06-08-cafe.yaml": VISIT},
        ("render", "--out", "out"),
        1,
        "visits/2023-06-08-cafe.yaml: fel: ",
        "ger samma utfil ”2023-06-08-cafe” som visits/2023-06-08-Cafe.yaml",
        prerender=True,
        outputs=("out/2018-10-17-idrott-och-service.md",),
    ),
    Case(
        "clash-names-differing-in-normalisation",
        {"visits/2023-06-08-\u00e5sa.yaml": VISIT, "visits/2023-06-08-a\u030asa.yaml": VISIT},
        ("render", "--out", "out"),
        1,
        "visits/2023-06-08-",
        "ger samma utfil",
        prerender=True,
        outputs=("out/2018-10-17-idrott-och-service.md",),
    ),
    # 9. the minor ones
    Case(
        "new-operation-line-separator",
        {},
        new_args("Café\u2028Kungsgatan"),
        2,
        "--verksamhet: fel: ",
        "radavgränsare (U+2028)",
    ),
    Case(
        "name-with-bidi-override-refused",
        {X: visit("  - Eva Ek", "  - Eva \u202eKE")},
        ("validate", X),
        1,
        f"{X}:10:9: fel: ",
        "styrtecken för skrivriktning (U+202E)",
    ),
    Case(
        # The visit's own name fits; its tjänsteskrivelse's name is 12 characters longer.
        "file-name-too-long-blames-the-file",
        {"visits/2023-06-08-" + "a" * 235 + ".yaml": VISIT},
        ("report", "visits/2023-06-08-" + "a" * 235 + ".yaml", "--utkast", "--out", "out"),
        1,
        "out/2023-06-08-" + "a" * 235 + "-uppfoljning.md: fel: ",
        "filnamnet är för långt",
    ),
    Case(
        "link-to-a-share-is-plain-text",
        {REAL: answer("Se [mappen](smb://server/delad) och [webben](https://linkoping.se).")},
        ("validate", REAL),
        0,
        f"{REAL}:12:1: varning: svar.individens-behov: ",
        "länken till ”smb://server/delad” är ingen webbadress",
    ),
    Case(
        "reference-with-dtd-refused",
        {REFERENCE: _dtd_in_header, REAL: VISIT},
        RENDER_REAL,
        1,
        f"{REFERENCE}: fel: ",
        "har en DTD",
        prerender=True,
    ),
]


# --- issue 20: every outlet guarded, no overwritten file, no runaway template


def _random_numbers(count: int, seed: int) -> list[str]:
    """Valid personnummer and samordningsnummer from a fixed seed, each with a random
    run of separators, Markdown and HTML markup and invisible characters between its
    date and serial: what a reader sees as one number and a plain search does not."""
    pieces = (
        " ",
        "-",
        "+",
        "\t",
        "\u2009",
        "\u3000",
        "\u00ad",
        "\u200b",
        "\u2060",
        "\u200e",
        "\u2013",
        "\u2015",
        "\u2212",
        "\u2043",
        "\u02d7",
        "\ufe58",
        "*",
        "\\-",
        "`",
        "<b></b>",
        "&#45;",
        "&shy;",
    )
    rng = random.Random(seed)
    numbers = []
    for _ in range(count):
        born = date(1920, 1, 1) + timedelta(days=rng.randrange(100 * 365))
        day = born.day + (60 if rng.random() < 0.3 else 0)
        yymmdd = f"{born.year % 100:02d}{born.month:02d}{day:02d}"
        serial = f"{rng.randrange(1000):03d}"
        gap = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 3)))
        century = str(born.year // 100) if rng.random() < 0.3 else ""
        numbers.append(f"{century}{yymmdd}{gap}{serial}{luhn_digit(yymmdd + serial)}")
    return numbers


GUARD_CASES = [
    Case(
        f"pn-generated-{index:02d}-render-refuses",
        {REAL: answer(json.dumps(f"Ring {number} i dag.", ensure_ascii=False))},
        RENDER_REAL,
        1,
        _pn_where("fel", 12, 27, "svar.individens-behov", REAL),
        "nummer ”",
        prerender=True,
        absent=(number,),
    )
    for index, number in enumerate(_random_numbers(16, seed=20))
]


def _template_refused(case_id: str, expression: str, message: str) -> Case:
    return template(case_id, f"# P\n{expression}\n", ":2:1: fel: ", message)


TEMPLATE_LIMIT_CASES = [
    _template_refused(
        "template-star-width",
        "{{ '%*s' % (1000000000, 'a') }}",
        "mallen anger en bredd med * i en %-formatering",
    ),
    _template_refused(
        "template-inner-field-width",
        "{{ '{:{w}}'.format('a', w=10**9) }}",
        "mallen anger en bredd med ett inre fält ({…}) i format",
    ),
    _template_refused(
        "template-format-map-width",
        "{{ '{a:>{w}}'.format_map({'a': 'x', 'w': 10**9}) }}",
        "mallen anger en bredd med ett inre fält",
    ),
    _template_refused(
        "template-format-method-width",
        "{{ '{:>999999999}'.format('a') }}",
        "mallen ber om en bredd eller precision på 999 999 999 tecken",
    ),
    _template_refused(
        "template-precision",
        "{{ '%.100000f' % 1 }}",
        "mallen ber om en bredd eller precision på 100 000 tecken",
    ),
    _template_refused(
        "template-translate",
        "{{ ('x' * 1000).translate({120: 'y' * 1000000}) }}",
        "mallen använder ”translate”, som inte är tillåtet i mallar",
    ),
    _template_refused(
        "template-tuple-doubling",
        "{% set ns = namespace(t=(1, 2)) %}{% for i in range(40) %}"
        "{% set ns.t = ns.t + ns.t %}{% endfor %}{{ ns.t | length }}",
        "mallen försöker bygga en lista med 8 388 608 delar",
    ),
    _template_refused(
        "template-power-tower",
        "{% set a = 10**100 %}{% set b = a**100 %}{% set c = b**100 %}{{ c }}",
        "mallen räknar fram ett tal med omkring 33 300 binära siffror",
    ),
    _template_refused(
        "template-squaring-loop",
        "{% set ns = namespace(n=10) %}{% for i in range(40) %}"
        "{% set ns.n = ns.n * ns.n %}{% endfor %}{{ ns.n }}",
        "mallen räknar fram ett tal",
    ),
    _template_refused(
        "template-bytes-repetition",
        "{{ 'x'.encode() * 10**9 }}",
        "mallen försöker bygga en text på 1 000 000 000 tecken",
    ),
]

VALUE_CHARACTER_CASES = [
    validate(
        "value-escaped-direction-override",
        visit("verksamhet: Arbetslik aktivitet", 'verksamhet: "Ryd \\u202e4789-822118"'),
        "2:13: fel: verksamhet: ",
        "osynligt styrtecken för skrivriktning (U+202E)",
    ),
    validate(
        "value-escaped-line-separator",
        visit("verksamhet: Arbetslik aktivitet", 'verksamhet: "Ryd\\Lby"'),
        "2:13: fel: verksamhet: ",
        "radavgränsare (U+2028)",
    ),
    validate(
        "value-escaped-isolate-in-a-list",
        visit("  - Eva Ek", '  - "Eva \\u2067Ek"'),
        "10:5: fel: tjänstepersoner[1]: ",
        "osynligt styrtecken för skrivriktning (U+2067)",
    ),
]

OUTPUT_CASES = [
    Case(
        "out-into-visits-refused",
        {REAL: VISIT, "visits/2023-06-07-arbetslik-aktivitet.docx": b"mitt eget dokument"},
        ("render", REAL, "--out", "visits"),
        2,
        "--out: fel: ",
        "visits/ håller arkivets egna filer, och dokument skrivs aldrig dit",
    ),
    Case(
        "out-into-templates-refused",
        {},
        ("render", "protocols/arbetslik-aktivitet-2023.yaml", "--out", "templates"),
        2,
        "--out: fel: ",
        "templates/ håller arkivets egna filer",
    ),
    Case(
        "out-below-protocols-refused",
        {},
        ("report", REAL, "--out", "protocols/ut"),
        2,
        "--out: fel: ",
        "protocols/ håller arkivets egna filer",
    ),
    Case(
        "out-dot-keeps-the-readme",
        {"visits/README.yaml": VISIT, "README.md": "# Mitt arkiv\n"},
        ("render", "visits/README.yaml", "--out", "."),
        1,
        "README.md: fel: ",
        "finns redan men är inte skriven av nbesok",
    ),
    Case(
        "out-keeps-a-file-nbesok-did-not-write",
        {REAL: VISIT, "dokument/2023-06-07-arbetslik-aktivitet.docx": b"mitt eget dokument"},
        ("render", REAL, "--out", "dokument"),
        1,
        "dokument/2023-06-07-arbetslik-aktivitet.docx: fel: ",
        "flytta eller ta bort filen om den inte behövs, eller välj en annan --out",
    ),
    Case(
        "out-report-keeps-a-file-nbesok-did-not-write",
        {"out/2023-06-07-arbetslik-aktivitet-uppfoljning.md": "mina anteckningar\n"},
        REPORT_REAL,
        1,
        "out/2023-06-07-arbetslik-aktivitet-uppfoljning.md: fel: ",
        "finns redan men är inte skriven av nbesok",
    ),
]

_OUTSIDE = "../../utanför.yaml"  # from visits/ in the archive: beside the archive

SYMLINK_CASES = [
    Case(
        "symlink-to-a-system-file-validate",
        {},
        ("validate",),
        1,
        f"{X}: fel: ",
        "är en symbolisk länk ut ur arkivet (till /etc/passwd)",
        setup=_symlink(X, "/etc/passwd"),
        absent=("root:",),
    ),
    Case(
        "symlink-out-of-the-archive-render-all",
        {},
        ("render", "--out", "out"),
        1,
        f"{X}: fel: ",
        "nbesok läser bara filer i arkivet",
        setup=_symlink(X, _OUTSIDE, VISIT),
        prerender=True,
    ),
    Case(
        "symlink-out-of-the-archive-named-renders",
        {},
        ("render", X, "--out", "out"),
        0,
        RENDERED_ONE,
        "",
        setup=_symlink(X, _OUTSIDE, VISIT),
        outputs=("out/x.md", "out/x.docx"),
    ),
    Case(
        "symlink-out-of-the-archive-followup",
        {},
        ("followup",),
        1,
        f"{X}: fel: ",
        "är en symbolisk länk ut ur arkivet",
        setup=_symlink(X, _OUTSIDE, VISIT),
    ),
    Case(
        "symlink-protocol-out-of-the-archive",
        {},
        ("validate",),
        1,
        f"{PROTOCOL_2023}: fel: ",
        "är en symbolisk länk ut ur arkivet",
        setup=_symlink(PROTOCOL_2023, "../../utanför-protokoll.yaml", _real(PROTOCOL_2023)),
    ),
    Case(
        "symlink-loop-validate",
        {},
        ("validate",),
        1,
        f"{X}: fel: ",
        "är en symbolisk länk i en slinga",
        setup=_symlink(X, "x.yaml"),
    ),
]

ISSUE_20_CASES = [
    *GUARD_CASES,
    *TEMPLATE_LIMIT_CASES,
    *VALUE_CHARACTER_CASES,
    *OUTPUT_CASES,
    *SYMLINK_CASES,
]


def _report_first(root: Path) -> None:
    """The tjänsteskrivelse of the real visit, written before the clashing render."""
    from click.testing import CliRunner

    from nbesok.cli import cli

    with _chdir(root):
        result = CliRunner().invoke(cli, list(REPORT_REAL), prog_name="nbesok")
    assert result.exit_code == 0, result.output


def _render_first(root: Path, stem: str) -> None:
    from click.testing import CliRunner

    from nbesok.cli import cli

    with _chdir(root):
        args = ["render", f"visits/{stem}.yaml", "--out", "out"]
        result = CliRunner().invoke(cli, args, prog_name="nbesok")
    assert result.exit_code == 0, result.output


def _chdir(root: Path) -> contextlib.AbstractContextManager[None]:
    return contextlib.chdir(root)


CASES: list[Case] = [
    # --- YAML syntax errors that people make
    render(
        "yaml-colon-in-value",
        visit("verksamhet: Arbetslik aktivitet", "verksamhet: Kl 10: möte"),
        "2:18: fel: ",
        "kolon följt av mellanslag mitt i ett värde; sätt värdet inom citattecken",
    ),
    validate(
        "yaml-value-starts-with-dash",
        visit("verksamhet: Arbetslik aktivitet", "verksamhet: - Arbetslik aktivitet"),
        "2:13: fel: ",
        "ett värde som börjar med ”- ” tolkas som en lista",
    ),
    validate(
        "yaml-value-starts-with-at",
        visit("verksamhet: Arbetslik aktivitet", "verksamhet: @Arbetslik"),
        "2:13: fel: ",
        "ett värde kan inte börja med ”@”",
    ),
    render(
        "yaml-value-starts-with-star",
        visit("verksamhet: Arbetslik aktivitet", "verksamhet: *Arbetslik"),
        "2:13: fel: ",
        "alias (*Arbetslik) används inte i nbesok",
    ),
    validate(
        "yaml-value-starts-with-percent",
        visit("verksamhet: Arbetslik aktivitet", "verksamhet: %Arbetslik"),
        "2:13: fel: ",
        "ett värde kan inte börja med ”%”",
    ),
    render(
        "yaml-tab-in-indentation",
        visit("  - Eva Ek", "\t- Eva Ek"),
        "10:1: fel: ",
        "tabbtecken i indraget",
    ),
    validate(
        "yaml-no-space-after-colon",
        visit("verksamhet: Arbetslik aktivitet", "verksamhet:Åsa"),
        "2:12: fel: ",
        "mellanslag saknas efter kolon",
    ),
    validate(
        "yaml-no-space-after-colon-in-list",
        visit("  - Bo Berg (M)", "  - namn:Åsa\n    parti: M"),
        "6:10: fel: ",
        "mellanslag saknas efter kolon",
    ),
    render(
        "yaml-missing-colon",
        visit("besöksdatum: 2023-06-07", "besöksdatum 2023-06-07"),
        "3:1: fel: ",
        "raden saknar ”: ” efter nyckeln",
    ),
    validate(
        "yaml-unclosed-brace-at-end-of-file",
        VISIT + "extra: {a",  # no newline at the end, as a truncated file has none
        "24:8: fel: ",
        "mappningen inom { } som börjar här avslutas inte",
    ),
    validate(
        "yaml-unclosed-quote",
        visit("verksamhet: Arbetslik aktivitet", 'verksamhet: "Arbetslik aktivitet'),
        "2:13: fel: ",
        "texten inom citattecken som börjar här avslutas aldrig",
    ),
    # --- control characters, raw and as escapes
    validate(
        "yaml-raw-nul",
        visit("verksamhet: Arbetslik aktivitet", "verksamhet: Arbetslik\x00 aktivitet"),
        "2:22: fel: ",
        "otillåtet",
    ),
    render(
        "yaml-raw-escape-character",
        answer("Svar\x1b[31m."),
        "12:25: fel: ",
        "otillåtet",
    ),
    validate(
        "yaml-escaped-vertical-tab",
        visit("verksamhet: Arbetslik aktivitet", 'verksamhet: "Arbetslik\\vaktivitet"'),
        "2:13: fel: ",
        "otillåtet tecken U+000B",
    ),
    validate(
        "yaml-escaped-lone-surrogate",
        visit("verksamhet: Arbetslik aktivitet", 'verksamhet: "Arbetslik \\ud800"'),
        "2:26: fel: ",
        "ogiltig \\u-escape",
    ),
    # --- encodings and shapes of the file
    validate(
        "yaml-cp1252",
        visit("verksamhet: Arbetslik aktivitet", "verksamhet: Café Kungsgatan").encode("cp1252"),
        "2:16: fel: ",
        "filen är inte UTF-8 (tecknet ”é” ser ut att vara Windows-1252/ANSI)",
    ),
    validate(
        "yaml-cp1252-in-a-windows-file",
        visit("verksamhet: Arbetslik aktivitet", "verksamhet: Café Kungsgatan")
        .replace("\n", "\r\n")
        .encode("cp1252"),
        "2:16: fel: ",
        "filen är inte UTF-8",
    ),
    validate(
        "yaml-windows-line-ends",
        visit("besöksdatum: 2023-06-07", "besöksdatum: 2023-06-31").replace("\n", "\r\n"),
        "3:14: fel: besöksdatum: ",
        "ÅÅÅÅ-MM-DD",
    ),
    validate(
        "yaml-old-mac-line-ends",  # a lone CR ends a line for YAML and for editors alike
        visit("besöksdatum: 2023-06-07", "besöksdatum: 2023-06-31").replace("\n", "\r"),
        "3:14: fel: besöksdatum: ",
        "ÅÅÅÅ-MM-DD",
    ),
    render("yaml-utf16", VISIT.encode("utf-16"), "1:1: fel: ", "filen är sparad som UTF-16"),
    validate("yaml-empty-file", b"", "1:1: fel: ", "filen är tom"),
    validate("yaml-only-comments", "# ett besök\n# kommer här\n", "1:1: fel: ", "filen är tom"),
    validate("yaml-top-level-list", "- protokoll: x\n", "1:1: fel: ", "filen innehåller en lista"),
    validate("yaml-top-level-text", "hej\n", "1:1: fel: ", "filen innehåller en ensam text"),
    render(
        "yaml-several-documents",
        VISIT + "---\n" + VISIT,
        "24:1: fel: ",
        "filen innehåller flera YAML-dokument",
    ),
    validate(
        "yaml-10000-nested-brackets",
        VISIT + "extra: " + "[" * 10_000 + "]" * 10_000 + "\n",
        "24:39: fel: ",
        "strukturen är nästlad i fler än 32 nivåer",
    ),
    validate(
        "yaml-duplicate-key",
        visit("besöksdatum: 2023-06-07\n", "besöksdatum: 2023-06-07\nverksamhet: Igen\n"),
        "4:1: fel: verksamhet: ",
        "nyckeln ”verksamhet” förekommer två gånger (rad 2 och rad 4)",
    ),
    validate(
        "yaml-anchor",
        visit("verksamhet: Arbetslik aktivitet", "verksamhet: &namn Arbetslik aktivitet"),
        "2:13: fel: ",
        "ankare (&namn) används inte i nbesok",
    ),
    validate("yaml-billion-laughs", BILLION_LAUGHS, "1:5: fel: ", "ankare (&l0)"),
    validate(
        "yaml-merge-key",
        VISIT + "<<: {verksamhet: Annan}\n",
        "24:1: fel: <<: ",
        "okänd nyckel ”<<”",
    ),
    render(
        "yaml-python-object-tag",
        visit(
            "verksamhet: Arbetslik aktivitet",
            'verksamhet: !!python/object/apply:os.system ["echo nbesok-kördes"]',
        ),
        "2:13: fel: ",
        "taggen ”tag:yaml.org,2002:python/object/apply:os.system” tillåts inte",
    ),
    validate("yaml-50-mb-file", _big_file, "1:1: fel: ", "MB; högst 2 MB tillåts"),
    validate("yaml-10-mb-answer", _big_answer(10 * 1024 * 1024), "1:1: fel: ", "högst 2 MB"),
    validate(
        "yaml-300000-character-answer",
        _big_answer(300_000),
        "12:21: fel: ",
        "texten är 300 000 tecken lång; högst 200 000 tecken",
    ),
    # --- models: wrong types
    validate(
        "model-members-not-a-list",
        edit(VISIT, MEMBERS, "ledamöter: Anna Andersson (S)\n"),
        "4:12: fel: ledamöter: ",
        "ska vara en lista",
    ),
    validate(
        "model-answers-a-list",
        edit(VISIT, ANSWERS, "svar: [Svar.]\n"),
        "11:7: fel: svar: ",
        "ska vara en mappning",
    ),
    validate(
        "model-answer-a-list",
        answer("[Svar.]"),
        "12:21: fel: svar.individens-behov: ",
        "ska vara text",
    ),
    validate(
        "model-member-name-a-mapping",
        visit("  - Bo Berg (M)", "  - namn: {förnamn: Bo}"),
        "6:11: fel: ledamöter[2].namn: ",
        "ska vara text",
    ),
    validate(
        "model-date-a-list",
        visit("besöksdatum: 2023-06-07", "besöksdatum: [2023-06-07]"),
        "3:14: fel: besöksdatum: ",
        "ogiltigt datum",
    ),
    validate(
        "model-follow-up-not-a-list",
        edit(VISIT, FOLLOW_UP, "uppföljning: Följa upp platserna.\n"),
        "19:14: fel: uppföljning: ",
        "ska vara en lista",
    ),
    *WRONG_TYPES,
    render(
        "model-required-value-empty",
        visit("verksamhet: Arbetslik aktivitet", "verksamhet:"),
        "2:12: fel: verksamhet: ",
        "värdet saknas",
    ),
    protocol(
        "model-protocol-count-not-a-number",
        edit(PROTOCOL, "  majoritet: 2", "  majoritet: två"),
        "5:14: fel: sammansättning.majoritet: ",
        "ska vara ett heltal",
    ),
    protocol(
        "model-protocol-count-too-many-digits",
        edit(PROTOCOL, "  majoritet: 2", "  majoritet: " + "9" * 5000),
        "5:14: fel: sammansättning.majoritet: ",
        "ska vara ett heltal",
    ),
    protocol(
        "model-protocol-flag-not-a-flag",
        edit(PROTOCOL, "till_nämnden: true", "till_nämnden: kanske"),
        "16:23: fel: avsnitt[1].frågor[2].till_nämnden: ",
        "ska vara true eller false",
    ),
    protocol(
        "model-protocol-no-sections",
        PROTOCOL[: PROTOCOL.index("avsnitt:")] + "avsnitt: []\n",
        "9:10: fel: avsnitt: ",
        "får inte vara tom",
    ),
    # --- models: unknown and missing keys, impossible dates, vocabularies
    validate(
        "model-unknown-key-suggests",
        visit("ledamöter:", "ledamoter:"),
        "4:1: fel: ledamoter: ",
        "okänd nyckel ”ledamoter”; menade du ”ledamöter”?",
    ),
    validate(
        "model-unknown-key-lists-keys",
        VISIT + "färg: blå\n",
        "24:1: fel: färg: ",
        "okänd nyckel ”färg”; tillåtna nycklar här är",
    ),
    validate(
        "model-missing-key",
        visit("verksamhet: Arbetslik aktivitet\n", ""),
        "1:1: fel: verksamhet: ",
        "nyckeln ”verksamhet” saknas",
    ),
    render(
        "model-date-february-30",
        visit("besöksdatum: 2023-06-07", "besöksdatum: 2024-02-30"),
        "3:14: fel: besöksdatum: ",
        "datumet ”2024-02-30” finns inte i kalendern",
    ),
    validate(
        "model-date-day-month-year",
        visit("besöksdatum: 2023-06-07", "besöksdatum: 17/10/2018"),
        "3:14: fel: besöksdatum: ",
        "ogiltigt datum ”17/10/2018”; skriv datum som ÅÅÅÅ-MM-DD",
    ),
    validate(
        "model-follow-up-date-month-13",
        visit("    senast: 2023-12-31", "    senast: 2023-13-01"),
        "22:13: fel: uppföljning[1].senast: ",
        "finns inte i kalendern",
    ),
    render(
        "model-unknown-protocol",
        visit("protokoll: arbetslik-aktivitet-2023", "protokoll: arbetslik-aktivitet-2024"),
        "1:12: fel: protokoll: ",
        "protokollet ”arbetslik-aktivitet-2024” finns inte i protocols/",
    ),
    validate(
        "model-protocol-id-is-a-path",
        visit(
            "protokoll: arbetslik-aktivitet-2023",
            "protokoll: ../protocols/arbetslik-aktivitet-2023",
        ),
        "1:12: fel: protokoll: ",
        "är inte ett giltigt id",
    ),
    render(
        "model-unknown-question-id",
        visit("  handlingsplaner: Svar.", "  handlingsplaner: Svar.\n  handlingsplan: Mer."),
        "14:3: fel: svar.handlingsplan: ",
        "har ingen fråga ”handlingsplan”; menade du ”handlingsplaner”?",
    ),
    validate(
        "model-bad-status",
        visit("    status: påbörjad", "    status: grön"),
        "23:13: fel: uppföljning[1].status: ",
        "ogiltigt värde ”grön”; tillåtna värden är ”ej påbörjad”, ”påbörjad” eller ”klar”",
    ),
    validate(
        "model-bad-party-code",
        visit("  - Bo Berg (M)", "  - Bo Berg (Moderaterna)"),
        "6:5: fel: ledamöter[2].parti: ",
        "ogiltig partibeteckning ”Moderaterna”",
    ),
    validate(
        "model-bad-party-code-long-form",
        visit("  - Bo Berg (M)", "  - namn: Bo Berg\n    parti: 12"),
        "7:12: fel: ledamöter[2].parti: ",
        "ogiltig partibeteckning ”12”",
    ),
    validate(
        "model-bad-web-address",
        visit("besöksdatum: 2023-06-07\n", "besöksdatum: 2023-06-07\nhemsida: www.iaf.se\n"),
        "4:10: fel: hemsida: ",
        "”www.iaf.se” är ingen webbadress",
    ),
    protocol(
        "model-duplicate-question-ids",
        edit(PROTOCOL, "      - id: andra", "      - id: forsta"),
        "14:13: fel: avsnitt[1].frågor[2].id: ",
        "fråge-id ”forsta” används redan på rad 12",
    ),
    Case(
        "model-visit-of-broken-protocol",
        {P: edit(PROTOCOL, "titel: Liten mall\n", ""), "visits/s.yaml": SMALL_VISIT},
        ("render", "visits/s.yaml", "--out", "out"),
        1,
        "visits/s.yaml:1:12: fel: protokoll: ",
        "protokollet ”liten” innehåller fel; rätta det först",
    ),
    Case(
        "model-settings-without-proposals",
        {"nbesok.yaml": "kommun: Linköpings kommun\nförslag_till_beslut: []\n"},
        REPORT_REAL,
        1,
        "nbesok.yaml:2:22: fel: förslag_till_beslut: ",
        "får inte vara tom",
        prerender=True,
    ),
    # --- templates in the archive's templates/
    template(
        "template-cycler-globals",
        "# Protokoll\n\n{{ cycler.__init__.__globals__ }}\n",
        ":3:1: fel: ",
        "mallen försöker nå ”__init__”, vilket inte är tillåtet",
    ),
    template(
        "template-string-class",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}\n",
        ":1:1: fel: ",
        "mallen försöker nå ”__class__”",
    ),
    template(
        "template-misspelt-variable",
        "# Protokoll\n\n{{ besök.verksamheten }}\n",
        ":3:1: fel: ",
        "”verksamheten” finns inte i mallens data",
    ),
    template(
        "template-syntax-error",
        "# Protokoll\n{% if %}\n",
        ":2:1: fel: ",
        "syntaxfel i mallen",
    ),
    template(
        "template-include-parent-folder",
        "# Protokoll\n{% include '../x' %}\n",
        ":2:1: fel: ",
        "mallen ”../x” finns inte",
    ),
    Case(
        "template-symlink-out-of-templates",
        {REAL: VISIT},
        RENDER_REAL,
        1,
        f"{TEMPLATE}: fel: ",
        "pekar ut ur mappen templates/",
        setup=_symlink(TEMPLATE, "../hemlig.md.j2", "HEMLIG\n"),
        prerender=True,
        absent=("HEMLIG",),
    ),
    template(
        "template-not-utf8",
        "# Protokoll för {{ besök.verksamhet }} på café\n".encode("cp1252"),
        ": fel: ",
        "mallen är inte sparad som UTF-8",
    ),
    template(
        "template-runaway-loop",
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}\n",
        ":1:1: fel: ",
        "mallen tog mer än 5 sekunder",
    ),
    template(
        "template-huge-string",
        "# Protokoll\n{{ 'x' * 10**8 }}\n",
        ":2:1: fel: ",
        "mallen försöker bygga en text på 100 000 000 tecken",
    ),
    template(
        "template-output-limit",
        "# Protokoll\n{% for i in range(100000) %}{{ 'x' * 100 }}{% endfor %}\n",
        ":2:",
        "mallen skriver mer än 5 000 000 tecken",
    ),
    template(
        "template-report-misspelt",
        "# {{ titel }}\n\n{{ besök[0].verksamheten }}\n",
        ":3:1: fel: ",
        "”verksamheten” finns inte i mallens data",
        name="uppfoljning.md.j2",
        args=REPORT_REAL,
    ),
    # --- the reference .docx
    reference("reference-not-a-zip", "är inget Word-dokument", b"PK? Nej, bara text.\n"),
    reference(
        "reference-old-doc",
        "är ett gammalt Word-format (.doc)",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096),
    ),
    reference("reference-dotx", "är en Word-mall (.dotx), inte ett dokument", _dotx),
    reference("reference-folder", "referensdokumentet är ingen fil", setup=_folder(REFERENCE)),
    reference(
        "reference-dangling-symlink",
        "referensdokumentet finns inte",
        setup=_symlink(REFERENCE, "saknas.docx"),
    ),
    reference("reference-empty-file", "är inget Word-dokument", b""),
    reference("reference-missing-style", 'formatmallen "Svar" saknas', _without_style(b"Svar")),
    reference(
        "reference-zip-bomb-declared-size",
        "uppackad, mer än tillåtna 50 MB",
        lambda: _with_zeros(60),
    ),
    reference("reference-zip-bomb-ratio", "komprimerad mer än 100:1", lambda: _with_zeros(20)),
    reference("reference-zip-bomb-lying-sizes", "kunde inte läsa referens.docx", _lying_sizes),
    Case(
        "reference-folder-after-a-render-is-no-change",
        {},
        RENDER_REAL,
        1,
        f"{REFERENCE}: fel: ",
        "referensdokumentet är ingen fil",
        setup=_folder(REFERENCE),
        prerender=True,
    ),
    # --- output
    Case(
        "output-unwritable-out",
        {REAL: VISIT},
        ("render", REAL, "--out", "skrivskyddad/ut"),
        1,
        "skrivskyddad/ut: fel: ",
        "mappen kan inte skrivas",
        setup=_unwritable("skrivskyddad"),
    ),
    Case(
        "output-unwritable-out-report",
        {},
        ("report", REAL, "--utkast", "--out", "skrivskyddad/ut"),
        1,
        "skrivskyddad/ut: fel: ",
        "mappen kan inte skrivas",
        setup=_unwritable("skrivskyddad"),
    ),
    Case(
        "output-out-is-a-file",
        {"fil": "en fil\n"},
        ("render", REAL, "--out", "fil"),
        1,
        "fil: fel: ",
        "finns redan som fil; --out ska vara en mapp",
    ),
    Case(
        "output-name-is-a-folder",
        {REAL: VISIT},
        RENDER_REAL,
        1,
        f"{REAL_OUT[1]}: fel: ",
        "finns redan som mapp",
        setup=_folder(REAL_OUT[1]),
        prerender=True,
    ),
    Case(
        "output-name-is-a-folder-report",
        {},
        REPORT_REAL,
        1,
        "out/2023-06-07-arbetslik-aktivitet-uppfoljning.md: fel: ",
        "finns redan som mapp",
        setup=_folder("out/2023-06-07-arbetslik-aktivitet-uppfoljning.md"),
        prerender=True,
    ),
    Case(
        "output-two-inputs-one-name",
        {},
        ("render", REAL, "andra/2023-06-07-arbetslik-aktivitet.yaml", "--out", "out"),
        1,
        "andra/2023-06-07-arbetslik-aktivitet.yaml: fel: ",
        "ger samma utfil ”2023-06-07-arbetslik-aktivitet”",
        setup=_visit_copy("andra/2023-06-07-arbetslik-aktivitet.yaml"),
        prerender=True,
    ),
    Case(
        "output-two-folders-one-name",
        {},
        ("render", "visits/", "andra/", "--out", "out"),
        1,
        "andra/2023-06-07-arbetslik-aktivitet.yaml: fel: ",
        "ger samma utfil",
        setup=_visit_copy("andra/2023-06-07-arbetslik-aktivitet.yaml"),
        prerender=True,
    ),
    new("new-operation-parent-path", "../../x", "visits/2023-06-08-x.yaml"),
    new("new-operation-absolute-path", "/etc/x", "visits/2023-06-08-etc-x.yaml"),
    new("new-operation-device-name", "CON", "visits/2023-06-08-con.yaml"),
    new("new-operation-300-a-umlaut", "Ä" * 300, "visits/2023-06-08-" + "a" * 60 + ".yaml"),
    Case(
        "new-operation-control-characters",
        {},
        new_args("Café\x1b[1m"),  # a terminal escape, pasted along with the name
        2,
        "--verksamhet: fel: ",
        "kontrolltecken U+001B i namnet",
    ),
    Case(
        "new-operation-only-dots",
        {},
        new_args(".."),
        2,
        "--verksamhet: fel: ",
        "”..” ger inget filnamn",
    ),
    Case(
        "new-never-overwrites",
        {},
        new_args("Arbetslik aktivitet", "2023-06-07"),
        1,
        f"{REAL}: fel: ",
        "finns redan och skrivs inte över",
    ),
    Case(
        "new-protocol-is-a-path",
        {},
        new_args("x", protocol_id="../visits/2023-06-07-arbetslik-aktivitet"),
        1,
        "protocols: fel: ",
        "finns inte i protocols/",
    ),
    *PERSONNUMMER_CASES,
    *RED_TEAM_CASES,
    *ISSUE_20_CASES,
]
