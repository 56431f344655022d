"""List and heading numbers as Word shows them, counted from numbering.xml.

Word does not store the number of a numbered paragraph: it counts. Every paragraph
that points at a list (``w:numPr``: a ``w:num`` and a level) moves that list's
counter on, and the label is the level's ``w:lvlText`` (``%1.%2``) with the counters
in the level's format. Lists that share an abstract definition share their counters,
as in Word, unless a ``w:num`` restarts a level with ``w:startOverride``; a deeper
level starts again after a higher one. So a list that goes on after a paragraph keeps
counting (3, not 1), and a heading numbered by Word reads ”2.1 Syfte”.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from docx.oxml.ns import qn

_VAL = qn("w:val")
_LEVELS = 9
_ROMAN = (
    (1000, "m"),
    (900, "cm"),
    (500, "d"),
    (400, "cd"),
    (100, "c"),
    (90, "xc"),
    (50, "l"),
    (40, "xl"),
    (10, "x"),
    (9, "ix"),
    (5, "v"),
    (4, "iv"),
    (1, "i"),
)


@dataclass(frozen=True)
class Label:
    """The number Word shows before a paragraph."""

    format: str  # Word's numFmt: decimal, bullet, lowerLetter, …
    value: int  # this level's counter
    text: str  # the whole label as shown: "3.", "2.1", "a)", "•"

    @property
    def ordered(self) -> bool:
        return self.format not in ("bullet", "none", "")


@dataclass
class _Level:
    format: str = "decimal"
    start: int = 1
    text: str = ""


@dataclass
class _Num:
    abstract: str
    starts: dict[int, int] = field(default_factory=dict)  # startOverride per level
    levels: dict[int, _Level] = field(default_factory=dict)  # lvlOverride's own w:lvl


class Numbering:
    """Counts the numbered paragraphs of one document, in document order."""

    def __init__(self, root: Any) -> None:
        self._abstract: dict[str, dict[int, _Level]] = {}
        self._nums: dict[str, _Num] = {}
        self._counters: dict[str, list[int | None]] = {}
        self._restarted: set[tuple[str, int]] = set()
        if root is None:
            return
        for abstract in root.iterchildren(qn("w:abstractNum")):
            levels = {}
            for level in abstract.iterchildren(qn("w:lvl")):
                levels[_int(level.get(qn("w:ilvl")), 0)] = _level(level)
            self._abstract[abstract.get(qn("w:abstractNumId"), "")] = levels
        for num in root.iterchildren(qn("w:num")):
            abstract_id = num.find(qn("w:abstractNumId"))
            entry = _Num(abstract_id.get(_VAL, "") if abstract_id is not None else "")
            for override in num.iterchildren(qn("w:lvlOverride")):
                ilvl = _int(override.get(qn("w:ilvl")), 0)
                start = override.find(qn("w:startOverride"))
                if start is not None:
                    entry.starts[ilvl] = _int(start.get(_VAL), 1)
                own = override.find(qn("w:lvl"))
                if own is not None:
                    entry.levels[ilvl] = _level(own)
            self._nums[num.get(qn("w:numId"), "")] = entry

    def format(self, num_id: str, ilvl: int) -> str:
        """The numFmt of a list level, without counting ("" for an unknown list)."""
        level = self._level(num_id, ilvl)
        return level.format if level is not None else ""

    def next(self, num_id: str, ilvl: int) -> Label | None:
        """The label of the next paragraph of list ``num_id`` at level ``ilvl``."""
        num = self._nums.get(num_id)
        level = self._level(num_id, ilvl)
        if num is None or level is None:
            return None
        ilvl = max(0, min(ilvl, _LEVELS - 1))
        counters = self._counters.setdefault(num.abstract, [None] * _LEVELS)
        restart = ilvl in num.starts and (num_id, ilvl) not in self._restarted
        current = counters[ilvl]
        if restart:
            self._restarted.add((num_id, ilvl))
            counters[ilvl] = num.starts[ilvl]
        elif current is None:
            counters[ilvl] = level.start
        else:
            counters[ilvl] = current + 1
        for deeper in range(ilvl + 1, _LEVELS):
            counters[deeper] = None
        value = counters[ilvl] or 0
        return Label(level.format, value, self._text(num_id, level, counters))

    def _level(self, num_id: str, ilvl: int) -> _Level | None:
        num = self._nums.get(num_id)
        if num is None:
            return None
        if ilvl in num.levels:
            return num.levels[ilvl]
        return self._abstract.get(num.abstract, {}).get(ilvl)

    def _text(self, num_id: str, level: _Level, counters: list[int | None]) -> str:
        if level.format == "bullet":
            return level.text or "•"
        text = level.text
        for index in range(_LEVELS):
            placeholder = f"%{index + 1}"
            if placeholder in text:
                of_level = self._level(num_id, index) or level
                text = text.replace(placeholder, _formatted(counters[index] or 1, of_level.format))
        return text


def _level(element: Any) -> _Level:
    level = _Level()
    number_format = element.find(qn("w:numFmt"))
    if number_format is not None:
        level.format = number_format.get(_VAL, "decimal")
    start = element.find(qn("w:start"))
    if start is not None:
        level.start = _int(start.get(_VAL), 1)
    text = element.find(qn("w:lvlText"))
    level.text = text.get(_VAL, "") if text is not None else ""
    return level


def _formatted(value: int, number_format: str) -> str:
    if number_format in ("lowerLetter", "upperLetter"):
        letters = ""
        count = max(value, 1)
        while count:
            count, rest = divmod(count - 1, 26)
            letters = chr(ord("a") + rest) + letters
        return letters.upper() if number_format == "upperLetter" else letters
    if number_format in ("lowerRoman", "upperRoman"):
        roman = ""
        count = max(value, 1)
        for amount, numeral in _ROMAN:
            while count >= amount:
                roman += numeral
                count -= amount
        return roman.upper() if number_format == "upperRoman" else roman
    if number_format == "decimalZero":
        return f"{value:02d}"
    if number_format == "none":
        return ""
    return str(value)


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default
