"""``nbesok import``: a filled-in form or an old Word protocol becomes a visit file.

The document is read as paragraphs and tables (nbesok.documents.docx.reading), and each one is
placed:

- a form field (content control) goes where its tag or alias says;
- a labelled row (”Verksamhet: Café Ryd”, in a table, a paragraph, or a line of one)
  is a header field;
- a paragraph that is one of the protocol's questions (with or without its guidance
  after it) starts that question's answer, and what follows is the answer until the
  next question or section;
- ”Sammanfattning” and ”Uppföljning” headings start the summary and the follow-up
  table, as nbesok's own protocol writes them;
- the protocol's own text (introduction, follow-up questions, guidance, labels) is
  recognised and left out, since the protocol already holds it.

Everything else is kept under ``oplacerat`` in the visit file and listed as a warning
with its paragraph number, and so are comments and any text the reader could not
place: nothing is dropped silently.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from nbesok.archive.guard import Guard
from nbesok.archive.items import Tracked, same_words
from nbesok.archive.models import Protocol, Review, Status
from nbesok.archive.personnummer import find_numbers
from nbesok.archive.root import Archive
from nbesok.archive.yamlfile import ILLEGAL_RAW
from nbesok.core.errors import (
    Finding,
    LoadError,
    NbesokError,
    OutputError,
    Severity,
    UsageError,
    finding,
)
from nbesok.core.paths import display_path
from nbesok.documents.compose import REVIEW_HASH_LABEL, REVIEW_HEADING, REVIEW_LABELS
from nbesok.documents.docx import fields, styles
from nbesok.documents.docx.markdown import blocks_markdown, masked_text
from nbesok.documents.docx.reading import Block, Comment, Piece, cell_text, read_text
from nbesok.documents.redaction import MARKING_LABELS, PUBLIC_CATEGORY

MAX_DOCX_BYTES = 20 * 1024 * 1024
_SIMILAR = 0.9  # how alike two texts must be to be the same question or guidance
_HEADER_FIELDS = fields.HEADER_FIELDS
_ONE_LINE_FIELDS = ("verksamhet", "besöksdatum", "hemsida", "diarienummer")
_LABELS = ("Följdfrågor", "Svar", "Anteckningar", "Hjälptext", "Underlag inför besöken")
_SPLIT_NAMES = re.compile(r"\s*(?:,|;|\n|\boch\b|&)\s*")
_MEMBER = re.compile(
    r"^(?P<name>[^()]+?)\s*\((?P<party>[A-Za-zÅÄÖåäö]{1,4})?"
    r"(?:(?(party),\s*|)(?P<group>majoritet|opposition))?\)$",
    re.IGNORECASE,
)
_PARTY_ALONE = re.compile(r"^\(?[A-ZÅÄÖ]{1,3}\)?$")  # S, M, KD, MP, SD – not a name
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_LABELLED = re.compile(r"^(?P<label>[^:\t]{2,60}):[ \t]*(?P<value>.*)$", re.DOTALL)
# What nbesok's own documents are titled, as same_text writes it.
_OWN_TITLES = re.compile(
    r"^(?:(?:utkast )?nämndbesök(?: hos .+)? \d{4} \d{2} \d{2}|blankett för nämndbesök .+)$"
)
_BARE_ADDRESS = re.compile(r"^[\w-]+(?:\.[\w-]+)+(?:/\S*)?$")  # www.linkoping.se/jobb
_STATUS_SUFFIX = re.compile(r"\s*\((?:försenad|tidigare:[^)]*)\)\s*$")
_ITEM_COLUMNS = ("punkt", "ansvarig", "senast", "status")
_REVIEW_KEYS = {same_words(label): key for key, label in REVIEW_LABELS.items()}
_REVIEW_HASH = re.compile(
    re.escape(REVIEW_HASH_LABEL) + r"\s*(?P<hash>sha256:[0-9a-f]{64})\s*$", re.IGNORECASE
)
_DATED_NAME = re.compile(r"(?P<name>[^,]+?)\s+(?P<date>\d{4}-\d{2}-\d{2})(?:\s*,\s*|\s+och\s+|$)")
# Line separators that are not Word's own line break, written as one.
_LINE_BREAKS = str.maketrans({"\u2028": "\n", "\u2029": "\n", "\x85": "\n", "\r": "\n"})
_NOTES = {
    "textruta": "text ur en textruta",
    "formel": "en formel, skriven som text",
    "ruby-text": "ruby-text (uttal), skriven inom parentes efter tecknen",
}


@dataclass
class Imported:
    """What one Word document says about a visit, ready to be written as YAML."""

    source: Path
    protocol_id: str
    protocol: Protocol
    fields: dict[str, str] = field(default_factory=dict)
    answers: dict[str, str] = field(default_factory=dict)
    summary: str = ""
    items: list[dict[str, str]] = field(default_factory=list)
    unplaced: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    # Where each paragraph went (paragraph number → "svar.id", "verksamhet", …).
    placed: dict[int, str] = field(default_factory=dict)
    # The review section of a protocol nbesok rendered: its rows by key, and the hash.
    review: dict[str, str] = field(default_factory=dict)
    # The paragraph each header field was read from.
    origin: dict[str, int] = field(default_factory=dict)

    def warn(self, message: str, *, paragraph: int = 0, key: str = "") -> None:
        self.warnings.append(
            finding(self.source, message, key=located(paragraph, key), severity=Severity.WARNING)
        )

    def paragraph_of(self, key: str) -> int:
        """The first paragraph that went to ``key`` (``ledamöter``, ``svar.x``), or 0."""
        if key in self.origin:
            return self.origin[key]
        return min((number for number, where in self.placed.items() if where == key), default=0)


def located(paragraph: int, key: str) -> str:
    """The key of a finding in a Word file: ``stycke 14: svar.x``."""
    where = f"stycke {paragraph}" if paragraph else ""
    return ": ".join(part for part in (where, key) if part)


def same_text(text: str) -> str:
    """Text as compared: as :func:`same_words` compares names, punctuation aside too."""
    return same_words(re.sub(r"[^\w\s]", " ", unicodedata.normalize("NFC", text)))


def _alike(a: str, b: str) -> bool:
    if a == b:
        return True
    if not a or not b or min(len(a), len(b)) < 30 or abs(len(a) - len(b)) > 0.2 * len(b):
        return False
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return matcher.quick_ratio() >= _SIMILAR and matcher.ratio() >= _SIMILAR


@dataclass(frozen=True)
class WordDocument:
    """A Word file's blocks, and the protocol its document identifier names (a form's)."""

    path: Path
    blocks: list[Block]
    protocol: str = ""
    comments: list[Comment] = field(default_factory=list)
    unread: list[tuple[int, str]] = field(default_factory=list)
    # What reading changed in the text: (paragraph, message).
    cleaned: list[tuple[int, str]] = field(default_factory=list)
    category: str = ""  # "Publik kopia" for a public copy (see nbesok.documents.redaction)


def read_document(path: Path) -> WordDocument:
    """The blocks of the Word file at ``path``; a located error if it is no usable .docx."""
    from nbesok.core.inputs import read_bounded
    from nbesok.documents.docx.package import core_category, core_identifier, open_document

    def fail(message: str) -> LoadError:
        return LoadError.at(path, message)

    data = read_bounded(path, MAX_DOCX_BYTES, fail)
    document = open_document(data, path.name, fail)
    identifier = fields.protocol_of_identifier(core_identifier(document))
    text = read_text(document)
    cleaned = [note for block in _all_blocks(text.blocks) for note in _clean(block)]
    return WordDocument(
        path,
        text.blocks,
        identifier,
        text.comments,
        text.unread,
        cleaned,
        core_category(document),
    )


def _clean(block: Block) -> Iterator[tuple[int, str]]:
    """Characters a visit file cannot hold, out of the text, with a word about each:
    invisible direction marks and control characters go, line separators become
    Word's line break."""
    removed: set[str] = set()
    for index, piece in enumerate(block.pieces):
        text = piece.text.translate(_LINE_BREAKS)
        found = {char for char in ILLEGAL_RAW.findall(text)}
        if found:
            removed |= found
            text = ILLEGAL_RAW.sub("", text)
        if text != piece.text:
            block.pieces[index] = replace(piece, text=text)
    if removed:
        codes = ", ".join(f"U+{ord(char):04X}" for char in sorted(removed))
        yield (
            block.number,
            f"osynliga styrtecken ({codes}) togs bort ur texten; de syns inte i Word men kan "
            "inte stå i en besöksfil",
        )


def choose_protocol(
    archive: Archive, document: WordDocument, wanted: str | None, visit_date: date | None = None
) -> str:
    """The protocol the document follows: the form's own, ``--protokoll``, or the one
    whose questions the document has most of; between equals, the one whose season
    holds the visit's date."""
    path, blocks = document.path, document.blocks
    named = {b.field.protocol for b in _all_blocks(blocks) if b.field and b.field.protocol}
    if document.protocol:
        named.add(document.protocol)
    known = set(archive.protocol_ids())
    if wanted and wanted not in known:
        from nbesok.archive.root import unknown_protocol_message

        raise UsageError.at("--protokoll", unknown_protocol_message(archive, wanted))
    if named:
        form_protocol = sorted(named)[0]
        if wanted and wanted != form_protocol:
            raise LoadError.at(
                path,
                f"formuläret är gjort av protokollet ”{form_protocol}”, inte ”{wanted}”; "
                f"ta bort --protokoll eller välj ”{form_protocol}”",
            )
        if len(named) > 1:
            raise LoadError.at(
                path,
                f"dokumentet har fält från flera protokoll ({', '.join(sorted(named))}); "
                "fyll i ett formulär från ett protokoll i taget",
            )
        if form_protocol not in known:
            raise LoadError.at(
                path,
                f"formuläret är gjort av protokollet ”{form_protocol}”, som inte finns i "
                "protocols/; importera i det arkiv där formuläret skapades",
            )
        return form_protocol
    if wanted:
        if not _question_hits(archive.protocol(wanted).model, blocks):
            raise LoadError.at(path, _no_questions(wanted))
        return wanted
    scores = {pid: _question_hits(archive.protocol(pid).model, blocks) for pid in sorted(known)}
    best = max(scores.values(), default=0)
    if best == 0:
        raise LoadError.at(
            path,
            "dokumentet har ingen av frågorna i protokollen i protocols/; är det ett "
            "protokoll från ett nämndbesök? Ange protokollet med --protokoll om frågorna "
            "är omskrivna",
        )
    leaders = [pid for pid, score in scores.items() if score == best]
    if len(leaders) == 1:
        return leaders[0]
    return _by_date(archive, document, leaders, visit_date)


def _by_date(
    archive: Archive, document: WordDocument, leaders: list[str], visit_date: date | None
) -> str:
    """Of protocols with the same questions, the one whose season holds the visit."""
    day = visit_date
    if day is None:
        for protocol_id in leaders:
            trial = Imported(document.path, protocol_id, archive.protocol(protocol_id).model)
            _Placer(trial).place(document.blocks)
            day = parse_date(trial.fields.get("besöksdatum", ""))
            if day is not None:
                break
    fitting = [p for p in leaders if day is not None and day in archive.protocol(p).model.season()]
    if len(fitting) == 1:
        return fitting[0]
    when = f" och besöksdatum {day.isoformat()}" if day else ""
    held = "passar in i" if len(fitting) > 1 else "passar inte in i"
    raise LoadError.at(
        document.path,
        f"dokumentet har lika många av frågorna i {', '.join(leaders)}{when}, och datumet "
        f"{held} {'flera av deras' if len(fitting) > 1 else 'någon av deras'} perioder; "
        "välj ett med --protokoll",
    )


def _no_questions(protocol_id: str) -> str:
    return (
        f"dokumentet har ingen av frågorna i protokollet ”{protocol_id}”; välj ett annat "
        "protokoll med --protokoll"
    )


def _question_hits(protocol: Protocol, blocks: Sequence[Block]) -> int:
    questions = [same_text(q.question) for s in protocol.sections for q in s.questions]
    hits = set()
    for block in blocks:
        if block.is_table:
            continue
        normal = same_text(block.text)
        for index, question in enumerate(questions):
            if _alike(normal, question) or _starts_with(normal, question):
                hits.add(index)
    ids = {q.id for s in protocol.sections for q in s.questions}
    fields_named = {
        b.field.field
        for b in _all_blocks(blocks)
        if b.field is not None and b.field.field.removeprefix("svar.") in ids
    }
    return len(hits) + len(fields_named)


def _starts_with(normal: str, question: str) -> bool:
    """Whether a paragraph opens with the question and goes on (its guidance after it,
    as old templates wrote both in one paragraph)."""
    return len(question) >= 20 and normal.startswith(question + " ")


def _all_blocks(blocks: Sequence[Block]) -> Iterator[Block]:
    """The paragraphs, also those in tables' cells."""
    for block in blocks:
        yield block
        for row in block.rows or []:
            for cell in row:
                yield from _all_blocks(cell)


class _Placer:
    """Walks the blocks once and puts each where it belongs."""

    def __init__(self, imported: Imported) -> None:
        self.out = imported
        protocol = imported.protocol
        self.questions = {
            same_text(q.question): q.id for s in protocol.sections for q in s.questions
        }
        self.own_texts = {
            q.id: [
                *(same_text(f) for f in q.follow_ups),
                *_markdown_paragraphs(q.guidance or ""),
                *(same_text(label) for label in _LABELS),
            ]
            for q in protocol.questions()
        }
        self.sections = {same_text(s.heading) for s in protocol.sections}
        self.template_texts = set(_template_texts(protocol))
        labels = protocol.labels.model_dump(by_alias=True)
        self.labels = {same_text(str(labels[key])): key for key in _HEADER_FIELDS}
        for key in _HEADER_FIELDS:  # the field's own name works too: "Verksamhet:"
            self.labels.setdefault(same_text(key), key)
        self.labels.setdefault("deltagande tjänstepersoner", "tjänstepersoner")
        self.labels.setdefault("hemsida", "hemsida")
        self.target: tuple[str, str] | None = None  # ("svar", id), ("sammanfattning", "")
        self.target_heading = 0  # the heading level that started the target
        self.collected: dict[tuple[str, str], list[Block]] = {}
        self.loose: list[Block] = []
        # Labelled rows are header fields only before the first question: in an answer,
        # "Hemsida: …" is part of what was said.
        self.in_questions = False

    def place(self, blocks: Iterable[Block]) -> None:
        for block in blocks:
            if block.field is not None and block.field.field:
                self._field(block)
            elif block.is_table:
                self._table(block)
            else:
                self._paragraph(block)
        self._finish()

    def _field(self, block: Block) -> None:
        name = block.field.field if block.field else ""
        if name.startswith("svar."):
            question = name.removeprefix("svar.")
            if question not in self.questions.values():
                self.out.warn(
                    f"fältet ”{name}” är ingen fråga i protokollet; texten ligger under oplacerat",
                    paragraph=block.number,
                )
                self.target = None
                self._loose(block)
                return
            self.target, self.target_heading = ("svar", question), 2
            self.in_questions = True
            if not block.placeholder:
                self.collected.setdefault(self.target, []).append(block)
            return
        if name == "sammanfattning":
            self.target, self.target_heading = ("sammanfattning", ""), 1
            if not block.placeholder:
                self.collected.setdefault(self.target, []).append(block)
            return
        self.target = None
        if name in _HEADER_FIELDS:
            if not block.placeholder and block.text.strip():
                self._set_field(name, block.text, block.number)
        elif not block.placeholder:
            self._loose(block)

    def _review_table(self, block: Block) -> bool:
        """The rows of the review section (Status, Godkänt av, Fastställt av)."""
        found: dict[str, str] = {}
        for row in block.rows or []:
            if len(row) >= 2:
                key = _REVIEW_KEYS.get(same_text(cell_text(row[0]).removesuffix(":")))
                if key is not None:
                    found[key] = " ".join(cell_text(row[1]).split())
        if "status" not in found:
            return False
        self.out.review.update(found)
        for row_number in range(len(block.rows or [])):
            self.out.placed.setdefault(block.number + row_number, "status")
        return True

    def _table(self, block: Block) -> None:
        if not self.in_questions and self._review_table(block):
            self.target = None
            return
        if _is_marking(block):  # the sekretessmarkering: nbesok writes it anew
            return
        rows = block.rows or []
        header = [same_text(cell_text(cell)) for cell in rows[0]] if rows else []
        if all(column in header for column in _ITEM_COLUMNS):
            self._items(block, header)
            self.target = None
            return
        placed = False
        unknown: list[Block] = []
        for row in rows:
            if len(row) < 2:
                unknown.append(_row_block(block.number, row))
                continue
            key = None if self.in_questions else self._label(cell_text(row[0]))
            value_cells = row[1:]
            named = [b.field.field for cell in value_cells for b in cell if b.field is not None]
            key = next((name for name in named if name in _HEADER_FIELDS), key)
            if key is None:
                unknown.append(_row_block(block.number, row))
                continue
            placed = True
            value = "\n".join(_cell_value(cell) for cell in value_cells).strip()
            if value:
                self._set_field(key, value, block.number)
        if placed:
            # A row of the header table that is no field of a visit ("Kontaktperson")
            # is kept, like any other text that has no place.
            for row_block in unknown:
                if row_block.text.strip():
                    self._loose(row_block)
            self.target = None
        elif self.target is not None:
            self.collected.setdefault(self.target, []).append(block)
        else:
            self._loose(block)

    def _paragraph(self, block: Block) -> None:
        text = block.text.strip()
        if not text:
            return
        normal = same_text(text)
        if not self.in_questions and block.heading and normal == same_text(REVIEW_HEADING):
            self.target = None
            return
        hashed = _REVIEW_HASH.match(text)
        if hashed is not None and not self.in_questions:
            self.out.review["innehåll"] = hashed["hash"]
            self.out.placed[block.number] = "status"
            return
        question = self._question(normal)
        if question is not None:
            self.target, self.target_heading = ("svar", question), block.heading
            self.in_questions = True
            return
        opened = self._opening_question(normal)
        if opened is not None:
            question, rest = opened
            self.target, self.target_heading = ("svar", question), block.heading
            self.in_questions = True
            if not self._only_own_text(question, rest):
                self._loose(block)  # more than the question and its guidance: kept whole
            return
        if block.heading and normal == "sammanfattning":
            self.target, self.target_heading = ("sammanfattning", ""), block.heading
            return
        if block.heading and normal == "uppföljning":
            self.target = ("uppföljning", "")
            self.target_heading = block.heading
            return
        if not self.in_questions and not block.heading and self._header_lines(block):
            return
        if self._is_template_text(normal, block):
            if block.heading or normal in self.sections:
                self.target = None  # a section of the template ends the answer before it
            return
        if (
            block.heading
            and self.target is not None
            and self.target_heading
            and block.heading <= self.target_heading
        ):
            self.target = None  # a heading as high as the question's: something else
        if self.target == ("uppföljning", ""):
            if normal.startswith("status per"):
                return
            self.target = None
        if self.target is None:
            self._loose(block)
        else:
            self.collected.setdefault(self.target, []).append(block)

    def _header_lines(self, block: Block) -> bool:
        """Header fields in one paragraph, a line each (”Verksamhet: X” Shift+Enter
        ”Besöksdatum: …”): each labelled line sets its field, and a line without a
        label goes on the field before it (a second name). False if the paragraph
        opens with no label the protocol knows."""
        values: dict[str, list[str]] = {}
        key: str | None = None
        for line in block.text.split("\n"):
            if not line.strip():
                continue
            labelled = _LABELLED.match(line.strip())
            found = self._label(labelled["label"]) if labelled else None
            if found is not None and labelled is not None:
                key = found
                values.setdefault(key, []).append(labelled["value"])
            elif key is None:
                return False
            else:
                values[key].append(line)
        for name, lines in values.items():
            value = "\n".join(line.strip() for line in lines if line.strip())
            if value:
                self._set_field(name, value, block.number)
            else:
                self.out.placed.setdefault(block.number, name)
        return key is not None

    def _question(self, normal: str) -> str | None:
        found = self.questions.get(normal)
        if found is not None:
            return found
        for question, question_id in self.questions.items():
            if _alike(normal, question):
                return question_id
        return None

    def _opening_question(self, normal: str) -> tuple[str, str] | None:
        for question, question_id in self.questions.items():
            if _starts_with(normal, question):
                return question_id, normal[len(question) :].strip()
        return None

    def _only_own_text(self, question: str, rest: str) -> bool:
        """Whether ``rest`` is nothing but the question's own follow-ups, guidance and
        labels, in any order."""
        remaining = f" {rest} "
        for text in sorted(self.own_texts.get(question, []), key=len, reverse=True):
            if text:
                remaining = remaining.replace(f" {text} ", " ")
        return not remaining.strip()

    def _label(self, text: str) -> str | None:
        normal = same_text(text.strip().removesuffix(":"))
        found = self.labels.get(normal)
        if found is not None:
            return found
        return next((key for label, key in self.labels.items() if _alike(normal, label)), None)

    def _is_template_text(self, normal: str, block: Block) -> bool:
        if normal in self.template_texts or _OWN_TITLES.match(normal):
            return True
        # nbesok's own styles: labels, follow-up questions, guidance, a table's intro
        # line, an internal copy's sekretessmarkering
        if block.style in (
            "Fältetikett",
            "Följdfråga",
            "Hjälptext",
            "Tabellinledning",
            styles.MARKING,
        ):
            return True
        return any(_alike(normal, known) for known in self.template_texts)

    def _set_field(self, key: str, value: str, paragraph: int) -> None:
        self.out.placed.setdefault(paragraph, key)
        self.out.origin.setdefault(key, paragraph)
        value = value.strip()
        earlier = self.out.fields.get(key)
        if earlier and earlier != value:
            self.out.warn(
                f"står två gånger, ”{earlier}” och ”{value}”; det första behålls",
                paragraph=paragraph,
                key=key,
            )
            return
        self.out.fields[key] = value

    def _items(self, block: Block, header: list[str]) -> None:
        columns = {name: header.index(name) for name in _ITEM_COLUMNS}
        for row in (block.rows or [])[1:]:
            # A prompt of the blank form's table (LibreOffice keeps it as text) is empty.
            texts = [_cell_value(cell) for cell in row]
            if len(texts) < len(header) or not any(text.strip() for text in texts):
                continue  # a row of the blank form left empty
            # A cell of several paragraphs is one line of the visit file.
            item = {name: " ".join(texts[index].split()) for name, index in columns.items()}
            item["punkt"] = _STATUS_SUFFIX.sub("", item["punkt"])
            item["status"] = _STATUS_SUFFIX.sub("", item["status"])
            if item["senast"] in ("–", "-"):
                item["senast"] = ""
            self.out.items.append(item)

    def _loose(self, block: Block) -> None:
        self.loose.append(block)

    def _finish(self) -> None:
        for (kind, key), blocks in self.collected.items():
            for block in blocks:
                self.out.placed[block.number] = f"{kind}.{key}" if key else kind
            top = self.target_heading_of(blocks)
            markdown = blocks_markdown(blocks, top_heading=top)
            if kind == "svar":
                self.out.answers[key] = markdown
            elif kind == "sammanfattning":
                self.out.summary = markdown
        for block in self.loose:
            self.out.placed.setdefault(block.number, "oplacerat")
            markdown = blocks_markdown([block])
            if not markdown.strip():
                continue
            self.out.unplaced.append((block.number, markdown))
            self.out.warn(
                f"”{_shown(block.text)}” hör inte till någon fråga; texten ligger under oplacerat",
                paragraph=block.number,
                key="oplacerat",
            )

    @staticmethod
    def target_heading_of(blocks: Sequence[Block]) -> int:
        levels = [block.heading for block in blocks if block.heading]
        return min(levels) if levels else 0


def _shown(text: str) -> str:
    words = " ".join(text.split())
    return words if len(words) <= 60 else words[:57] + "…"


def _cell_value(cell: list[Block]) -> str:
    """A cell's text, its masked passages (in an internal copy) as masks again; a
    placeholder (also one LibreOffice kept as text) is no text."""
    return "\n".join(
        masked_text(block.pieces)
        for block in cell
        if not block.placeholder and block.text.strip() not in fields.PLACEHOLDERS
    ).strip()


_MARKING_LABELS = {same_text(label) for label in MARKING_LABELS}


def _is_marking(block: Block) -> bool:
    """The table of the sekretessmarkering's parts at the top of an internal copy."""
    labels = [same_text(cell_text(row[0]).removesuffix(":")) for row in block.rows or [] if row]
    return bool(labels) and all(label in _MARKING_LABELS for label in labels)


def _row_block(number: int, row: list[list[Block]]) -> Block:
    """A table row as one paragraph: ”Kontaktperson: Lisa Ström”."""
    texts = [cell_text(cell) for cell in row]
    if not texts:
        return Block(number)
    label, values = texts[0], [text for text in texts[1:] if text]
    text = f"{label.rstrip(':')}: {', '.join(values)}" if values else label
    return Block(number, pieces=[Piece(" ".join(text.split()))])


def _template_texts(protocol: Protocol) -> Iterator[str]:
    """The protocol's own words, as they stand in a document made from it."""
    yield same_text(protocol.title)
    for label in (*_LABELS, "Besöksuppgifter", "Frågor", "Beslutsunderlag"):
        yield same_text(label)
    for text in (protocol.introduction or "",):
        yield from _markdown_paragraphs(text)
    for document in protocol.documents:
        yield same_text(document)
    for section in protocol.sections:
        yield same_text(section.heading)
        yield from _markdown_paragraphs(section.text or "")
        for question in section.questions:
            for follow_up in question.follow_ups:
                yield same_text(follow_up)
            for paragraph in _markdown_paragraphs(question.guidance or ""):
                yield paragraph
                yield same_text("Hjälptext " + paragraph)


def _markdown_paragraphs(text: str) -> Iterator[str]:
    """Each block of a Markdown text as it reads, compared as :func:`same_text`."""
    from nbesok.archive.markup import parse, plain_texts

    for block in plain_texts(parse(text)):
        yield same_text(block)


def import_document(
    archive: Archive,
    document: WordDocument,
    protocol_id: str | None,
    visit_date: date | None = None,
) -> Imported:
    """Where each part of the document belongs in a visit of its protocol."""
    chosen = choose_protocol(archive, document, protocol_id, visit_date)
    imported = Imported(document.path, chosen, archive.protocol(chosen).model)
    placer = _Placer(imported)
    placer.place(document.blocks)
    if not imported.answers and not imported.fields:
        if document.protocol or any(b.field for b in _all_blocks(document.blocks)):
            raise LoadError.at(
                document.path,
                "blanketten är inte ifylld: alla fält visar fortfarande sin platshållartext; "
                "fyll i den i Word och spara, och importera den sedan",
            )
        if _question_hits(imported.protocol, document.blocks):
            raise LoadError.at(
                document.path,
                f"dokumentet har frågorna i protokollet ”{chosen}” men inga svar och inga "
                "besöksuppgifter, så det finns inget att importera; skriv svaren under "
                "frågorna, eller skapa besöket med nbesok new",
            )
        raise LoadError.at(document.path, _no_questions(chosen))
    _notice(imported, document)
    return imported


def _notice(imported: Imported, document: WordDocument) -> None:
    """What the reader found beside the text (text boxes, footnotes, formulas, comments,
    text it could not place), as warnings where it went."""
    for number, message in document.cleaned:
        imported.warn(message, paragraph=number, key=imported.placed.get(number, ""))
    for block in _all_blocks(document.blocks):
        for note in block.notes:
            where = imported.placed.get(block.number, "")
            imported.warn(
                f"{_note_message(note)}; kontrollera den i YAML-filen",
                paragraph=block.number,
                key=where,
            )
    for comment in document.comments:
        by = f" av {comment.author}" if comment.author else ""
        on = f" till stycke {comment.number}" if comment.number else ""
        text = f"Kommentar{by}{on}: {comment.text}"
        imported.unplaced.append((comment.number, _escaped(text)))
        imported.warn(
            f"kommentaren{by} (”{_shown(comment.text)}”) ligger under oplacerat",
            paragraph=comment.number,
            key="oplacerat",
        )
    for number, text in document.unread:
        imported.unplaced.append((number, _escaped(text)))
        imported.warn(
            f"text som inte kunde läsas på sin plats (”{_shown(text)}”) ligger under oplacerat",
            paragraph=number,
            key="oplacerat",
        )
    imported.unplaced.sort(key=lambda entry: entry[0])


def _note_message(note: str) -> str:
    if note in _NOTES:
        return _NOTES[note]
    if note.startswith(("fotnot", "slutnot")):
        return f"{note} står inom parentes i texten där dess hänvisning stod"
    if note.startswith("symbol"):
        return f"en {note} som inte har något motsvarande tecken"
    return note


def _escaped(text: str) -> str:
    return blocks_markdown([Block(0, pieces=[Piece(text)])])


def personnummer_errors(document: WordDocument, placed: dict[int, str]) -> list[Finding]:
    """Every personnummer in the document's text (link addresses too), by paragraph and
    by where the paragraph would have gone (``placed``)."""
    found: list[Finding] = []
    texts: list[tuple[int, str]] = []
    for block in _all_blocks(document.blocks):
        if block.is_table:
            continue  # its cells are paragraphs of their own
        # A number in a masked passage is allowed: the mask keeps it from the public copy.
        shown = "".join(
            " " * len(piece.text) if piece.style == styles.MASKED else piece.text
            for piece in block.pieces
        )
        texts.append((block.number, " ".join([shown, *(p.href for p in block.pieces if p.href)])))
    texts += [(comment.number, comment.text) for comment in document.comments]
    texts += document.unread
    for number, text in texts:
        for match in find_numbers(text):
            found.append(
                finding(
                    document.path,
                    f"{match.kind} ”{match.shown}” i texten; allmänna handlingar ska inte ha "
                    "personnummer. Ta bort numret i Word-filen, eller importera med "
                    "--tillåt-personnummer och ta sedan bort det i YAML-filen",
                    key=located(number, placed.get(number, "")),
                )
            )
    return found


def parse_names(text: str) -> list[str]:
    """”Roger Bandick (s), Madelaine Erlandsson (m) och Christoffer Rosendahl (c)” as names.

    A party written after a comma (”Cia Holm, C”) belongs to the name before it, and so
    does a group inside the brackets (”Eva Ek (M, opposition)”).
    """
    names: list[str] = []
    protected = re.sub(r"\(([^()]*)\)", lambda m: "(" + m[1].replace(",", "\0") + ")", text)
    for piece in _SPLIT_NAMES.split(protected):
        name = piece.replace("\0", ",").strip(" .")
        if not name:
            continue
        if names and _PARTY_ALONE.match(name) and "(" not in names[-1]:
            names[-1] = f"{names[-1]} ({name.strip('()')})"
        else:
            names.append(name)
    return names


def member_entry(name: str) -> str | dict[str, str]:
    """A ledamot as the visit file writes one: ”Roger Bandick (S)”, or the long form
    when the document names the group (”Eva Ek (M, opposition)”)."""
    found = _MEMBER.match(name)
    if not found:
        return name
    person = found["name"].strip()
    party = (found["party"] or "").upper()
    if found["group"]:
        entry = {"namn": person}
        if party:
            entry["parti"] = party
        entry["grupp"] = found["group"].lower()
        return entry
    return f"{person} ({party})" if party else name


def parse_date(text: str) -> date | None:
    found = _ISO_DATE.search(text)
    if not found:
        return None
    try:
        return date(int(found[1]), int(found[2]), int(found[3]))
    except ValueError:
        return None


def status_of(text: str) -> Status | None:
    normal = same_text(text)
    return next((status for status in Status if same_text(status.value) == normal), None)


def word_files(paths: Sequence[Path]) -> tuple[list[Path], list[Finding]]:
    """The Word files the paths name: files as given, folders by their .docx files
    (and old .doc files, so that each is named with what to do about it). A folder
    with neither is an error of its own, so that a run never ends saying nothing."""
    from nbesok.core.inputs import expand_paths, folder_files

    files: list[Path] = []
    empty: list[Finding] = []
    for path in paths:
        if path.is_dir():
            found = sorted(folder_files(path, ".docx") + folder_files(path, ".doc"))
            if not found:
                empty.append(
                    finding(path, "mappen har inga Word-filer (.docx); ange filerna eller mappen")
                )
            files += found
        else:
            files += expand_paths([path], ".docx", keep_missing=True)
    return list(dict.fromkeys(files)), empty


@dataclass
class Created:
    """A visit file written from a Word document, and what the import noticed."""

    path: Path
    warnings: list[Finding]
    unplaced: int = 0  # paragraphs that fit no question, kept under oplacerat
    carried: int = 0  # open items of earlier visits brought into the new file
    source: Path = Path()


@dataclass
class Failed:
    """A Word document that could not be imported, and why."""

    source: Path
    findings: list[Finding]


# Below this many files, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 8


@dataclass(frozen=True)
class _Read:
    """One Word file read and placed (in a worker, or here), not yet written."""

    path: Path
    document: WordDocument | None = None
    imported: Imported | None = None
    failed: Failed | None = None
    usage: UsageError | None = None  # wrong for every file: stops the batch


def import_files(
    archive: Archive,
    paths: Sequence[Path],
    *,
    protocol_id: str | None = None,
    operation: str | None = None,
    visit_date: date | None = None,
    allow_personnummer: bool = False,
    debug: bool = False,
    workers: int | None = None,
) -> Iterator[Created | Failed]:
    """Each document imported, or why not; one document never stops the others.

    Reading and placing a document (nearly all of the time) runs on every core for a
    large batch, in the pool render and validate use; the visit files are then written
    here, one by one in the given order, so that a batch imports exactly as the files
    imported one after another would (a visit of the same verksamhet imported earlier
    in the batch gives its open items to a later one; the first of two files for the
    same visit gets the name). Only a flag that is wrong for every document (an
    unknown ``--protokoll``) stops the batch, as a :class:`UsageError`.
    """
    if protocol_id is not None and protocol_id not in archive.protocol_ids():
        from nbesok.archive.root import unknown_protocol_message

        raise UsageError.at("--protokoll", unknown_protocol_message(archive, protocol_id))
    options = _ReadOptions(protocol_id, visit_date, allow_personnummer, debug)
    for read in _read_all(archive, paths, options, workers):
        if read.usage is not None:
            raise read.usage
        if read.failed is not None:
            yield read.failed
            continue
        document, imported = read.document, read.imported
        assert document is not None and imported is not None
        write = partial(
            write_visit,
            archive,
            document,
            imported,
            operation=operation,
            visit_date=visit_date,
            allow_personnummer=allow_personnummer,
        )
        yield _guarded(read.path, debug, write)


@dataclass(frozen=True)
class _ReadOptions:
    protocol_id: str | None
    visit_date: date | None
    allow_personnummer: bool
    debug: bool


def _read_all(
    archive: Archive, paths: Sequence[Path], options: _ReadOptions, workers: int | None
) -> Iterator[_Read]:
    """Every file read and placed, in order: on every core for a large batch."""
    import os

    count = workers if workers is not None else (os.cpu_count() or 1)
    if count <= 1 or len(paths) < PARALLEL_THRESHOLD:
        for path in paths:
            yield _read_one(archive, path, options)
        return
    from nbesok.core.processes import run_chunks  # multiprocessing: only batches pay for it

    yield from run_chunks(
        _read_chunk,
        list(paths),
        workers=count,
        lost=_lost,
        initializer=_start_worker,
        initargs=(archive.root, archive.named, options),
    )


def _read_one(archive: Archive, path: Path, options: _ReadOptions) -> _Read:
    try:
        document, imported = read_and_place(
            archive,
            path,
            protocol_id=options.protocol_id,
            visit_date=options.visit_date,
            allow_personnummer=options.allow_personnummer,
        )
    except UsageError as error:
        return _Read(path, usage=error)
    except NbesokError as error:
        return _Read(path, failed=Failed(path, error.findings))
    except Exception as error:  # a fault in nbesok must not cost the other files
        if options.debug:
            raise
        return _Read(path, failed=_internal_error(path, error))
    return _Read(path, document, imported)


def _guarded(path: Path, debug: bool, write: Callable[[], Created]) -> Created | Failed:
    try:
        return write()
    except UsageError:
        raise
    except NbesokError as error:
        return Failed(path, error.findings)
    except Exception as error:  # a fault in nbesok must not cost the other files
        if debug:
            raise
        return _internal_error(path, error)


def _internal_error(path: Path, error: Exception) -> Failed:
    message = (
        f"internt fel ({type(error).__name__}) när filen lästes; detta är ett fel i "
        "nbesok, inte i filen. Kör igen med ”nbesok --debug import …” och skicka "
        "utskriften till utvecklarna"
    )
    return Failed(path, [finding(path, message)])


# A worker's archive (each protocol is parsed once per worker) and the options.
_WORKER: dict[str, Any] = {}


def _start_worker(root: Path, named: frozenset[Path], options: _ReadOptions) -> None:
    _WORKER.update(archive=Archive(root, named), options=options)


def _read_chunk(chunk: list[Path]) -> list[_Read]:
    return [_read_one(_WORKER["archive"], path, _WORKER["options"]) for path in chunk]


def _lost(path: Path, why: str) -> _Read:
    """A file whose worker died, and died again when it was tried once more."""
    message = (
        f"filen lästes inte: arbetsprocessen som läste den avslutades oväntat två gånger "
        f"({why}, till exempel för att minnet tog slut); importera filen för sig och se om "
        "felet följer med den"
    )
    return _Read(path, failed=Failed(path, [finding(path, message)]))


def read_and_place(
    archive: Archive,
    path: Path,
    *,
    protocol_id: str | None = None,
    visit_date: date | None = None,
    allow_personnummer: bool = False,
) -> tuple[WordDocument, Imported]:
    """The Word file read, and where each part of it belongs: what nothing written in
    the archive during a batch can change (a worker's part of :func:`import_files`)."""
    document = read_document(path)
    if document.category == PUBLIC_CATEGORY:
        raise LoadError.at(
            path,
            "dokumentet är en publik kopia, där de maskerade uppgifterna är borttagna; "
            "importera den interna kopian (samma namn utan -publik), som har dem kvar",
        )
    imported = import_document(archive, document, protocol_id, visit_date)
    if not allow_personnummer:
        errors = personnummer_errors(document, imported.placed)
        if errors:
            raise LoadError(errors)
    return document, imported


def write_visit(
    archive: Archive,
    document: WordDocument,
    imported: Imported,
    *,
    operation: str | None = None,
    visit_date: date | None = None,
    allow_personnummer: bool = False,
) -> Created:
    """The visit file of a document read and placed by :func:`read_and_place`: named,
    given the verksamhet's open items, checked and written; never overwriting."""
    from nbesok.archive.scaffold import Filled, carry_over, scaffold_text
    from nbesok.documents.compose import committee

    path = document.path
    values = imported.fields
    for key in _ONE_LINE_FIELDS:
        if "\n" in values.get(key, ""):
            imported.warn(
                "står på flera rader i dokumentet; raderna skrevs som en",
                paragraph=imported.paragraph_of(key),
                key=key,
            )
            values[key] = " ".join(values[key].split())
    for given, key in ((operation, "verksamhet"), (visit_date, "besöksdatum")):
        said = values.get(key, "").strip()
        if given is not None and said and said != str(given):
            flag = "--verksamhet" if key == "verksamhet" else "--datum"
            imported.warn(f"dokumentet anger ”{said}”; {flag} {given} gäller i stället", key=key)
    name = operation or values.get("verksamhet", "").strip()
    if not name:
        raise LoadError.at(
            path,
            "dokumentet säger inte vilken verksamhet som besöktes; fyll i den i Word-filen "
            "eller ange den med --verksamhet",
        )
    day = visit_date or parse_date(values.get("besöksdatum", ""))
    if day is None:
        shown = values.get("besöksdatum", "")
        what = (
            f"besöksdatum ”{shown}” är inget datum som ÅÅÅÅ-MM-DD"
            if shown
            else ("dokumentet har inget besöksdatum")
        )
        raise LoadError.at(
            path,
            f"{what}; rätta det i Word-filen eller ange --datum ÅÅÅÅ-MM-DD",
            key=located(imported.paragraph_of("besöksdatum"), "besöksdatum" if shown else ""),
        )
    target = _target(archive, imported, name, day, from_flag=operation is not None)
    carried: list[Tracked] = []
    if not imported.items:  # like new: the verksamhet's open items come along
        name, carried, _unreadable = carry_over(archive, name, day)
    filled = Filled(
        path.name,
        website=_website(imported, values.get("hemsida", "")),
        case_number=values.get("diarienummer", ""),
        members=[_member(imported, name) for name in parse_names(values.get("ledamöter", ""))],
        officials=parse_names(values.get("tjänstepersoner", "")),
        answers=imported.answers,
        summary=imported.summary,
        items=[_item(imported, item) for item in imported.items],
        unplaced=imported.unplaced,
        review=imported_review(imported),
    )
    text = scaffold_text(
        imported.protocol_id,
        imported.protocol,
        name,
        day,
        committee=committee(imported.protocol, archive),
        carried=carried,
        filled=filled,
    )
    _check_visit(text, target, imported)
    text = _save_pictures(archive, document, text, imported)
    if not allow_personnummer:  # the file that is written is an outlet too
        sources = [archive.protocols_dir / f"{imported.protocol_id}.yaml"]
        sources += [tracked.source.path for tracked in carried]
        guard = Guard(sources, _masked_numbers(text), unsourced="ur Word-filen")
        guard.check([(f"i {display_path(target)}, som inte skrevs", text)], path)
    try:
        from nbesok.core.output import create_new

        create_new(target, text.encode("utf-8"))
    except OutputError as error:
        if not target.exists():
            raise
        raise LoadError.at(
            path,
            f"{display_path(target)} finns redan och skrivs inte över; dokumentet är kanske "
            "redan importerat. Ta bort eller byt namn på den filen för att importera igen",
        ) from error
    return Created(target, imported.warnings, len(imported.unplaced), len(carried), path)


def _target(archive: Archive, imported: Imported, name: str, day: date, *, from_flag: bool) -> Path:
    """Where the visit file goes; a name from the document that makes no file name is
    the document's error, at its paragraph."""
    from nbesok.archive.scaffold import visit_path

    try:
        return visit_path(archive, name, day)
    except UsageError as error:
        if from_flag:
            raise
        message = error.findings[0].message if error.findings else ""
        raise LoadError.at(
            imported.source,
            f"verksamheten: {message}; rätta den i Word-filen eller ange --verksamhet",
            key=located(imported.paragraph_of("verksamhet"), "verksamhet"),
        ) from None


def _check_visit(text: str, target: Path, imported: Imported) -> None:
    """What is written must be a valid visit file; if it is not, the fault lies in the
    Word document, so that is where the error points (not at a file never written)."""
    from nbesok.archive.loading import parse_visit_text

    try:
        parse_visit_text(text, target)
    except LoadError as error:
        findings = []
        for found in error.findings:
            top = re.split(r"[.\[]", found.key, maxsplit=1)[0] if found.key else ""
            where = found.key
            if top == "svar":
                where = ".".join(found.key.split(".")[:2])
            paragraph = imported.paragraph_of(where) or imported.paragraph_of(top)
            findings.append(
                finding(
                    imported.source,
                    f"{found.message}; rätta det i Word-filen",
                    key=located(paragraph, found.key),
                )
            )
        raise LoadError(findings) from None


def imported_review(imported: Imported) -> Review | None:
    """The review of a fastställd protocol nbesok rendered: who approved it, who
    fastställde it and when, and the hash of the content fastställd. Anything else, a
    draft or a form included, is imported as an utkast (no status block).

    The hash is the document's, not one taken of the imported text: if the import does
    not give back exactly the content that was fastställd, validate says so.
    """
    found = imported.review
    if not found or not same_text(found.get("status", "")).startswith("fastställt"):
        return None
    adopted = _DATED_NAME.fullmatch(found.get("fastställd", ""))
    content = found.get("innehåll", "")
    approvals = [
        (match["name"].strip(), parse_date(match["date"]))
        for match in _DATED_NAME.finditer(found.get("godkänd", ""))
    ]
    if adopted is None or not content or not approvals:
        imported.warn(
            "dokumentet säger att det är fastställt, men vem som godkände och fastställde det, "
            "eller kontrollsumman, gick inte att läsa; besöket importeras som utkast",
            key="status",
        )
        return None
    try:
        return Review.model_validate(
            {
                "godkänd": [
                    {"av": name, "datum": day, "innehåll": content} for name, day in approvals
                ],
                "fastställd": {
                    "av": adopted["name"].strip(),
                    "datum": adopted["date"],
                    "innehåll": content,
                },
            }
        )
    except ValueError:
        imported.warn(
            "granskningen i dokumentet gick inte att läsa; besöket importeras som utkast",
            key="status",
        )
        return None


def _save_pictures(archive: Archive, document: WordDocument, text: str, imported: Imported) -> str:
    """Each picture of the document in the archive's bilder/, where its Markdown points.

    A file already there with the same bytes is used as it is (nbesok's own documents
    name the archive's file); one with other bytes is never overwritten: the picture
    gets a name of its own and the visit file points to that.
    """
    from nbesok.core.output import create_new
    from nbesok.documents.docx.markdown import PICTURES

    folder = archive.root / PICTURES
    for block in _all_blocks(document.blocks):
        for piece in block.pieces:
            if not piece.picture:
                continue
            name, number = piece.picture, 1
            while (folder / name).exists() and (folder / name).read_bytes() != piece.data:
                number += 1
                name = f"{Path(piece.picture).stem}-{number}{Path(piece.picture).suffix}"
            if not (folder / name).exists():
                folder.mkdir(exist_ok=True)
                create_new(folder / name, piece.data)
                imported.warn(f"bilden sparades som {PICTURES}/{name}", key="bild")
            if name != piece.picture:
                text = text.replace(f"]({PICTURES}/{piece.picture})", f"]({PICTURES}/{name})")
    return text


def _masked_numbers(text: str) -> frozenset[str]:
    """The numbers that stand only in masked passages of ``text``: allowed, since the
    mask is the explicit permission (the public copy leaves them out)."""
    from nbesok.archive.masks import blanked

    every = {match.digits for match in find_numbers(text)}
    return frozenset(every - {match.digits for match in find_numbers(blanked(text))})


def _website(imported: Imported, text: str) -> str:
    address = text.strip()
    if not address or address.startswith(("https://", "http://")):
        return address
    if _BARE_ADDRESS.match(address):
        imported.warn(f"”{address}” skrevs som https://{address}; kontrollera den", key="hemsida")
        return f"https://{address}"
    imported.warn(
        f"”{address}” är ingen webbadress (https://…) och togs inte med; fyll i den i YAML-filen",
        key="hemsida",
    )
    return ""


def _member(imported: Imported, name: str) -> str | dict[str, str]:
    entry = member_entry(name)
    if isinstance(entry, str) and "(" in entry and not _MEMBER.match(entry):
        imported.warn(
            f"”{name}” går inte att läsa som ”Namn (PARTI)”; namnet togs med utan parti",
            paragraph=imported.paragraph_of("ledamöter"),
            key="ledamöter",
        )
        return re.sub(r"\s*\(.*?\)\s*", " ", name).strip()
    return entry


def _item(imported: Imported, item: dict[str, str]) -> dict[str, str]:
    status = status_of(item.get("status", ""))
    kept = {"punkt": item["punkt"], "ansvarig": item["ansvarig"] or "–"}
    if parse_date(item.get("senast", "")) is not None:
        kept["senast"] = item["senast"]
    if status is not None:
        kept["status"] = status.value
    elif item.get("status"):
        imported.warn(
            f"status ”{item['status']}” är okänd; punkten fick status ej påbörjad",
            key="uppföljning",
        )
    return kept
