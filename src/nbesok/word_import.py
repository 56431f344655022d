"""``nbesok import``: a filled-in form or an old Word protocol becomes a visit file.

The document is read as paragraphs and tables (nbesok.docx.reading), and each one is
placed:

- a form field (content control) goes where its tag or alias says;
- a labelled row (”Verksamhet: Café Ryd”, in a table or a paragraph) is a header field;
- a paragraph that is one of the protocol's questions starts that question's answer,
  and what follows is the answer until the next question or section;
- ”Sammanfattning” and ”Uppföljning” headings start the summary and the follow-up
  table, as nbesok's own protocol writes them;
- the protocol's own text (introduction, follow-up questions, guidance, labels) is
  recognised and left out, since the protocol already holds it.

Everything else is kept under ``oplacerat`` in the visit file and listed as a warning
with its paragraph number: nothing is dropped silently.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from nbesok.archive import Archive
from nbesok.docx import fields
from nbesok.docx.markdown import blocks_markdown
from nbesok.docx.reading import Block, Piece, cell_text, read_blocks
from nbesok.errors import Finding, LoadError, OutputError, Severity, UsageError, finding
from nbesok.followup import Tracked, same_words
from nbesok.guard import Guard
from nbesok.models import Protocol, Status
from nbesok.paths import display_path
from nbesok.personnummer import find_numbers

MAX_DOCX_BYTES = 20 * 1024 * 1024
_SIMILAR = 0.9  # how alike two texts must be to be the same question or guidance
_HEADER_FIELDS = fields.HEADER_FIELDS
_LABELS = ("Följdfrågor", "Svar", "Anteckningar", "Hjälptext", "Underlag inför besöken")
_SPLIT_NAMES = re.compile(r"\s*(?:,|;|\n|\boch\b|&)\s*")
_MEMBER = re.compile(r"^(?P<name>[^()]+?)\s*\((?P<party>[A-Za-zÅÄÖåäö]{1,4})\)$")
_PARTY_ALONE = re.compile(r"^\(?[A-ZÅÄÖ]{1,3}\)?$")  # S, M, KD, MP, SD – not a name
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_LABELLED = re.compile(r"^(?P<label>[^:\t]{2,60}):[ \t]*(?P<value>.*)$", re.DOTALL)
# What nbesok's own documents are titled, as same_text writes it.
_OWN_TITLES = re.compile(r"^(?:nämndbesök hos .+ \d{4} \d{2} \d{2}|blankett för nämndbesök .+)$")
_BARE_ADDRESS = re.compile(r"^[\w-]+(?:\.[\w-]+)+(?:/\S*)?$")  # www.linkoping.se/jobb
_STATUS_SUFFIX = re.compile(r"\s*\((?:försenad|tidigare:[^)]*)\)\s*$")
_ITEM_COLUMNS = ("punkt", "ansvarig", "senast", "status")


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

    def warn(self, message: str, *, paragraph: int = 0, key: str = "") -> None:
        where = f"stycke {paragraph}" if paragraph else ""
        self.warnings.append(
            finding(
                self.source,
                message,
                key=": ".join(part for part in (where, key) if part),
                severity=Severity.WARNING,
            )
        )


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


def read_document(path: Path) -> WordDocument:
    """The blocks of the Word file at ``path``; a located error if it is no usable .docx."""
    from nbesok.docx.package import open_document
    from nbesok.inputs import read_bounded

    def fail(message: str) -> LoadError:
        return LoadError.at(path, message)

    data = read_bounded(path, MAX_DOCX_BYTES, fail)
    document = open_document(data, path.name, fail)
    identifier = fields.protocol_of_identifier(document.core_properties.identifier)
    return WordDocument(path, read_blocks(document), identifier)


def choose_protocol(archive: Archive, document: WordDocument, wanted: str | None) -> str:
    """The protocol the document follows: the form's own, ``--protokoll``, or the one
    whose questions the document has most of."""
    path, blocks = document.path, document.blocks
    named = {b.field.protocol for b in _all_blocks(blocks) if b.field and b.field.protocol}
    if document.protocol:
        named.add(document.protocol)
    known = set(archive.protocol_ids())
    if wanted and wanted not in known:
        from nbesok.archive import unknown_protocol_message

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
    if len(leaders) > 1:
        raise UsageError.at(
            "--protokoll",
            f"dokumentet passar lika bra till {', '.join(leaders)}; välj ett med --protokoll",
        )
    return leaders[0]


def _no_questions(protocol_id: str) -> str:
    return (
        f"dokumentet har ingen av frågorna i protokollet ”{protocol_id}”; välj ett annat "
        "protokoll med --protokoll"
    )


def _question_hits(protocol: Protocol, blocks: Sequence[Block]) -> int:
    questions = [same_text(q.question) for s in protocol.sections for q in s.questions]
    hits = {
        index
        for block in blocks
        if not block.is_table
        for index, question in enumerate(questions)
        if _alike(same_text(block.text), question)
    }
    ids = {q.id for s in protocol.sections for q in s.questions}
    fields_named = {
        b.field.field
        for b in _all_blocks(blocks)
        if b.field is not None and b.field.field.removeprefix("svar.") in ids
    }
    return len(hits) + len(fields_named)


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

    def _table(self, block: Block) -> None:
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
            value = "\n".join(cell_text(cell) for cell in value_cells).strip()
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
        question = self._question(normal)
        if question is not None:
            self.target, self.target_heading = ("svar", question), block.heading
            self.in_questions = True
            return
        if block.heading and normal == "sammanfattning":
            self.target, self.target_heading = ("sammanfattning", ""), block.heading
            return
        if block.heading and normal == "uppföljning":
            self.target = ("uppföljning", "")
            self.target_heading = block.heading
            return
        labelled = None if self.in_questions or block.heading else _LABELLED.match(text)
        if labelled:
            key = self._label(labelled["label"])
            if key is not None:
                if labelled["value"].strip():
                    self._set_field(key, labelled["value"], block.number)
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

    def _question(self, normal: str) -> str | None:
        found = self.questions.get(normal)
        if found is not None:
            return found
        for question, question_id in self.questions.items():
            if _alike(normal, question):
                return question_id
        return None

    def _label(self, text: str) -> str | None:
        normal = same_text(text.strip().removesuffix(":"))
        found = self.labels.get(normal)
        if found is not None:
            return found
        return next((key for label, key in self.labels.items() if _alike(normal, label)), None)

    def _is_template_text(self, normal: str, block: Block) -> bool:
        if normal in self.template_texts or _OWN_TITLES.match(normal):
            return True
        if block.style in ("Fältetikett", "Följdfråga", "Hjälptext"):  # nbesok's own styles
            return True
        return any(_alike(normal, known) for known in self.template_texts)

    def _set_field(self, key: str, value: str, paragraph: int) -> None:
        self.out.placed.setdefault(paragraph, key)
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
            texts = [cell_text(cell) for cell in row]
            if len(texts) < len(header):
                continue
            item = {name: texts[index].strip() for name, index in columns.items()}
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
            words = " ".join(block.text.split())
            shown = words if len(words) <= 60 else words[:57] + "…"
            self.out.warn(
                f"”{shown}” hör inte till någon fråga; texten ligger under oplacerat",
                paragraph=block.number,
                key="oplacerat",
            )

    @staticmethod
    def target_heading_of(blocks: Sequence[Block]) -> int:
        levels = [block.heading for block in blocks if block.heading]
        return min(levels) if levels else 0


def _row_block(number: int, row: list[list[Block]]) -> Block:
    """A table row as one paragraph: ”Kontaktperson: Lisa Ström”."""
    texts = [cell_text(cell) for cell in row]
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
    from nbesok.markup import parse, plain_texts

    for block in plain_texts(parse(text)):
        yield same_text(block)


def import_document(archive: Archive, document: WordDocument, protocol_id: str | None) -> Imported:
    """Where each part of the document belongs in a visit of its protocol."""
    chosen = choose_protocol(archive, document, protocol_id)
    imported = Imported(document.path, chosen, archive.protocol(chosen).model)
    _Placer(imported).place(document.blocks)
    if not imported.answers and not imported.fields:
        if document.protocol or any(b.field for b in _all_blocks(document.blocks)):
            raise LoadError.at(
                document.path,
                "blanketten är inte ifylld: alla fält visar fortfarande sin platshållartext; "
                "fyll i den i Word och spara, och importera den sedan",
            )
        raise LoadError.at(document.path, _no_questions(chosen))
    return imported


def personnummer_errors(document: WordDocument, placed: dict[int, str]) -> list[Finding]:
    """Every personnummer in the document's text (link addresses too), by paragraph and
    by where the paragraph would have gone (``placed``)."""
    found: list[Finding] = []
    for block in _all_blocks(document.blocks):
        if block.is_table:
            continue  # its cells are paragraphs of their own
        text = " ".join([block.text, *(piece.href for piece in block.pieces if piece.href)])
        for match in find_numbers(text):
            where = placed.get(block.number, "")
            found.append(
                finding(
                    document.path,
                    f"{match.kind} ”{match.shown}” i texten; allmänna handlingar ska inte ha "
                    "personnummer. Ta bort numret i Word-filen, eller importera med "
                    "--tillåt-personnummer och ta sedan bort det i YAML-filen",
                    key=": ".join(part for part in (f"stycke {block.number}", where) if part),
                )
            )
    return found


def parse_names(text: str) -> list[str]:
    """”Roger Bandick (s), Madelaine Erlandsson (m) och Christoffer Rosendahl (c)” as names.

    A party written after a comma (”Cia Holm, C”) belongs to the name before it.
    """
    names: list[str] = []
    for piece in _SPLIT_NAMES.split(text):
        name = piece.strip(" .")
        if not name:
            continue
        if names and _PARTY_ALONE.match(name) and "(" not in names[-1]:
            names[-1] = f"{names[-1]} ({name.strip('()')})"
        else:
            names.append(name)
    return names


def member_entry(name: str) -> str:
    """A ledamot as the visit file writes one: ”Roger Bandick (S)”."""
    found = _MEMBER.match(name)
    if found:
        return f"{found['name'].strip()} ({found['party'].upper()})"
    return name


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


@dataclass
class Created:
    """A visit file written from a Word document, and what the import noticed."""

    path: Path
    warnings: list[Finding]
    unplaced: int = 0  # paragraphs that fit no question, kept under oplacerat
    carried: int = 0  # open items of earlier visits brought into the new file


def create_from_word(
    archive: Archive,
    path: Path,
    *,
    protocol_id: str | None = None,
    operation: str | None = None,
    visit_date: date | None = None,
    allow_personnummer: bool = False,
) -> Created:
    """Write ``visits/<datum>-<verksamhet>.yaml`` from the Word file; never overwrite.

    ``operation`` and ``visit_date`` stand in for what the document does not say.
    """
    from nbesok.documents import committee
    from nbesok.loading import parse_visit_text
    from nbesok.output import create_new
    from nbesok.scaffold import Filled, carry_over, scaffold_text, visit_path

    document = read_document(path)
    imported = import_document(archive, document, protocol_id)
    if not allow_personnummer:
        errors = personnummer_errors(document, imported.placed)
        if errors:
            raise LoadError(errors)
    values = imported.fields
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
        raise LoadError.at(path, f"{what}; rätta det i Word-filen eller ange --datum ÅÅÅÅ-MM-DD")
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
    )
    target = visit_path(archive, name, day)
    text = scaffold_text(
        imported.protocol_id,
        imported.protocol,
        name,
        day,
        committee=committee(imported.protocol, archive),
        carried=carried,
        filled=filled,
    )
    parse_visit_text(text, target)  # what is written is a valid visit file
    if not allow_personnummer:  # the file that is written is an outlet too
        sources = [archive.protocols_dir / f"{imported.protocol_id}.yaml"]
        sources += [tracked.source.path for tracked in carried]
        guard = Guard(sources, unsourced="ur Word-filen")
        guard.check([(f"i {display_path(target)}, som inte skrevs", text)], path)
    try:
        create_new(target, text.encode("utf-8"))
    except OutputError as error:
        if not target.exists():
            raise
        raise LoadError.at(
            path,
            f"{display_path(target)} finns redan och skrivs inte över; dokumentet är kanske "
            "redan importerat. Ta bort eller byt namn på den filen för att importera igen",
        ) from error
    return Created(target, imported.warnings, len(imported.unplaced), len(carried))


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


def _member(imported: Imported, name: str) -> str:
    entry = member_entry(name)
    if "(" in entry and not _MEMBER.match(entry):
        imported.warn(
            f"”{name}” går inte att läsa som ”Namn (PARTI)”; namnet togs med utan parti",
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
