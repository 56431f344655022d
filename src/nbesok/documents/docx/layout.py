"""Table layout that never splits a word: column widths from what the columns hold.

A word broken in the middle ("Verksamhe|t", "Arbetsmarknadsnämnde|n") reads wrong and
hides from text search in the PDF. So every column is at least as wide as its longest
word, and the room left goes to the columns whose text is longest (Punkt, not Senast or
Status). When the longest words of all columns cannot stand side by side, the table is
*stacked*: each row becomes label/value pairs in two columns (the header's label, then
the cell), which holds any number of columns. A word wider than even the widest cell it
can get is hyphenated, with a visible hyphen, where a Swedish hyphenation dictionary
allows it, preferring the joint of a compound (after a linking s: "arbetsmarknads-
förvaltningen"): never split at a random letter.

Widths are computed from Arial's character widths (the metrics of Helvetica, which
Arial and Liberation Sans share) at the table text's size, with a small safety margin;
the reference's real font is not measured.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyphen


# Advance widths in thousandths of an em, regular and bold (Helvetica's AFM metrics).
def _table(letters: str, widths: str) -> dict[str, int]:
    return dict(zip(letters, map(int, widths.split()), strict=True))


_LOWER = "abcdefghijklmnopqrstuvwxyz"
_REGULAR = _table(
    _LOWER,
    "556 556 500 556 556 278 556 556 222 222 500 222 833 "
    "556 556 556 556 333 500 278 556 500 722 500 500 500",
)
_BOLD = _table(
    _LOWER,
    "556 611 556 611 556 333 611 611 278 278 556 278 889 "
    "611 611 611 611 389 556 333 611 556 778 556 556 500",
)
_UPPER = _table(
    _LOWER.upper(),
    "667 667 722 722 667 611 778 722 278 500 667 556 833 "
    "722 778 667 778 722 667 611 722 667 944 667 667 611",
)
_UPPER_BOLD = {**_UPPER, "B": 722, "J": 556, "K": 722, "L": 611, "R": 722}
_PUNCTUATION = {
    " ": 278,
    ".": 278,
    ",": 278,
    ":": 278,
    ";": 278,
    "!": 278,
    "'": 191,
    "’": 222,
    '"': 355,
    "”": 333,
    "(": 333,
    ")": 333,
    "[": 278,
    "]": 278,
    "/": 278,
    "-": 333,
    "\u2011": 333,
    "–": 556,
    "—": 1000,
    "&": 667,
    "%": 889,
    "@": 1015,
    "…": 1000,
    "☐": 1000,
    "☑": 1000,
}
# Accented letters are as wide as their base letter.
_BASE = str.maketrans("åäöéèüÅÄÖÉÈÜ", "aaoeeuAAOEEU")
_DEFAULT = 556  # digits and most other characters
_SAFETY = 1.04  # the real font and LibreOffice's layout differ a little from the metrics
_CELL_MARGINS = 2 * 108 + 60  # the cell's left and right margins, and a little air


def text_twips(text: str, *, bold: bool = False, points: float = 11) -> int:
    """About how wide ``text`` is on one line at ``points`` size, in twips."""
    lower, upper = (_BOLD, _UPPER_BOLD) if bold else (_REGULAR, _UPPER)
    units = 0
    for char in text.translate(_BASE):
        units += lower.get(char) or upper.get(char) or _PUNCTUATION.get(char, _DEFAULT)
    return round(units / 1000 * points * 20 * _SAFETY)


def words(text: str) -> list[str]:
    """The pieces of ``text`` a line may not break inside.

    A line may break at a space, and after a hyphen that follows a letter
    ("Idrott-|och"); a hyphen between digits (a date, a diarienummer) is written as a
    non-breaking hyphen, so "2023-12-31" is one piece.
    """
    pieces: list[str] = []
    for word in text.split():
        start = 0
        for index, char in enumerate(word):
            if char == "-" and index > 0 and word[index - 1].isalpha() and index + 1 < len(word):
                pieces.append(word[start : index + 1])
                start = index + 1
        pieces.append(word[start:])
    return pieces or [""]


@dataclass(frozen=True)
class Layout:
    """How a table is written: its column widths, and whether its rows are stacked.

    A stacked table has two columns (label, value) whatever the source had.
    """

    widths: list[int]
    stacked: bool = False

    def room(self, column: int) -> int:
        """The width text has in ``column``, within the cell's margins."""
        return self.widths[min(column, len(self.widths) - 1)] - _CELL_MARGINS


def table_layout(
    rows: Sequence[Sequence[str]],
    total: int,
    *,
    header_rows: int = 0,
    header_columns: int = 0,
    points: float = 11,
    may_stack: bool = True,
) -> Layout:
    """The layout of a table of ``rows`` of cell texts on a page ``total`` twips wide.

    Every column is at least as wide as its longest word; the rest of ``total`` is
    shared out by how much more each column would need to show its longest text on
    one line. Header rows (the first ``header_rows``) and header columns are bold;
    ``points`` is the table text's size. When the longest words do not fit side by
    side, a table with a header row is stacked (if ``may_stack``).
    """
    least, wanted, measured = _measure(rows, header_rows, header_columns, points)
    if sum(least) > total:
        if may_stack and header_rows and len(least) > 2:
            return _stacked(rows, total, header_rows, points)
        return Layout(_squeezed(least, wanted, total))
    return Layout(_shared(least, wanted, measured, total))


def column_widths(
    rows: Sequence[Sequence[str]],
    total: int,
    *,
    header_rows: int = 0,
    header_columns: int = 0,
    points: float = 11,
) -> list[int]:
    """Widths in twips summing to ``total`` (a table that is never stacked)."""
    layout = table_layout(
        rows,
        total,
        header_rows=header_rows,
        header_columns=header_columns,
        points=points,
        may_stack=False,
    )
    return layout.widths


def _measure(
    rows: Sequence[Sequence[str]], header_rows: int, header_columns: int, points: float
) -> tuple[list[int], list[int], list[list[int]]]:
    columns = max((len(row) for row in rows), default=1)
    least = [_CELL_MARGINS] * columns
    wanted = [_CELL_MARGINS] * columns
    measured: list[list[int]] = []
    for number, row in enumerate(rows):
        widths: list[int] = []
        for column, text in enumerate(row):
            bold = number < header_rows or column < header_columns
            longest = max(text_twips(word, bold=bold, points=points) for word in words(text))
            least[column] = max(least[column], longest + _CELL_MARGINS)
            widths.append(text_twips(text, bold=bold, points=points) + _CELL_MARGINS)
            wanted[column] = max(wanted[column], widths[-1])
        measured.append(widths)
    return least, wanted, measured


def _shared(
    least: list[int], wanted: list[int], measured: list[list[int]], total: int
) -> list[int]:
    if sum(wanted) <= total:
        # Everything fits on one line: give the spare room by what the columns hold.
        return _scaled(wanted, total, floor=least)
    room = total - sum(least)
    # The room goes where text would wrap most: summed over the rows, so that a column
    # of long texts (Punkt) gets it rather than one long name (Ansvarig).
    overflow = [
        sum(max(row[column] - least[column], 0) for row in measured if column < len(row))
        for column in range(len(least))
    ]
    shares = _scaled(overflow, room)
    return [low + share for low, share in zip(least, shares, strict=True)]


def _squeezed(least: list[int], wanted: list[int], total: int) -> list[int]:
    """Widths for a table whose longest words cannot all fit: the first column (the
    labels of a table of labels and values) keeps its longest word if it can, the
    others share the rest by their longest words and hyphenate what still does not fit."""
    if len(least) > 1 and least[0] < total // 2:
        rest = _scaled(least[1:], total - least[0])
        return [least[0], *rest]
    return _scaled(least, total)


def _stacked(rows: Sequence[Sequence[str]], total: int, header_rows: int, points: float) -> Layout:
    labels = [text for row in rows[:header_rows] for text in row]
    label_least = max(
        (text_twips(word, bold=True, points=points) for text in labels for word in words(text)),
        default=0,
    )
    label_wanted = max((text_twips(text, bold=True, points=points) for text in labels), default=0)
    label = min(max(label_least, label_wanted) + _CELL_MARGINS, total * 2 // 5)
    label = max(label, min(label_least + _CELL_MARGINS, total // 2))
    return Layout([label, total - label], stacked=True)


def _scaled(weights: Sequence[int], total: int, floor: Sequence[int] = ()) -> list[int]:
    """``weights`` scaled to integers that sum to exactly ``total`` (none below ``floor``)."""
    weight = sum(weights) or len(weights)
    widths = [total * (value or (0 if sum(weights) else 1)) // weight for value in weights]
    if floor:
        widths = [max(width, low) for width, low in zip(widths, floor, strict=True)]
    widths[widths.index(max(widths))] += total - sum(widths)
    return widths


def hyphenation_points(word: str) -> list[int]:
    """Where ``word`` may be hyphenated: the joints of a compound after a linking s
    where the dictionary has them ("arbetsmarknads|förvaltningen"), else the
    dictionary's syllable points; never closer than three letters to either end."""
    points = [int(p) for p in _dictionary().positions(word) if 3 <= p <= len(word) - 3]
    joints = [p for p in points if word[p - 1] == "s" and word[p - 2] not in "s-" and p >= 4]
    return joints or points


def hyphenated_text(text: str, room: int, *, bold: bool = False, points: float = 11) -> str:
    """``text`` with soft hyphens in each piece (see :func:`words`) wider than ``room``."""
    return " ".join(
        "".join(hyphenated(piece, room, bold=bold, points=points) for piece in _pieces(word))
        for word in text.split(" ")
    )


def _pieces(word: str) -> list[str]:
    return words(word) if word.strip() else [word]


def hyphenated(word: str, room: int, *, bold: bool = False, points: float = 11) -> str:
    """``word`` with soft hyphens (U+00AD) where it may break, if it is wider than
    ``room`` twips; else ``word`` unchanged."""
    if text_twips(word, bold=bold, points=points) <= room:
        return word
    breaks = hyphenation_points(word)
    if not breaks:
        return word
    parts: list[str] = []
    start = 0
    for point in breaks:
        parts.append(word[start:point])
        start = point
    parts.append(word[start:])
    return "\u00ad".join(parts)


@lru_cache(maxsize=1)
def _dictionary() -> pyphen.Pyphen:
    import pyphen

    return pyphen.Pyphen(lang="sv_SE")
