"""The published ``.md``: GitHub-flavoured Markdown from the document's one parse.

A template writes Markdown with two markers that only steer Word: ``::: Stil`` blocks
and ``[text]{custom-style="Stil"}`` spans. No CommonMark reader knows them, so the
``.md`` people read on a git host or an intranet is not the template's text. It is
rendered back from the same markdown-it token stream the DOCX is built from, with the
markers dropped and their content kept, by mdformat's renderer and its GFM plugin.
The ``.md`` and the ``.docx`` cannot drift apart: one parse gives both.

The front matter is kept as the template wrote it (git hosts show it as a table), and
the title and subtitle, which Word shows from the front matter, become a visible
``#`` heading and an italic line, as in the DOCX and the PDF.

A list item's text starts four columns in (``-   text``, ``1.  text``), and what it
holds is indented by four spaces: CommonMark takes any indent up to the item's text,
but Python-Markdown (MkDocs) nests a list only four spaces in, and flattened mdformat's
two- and three-space indents.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any, cast

from markdown_it.token import Token
from markdown_it.tree import SyntaxTreeNode

from nbesok.archive.markup import Properties

# Tokens of the Word-only markers: their content stays, they go.
_STYLE_MARKERS = frozenset(
    {"container_styled_open", "container_styled_close", "span_open", "span_close"}
)


def published_markdown(
    tree: SyntaxTreeNode, properties: Properties, *, pictures_base: str = ""
) -> str:
    """The GFM text of a parsed document: markers gone, a visible title, front matter kept.

    A picture links the archive's own file: ``pictures_base`` is the archive's root as
    seen from the folder the ``.md`` is written to (``..`` for out/).
    """
    from mdformat.plugins import PARSER_EXTENSIONS
    from mdformat.renderer import MDRenderer

    from nbesok.documents import mdformat_shim

    mdformat_shim.install()  # the same text, without an entity search where no & is
    tokens = list(_plain(tree.to_tokens()))
    if pictures_base:
        tokens = [_with_picture_links(token, pictures_base) for token in tokens]
    body_start = 1 if tokens and tokens[0].type == "front_matter" else 0
    tokens[body_start:body_start] = list(_title_tokens(properties))
    options = {
        # "gfm" escapes what GitHub would read as strikethrough or a task box, "tables"
        # writes the pipe tables; the front matter is written back as it came.
        "parser_extension": [
            _NBESOK,
            PARSER_EXTENSIONS["gfm"],
            PARSER_EXTENSIONS["tables"],
        ],
        # Numbered lists keep their numbers; lines stay as written; a table row changes
        # alone in a git diff instead of realigning the whole table.
        "mdformat": {"number": True, "wrap": "keep", "compact_tables": True},
    }
    env: dict[str, Any] = {}
    return str(MDRenderer().render(tokens, options, env))


def _plain(tokens: list[Token]) -> Iterator[Token]:
    """The tokens without the Word-only markers, and raw HTML as the text it is in the
    DOCX; the document's other tokens untouched."""
    for token in tokens:
        if token.type in _STYLE_MARKERS:
            continue
        if token.type == "html_block":
            yield from _html_as_text(token)
            continue
        if token.children and any(
            child.type in _STYLE_MARKERS or child.type == "html_inline" for child in token.children
        ):
            kept = [_text_of_html(child) for child in _without_markers(token.children)]
            if len(kept) < len(token.children) and kept and kept[-1].type == "text":
                # "**Verksamhet:** " before a field it no longer has
                kept[-1] = kept[-1].copy(content=kept[-1].content.rstrip())
            token = token.copy(children=kept)
        yield token


def _with_picture_links(token: Token, base: str) -> Token:
    """An inline token whose images point at ``base/bilder/…`` (a copy; the DOCX is made
    from the same tokens)."""
    if not token.children or not any(child.type == "image" for child in token.children):
        return token
    children = [
        child.copy(attrs={**child.attrs, "src": f"{base}/{child.attrs.get('src', '')}"})
        if child.type == "image"
        else child
        for child in token.children
    ]
    return token.copy(children=children)


def _text_of_html(token: Token) -> Token:
    """Inline HTML (``<b>``, ``<<namn>>``) as plain text, which it is in the DOCX."""
    if token.type != "html_inline":
        return token
    return Token("text", "", 0, content=token.content)


def _html_as_text(block: Token) -> Iterator[Token]:
    """An HTML block as a paragraph of its lines, one hard break between each: the DOCX
    shows it as text in one paragraph, and so must every reader of the ``.md``."""
    children: list[Token] = []
    for number, line in enumerate(block.content.rstrip("\n").split("\n")):
        if number:
            children.append(Token("hardbreak", "br", 0))
        children.append(Token("text", "", 0, content=line))
    yield Token("paragraph_open", "p", 1, block=True)
    yield _inline(*children)
    yield Token("paragraph_close", "p", -1, block=True)


def _without_markers(children: list[Token]) -> Iterator[Token]:
    """Inline tokens without markers; a form field's placeholder goes with its marker,
    since "Skriv svaret här" means something only inside Word's content control."""
    in_field = 0
    for child in children:
        if child.type == "span_open" and (in_field or child.attrGet("field")):
            in_field += 1
        elif child.type == "span_close" and in_field:
            in_field -= 1
        elif not in_field and child.type not in _STYLE_MARKERS:
            yield child


def _title_tokens(properties: Properties) -> Iterator[Token]:
    if not properties.title:
        return
    yield Token("heading_open", "h1", 1, markup="#", block=True)
    yield _inline(Token("text", "", 0, content=properties.title))
    yield Token("heading_close", "h1", -1, markup="#", block=True)
    if properties.subtitle:
        yield Token("paragraph_open", "p", 1, block=True)
        yield _inline(
            Token("em_open", "em", 1, markup="*"),
            Token("text", "", 0, content=properties.subtitle),
            Token("em_close", "em", -1, markup="*"),
        )
        yield Token("paragraph_close", "p", -1, block=True)


def _inline(*children: Token) -> Token:
    content = "".join(child.content for child in children)
    return Token("inline", "", 0, content=content, children=list(children), block=True)


def _front_matter(node: Any, context: Any) -> str:
    """The front matter as the template wrote it: valid YAML, parsed for the DOCX already."""
    return f"---\n{node.content.strip(chr(10))}\n---"


def _escape_tildes(text: str, node: Any, context: Any) -> str:
    """Every ``~`` escaped: cmark-gfm (GitHub) strikes through ``~one~`` as well as
    ``~~two~~``, and the gfm plugin only escapes pairs. Runs before the gfm plugin's own
    escaping, which then finds no pair left. And every ``<`` escaped: mdformat escapes
    only the first of ``<<namn>>``, and GitHub then reads ``<namn>`` as a tag."""
    return _UNESCAPED_LT.sub(r"\1\\<", text.replace("~", "\\~"))


# A "<" after an even number of backslashes (none, or escaped backslashes): not escaped.
_UNESCAPED_LT = re.compile(r"((?:^|[^\\])(?:\\\\)*)<")


LIST_INDENT = 4  # columns from a list marker to the item's text


def _list(node: Any, context: Any, markers: list[str]) -> str:
    """A list with its items' text ``LIST_INDENT`` columns in (more for a long marker)."""
    from mdformat.renderer._util import is_tight_list

    width = max(LIST_INDENT, max((len(marker) for marker in markers), default=0) + 1)
    separator = "\n" if is_tight_list(node) else "\n\n"
    items: list[str] = []
    with context.indented(width):
        for marker, child in zip(markers, node.children, strict=True):
            first, *rest = cast(str, child.render(context)).split("\n")
            lines = [marker.ljust(width) + first if first else marker]
            lines += [" " * width + line if line else "" for line in rest]
            items.append("\n".join(lines))
    return separator.join(items)


def _bullet_list(node: Any, context: Any) -> str:
    from mdformat.renderer._util import get_list_marker_type

    return _list(node, context, [get_list_marker_type(node)] * len(node.children))


def _ordered_list(node: Any, context: Any) -> str:
    """Numbered as written from the list's start (the ``number`` option of mdformat)."""
    from mdformat.renderer._util import get_list_marker_type

    start = int(node.attrs.get("start", 1))
    delimiter = get_list_marker_type(node)
    return _list(node, context, [f"{start + n}{delimiter}" for n in range(len(node.children))])


# An mdformat parser extension is RENDERERS and POSTPROCESSORS; this one is nbesok's.
# It comes first, and mdformat takes the first extension's renderer for a syntax.
_NBESOK = SimpleNamespace(
    RENDERERS={
        "front_matter": _front_matter,
        "bullet_list": _bullet_list,
        "ordered_list": _ordered_list,
    },
    POSTPROCESSORS={"text": _escape_tildes},
)
