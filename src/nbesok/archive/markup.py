"""The Markdown a template writes: how it is parsed, and what its front matter says.

A template writes one Markdown text per document. It is parsed once, with
markdown-it-py (CommonMark with GitHub's tables and strikethrough, YAML front matter,
and the markers that only Word sees: ``::: Stil`` blocks, ``[text]{custom-style="Stil"}``
spans, and ``[platshållare]{field="id" label="Namn"}`` spans, the fields of a
fillable form; and the masks of secret passages, see nbesok.archive.masks), and the syntax tree
then becomes both the published ``.md`` and the ``.docx``.

Two things are settled in the parse, so that every output shows them alike: straight
quotes become Swedish typographic ones (”citat” and ’apostrof’), and a task list item
(``- [ ] att göra``, ``- [x] klart``) becomes an item that starts with ☐ or ☑, which
every Markdown reader, Word and PDF show the same way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import yaml
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.tree import SyntaxTreeNode
from mdit_py_plugins.attrs import attrs_plugin
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from nbesok.archive.yamlfile import text_position
from nbesok.core.errors import RenderError

SOURCE = "<markdown>"
DEFAULT_DATE = datetime(2000, 1, 1, tzinfo=UTC)
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader is much faster

# XML 1.0 allows tab, newline and carriage return but no other C0 control character,
# no lone surrogate and neither U+FFFE nor U+FFFF: none of them can reach a Word file.
ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

# Swedish quotation marks: the same mark opens and closes (”…” and ’…’).
SWEDISH_QUOTES = "””’’"
_TASK = re.compile(r"^\[([ xX])\][ \t]+")
_TASK_BOXES = {" ": "☐ ", "x": "☑ ", "X": "☑ "}

# Several authors in one document property, as Word writes them ("A; B"): a name may
# hold a comma, and the PDF's metadata lists each author apart.
AUTHOR_SEPARATOR = "; "
# The marker of a mask block inside a document's Markdown (never typed, never shown).
MASK_MARKER = "\u205d"  # ⁝ TRICOLON

_PARSER: MarkdownIt | None = None


def parser() -> MarkdownIt:
    """The one markdown-it configuration every document is parsed with."""
    global _PARSER
    if _PARSER is None:
        md = MarkdownIt("commonmark", {"typographer": True, "quotes": SWEDISH_QUOTES})
        md.enable(["table", "strikethrough", "smartquotes"])
        front_matter_plugin(md)
        # One container rule for every name: `::: Hjälptext`, `::: Status klar`, …
        container_plugin(md, "styled", validate=lambda params, *_: bool(params.strip()))
        # A user's `::: {maskera="…"}` block, as fragments.close rewrites it: with a marker
        # of its own, so that its closing line cannot close the template's `::: Svar`.
        container_plugin(md, "masked", marker=MASK_MARKER, validate=lambda *_: True)
        attrs_plugin(md, spans=True, after=())
        md.core.ruler.push("flatten_emphasis", _flatten_emphasis)
        md.core.ruler.push("task_boxes", _task_boxes)
        _PARSER = md
    return _PARSER


def _flatten_emphasis(state: StateCore) -> None:
    """Emphasis inside the same emphasis looks the same in a document, so it is dropped:
    a run of hundreds of ``*`` would otherwise nest hundreds of levels deep."""
    for token in state.tokens:
        if token.type != "inline" or not token.children:
            continue
        kept: list[Token] = []
        open_kinds: list[tuple[str, bool]] = []
        for child in token.children:
            kind = child.type.removesuffix("_open").removesuffix("_close")
            if kind in ("em", "strong") and child.nesting == 1:
                repeated = any(open_kind == kind and shown for open_kind, shown in open_kinds)
                open_kinds.append((kind, not repeated))
                if repeated:
                    continue
            elif kind in ("em", "strong") and child.nesting == -1 and open_kinds:
                _, shown = open_kinds.pop()
                if not shown:
                    continue
            kept.append(child)
        token.children = kept


def _task_boxes(state: StateCore) -> None:
    """``- [ ] text`` → ``- ☐ text`` and ``- [x] text`` → ``- ☑ text``.

    GitHub draws a task list as check boxes, other readers show the brackets, and
    Word has no such thing; a box character reads the same everywhere, also to a
    screen reader (”ruta”, ”ruta med bock”).
    """
    tokens = state.tokens
    for index, token in enumerate(tokens[:-2]):
        if token.type != "list_item_open" or tokens[index + 1].type != "paragraph_open":
            continue
        inline = tokens[index + 2]
        first = inline.children[0] if inline.children else None
        if first is None or first.type != "text":
            continue
        found = _TASK.match(first.content)
        if found is not None:
            first.content = _TASK_BOXES[found.group(1)] + first.content[found.end() :]
            inline.content = _TASK_BOXES[found.group(1)] + inline.content[found.end() :]


def parse(markdown: str) -> SyntaxTreeNode:
    """The syntax tree of a template's Markdown.

    RenderError for a character Word refuses, and for nesting so deep that markdown-it
    would stop parsing and leave the rest of the document out.
    """
    markdown = markdown.removeprefix("\ufeff")  # a byte order mark would hide the front matter
    check_characters(markdown)
    md = parser()
    tokens = md.parse(markdown)
    limit = md.options["maxNesting"]
    too_deep = next((t for t in tokens if t.nesting == 1 and t.level >= limit - 1), None)
    if too_deep is not None:
        raise RenderError.at(
            SOURCE,
            f"texten är nästlad i fler än {limit} nivåer (citat och listor i varandra), och "
            "resten av dokumentet skulle falla bort; minska nästlingen",
            line=too_deep.map[0] + 1 if too_deep.map else 0,
        )
    return SyntaxTreeNode(tokens)


def check_characters(markdown: str) -> None:
    found = ILLEGAL_XML.search(markdown)
    if found is None:
        return
    line, column = text_position(markdown, found.start())
    raise RenderError.at(SOURCE, illegal_message(found.group()), line=line, column=column)


def illegal_message(character: str) -> str:
    code = f"otillåtet tecken U+{ord(character):04X} i texten"
    if ord(character) < 0x20:
        return f"{code}: styrtecken kan inte finnas i ett Word-dokument; byt det mot ett mellanslag"
    return f"{code}: tecknet kan inte finnas i ett Word-dokument; ta bort det"


def plain_texts(tree: SyntaxTreeNode) -> Iterator[str]:
    """The text of every block as a reader sees it (markup gone, escapes resolved)."""
    for node in tree.walk():
        if node.type == "inline":
            yield "".join(
                child.content for child in node.walk() if child.type in ("text", "code_inline")
            )
        elif node.type in ("fence", "code_block", "html_block"):
            yield node.content


DRAFT = "Utkast"
ADOPTED = "Fastställd"
DRAFT_MARK = "UTKAST – "


def mark_status(tree: SyntaxTreeNode, status: str) -> None:
    """Write a document's review status into its front matter (``status``), before
    :func:`properties` reads it; a draft's title and subject (the page header) also
    begin with ``UTKAST – ``, so that every page and the document's properties say so.

    Templates need not know: the front matter is rewritten here, for the ``.md`` and
    the ``.docx`` alike. A document without front matter is left alone.
    """
    front = tree.children[0] if tree.children else None
    if front is None or front.type != "front_matter" or front.token is None:
        return
    data = yaml.load(front.content, Loader=_YAML_LOADER) or {}
    if not isinstance(data, dict):
        return  # properties() reports it
    changed: dict[str, str] = {"status": status}
    if status == DRAFT:
        for key in ("title", "subject"):
            value = data.get(key) or data.get("title")
            if isinstance(value, str) and not value.startswith(DRAFT_MARK):
                changed[key] = DRAFT_MARK + value
    front.token.content = front_matter_with(front.content, changed)


def front_matter_with(content: str, changed: Mapping[str, str | list[str]]) -> str:
    """Front matter ``content`` with the top-level keys of ``changed`` set to its values
    (a text, or a list of texts), line by line, so that the rest stays as the template
    wrote it."""
    changed = dict(changed)

    def written(key: str) -> str:
        return f"{key}: {json.dumps(changed.pop(key), ensure_ascii=False)}"

    lines = [
        written(key) if key in changed and not line[:1].isspace() else line
        for line in content.rstrip("\n").split("\n")
        for key in [line.partition(":")[0]]
    ]
    lines += [written(key) for key in list(changed)]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Properties:
    """A document's properties, from its front matter: the title, who wrote it, when."""

    title: str = ""
    subtitle: str = ""
    author: str = ""
    subject: str = ""
    keywords: str = ""
    lang: str = "sv-SE"
    date: datetime = DEFAULT_DATE
    # What the document is, for a program to read back: ``nbesok:<protocol>`` on a form.
    identifier: str = ""
    # The review status of a visit's documents: "Utkast" or "Fastställd" (see mark_status).
    status: str = ""
    # The sekretessmarkering of an internal copy, or what a public copy left out; and
    # which of the two the document is (see nbesok.documents.redaction).
    description: str = ""
    category: str = ""

    def texts(self) -> tuple[str, ...]:
        return (
            self.title,
            self.subtitle,
            self.author,
            self.subject,
            self.keywords,
            self.description,
            self.category,
        )


def properties(tree: SyntaxTreeNode) -> Properties:
    """Document properties from the front matter, if the Markdown has one."""
    front = tree.children[0] if tree.children else None
    if front is None or front.type != "front_matter":
        return Properties()
    try:
        data = yaml.load(front.content, Loader=_YAML_LOADER)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise RenderError.at(
            SOURCE,
            "front matter är inte giltig YAML; kontrollera citattecken, kolon och indrag",
            line=mark.line + 2 if mark else 1,  # after the opening ---
            column=mark.column + 1 if mark else 0,
        ) from None
    if data is None:
        return Properties()
    if not isinstance(data, dict):
        raise RenderError.at(
            SOURCE, "front matter ska vara nycklar och värden (title: …, date: …)", line=1
        )
    return Properties(
        title=_text_value(data, "title"),
        subtitle=_text_value(data, "subtitle"),
        author=_text_value(data, "author", lists=True, separator=AUTHOR_SEPARATOR),
        subject=_text_value(data, "subject"),
        keywords=_text_value(data, "keywords", lists=True),
        lang=_text_value(data, "lang") or "sv-SE",
        date=_date_value(data),
        identifier=_text_value(data, "identifier"),
        status=_text_value(data, "status"),
        description=_text_value(data, "description"),
        category=_text_value(data, "category"),
    )


def _text_value(
    data: dict[Any, Any], key: str, *, lists: bool = False, separator: str = ", "
) -> str:
    value = data.get(key)
    if value is None:
        return ""
    if lists and isinstance(value, list) and all(isinstance(item, str) for item in value):
        text = separator.join(value)
    elif isinstance(value, str | int | float | date) and not isinstance(value, bool):
        text = str(value)
    else:
        expected = "en text eller en lista av texter" if lists else "en text"
        raise RenderError.at(SOURCE, f"front matter: {key} ska vara {expected}", key=key)
    found = ILLEGAL_XML.search(text)
    if found is not None:
        raise RenderError.at(SOURCE, illegal_message(found.group()), key=key)
    return text


def _date_value(data: dict[Any, Any]) -> datetime:
    value = data.get("date")
    if value is None:
        return DEFAULT_DATE
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value) if _ISO_DATE.fullmatch(value) else None
        except ValueError:
            value = None
    if not isinstance(value, date):
        raise RenderError.at(
            SOURCE, "front matter: date ska vara ett datum som 2023-06-07 (ÅÅÅÅ-MM-DD)", key="date"
        )
    return datetime(value.year, value.month, value.day, tzinfo=UTC)
