"""Word paragraphs as the Markdown nbesok renders: what an imported answer becomes.

The paragraphs are turned into markdown-it tokens (paragraphs, headings, nested bullet
and numbered lists; bold, italic and links inside), and mdformat's renderer writes the
Markdown, escaping whatever text would otherwise read as markup. It is the renderer
that writes the published ``.md`` (nbesok.documents.gfm), so an answer reads back as it renders.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any, ClassVar

from markdown_it.token import Token

from nbesok.archive.osl import BLOCK_END, read_block_label, read_inline_label
from nbesok.documents.docx import styles
from nbesok.documents.docx.reading import Block, Piece

# Stand-ins for a mask's markup while mdformat writes the Markdown (it would escape the
# brackets and braces); private-use characters, replaced afterwards.
_OPEN, _CLOSE, _BLOCK = "\ue000", "\ue001", "\ue002"

PICTURES = "bilder"  # the archive's folder of pictures (nbesok.archive.pictures.FOLDER)


def blocks_markdown(blocks: Sequence[Block], *, top_heading: int = 0) -> str:
    """The Markdown of consecutive paragraphs (tables as their rows' text).

    A heading of level ``top_heading`` or deeper becomes ``#``, one level deeper
    ``##``, and so on: a sub-heading inside an answer is ``# Rubrik`` in the YAML.
    """
    from mdformat.renderer import MDRenderer

    grounds: list[str] = []
    tokens = list(_tokens(blocks, top_heading, grounds))
    if not tokens:
        return ""
    options = {
        "parser_extension": [_LessThanEscapes],
        "mdformat": {"number": True, "wrap": "keep"},
    }
    env: dict[str, Any] = {}
    text = str(MDRenderer().render(tokens, options, env)).strip() + "\n"
    return _with_masks(text, grounds) if grounds else text


# A "<" that a backslash does not escape yet (an even number of backslashes before it)
# and that something other than a space follows.
_BARE_LESS_THAN = re.compile(r"(?<!\\)((?:\\\\)*)<(?! |$)")


def _escape_less_than(text: str, node: Any, context: Any) -> str:
    return _BARE_LESS_THAN.sub(r"\1\\<", text)


class _LessThanEscapes:
    """An mdformat plugin: every "<" that could open an HTML tag or an autolink escaped.

    mdformat escapes such a "<" itself, but its pattern takes the next character along,
    so in "<<namn>>" the second "<" stays bare and a reader sees the tag ``<namn>``.
    """

    RENDERERS: ClassVar[dict[str, Any]] = {}
    POSTPROCESSORS: ClassVar[dict[str, Any]] = {"text": _escape_less_than}


def _with_masks(text: str, grounds: list[str]) -> str:
    """The masks an internal copy marked, as the visit file writes them."""
    for number, ground in enumerate(grounds):
        attributes = f'{{maskera="{ground}"}}'
        # A block's marker lines hug its text, as a person writes them.
        text = text.replace(f"{_BLOCK}{number}{_OPEN}\n\n", f"::: {attributes}\n")
        text = text.replace(f"{_BLOCK}{number}{_OPEN}", f"::: {attributes}")
        text = text.replace(f"{_OPEN}{number}{_OPEN}", "[")
        text = text.replace(f"{_CLOSE}{number}{_CLOSE}", f"]{attributes}")
    return text.replace(f"\n\n{_BLOCK}{_CLOSE}", "\n:::").replace(f"{_BLOCK}{_CLOSE}", ":::")


def mask_pieces(pieces: Sequence[Piece]) -> list[Piece | tuple[str, list[Piece]]]:
    """Pieces with each masked passage of an internal copy as ``(ground, its pieces)``:
    text in the masked style (a link in it keeps the link's style) followed by its
    ground in brackets."""
    result: list[Piece | tuple[str, list[Piece]]] = []
    for piece in pieces:
        ground = read_inline_label(piece.text) if piece.style == styles.MASK_GROUND else None
        if ground is None:
            result.append(piece)
            continue
        space = result.pop() if result and _is_space(result[-1]) else None
        inner: list[Piece] = []
        while result and _masked_part(result[-1]):
            last = result.pop()
            assert isinstance(last, Piece)
            inner.insert(0, last)
        if inner:
            result.append((ground, inner))
        else:  # brackets that mark nothing: text as it stands
            result += [part for part in (space, piece) if part is not None]
    return result


def _is_space(part: Piece | tuple[str, list[Piece]]) -> bool:
    return isinstance(part, Piece) and part.style != styles.MASKED and not part.text.strip()


def _masked_part(part: Piece | tuple[str, list[Piece]]) -> bool:
    return isinstance(part, Piece) and (
        part.style == styles.MASKED or (bool(part.href) and part.style == styles.HYPERLINK)
    )


def masked_text(pieces: Sequence[Piece]) -> str:
    """A header field's text, its masked passages as ``[text]{maskera="…"}``."""
    parts: list[str] = []
    for piece in mask_pieces(pieces):
        if isinstance(piece, Piece):
            parts.append(piece.text)
        else:
            ground, inner = piece
            parts.append(f'[{"".join(p.text for p in inner)}]{{maskera="{ground}"}}')
    return "".join(parts)


def _block_mark(block: Block) -> str | None:
    """The ground of a mask block's first line, ``BLOCK_END`` for its last, else None."""
    if block.is_table or not block.pieces:
        return None
    if not all(piece.style == styles.MASK_GROUND for piece in block.pieces if piece.text.strip()):
        return None
    text = block.text.strip()
    return BLOCK_END if text == BLOCK_END else read_block_label(text)


def _tokens(blocks: Sequence[Block], top_heading: int, grounds: list[str]) -> Iterator[Token]:
    # (level, ordered, last number) of each open list
    open_lists: list[tuple[int, bool, int]] = []

    def close_lists(down_to: int) -> Iterator[Token]:
        while open_lists and open_lists[-1][0] >= down_to:
            _, ordered, _ = open_lists.pop()
            yield Token("list_item_close", "li", -1, block=True)
            yield _list_close(ordered)

    for block in blocks:
        mark = _block_mark(block)
        if mark is not None:
            yield from close_lists(0)
            if mark == BLOCK_END:
                yield from _paragraph([Piece(f"{_BLOCK}{_CLOSE}")])
            else:
                grounds.append(mark)
                yield from _paragraph([Piece(f"{_BLOCK}{len(grounds) - 1}{_OPEN}")])
            continue
        if block.is_table:
            yield from close_lists(0)
            for row in block.rows or []:
                cells = [" ".join(" ".join(p.text.split()) for p in cell).strip() for cell in row]
                text = " | ".join(cell or "–" for cell in cells)  # an empty cell keeps its place
                if any(cells):
                    yield from _paragraph([Piece(text)])
            continue
        pieces = _trimmed(block.pieces)
        if not pieces:
            continue
        if block.list_level >= 0:
            level = block.list_level
            top = open_lists[-1] if open_lists else None
            following = top[2] + 1 if top and top[0] == level else 1
            value = block.value or following  # 0: a number Word did not count
            if (
                top
                and top[0] == level
                and (top[1] != block.ordered or (block.ordered and value != following))
            ):
                # Another kind of list, or Word's numbers jump: a list of its own, which
                # starts at Word's number.
                yield from close_lists(level)
            if open_lists and open_lists[-1][0] >= level:
                yield from close_lists(level + 1)
                if open_lists and open_lists[-1][0] == level:
                    yield Token("list_item_close", "li", -1, block=True)
                    open_lists[-1] = (level, block.ordered, value)
            if not open_lists or open_lists[-1][0] < level:
                # Each deeper level is one nested list, whatever levels Word skipped.
                open_lists.append((level, block.ordered, value))
                yield _list_open(block.ordered, value)
            yield Token("list_item_open", "li", 1, block=True, markup="-")
            yield from _paragraph(pieces, hidden=True, grounds=grounds)
            continue
        yield from close_lists(0)
        if block.heading:
            level = min(max(block.heading - top_heading + 1, 1), 6) if top_heading else 1
            tag = f"h{level}"
            yield Token("heading_open", tag, 1, block=True, markup="#" * level)
            yield _inline(pieces, grounds)
            yield Token("heading_close", tag, -1, block=True, markup="#" * level)
        else:
            yield from _paragraph(pieces, grounds=grounds)
    yield from close_lists(0)


def _list_open(ordered: bool, start: int = 1) -> Token:
    if ordered:
        token = Token("ordered_list_open", "ol", 1, block=True, markup=".")
        if start not in (0, 1):
            token.attrs["start"] = start
        return token
    return Token("bullet_list_open", "ul", 1, block=True, markup="-")


def _list_close(ordered: bool) -> Token:
    if ordered:
        return Token("ordered_list_close", "ol", -1, block=True, markup=".")
    return Token("bullet_list_close", "ul", -1, block=True, markup="-")


def _paragraph(
    pieces: list[Piece], *, hidden: bool = False, grounds: list[str] | None = None
) -> Iterator[Token]:
    yield Token("paragraph_open", "p", 1, block=True, hidden=hidden)
    yield _inline(pieces, grounds)
    yield Token("paragraph_close", "p", -1, block=True, hidden=hidden)


def _trimmed(pieces: list[Piece]) -> list[Piece]:
    """The pieces without leading and trailing white space."""
    kept = [piece for piece in pieces if piece.text]
    while kept and not kept[0].text.strip():
        kept.pop(0)
    while kept and not kept[-1].text.strip():
        kept.pop()
    if kept:
        first, last = kept[0], kept[-1]
        kept[0] = replace(first, text=first.text.lstrip())
        last = kept[-1]
        kept[-1] = replace(last, text=last.text.rstrip())
    return kept


def _inline(pieces: list[Piece], grounds: list[str] | None = None) -> Token:
    children: list[Token] = []
    plain: list[Piece] = []
    parts: list[Piece | tuple[str, list[Piece]]] = (
        mask_pieces(pieces) if grounds is not None else list(pieces)
    )
    for part in [*parts, ("", [])]:  # the empty mask at the end flushes the plain pieces
        if isinstance(part, Piece):
            plain.append(part)
            continue
        for piece in _merged(plain):
            children += _piece_tokens(piece)
        plain = []
        ground, inner = part
        if not inner:
            continue
        assert grounds is not None
        grounds.append(ground)
        number = len(grounds) - 1
        children.append(Token("text", "", 0, content=f"{_OPEN}{number}{_OPEN}"))
        for piece in _merged(inner):
            children += _piece_tokens(piece)
        children.append(Token("text", "", 0, content=f"{_CLOSE}{number}{_CLOSE}"))
    content = "".join(piece.text for piece in pieces)
    return Token("inline", "", 0, content=content, children=_joined(children), block=True)


def _joined(children: list[Token]) -> list[Token]:
    """Neighbouring text tokens as one (mdformat escapes each on its own)."""
    joined: list[Token] = []
    for child in children:
        if joined and child.type == "text" and joined[-1].type == "text":
            joined[-1] = joined[-1].copy(content=joined[-1].content + child.content)
        else:
            joined.append(child)
    return joined


def _merged(pieces: list[Piece]) -> list[Piece]:
    """Neighbouring pieces with the same look as one: Word splits runs at will."""
    merged: list[Piece] = []
    for piece in pieces:
        if (
            merged
            and not piece.picture
            and not merged[-1].picture
            and (merged[-1].bold, merged[-1].italic, merged[-1].href)
            == (piece.bold, piece.italic, piece.href)
        ):
            last = merged[-1]
            merged[-1] = replace(last, text=last.text + piece.text)
        else:
            merged.append(piece)
    return merged


def _piece_tokens(piece: Piece) -> list[Token]:
    """Text with its emphasis and link; spaces at its edges stay outside the markup,
    where CommonMark needs them (``**ord** text``, not ``**ord **text``). A picture is
    ``![alt text](bilder/fil.png)``, where the import puts its file."""
    if piece.picture:
        alt = Token("text", "", 0, content=piece.text.strip())
        source = f"{PICTURES}/{piece.picture}"
        return [Token("image", "img", 0, attrs={"src": source, "alt": ""}, children=[alt])]
    core = piece.text.strip()
    if not core or not (piece.bold or piece.italic or piece.href):
        return _text_tokens(piece.text)
    lead = piece.text[: len(piece.text) - len(piece.text.lstrip())]
    tail = piece.text[len(piece.text.rstrip()) :]
    inner = _text_tokens(core)
    if piece.italic:
        inner = [
            Token("em_open", "em", 1, markup="*"),
            *inner,
            Token("em_close", "em", -1, markup="*"),
        ]
    if piece.bold:
        inner = [
            Token("strong_open", "strong", 1, markup="**"),
            *inner,
            Token("strong_close", "strong", -1, markup="**"),
        ]
    if piece.href:
        link = Token("link_open", "a", 1, attrs={"href": piece.href})
        inner = [link, *inner, Token("link_close", "a", -1)]
    return [*_text_tokens(lead), *inner, *_text_tokens(tail)]


def _text_tokens(text: str) -> list[Token]:
    """Text, with Word's line breaks (Shift+Enter) as hard breaks."""
    tokens: list[Token] = []
    for index, line in enumerate(text.replace("\t", " ").split("\n")):
        if index:
            tokens.append(Token("hardbreak", "br", 0))
        if line:
            tokens.append(Token("text", "", 0, content=line))
    return tokens
