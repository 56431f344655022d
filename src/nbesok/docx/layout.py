"""Column widths from what the columns hold.

Equal columns split long words: "Bildningsnämnd|en" in a narrow Ansvarig column, with
room to spare in a date column beside it, and text search in the PDF no longer finds
the word. So each column gets at least the width of its longest word, and the room
left goes to the columns whose text is longest (Punkt, not Senast or Status).

Widths are estimated from the characters (Arial's proportions at the table text's
size), which is close enough to keep a word whole with a small margin; the reference's
real font is not measured.
"""

from __future__ import annotations

from collections.abc import Sequence

# Width classes of Arial's characters, in em, and twips per cell for its margins.
_NARROW = frozenset("iIjlftr!.,;:'|()[]{} ")
_WIDE = frozenset("mwMW@%")
_CELL_MARGINS = 2 * 108 + 60  # the cell's left and right margins, and a little air
_BOLD = 1.08  # headers are bold


def text_twips(text: str, *, bold: bool = False, points: float = 11) -> int:
    """About how wide ``text`` is on one line at ``points`` size, in twips."""
    em = 0.0
    for char in text:
        if char in _NARROW:
            em += 0.3
        elif char in _WIDE:
            em += 0.86
        elif char.isupper():
            em += 0.7
        else:
            em += 0.57
    return round(em * points * 20 * (_BOLD if bold else 1.0))


def column_widths(
    rows: Sequence[Sequence[str]],
    total: int,
    *,
    header_rows: int = 0,
    header_columns: int = 0,
    points: float = 11,
) -> list[int]:
    """Widths in twips for a table of ``rows`` of cell texts, summing to ``total``.

    Every column is at least as wide as its longest word; the rest of ``total`` is
    shared out by how much more each column would need to show its longest text on
    one line. Header rows (the first ``header_rows``) and header columns are bold;
    ``points`` is the table text's size.
    """
    columns = max((len(row) for row in rows), default=1)
    least = [0] * columns
    wanted = [0] * columns
    measured: list[list[int]] = []
    for number, row in enumerate(rows):
        widths: list[int] = []
        for column, text in enumerate(row):
            bold = number < header_rows or column < header_columns
            words = text.split() or [""]
            longest = max(text_twips(word, bold=bold, points=points) for word in words)
            least[column] = max(least[column], longest + _CELL_MARGINS)
            widths.append(text_twips(text, bold=bold, points=points) + _CELL_MARGINS)
            wanted[column] = max(wanted[column], widths[-1])
        measured.append(widths)
    if sum(least) >= total:
        # Even the longest words do not fit side by side: share by them.
        return _scaled(least, total)
    room = total - sum(least)
    if sum(wanted) <= total:
        # Everything fits on one line: give the spare room by what the columns hold.
        return _scaled(wanted, total)
    # The room goes where text would wrap most: summed over the rows, so that a column
    # of long texts (Punkt) gets it rather than one long name (Ansvarig).
    overflow = [
        sum(max(row[column] - least[column], 0) for row in measured if column < len(row))
        for column in range(columns)
    ]
    shares = _scaled(overflow, room)
    return [low + share for low, share in zip(least, shares, strict=True)]


def _scaled(weights: Sequence[int], total: int) -> list[int]:
    """``weights`` scaled to integers that sum to exactly ``total``."""
    weight = sum(weights) or len(weights)
    widths = [total * (value or (0 if sum(weights) else 1)) // weight for value in weights]
    widths[widths.index(max(widths))] += total - sum(widths)
    return widths
