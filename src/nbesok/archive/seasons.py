"""Seasons: the dates a protocol covers, and the visits of a period.

A protocol covers the dates in ``gäller_från``/``gäller_till`` when it gives them;
otherwise its ``period`` says: ``"2024"`` is that calendar year and ``"2018/19"`` runs
from 1 July 2018 to 30 June 2019, as municipal seasons do. ``report --period`` takes
the same words and selects visits by their ``besöksdatum``, whatever their protocol.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_YEAR = re.compile(r"^\s*(\d{4})\s*$")
_SEASON = re.compile(r"^\s*(\d{4})\s*/\s*(\d{2}|\d{4})\s*$")
PERIOD_HINT = "skriv ett år som 2024 eller en säsong som 2018/19 (1 juli–30 juni)"


@dataclass(frozen=True)
class Season:
    """A span of dates, both ends included, and the words it was given in."""

    name: str
    first: date
    last: date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.first <= day <= self.last

    def describe(self) -> str:
        """``2023`` or ``2018/19``, or the dates when they are not a year or a season."""
        return self.name or f"{self.first.isoformat()}–{self.last.isoformat()}"


def parse_period(text: str) -> Season | None:
    """``"2024"`` → that year; ``"2018/19"`` (or ``2018/2019``) → 1 July to 30 June.

    The season's name is always written the short way, ``2018/19``.
    """
    year = _YEAR.match(text)
    if year:
        number = int(year.group(1))
        return Season(text.strip(), date(number, 1, 1), date(number, 12, 31))
    season = _SEASON.match(text)
    if season:
        start = int(season.group(1))
        end = int(season.group(2))
        following = start + 1
        if end in (following, following % 100):
            # One name per season, whichever way it was written: "2018/2019" is "2018/19".
            name = f"{start}/{following % 100:02d}"
            return Season(name, date(start, 7, 1), date(following, 6, 30))
    return None


def protocol_season(period: str, first: date | None, last: date | None) -> Season | None:
    """What a protocol covers: its own dates where it gives them, else its period's.

    None when neither says (a period that is not a year or a season, and no dates).
    """
    from_period = parse_period(period)
    if first is not None and last is not None:
        return Season(period.strip(), first, last)
    if from_period is None:
        return None
    return Season(from_period.name, first or from_period.first, last or from_period.last)
