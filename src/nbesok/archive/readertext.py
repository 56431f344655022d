"""Text as its reader sees it, for the rules about what nbesok publishes.

A number is easily hidden from a plain search and still shown to every reader: a thin
space, a soft hyphen or a zero-width space between its parts, a direction mark, a
full-width digit, a horizontal bar for a dash, an HTML entity (``&#45;``) in the
``.md`` or a percent escape (``%2D``) in a link. :func:`reader_text` undoes all of
them: HTML entities and percent escapes are decoded, every character is brought to
its Unicode compatibility form (NFKC), invisible characters (Unicode's
Default_Ignorable_Code_Point and every format character) are dropped, every kind of
dash becomes ``-``, every plus ``+``, every space, tab and line break one space, and
every decimal digit of any script its ASCII digit.

:func:`reader_map` gives the same text and, for each of its characters, where in the
original text it came from, so that a finding can point at what was written.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterator

# Line breaks of every kind, and tabs: a reader sees them as space between words.
_BREAKS = "\t\n\v\f\r\x1c\x1d\x1e\x85\u2028\u2029"
# Dash-like characters outside Unicode's dash category (Pd): the minus signs, the hyphen
# bullet and the modifier minus (U+02D7) that a keyboard layout or Word may put there.
_MORE_DASHES = "\u02d7\u2043\u207b\u208b\u2212\u2796\ufe62"
_PLUSES = "+\u207a\u208a\u2795\ufb29\ufe62\uff0b"
# Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt): shown as nothing
# unless a font supports them. Format characters (Cf) are dropped as well.
_IGNORABLE = (
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)
# Every character whose reader form is empty or holds a digit without being a decimal
# digit itself (superscripts, fractions, circled digits …), in generous blocks so that a
# newer Unicode's additions to them are covered; tests check it against unicodedata.
_HIDDEN_OR_DIGIT = (
    "\u00ad\u00b2\u00b3\u00b9\u00bc-\u00be\u034f\u0600-\u0605\u061c\u06dd\u070f"
    "\u0890-\u089f\u08e2\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2070\u2074-\u2079\u2080-\u2089\u2150-\u215f\u2189\u2460-\u24ff\u2776-\u2793"
    "\u3164\u3220-\u325f\u3280-\u32cf\u3358-\u3370\u3378\u3379\u339f-\u33a6\u33a8\u33af"
    "\u33e0-\u33fe\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U0001345f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U0001d7ce-\U0001d7ff"
    "\U0001f100-\U0001f10c\U0001fbf0-\U0001fbf9\U000e0000-\U000e0fff"
)
# An HTML entity or a percent escape: decoded before anything else.
_ESCAPE = re.compile(
    r"&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});|%[0-9A-Fa-f]{2}"
)
_HIDDEN_OR_DIGIT_CHARACTER = re.compile(f"[{_HIDDEN_OR_DIGIT}]")


def _ignorable(code: int) -> bool:
    return any(first <= code <= last for first, last in _IGNORABLE)


def _fold_one(char: str) -> str:
    """One character's reader form, after NFKC."""
    if char in _BREAKS:
        return " "
    category = unicodedata.category(char)
    if category == "Zs":
        return " "
    if category == "Cf" or _ignorable(ord(char)):
        return ""
    if category == "Pd" or char in _MORE_DASHES:
        return "-"
    if char in _PLUSES:
        return "+"
    if category == "Nd":
        return str(unicodedata.decimal(char))
    return char


def fold_character(char: str) -> str:
    """The reader form of one character (see the module's docstring)."""
    direct = _fold_one(char)
    if direct != char:
        return direct
    compatible = unicodedata.normalize("NFKC", char)
    if compatible == char:
        return char
    return "".join(_fold_one(part) for part in compatible)


class _FoldTable(dict[int, str]):
    """A ``str.translate`` table that works out each character once, when first met."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = fold_character(chr(code))
        return folded


_TABLE = _FoldTable()


def _decode(escape: str) -> str:
    if escape.startswith("%"):
        value = int(escape[1:], 16)
        # Only ASCII: a reader sees "%C3%A5" as å, and no part of it is a digit or dash.
        return chr(value) if value < 0x80 else escape
    decoded = html.unescape(escape)
    return decoded if decoded != escape else escape


def may_change(text: str) -> bool:
    """Whether :func:`reader_text` could give ``text`` digits it does not show as digits:
    False means the text's own runs of digits are all there is (a quick test: a "%" in
    "50 %" is no escape, and costs no more than a look)."""
    if _HIDDEN_OR_DIGIT_CHARACTER.search(text) is not None:
        return True
    return ("&" in text or "%" in text) and _ESCAPE.search(text) is not None


def reader_text(text: str) -> str:
    """``text`` as a reader sees it (see the module's docstring)."""
    if "&" in text or "%" in text:
        text = _ESCAPE.sub(lambda found: _decode(found.group()), text)
    return text.translate(_TABLE)


def _units(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, decoded) for each escape and each other character of ``text``."""
    position = 0
    for found in _ESCAPE.finditer(text):
        for index in range(position, found.start()):
            yield index, index + 1, text[index]
        yield found.start(), found.end(), _decode(found.group())
        position = found.end()
    for index in range(position, len(text)):
        yield index, index + 1, text[index]


def reader_map(text: str) -> tuple[str, list[tuple[int, int]]]:
    """:func:`reader_text` and, for each of its characters, the span of ``text`` it
    comes from (an escape's whole span for what the escape gives)."""
    pieces: list[str] = []
    spans: list[tuple[int, int]] = []
    for start, end, decoded in _units(text):
        for char in decoded:
            folded = _TABLE[ord(char)]
            pieces.append(folded)
            spans.extend([(start, end)] * len(folded))
    return "".join(pieces), spans
