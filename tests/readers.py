"""Four independent Markdown readers and the structure each of them sees.

cmark-gfm (GitHub's own parser), markdown-it-py (CommonMark, tables and strikethrough),
mistune (with its table and strikethrough plugins) and pandoc's ``gfm`` reader each
turn a published ``.md`` into HTML;
one small HTML walker takes out what a reader sees: heading levels and texts, list
items and their nesting, table cells, block quotes, paragraphs and emphasis.
"""

from __future__ import annotations

from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import cmarkgfm
import mistune
import pypandoc
import pytest
import yaml
from markdown_it import MarkdownIt

Structure = list[tuple[str, ...]]


class _Walker(HTMLParser):
    """The reader-visible structure of an HTML fragment, in document order."""

    BLOCKS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "th", "td", "pre"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: Structure = []
        self.lists: list[str] = []
        self.quotes = 0
        self.texts: list[list[str]] = []  # one buffer per open block
        self.inline: list[tuple[str, list[str]]] = []  # open em/strong and their text

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("ul", "ol"):
            self.lists.append(tag)
        elif tag == "blockquote":
            self.quotes += 1
        elif tag in ("em", "strong"):
            self.inline.append((tag, []))
        elif tag == "br":
            self._text(" ")
        if tag in self.BLOCKS:
            self.texts.append([])

    def handle_endtag(self, tag: str) -> None:
        if tag in ("ul", "ol"):
            self.lists.pop()
        elif tag == "blockquote":
            self.quotes -= 1
        elif tag in ("em", "strong") and self.inline:
            kind, parts = self.inline.pop()
            self.found.append((kind, squash("".join(parts))))
        if tag in self.BLOCKS and self.texts:
            text = squash("".join(self.texts.pop()))
            where = ">".join(self.lists) if tag in ("li", "p") else ""
            self.found.append((tag, where, f"quote{self.quotes}", text))

    def handle_data(self, data: str) -> None:
        self._text(data)

    def _text(self, data: str) -> None:
        # Text belongs to the innermost open block, and to its list item: a list
        # item's text is what it says before any list inside it.
        if self.texts:
            self.texts[-1].append(data)
        for _, text in self.inline:
            text.append(data)


def squash(text: str) -> str:
    return " ".join(text.split())


def structure(html: str) -> Structure:
    walker = _Walker()
    walker.feed(html)
    walker.close()
    # Tight and loose list items differ only in a <p> inside the <li>: keep the item.
    return [entry for entry in walker.found if not (entry[0] == "p" and entry[1])]


def body(markdown: str) -> str:
    """The text after the front matter, which git hosts show as a table instead."""
    assert markdown.startswith("---\n")
    end = markdown.index("\n---\n", 4)
    front = yaml.safe_load(markdown[4:end])
    assert isinstance(front, dict) and front["title"], "front matter utan titel"
    return markdown[end + len("\n---\n") :]


def _markdown_it(text: str) -> str:
    return str(MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(text))


def _mistune(text: str) -> str:
    return str(mistune.create_markdown(escape=False, plugins=["table", "strikethrough"])(text))


def _cmark_gfm(text: str) -> str:
    return str(cmarkgfm.github_flavored_markdown_to_html(text))


def _pandoc(text: str) -> str:
    return str(pypandoc.convert_text(text, "html", format="gfm", extra_args=["--wrap=none"]))


READERS: dict[str, Callable[[str], str]] = {
    "cmark-gfm": _cmark_gfm,
    "markdown-it-py": _markdown_it,
    "mistune": _mistune,
    "pandoc gfm": _pandoc,
}


def assert_same_in_every_reader(path: Path) -> Structure:
    text = body(path.read_text("utf-8"))
    seen = {name: structure(read(text)) for name, read in READERS.items()}
    reference = seen["cmark-gfm"]
    for name, found in seen.items():
        if found != reference:
            for index, (mine, theirs) in enumerate(zip(reference, found, strict=False)):
                if mine != theirs:
                    pytest.fail(f"{path.name}: {name} skiljer sig vid {index}: {theirs} ≠ {mine}")
            pytest.fail(f"{path.name}: {name} har {len(found)} delar, cmark-gfm {len(reference)}")
    return reference
