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
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

from markdown_it.token import Token
from markdown_it.tree import SyntaxTreeNode

from nbesok.markup import Properties

# Tokens of the Word-only markers: their content stays, they go.
_STYLE_MARKERS = frozenset(
    {"container_styled_open", "container_styled_close", "span_open", "span_close"}
)


def published_markdown(tree: SyntaxTreeNode, properties: Properties) -> str:
    """The GFM text of a parsed document: markers gone, a visible title, front matter kept."""
    from mdformat.plugins import PARSER_EXTENSIONS
    from mdformat.renderer import MDRenderer

    tokens = list(_plain(tree.to_tokens()))
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


# An mdformat parser extension is RENDERERS and POSTPROCESSORS; this one is nbesok's.
_NBESOK = SimpleNamespace(
    RENDERERS={"front_matter": _front_matter},
    POSTPROCESSORS={"text": _escape_tildes},
)
