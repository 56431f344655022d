"""Secret passages in a visit, as its author marks them: what is masked, and on what ground.

In a Markdown value (an answer, the summary) a passage is masked inline,
``[barnets namn]{maskera="26 kap. 1 § OSL"}``, or as a block of one or more
paragraphs::

    ::: {maskera="26 kap. 1 § OSL"}
    …
    :::

A header field or a follow-up item (plain text, not Markdown) takes the inline form in
its string: ``verksamhet: "[Gruppboendet Solrosen]{maskera=\"26 kap. 1 § OSL\"}"``.

This module finds the masks of a visit from the same markdown-it parse the documents
are made from, so that what validate counts and what the public copy leaves out are
the same passages, and says what a reader of the public copy must never see of them
(:func:`secret_terms`). Markup that looks like a mask but does not parse as one is
found too (:func:`unreadable`): its text would otherwise reach the public copy.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from markdown_it.token import Token
from mdit_py_plugins.attrs.parse import ParseError
from mdit_py_plugins.attrs.parse import parse as parse_attributes

from nbesok.archive.osl import placeholder

ATTRIBUTE = "maskera"
# What the parse of a closed value calls a mask block (see fragments.close), and what a
# ``::: {maskera="…"}`` the closing left alone (in a block quote) parses as.
MASK_BLOCK = "container_masked"
STYLED_BLOCK = "container_styled"

_MENTION = re.compile(rf"\b{ATTRIBUTE}\s*=")


@dataclass(frozen=True)
class Found:
    """One masked passage in one value: its ground, its text as a reader sees it, the
    0-based line of the value it starts on, and whether it is a block."""

    ground: str
    text: str
    line: int = 0
    block: bool = False


# Plain fields ---------------------------------------------------------------------


@dataclass(frozen=True)
class _FieldMask:
    start: int
    end: int
    text: str
    ground: str


def _field_masks(text: str) -> Iterator[_FieldMask]:
    """``[text]{maskera="…"}`` in a plain string, read as the attrs plugin reads it."""
    start = text.find("[")
    while start >= 0:
        close = _closing_bracket(text, start)
        if close >= 0 and text[close + 1 : close + 2] == "{":
            try:
                length, attributes = parse_attributes(text[close + 1 :])
            except ParseError:
                attributes, length = {}, -1
            ground = attributes.get(ATTRIBUTE)
            if ground is not None:
                end = close + 1 + length + 1
                yield _FieldMask(start, end, _unescaped(text[start + 1 : close]), ground)
                start = text.find("[", end)
                continue
        start = text.find("[", start + 1)


def _closing_bracket(text: str, start: int) -> int:
    depth = 0
    index = start
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    return -1


def _unescaped(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def field_masks(text: str) -> list[Found]:
    """The masks of a plain header field or follow-up item."""
    return [Found(mask.ground, mask.text) for mask in _field_masks(text)]


def split_field(text: str) -> list[tuple[str, str | None]]:
    """A plain field as pieces ``(text, ground)``: ground None for text that is not
    masked. ``Boende [Solrosen]{maskera="…"}`` → ``[("Boende ", None), ("Solrosen", "…")]``."""
    pieces: list[tuple[str, str | None]] = []
    position = 0
    for mask in _field_masks(text):
        if mask.start > position:
            pieces.append((text[position : mask.start], None))
        pieces.append((mask.text, mask.ground))
        position = mask.end
    if position < len(text):
        pieces.append((text[position:], None))
    return pieces


def has_masks(text: str | None) -> bool:
    return bool(text) and ATTRIBUTE in (text or "") and bool(_MENTION.search(text or ""))


def public_field(text: str) -> str:
    """A plain field as the public copy shows it: each mask its placeholder."""
    if not has_masks(text):
        return text
    return "".join(
        piece if ground is None else placeholder(ground) for piece, ground in split_field(text)
    )


def internal_field(text: str) -> str:
    """A plain field as the internal copy reads it: the masked words, without markup."""
    if not has_masks(text):
        return text
    return "".join(piece for piece, _ in split_field(text))


def without_masks(text: str) -> str:
    """A plain field with its masked passages left out: what may name a file."""
    if not has_masks(text):
        return text
    return " ".join(
        " ".join(piece for piece, ground in split_field(text) if ground is None).split()
    )


# Markdown values ------------------------------------------------------------------


def markdown_masks(tokens: list[Token]) -> list[Found]:
    """The masks of a parsed Markdown value (closed by fragments.close): block masks
    and inline masks, outermost only (a mask inside a mask is part of it)."""
    found: list[Found] = []
    depth = 0
    start: Token | None = None
    texts: list[str] = []
    for token in tokens:
        if is_mask_block(token, opening=True):
            if depth == 0:
                start, texts = token, []
            depth += 1
            continue
        if depth and is_mask_block(token, opening=False):
            depth -= 1
            if depth == 0 and start is not None:
                line = start.map[0] if start.map else 0
                found.append(Found(block_ground(start), _joined(texts), line, block=True))
            continue
        if depth:
            texts.extend(_token_texts(token))
        elif token.type == "inline":
            line = token.map[0] if token.map else 0
            found.extend(_inline_masks(token.children or [], line))
    if depth and start is not None:  # unclosed: it runs to the end, as the parse does
        found.append(Found(block_ground(start), _joined(texts), start.map[0] if start.map else 0))
    return found


def is_mask_block(token: Token, *, opening: bool) -> bool:
    """A mask block's opening (or closing) token: the container nbesok writes, or a
    ``::: {maskera="…"}`` that reached the parser as a styled block."""
    suffix = "_open" if opening else "_close"
    if token.type == MASK_BLOCK + suffix:
        return True
    if token.type != STYLED_BLOCK + suffix:
        return False
    if not opening:
        return bool(token.meta.get(ATTRIBUTE))
    ground = _info_ground(token.info)
    if ground is not None:
        token.meta[ATTRIBUTE] = True
    return ground is not None


def mark_styled_mask_closers(tokens: list[Token]) -> None:
    """Give the closing token of each ``::: {maskera}`` styled block the mark its
    opening one gets, so that :func:`is_mask_block` knows it too."""
    stack: list[bool] = []
    for token in tokens:
        if token.type == STYLED_BLOCK + "_open":
            stack.append(_info_ground(token.info) is not None)
        elif token.type == STYLED_BLOCK + "_close" and stack and stack.pop():
            token.meta[ATTRIBUTE] = True


_OPENING_LINE = re.compile(r"^[ \t]*:{3,}[ \t]*(\{.*\})[ \t]*$")


def block_ground_of_line(line: str) -> str | None:
    """The ground of a ``::: {maskera="…"}`` line as the user writes it; None otherwise."""
    found = _OPENING_LINE.match(line)
    return None if found is None else _info_ground(found.group(1))


def block_ground(token: Token) -> str:
    return _info_ground(token.info) or ""


def _info_ground(info: str) -> str | None:
    text = info.strip()
    if not text.startswith("{"):
        return None
    try:
        _, attributes = parse_attributes(text)
    except ParseError:
        return None
    return attributes.get(ATTRIBUTE)


def span_ground(token: Token) -> str | None:
    """The ground of an inline mask's opening ``span_open``; None for another span."""
    if token.type != "span_open":
        return None
    value = token.attrs.get(ATTRIBUTE)
    return None if value is None else str(value)


def _inline_masks(children: list[Token], line: int) -> Iterator[Found]:
    depth = 0
    ground = ""
    texts: list[str] = []
    breaks = 0
    start_line = line
    for child in children:
        if child.type in ("softbreak", "hardbreak"):
            breaks += 1
        found = span_ground(child)
        if child.type == "span_open":
            if depth:
                depth += 1
            elif found is not None:
                depth, ground, texts, start_line = 1, found, [], line + breaks
            continue
        if child.type == "span_close" and depth:
            depth -= 1
            if depth == 0:
                yield Found(ground, _joined(texts), start_line)
            continue
        if depth:
            texts.extend(_token_texts(child))


def _token_texts(token: Token) -> Iterator[str]:
    if token.type in ("text", "code_inline", "fence", "code_block", "html_block", "html_inline"):
        yield token.content
    elif token.type in ("softbreak", "hardbreak"):
        yield " "
    elif token.type == "image":
        for child in token.children or []:
            yield from _token_texts(child)
        yield f" {token.attrs.get('src', '')}"
    elif token.type == "link_open":
        yield f" {token.attrs.get('href', '')} "
    elif token.type in ("paragraph_close", "heading_close"):
        yield "\n"
    if token.type == "inline":
        for child in token.children or []:
            yield from _token_texts(child)


def _joined(texts: Iterable[str]) -> str:
    return "\n".join(" ".join(line.split()) for line in "".join(texts).split("\n")).strip()


def value_masks(markdown: str) -> list[Found]:
    """The masks of one Markdown value as the documents will see it."""
    if not has_masks(markdown):
        return []
    from nbesok.archive import fragments, markup

    tokens = markup.parser().parse(fragments.close(markdown))
    mark_styled_mask_closers(tokens)
    return markdown_masks(tokens)


def unreadable(markdown: str, *, plain: bool = False) -> int | None:
    """The 0-based line of the first ``maskera=`` in ``markdown`` that the parse does not
    read as a mask (wrong quotes, a missing brace, a mask inside a link's text), or None.

    Such text would reach the public copy as it stands, so it is an error, not a guess.
    ``plain`` reads a header field, which is no Markdown.
    """
    if not has_masks(markdown):
        return None
    mentions = [markdown.count("\n", 0, match.start()) for match in _MENTION.finditer(markdown)]
    if plain:
        read = len(list(_field_masks(markdown)))
        return mentions[read] if len(mentions) > read else None
    from nbesok.archive import fragments, markup

    closed = fragments.close(markdown)
    tokens = markup.parser().parse(closed)
    mark_styled_mask_closers(tokens)
    # close() drops blank lines at the start: the parse's lines are that many higher.
    lines = markdown.split("\n")
    shift = next((n for n, line in enumerate(lines) if line.strip()), 0)
    read_lines: list[int] = []
    in_code = 0
    for token in tokens:
        if is_mask_block(token, opening=True) and token.map:
            read_lines.append(token.map[0] + shift)
        elif token.type in ("fence", "code_block", "html_block"):
            in_code += len(_MENTION.findall(token.content))
        elif token.type == "inline":
            first = line = (token.map[0] if token.map else 0) + shift
            for child in token.children or []:
                if child.type == "softbreak":
                    line += 1
                if span_ground(child) is not None:
                    read_lines.append(line)
                elif child.type in ("code_inline", "html_inline"):
                    in_code += len(_MENTION.findall(child.content))
            if _link_around_mask(token.children or []):
                return first
    if len(mentions) <= len(read_lines) + in_code:
        return None
    # The first line with more mentions than masks read (closing moves no lines).
    for line in sorted(set(mentions)):
        if mentions.count(line) > read_lines.count(line):
            return line
    return mentions[0]


def _link_around_mask(children: list[Token]) -> bool:
    """``[text [namn]{maskera=…}](https://…)``: markdown-it reads no link there, and the
    address would stand as text after the mask."""
    after_mask = False
    for child in children:
        if child.type == "span_close":
            after_mask = True
        elif after_mask and child.type == "text" and "](" in child.content:
            return True
        elif child.type != "span_close":
            after_mask = after_mask and child.type in ("text", "softbreak")
    return False


# Source ranges, for checks on the YAML as written ----------------------------------

_BLOCK_LINE = re.compile(r"^[ \t]*(?::{3,}|>[ >]*:{3,})[ \t]*\{[^{}\n]*\}[ \t]*$")
_CLOSE_LINE = re.compile(r"^[ \t>]*:{3,}[ \t]*$")


def masked_ranges(text: str) -> list[tuple[int, int]]:
    """Where the masked passages stand in a value as written: ``(start, end)`` offsets,
    the markup included. Used to leave them out of checks on the source (a
    personnummer in a masked passage is allowed in the internal copy)."""
    if not has_masks(text):
        return []
    ranges = [(mask.start, mask.end) for mask in _field_masks(text)]
    offset = 0
    opened: list[int] = []
    for line in text.split("\n"):
        if _BLOCK_LINE.match(line) and ATTRIBUTE in line:
            opened.append(offset)
        elif opened and _CLOSE_LINE.match(line):
            start = opened.pop()
            if not opened:
                ranges.append((start, offset + len(line)))
        offset += len(line) + 1
    if opened:
        ranges.append((opened[0], len(text)))
    return ranges


def blanked(text: str) -> str:
    """``text`` with its masked passages replaced by spaces, positions kept."""
    result = text
    for start, end in masked_ranges(text):
        result = result[:start] + re.sub(r"[^\n]", " ", result[start:end]) + result[end:]
    return result


# What a reader of the public copy must never see -------------------------------------

_WORD = re.compile(r"[^\W_](?:[\w’'-]*[^\W_])?")
_SENTENCE_END = re.compile(r"[.!?:;]\s*$")
_MIN_PHRASE = 4  # letters and digits; a shorter passage ("8 år") names nobody


def normalised(text: str) -> str:
    """Text as the guard compares it: NFC, case folded, soft hyphens gone, every run of
    spaces (no-break spaces too) one space."""
    text = unicodedata.normalize("NFC", text).replace("\u00ad", "")
    return " ".join(text.casefold().split())


@dataclass(frozen=True)
class Vocabulary:
    """The words and texts every document of an archive shows (the protocol's, the
    settings'): no secret of one visit, even where a passage of it is masked."""

    words: frozenset[str] = frozenset()
    text: str = ""

    def knows(self, term: str) -> bool:
        if term in self.words:
            return True
        return (
            bool(self.text) and re.search(rf"(?<!\w){re.escape(term)}(?!\w)", self.text) is not None
        )


def secret_terms(found: Found, vocabulary: Vocabulary | None = None) -> list[str]:
    """What of a masked passage the public copy must not contain, normalised: the
    passage itself, and each word in it that names someone or something (it begins
    with a capital letter; in a block, not as the first word of a sentence).

    Words and phrases of ``vocabulary`` (the protocol and the archive's settings, which
    every document of the archive shows) are not secrets of this passage.
    """
    vocabulary = vocabulary or Vocabulary()
    terms: list[str] = []
    phrase = normalised(found.text)
    if sum(char.isalnum() for char in phrase) >= _MIN_PHRASE and not vocabulary.knows(phrase):
        terms.append(phrase)
    for paragraph in found.text.split("\n"):
        previous = ""
        position = 0
        for word in _WORD.finditer(paragraph):
            before = paragraph[position : word.start()]
            sentence_start = found.block and (
                not previous or bool(_SENTENCE_END.search(previous + before))
            )
            previous += before + word.group()
            position = word.end()
            text = word.group()
            if not text[0].isupper() or sentence_start or len(text) < 2:
                continue
            folded = normalised(text)
            if folded not in terms and not vocabulary.knows(folded):
                terms.append(folded)
    return terms


def vocabulary_of(texts: Iterable[str | None]) -> Vocabulary:
    """The :class:`Vocabulary` of ``texts`` (Markdown or plain), normalised."""
    folded = [normalised(text) for text in texts if text]
    words = {match.group() for text in folded for match in _WORD.finditer(text)}
    return Vocabulary(frozenset(words), "\n".join(folded))
