"""Markdown the user wrote, one value at a time: an answer, a summary, a guidance text.

A template puts many such values into one document, inside its own ``::: Stil``
markers. A value must never reach past its own end: an unclosed code fence or HTML
comment would swallow the rest of the document, and a line starting with ``:::``
would close the template's marker early. So each value is closed off on its own
(:func:`close`) before a template sees it, and ``validate`` reports what was closed or
neutralised (:func:`problems`), at the value's own line in the YAML file.

Most answers are plain prose and lists; only a value with one of the few risky
characters is parsed here, so the common case costs a regular expression.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from markdown_it.token import Token

from nbesok.archive import markup

# Block quotes and lists inside each other, counted as one level each. Deeper than this,
# with the template's own levels on top, markdown-it would stop parsing and drop text
# (it nests at most 20 tokens deep, and a list takes two: the list and its item).
MAX_DEPTH = 6
ALLOWED_LINK = re.compile(r"(?i)^(https?://|mailto:)")

# What makes a value worth parsing on its own: fences, HTML, markers, links, and lines
# that open many block quotes or lists at once ("> > > >", "- - - -", deep indents).
_RISKY = re.compile(
    rf"```|~~~|<|:::|{markup.MASK_MARKER}|\]\(|\]:|^[ \t>*+\-\d.)]{{8,}}", re.MULTILINE
)
_MARKER_LINE = re.compile(r"^([ \t]*)(:::)", re.MULTILINE)
_FENCE_CLOSE = re.compile(r"^\s*([`~]{3,})\s*$")
_HTML_CLOSERS = (
    (re.compile(r"(?i)^\s*<(script|pre|style|textarea)(?=[\s>]|$)"), None),
    (re.compile(r"^\s*<!--"), "-->"),
    (re.compile(r"^\s*<\?"), "?>"),
    (re.compile(r"^\s*<!\[CDATA\["), "]]>"),
    (re.compile(r"^\s*<![A-Za-z]"), ">"),
)


@dataclass(frozen=True)
class Problem:
    """Something in a value, at its 0-based line within the value."""

    line: int
    message: str
    is_error: bool = False


def problems(text: str) -> list[Problem]:
    """What :func:`close` has to mend in ``text``, and what cannot be mended."""
    if not _RISKY.search(text):
        return []
    found: list[Problem] = []
    tokens = markup.parser().parse(text)
    lines = text.split("\n")
    for token in tokens:
        line = token.map[0] if token.map else 0
        if token.type == "fence" and not _fence_closed(token, lines):
            found.append(
                Problem(
                    line,
                    f"kodblocket som börjar med {token.markup} avslutas aldrig; skriv "
                    f"{token.markup} på en egen rad där det ska sluta (nbesok avslutar det "
                    "vid svarets slut)",
                )
            )
        elif token.type == "html_block" and _html_closer(token) is not None:
            closer = _html_closer(token)
            found.append(
                Problem(
                    line,
                    f"HTML-blocket som börjar här avslutas aldrig med {closer}; avsluta det "
                    "(nbesok avslutar det vid svarets slut)",
                )
            )
        elif token.type == "html_block":
            found.append(Problem(line, _html_message(token.content.split("\n")[0])))
        elif token.type == "inline":
            found.extend(_link_problems(token, line))
            found.extend(
                Problem(line, _html_message(child.content))
                for child in token.children or []
                if child.type == "html_inline"
            )
    depth = _depth(tokens)
    if depth > MAX_DEPTH:
        found.append(
            Problem(
                0,
                f"citat och listor står i varandra i {depth} nivåer; högst {MAX_DEPTH} går att "
                "göra dokument av, så dela upp texten",
                is_error=True,
            )
        )
    lines = text.split("\n")
    blocks = _mask_blocks(lines, _marker_lines(text, tokens))
    for number in _marker_lines(text, tokens):
        if number in blocks.rewritten:
            continue
        found.append(
            Problem(
                number,
                "raden börjar med ::: som bara mallarna använder (för formatmallar) och "
                'maskeringar (::: {maskera="26 kap. 1 § OSL"}); den visas som vanlig text',
            )
        )
    for number in blocks.unclosed:
        found.append(
            Problem(
                number,
                "den maskerade texten som börjar här avslutas aldrig med en rad ::: ; nbesok "
                "maskerar resten av texten",
            )
        )
    return sorted(found, key=lambda problem: problem.line)


def close(text: str) -> str:
    """``text`` with its unclosed code fences and HTML blocks closed at its end and its
    ``:::`` lines made plain text, so that nothing in it reaches past its end.

    Blank lines at its start and end go, nothing else: a template puts the value in as
    it is (``trim`` would take the indent of an indented code block on its first line).
    """
    if not _RISKY.search(text):
        return _without_blank_ends(text)
    # A fence turned into an indented code block (below) right after a list would be
    # read as more of the list's last item, and its lines as Markdown; then it is
    # indented further, until the parser reads it as code.
    for extra in range(0, 41, 2):
        closed, code_lines = _close(text, " " * extra)
        if not code_lines or _all_code(closed, code_lines):
            return closed
    return closed


def _close(text: str, extra: str) -> tuple[str, set[int]]:
    """:func:`close` with code indented by four spaces and ``extra``; also the numbers
    of the result's lines that must be code."""
    tokens = markup.parser().parse(text)
    lines = text.split("\n")
    closers: list[str] = []
    rewritten: dict[int, list[str]] = {}
    for token in tokens:
        if token.type == "fence" and token.map:
            start, end = token.map
            indent = " " * (len(lines[start]) - len(lines[start].lstrip()))
            closed = _fence_closed(token, lines)
            if _MARKER_LINE.search(token.content):
                # The template's ::: markers are found line by line, code or not; an
                # indented code block is the one block they look past.
                body = token.content.removesuffix("\n").split("\n")
                blank = [""] if start > 0 and lines[start - 1].strip() else []
                rewritten[start] = [*blank, *(f"{indent}{extra}    {line}" for line in body)]
                for number in range(start + 1, end):
                    rewritten[number] = []
            elif not closed:
                closers.append(f"{indent}{token.markup}")
        elif token.type == "html_block":
            closer = _html_closer(token)
            if closer is not None:
                closers.append(closer)
    marker_lines = set(_marker_lines(text, tokens))
    blocks = _mask_blocks(lines, marker_lines)
    own_markers = set(_marker_lines(text, tokens, _OWN_MARKER))
    result: list[str] = []
    code_lines: set[int] = set()
    for number, line in enumerate(lines):
        if number in rewritten:
            kept = rewritten[number]
            code_lines.update(len(result) + index for index, new in enumerate(kept) if new.strip())
            result.extend(kept)
        elif number in blocks.rewritten:
            result.append(blocks.rewritten[number])
        elif number in marker_lines:
            result.append(_MARKER_LINE.sub(r"\1\\\2", line, count=1))
        elif number in own_markers:
            result.append(_OWN_MARKER.sub(r"\1\\\2", line, count=1))
        else:
            result.append(line)
    joined = "\n".join([*result, *closers, *blocks.closers])
    # Blank lines at the start go; the line numbers of the code move with them.
    all_lines = joined.split("\n")
    shift = next((n for n, line in enumerate(all_lines) if line.strip()), len(all_lines))
    return _without_blank_ends(joined), {number - shift for number in code_lines}


# A line that starts with the marker nbesok gives mask blocks, typed by the user.
_OWN_MARKER = re.compile(rf"^([ \t]*)({markup.MASK_MARKER})", re.MULTILINE)
_CLOSING_LINE = re.compile(r"^[ \t]*:{3,}[ \t]*$")


@dataclass(frozen=True)
class _MaskBlocks:
    """The ``::: {maskera="…"}`` blocks of a value, rewritten with nbesok's own marker
    (markup.MASK_MARKER): ``rewritten`` lines by number, ``closers`` to add at the end
    for blocks never closed, and the lines where those begin."""

    rewritten: dict[int, str]
    closers: list[str]
    unclosed: list[int]


def _mask_blocks(lines: list[str], marker_lines: Iterable[int]) -> _MaskBlocks:
    """Each opening line pairs with the next closing ``:::`` line; a block inside a block
    gets a shorter marker, as nested containers need (the outer one's closing line must
    be longer than anything inside it)."""
    from nbesok.archive.masks import block_ground_of_line

    open_blocks: list[tuple[int, int]] = []  # (line number, depth)
    pairs: list[tuple[int, int | None, int]] = []  # (opening, closing, depth)
    for number in sorted(marker_lines):
        line = lines[number]
        if block_ground_of_line(line) is not None:
            open_blocks.append((number, len(open_blocks)))
        elif open_blocks and _CLOSING_LINE.match(line):
            opening, depth = open_blocks.pop()
            pairs.append((opening, number, depth))
    unclosed = [opening for opening, _ in open_blocks]
    pairs += [(opening, None, depth) for opening, depth in reversed(open_blocks)]
    deepest = max((depth for _, _, depth in pairs), default=0)
    rewritten: dict[int, str] = {}
    closers: list[str] = []
    for opening, closing, depth in pairs:
        marker = markup.MASK_MARKER * (3 + deepest - depth)
        indent, _, rest = lines[opening].partition(":::")
        rewritten[opening] = f"{indent}{marker} {rest.lstrip(':').strip()}"
        if closing is None:
            closers.append(f"{indent}{marker}")
        else:
            rewritten[closing] = f"{lines[closing].partition(':')[0]}{marker}"
    return _MaskBlocks(rewritten, closers, unclosed)


def _all_code(text: str, code_lines: set[int]) -> bool:
    """Whether every one of ``code_lines`` lies in a code block of ``text``'s parse."""
    covered: set[int] = set()
    for token in markup.parser().parse(text):
        if token.type == "code_block" and token.map:
            covered.update(range(*token.map))
    return code_lines <= covered


def _without_blank_ends(text: str) -> str:
    lines = text.split("\n")
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return "\n".join(lines[start:end])


_HEADING_LIKE = re.compile(r"^ {0,3}(#|[=-]+[ \t]*$)", re.MULTILINE)


def demote_headings(text: str, by: int) -> str:
    """``text``'s headings placed below a heading of level ``by``, as ATX ``#``.

    An answer's own sub-headings must sit below the question's heading in the
    document's outline, and never skip a level there: a heading with no heading of
    the answer above it becomes level ``by + 1``, and one below another heading of the
    answer one level deeper than that one (``##`` then ``####`` in an answer under a
    level-2 question become levels 3 and 4), at most level 6. The value's own parse
    says which lines are headings, so a ``#`` in code or a ``===`` under a paragraph
    is left alone.
    """
    if not _HEADING_LIKE.search(text):
        return text
    lines: list[str | None] = list(text.split("\n"))
    tokens = markup.parser().parse(text)
    headings = [
        (index, token)
        for index, token in enumerate(tokens)
        if token.type == "heading_open" and token.map
    ]
    original = text.split("\n")
    above: list[tuple[int, int]] = []  # (level written, level placed) of the open headings
    for index, token in headings:
        assert token.map is not None
        start, end = token.map
        written = int(token.tag[1:])
        while above and above[-1][0] >= written:
            above.pop()
        level = min(6, above[-1][1] + 1 if above else by + 1)
        above.append((written, level))
        hashes = "#" * level
        if token.markup.startswith("#"):
            lines[start] = re.sub(r"^( {0,3})#{1,6}", rf"\g<1>{hashes}", original[start])
        else:  # Setext: the heading's lines and its underline become one ATX heading
            lines[start] = f"{hashes} {tokens[index + 1].content.replace(chr(10), ' ')}"
            lines[start + 1 : end] = [None] * (end - start - 1)
    return "\n".join(line for line in lines if line is not None)


def _fence_closed(token: Token, lines: list[str]) -> bool:
    assert token.map is not None
    last = lines[token.map[1] - 1] if token.map[1] - 1 < len(lines) else ""
    closing = _FENCE_CLOSE.match(last)
    return (
        token.map[1] - token.map[0] >= 2
        and closing is not None
        and closing.group(1)[0] == token.markup[0]
        and len(closing.group(1)) >= len(token.markup)
    )


def _html_closer(token: Token) -> str | None:
    """The text that would close an HTML block that runs to the end of its value."""
    for pattern, closer in _HTML_CLOSERS:
        opened = pattern.match(token.content)
        if opened is None:
            continue
        wanted = closer or f"</{opened.group(1).lower()}>"
        return None if wanted in token.content.lower() else wanted
    return None


def _html_message(html: str) -> str:
    shown = html if len(html) <= 40 else html[:39] + "…"
    return (
        f"HTML ”{shown}” visas som vanlig text i dokumenten (nbesok återger ingen HTML); "
        "skriv Markdown för formatering, eller \\< i stället för < om texten ska stå som den är"
    )


def _link_problems(token: Token, line: int) -> Iterator[Problem]:
    for child in token.children or []:
        href = str(child.attrs.get("href", "")) if child.type == "link_open" else ""
        if href and not ALLOWED_LINK.match(href):
            yield Problem(
                line,
                f"länken till ”{href}” är ingen webbadress (http://, https:// eller mailto:); "
                "i dokumentet blir den vanlig text",
            )


def _depth(tokens: list[Token]) -> int:
    depth = deepest = 0
    for token in tokens:
        if token.type in ("blockquote_open", "bullet_list_open", "ordered_list_open"):
            depth += 1
            deepest = max(deepest, depth)
        elif token.type in ("blockquote_close", "bullet_list_close", "ordered_list_close"):
            depth -= 1
    return deepest


def _marker_lines(
    text: str, tokens: list[Token], pattern: re.Pattern[str] = _MARKER_LINE
) -> list[int]:
    """Lines outside code that start with ``:::`` (the value's own, not in a fence), or
    with what else ``pattern`` finds at a line's start."""
    in_code: set[int] = set()
    for token in tokens:
        if token.type in ("fence", "code_block") and token.map:
            in_code.update(range(*token.map))
    starts = [match.start() for match in pattern.finditer(text)]
    numbers = [text.count("\n", 0, start) for start in starts]
    return [number for number in numbers if number not in in_code]
