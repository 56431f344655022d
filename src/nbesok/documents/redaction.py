"""The internal and the public copy of one document, from its one parse.

A document's Markdown is rendered once by its template and parsed once; this module
turns the parse into either copy before the .md and the .docx are made from it:

- the **internal** copy keeps every masked passage, in the character style
  ``Maskerad uppgift`` with its ground after it (``[26 kap. 1 § OSL]``), so that the
  mark is seen without colour too; a block is framed by two such lines. A
  sekretessmarkering (OSL 5 kap. 5 §: the provisions, the date and the authority)
  stands at the top and in the document's properties.
- the **public** copy has each masked passage replaced by ``[Uppgift borttagen enligt
  26 kap. 1 § OSL]`` (``[Personuppgift borttagen]``): its words, its link addresses
  and its pictures' texts are gone from the token stream before anything is written.
  A notice at the top says how many passages were taken out and on which grounds.

A document without masks is left as it is (the public copy only says in its
properties that it is one), so documents without secrets do not change.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum

from markdown_it.token import Token
from markdown_it.tree import SyntaxTreeNode

from nbesok.archive import markup
from nbesok.archive.masks import (
    block_ground,
    is_mask_block,
    mark_styled_mask_closers,
    span_ground,
)
from nbesok.archive.osl import BLOCK_END, PERSONAL_DATA, block_label, inline_label, placeholder
from nbesok.archive.secrecy import Secrecy
from nbesok.documents.docx import styles
from nbesok.documents.templating import enumerate_swedish, inline_text

MARKING_LAW = "5 kap. 5 § OSL"
PUBLIC_CATEGORY = "Publik kopia"
MARKED_CATEGORY = "Sekretessmarkerad"


class Copy(StrEnum):
    INTERNAL = "intern"
    PUBLIC = "publik"


@dataclass
class Redacted:
    """A copy's tree, how many passages of each ground it masked, and the texts of the
    masked passages (where the internal copy allows a personnummer)."""

    tree: SyntaxTreeNode
    grounds: Counter[str] = field(default_factory=Counter)
    masked_texts: list[str] = field(default_factory=list)


def redact(tree: SyntaxTreeNode, copy: Copy, secrecy: Secrecy) -> Redacted:
    """The ``copy`` of a parsed document (see the module's description)."""
    tokens = tree.to_tokens()
    if not any(_has_mask(token) for token in tokens):
        if copy is Copy.PUBLIC:
            _front_matter(tokens, {"category": PUBLIC_CATEGORY})
            return Redacted(SyntaxTreeNode(tokens))
        return Redacted(tree)
    mark_styled_mask_closers(tokens)
    result = Redacted(tree)
    body = list(_blocks(tokens, copy, result))
    start = 1 if body and body[0].type == "front_matter" else 0
    body[start:start] = _top(copy, result.grounds, secrecy)
    _front_matter(body, _properties(copy, result.grounds, secrecy))
    result.tree = SyntaxTreeNode(body)
    return result


def _has_mask(token: Token) -> bool:
    if is_mask_block(token, opening=True):
        return True
    return token.type == "inline" and any(
        span_ground(child) is not None or (child.type == "image" and _has_mask(child))
        for child in token.children or []
    )


# Blocks --------------------------------------------------------------------------


def _blocks(tokens: list[Token], copy: Copy, result: Redacted) -> Iterator[Token]:
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if is_mask_block(token, opening=True):
            end = _block_end(tokens, index)
            ground = block_ground(token)
            result.grounds[ground] += 1
            inside = tokens[index + 1 : end]
            result.masked_texts.append(_plain(inside))
            if copy is Copy.PUBLIC:
                yield from _paragraph(_styled(styles.MASKED, placeholder(ground)))
            else:
                yield from _paragraph(_styled(styles.MASK_GROUND, block_label(ground)))
                yield from _marked_block(inside, copy, result)
                yield from _paragraph(_styled(styles.MASK_GROUND, BLOCK_END))
            index = end + 1
            continue
        if token.type == "inline":
            token = _inline(token, copy, result)
            if copy is Copy.PUBLIC:
                token = _without_hash(token)
        yield token
        index += 1


_HASH = re.compile(r"sha256:[0-9a-f]{64}")
HASH_NOTE = "visas bara i den interna kopian"


def _without_hash(token: Token) -> Token:
    """A public copy with masks shows no content hash: it is taken over the whole text,
    the masked passages too, and a short one (a name) could be guessed back from it."""
    if "sha256:" not in token.content:
        return token
    children = [
        child.copy(content=_HASH.sub(HASH_NOTE, child.content)) if child.type == "text" else child
        for child in token.children or []
    ]
    return token.copy(children=children, content=_HASH.sub(HASH_NOTE, token.content))


def _block_end(tokens: list[Token], start: int) -> int:
    depth = 0
    for index in range(start, len(tokens)):
        if is_mask_block(tokens[index], opening=True):
            depth += 1
        elif is_mask_block(tokens[index], opening=False):
            depth -= 1
            if depth == 0:
                return index
    return len(tokens) - 1


def _marked_block(tokens: list[Token], copy: Copy, result: Redacted) -> Iterator[Token]:
    """A block's content in the internal copy: every text in the masked style; a mask
    inside it is part of it (its own marks would only repeat the frame)."""
    for token in tokens:
        if is_mask_block(token, opening=True) or is_mask_block(token, opening=False):
            continue
        if token.type == "inline":
            children = _without_mask_spans(token.children or [])
            token = token.copy(children=[*_span_open(styles.MASKED), *children, _span_close()])
        yield token


def _without_mask_spans(children: list[Token]) -> list[Token]:
    """Inline tokens without the opening and closing tokens of masks (their content
    stays): inside a masked passage a mask only repeats it."""
    kept: list[Token] = []
    opened: list[bool] = []  # per open span: is it a mask
    for child in children:
        if child.type == "span_open":
            opened.append(span_ground(child) is not None)
            if opened[-1]:
                continue
        elif child.type == "span_close" and opened and opened.pop():
            continue
        kept.append(child)
    return kept


# Inline --------------------------------------------------------------------------


def _inline(token: Token, copy: Copy, result: Redacted) -> Token:
    if not _has_mask(token):
        return token
    children = list(_children(token.children or [], copy, result))
    content = token.content
    if copy is Copy.PUBLIC:
        # Nothing of the passage may linger in the public stream, not even the
        # inline token's source text that no renderer shows.
        content = "".join(_texts(children))
    return token.copy(children=children, content=content)


def _children(children: list[Token], copy: Copy, result: Redacted) -> Iterator[Token]:
    index = 0
    while index < len(children):
        child = children[index]
        ground = span_ground(child)
        if ground is None:
            if child.type == "image" and _has_mask(child):
                inner = list(_children(child.children or [], copy, result))
                child = child.copy(children=inner, content="".join(_texts(inner)))
            yield child
            index += 1
            continue
        end = _span_end(children, index)
        inside = children[index + 1 : end]
        result.grounds[ground] += 1
        result.masked_texts.append("".join(_texts(inside)))
        if copy is Copy.PUBLIC:
            yield from _styled(styles.MASKED, placeholder(ground))
        else:
            yield from _span_open(styles.MASKED)
            yield from _without_mask_spans(inside)
            yield _span_close()
            yield Token("text", "", 0, content=" ")
            yield from _styled(styles.MASK_GROUND, inline_label(ground))
        index = end + 1


def _span_end(children: list[Token], start: int) -> int:
    depth = 0
    for index in range(start, len(children)):
        if children[index].type == "span_open":
            depth += 1
        elif children[index].type == "span_close":
            depth -= 1
            if depth == 0:
                return index
    return len(children) - 1


def _texts(children: list[Token]) -> Iterator[str]:
    for child in children:
        if child.type in ("text", "code_inline"):
            yield child.content
        elif child.type in ("softbreak", "hardbreak"):
            yield " "
        elif child.type == "image":
            yield from _texts(child.children or [])
            yield f" {child.attrs.get('src', '')}"
        elif child.type == "link_open":
            yield f" {child.attrs.get('href', '')} "


def _plain(tokens: list[Token]) -> str:
    parts: list[str] = []
    for token in tokens:
        if token.type == "inline":
            parts.extend(_texts(token.children or []))
        elif token.type in ("fence", "code_block", "html_block"):
            parts.append(token.content)
        parts.append(" ")
    return "".join(parts)


def _span_open(style: str) -> list[Token]:
    return [Token("span_open", "span", 1, attrs={"custom-style": style})]


def _span_close() -> Token:
    return Token("span_close", "span", -1)


def _styled(style: str, text: str) -> list[Token]:
    return [*_span_open(style), Token("text", "", 0, content=text), _span_close()]


def _paragraph(children: list[Token]) -> list[Token]:
    content = "".join(_texts(children))
    return [
        Token("paragraph_open", "p", 1, block=True),
        Token("inline", "", 0, content=content, children=children, block=True),
        Token("paragraph_close", "p", -1, block=True),
    ]


# The top of the document and its properties ------------------------------------------


def _count(number: int) -> str:
    return f"{number} {'uppgift' if number == 1 else 'uppgifter'}"


def _osl_grounds(grounds: Counter[str]) -> list[tuple[str, int]]:
    return sorted(
        ((ground, count) for ground, count in grounds.items() if ground != PERSONAL_DATA),
        key=lambda pair: _ground_order(pair[0]),
    )


def _ground_order(ground: str) -> tuple[int, ...]:
    return tuple(int(number) for number in re.findall(r"\d+", ground)) or (999,)


def removed_summary(grounds: Counter[str]) -> str:
    """``3 uppgifter har tagits bort: 2 enligt 26 kap. 1 § OSL och 1 personuppgift``."""
    total = sum(grounds.values())
    parts = [f"{count} enligt {ground}" for ground, count in _osl_grounds(grounds)]
    personal = grounds.get(PERSONAL_DATA, 0)
    if personal:
        parts.append(f"{personal} {'personuppgift' if personal == 1 else 'personuppgifter'}")
    return f"{_count(total)} har tagits bort: {enumerate_swedish(parts)}"


# The rows of the sekretessmarkering's table (nbesok import leaves them out).
MARKING_LABELS = ("Sekretess enligt", "Datum för markeringen", "Myndighet", "Personuppgifter")


def marking_rows(grounds: Counter[str], secrecy: Secrecy) -> list[tuple[str, str]]:
    """The sekretessmarkering's three parts, and the personal data masked beside them."""
    law, day, authority, personal_data = MARKING_LABELS
    rows: list[tuple[str, str]] = []
    osl = _osl_grounds(grounds)
    if osl:
        rows.append((law, "; ".join(f"{secrecy.grounds.describe(g)}, {_count(n)}" for g, n in osl)))
        rows.append((day, secrecy.marked or "sätts när besöket fastställs"))
        rows.append((authority, secrecy.authority or "nämnden är inte angiven"))
    personal = grounds.get(PERSONAL_DATA, 0)
    if personal:
        rows.append((personal_data, f"{_count(personal)}, maskeras utan sekretessgrund"))
    return rows


def _top(copy: Copy, grounds: Counter[str], secrecy: Secrecy) -> list[Token]:
    """The sekretessmarkering (internal) or the notice of what was taken out (public),
    as Markdown parsed like the rest: a styled line and a table of labels and values."""
    if copy is Copy.PUBLIC:
        where = f"Hela handlingen finns hos {secrecy.authority}." if secrecy.authority else ""
        text = (
            f"::: {styles.MARKING}\n**Publik kopia.** {inline_text(removed_summary(grounds))}. "
            f"{inline_text(where)}\n:::\n"
        )
    elif _osl_grounds(grounds):
        # The closing line also keeps the table apart from one that may follow (the
        # head of a tjänsteskrivelse): Word joins two tables with nothing between.
        text = (
            f"::: {styles.MARKING}\n**Sekretessmarkering** enligt {MARKING_LAW}. Handlingen "
            "innehåller uppgifter som omfattas av sekretess.\n:::\n\n"
            + _table(marking_rows(grounds, secrecy))
            + "\nDe är markerade i texten med bestämmelsen efter sig och tas bort i den "
            "publika kopian.\n"
        )
    else:
        text = (
            f"::: {styles.MARKING}\n**Maskerade personuppgifter.** "
            f"{_count(grounds[PERSONAL_DATA])} om enskilda är markerade i texten och tas "
            "bort i den publika kopian.\n:::\n"
        )
    return markup.parser().parse(text)


def _table(rows: list[tuple[str, str]]) -> str:
    lines = [f"- **{inline_text(label)}:** {inline_text(value)}" for label, value in rows]
    return "::: Besöksuppgifter\n" + "\n".join(lines) + "\n:::\n"


def _properties(copy: Copy, grounds: Counter[str], secrecy: Secrecy) -> dict[str, str | list[str]]:
    if copy is Copy.PUBLIC:
        summary = removed_summary(grounds)
        return {"category": PUBLIC_CATEGORY, "description": f"Publik kopia: {summary}."}
    # The three parts in short (a property holds 255 characters): the provisions
    # without their descriptions, the date and the authority.
    osl = _osl_grounds(grounds)
    personal = grounds.get(PERSONAL_DATA, 0)
    parts = []
    if osl:
        parts += [
            "sekretess enligt " + enumerate_swedish(ground for ground, _ in osl),
            f"datum {secrecy.marked or 'sätts när besöket fastställs'}",
            f"myndighet {secrecy.authority or 'inte angiven'}",
        ]
    if personal:
        noun = "maskerad personuppgift" if personal == 1 else "maskerade personuppgifter"
        parts.append(f"{personal} {noun}")
    text = "; ".join(parts)
    if osl:
        # LibreOffice (7.4) carries neither description nor category into a PDF; its
        # keywords reach the PDF's properties, so the provisions stand there too.
        keyword = "sekretessmarkerad enligt " + enumerate_swedish(ground for ground, _ in osl)
        return {
            "category": MARKED_CATEGORY,
            "description": f"Sekretessmarkering: {text}.",
            "keywords": keyword,
        }
    return {"description": f"{text[0].upper()}{text[1:]}."}


def _front_matter(tokens: list[Token], changed: dict[str, str | list[str]]) -> None:
    """Set the properties in ``changed``; a keyword is added to those there are."""
    if not tokens or tokens[0].type != "front_matter":
        return
    content = tokens[0].content
    keyword = changed.pop("keywords", None)
    if isinstance(keyword, str):
        import yaml

        data = yaml.safe_load(content) or {}
        keywords = data.get("keywords") if isinstance(data, dict) else None
        listed = keywords if isinstance(keywords, list) else [keywords] if keywords else []
        changed["keywords"] = [*map(str, listed), keyword]
    tokens[0] = tokens[0].copy(content=markup.front_matter_with(content, changed))
