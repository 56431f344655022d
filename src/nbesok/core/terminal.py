"""Text for the terminal: an aligned table whose last, long column runs free."""

from __future__ import annotations

from collections.abc import Sequence


def aligned_table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> list[str]:
    """The header, a rule of dashes and the rows, each column as wide as its widest
    cell; the last column is not padded, so a long text only makes its own line long."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header) - 1)]

    def line(row: tuple[str, ...]) -> str:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        return "  ".join([*cells, row[-1]]).rstrip()

    rule = (*("-" * width for width in widths), "-" * max(len(row[-1]) for row in [header, *rows]))
    return [line(header), line(rule), *map(line, rows)]
