"""Find Swedish personal identity and coordination numbers in a visit's free text.

Visit protocols are public records (allmän handling) and must not carry
personnummer or samordningsnummer. A candidate is reported only if its date exists
(day + 60 for a samordningsnummer) and its Luhn check digit is right, so dates,
phone numbers and ordinary figures pass.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from nbesok.errors import Finding, Severity, finding
from nbesok.yamlfile import KeyPath, YamlDocument, format_keypath

# Digits not glued to other digits: YYMMDD-NNNN, YYMMDD+NNNN, YYYYMMDD-NNNN, and bare
# runs of 10 or 12 digits.
_CANDIDATE = re.compile(
    r"(?<![\d-])(?:(?P<century>\d{2})?(?P<date>\d{6})(?P<sep>[-+])(?P<tail>\d{4})"
    r"|(?P<bare>\d{10}|\d{12}))(?![\d])"
)


@dataclass(frozen=True)
class Match:
    text: str
    start: int
    kind: str  # "personnummer", "samordningsnummer" or "möjligt personnummer"


def luhn_ok(digits: str) -> bool:
    """The Luhn check over the ten digits YYMMDDNNNN (the last one is the check digit)."""
    total = 0
    for index, char in enumerate(digits):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return total % 10 == 0


def _date_ok(century: str | None, yymmdd: str) -> tuple[bool, bool]:
    """(the date exists, it is a samordningsnummer)."""
    year, month, day = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:])
    coordination = day > 60
    if coordination:
        day -= 60
    if not 1 <= month <= 12 or day < 1:
        return False, coordination
    years = [int(century) * 100 + year] if century else [1900 + year, 2000 + year]
    return any(day <= calendar.monthrange(y, month)[1] for y in years), coordination


# Every candidate has six digits in a row; most texts have none, and this test is far
# cheaper than the full pattern with its look-behind at every position.
_SIX_DIGITS = re.compile(r"\d{6}")


def find_numbers(text: str) -> Iterator[Match]:
    if not _SIX_DIGITS.search(text):
        return
    for candidate in _CANDIDATE.finditer(text):
        if candidate["bare"]:
            digits = candidate["bare"]
            century = digits[:2] if len(digits) == 12 else None
            yymmdd, tail = digits[-10:-4], digits[-4:]
        else:
            century, yymmdd, tail = candidate["century"], candidate["date"], candidate["tail"]
        exists, coordination = _date_ok(century, yymmdd)
        if not exists or not luhn_ok(yymmdd + tail):
            continue
        if candidate["bare"]:
            kind = "möjligt personnummer"
        else:
            kind = "samordningsnummer" if coordination else "personnummer"
        yield Match(candidate.group(), candidate.start(), kind)


def _strings(value: Any, keypath: KeyPath) -> Iterator[tuple[KeyPath, str]]:
    if isinstance(value, str):
        yield keypath, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, (*keypath, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, (*keypath, index))


def personnummer_findings(document: YamlDocument, severity: Severity) -> list[Finding]:
    """Every personnummer-like number in the document's text values, located in the file."""
    lines = document.text.splitlines()
    findings = []
    for keypath, text in _strings(document.data, ()):
        for match in find_numbers(text):
            occurrence = text.count(match.text, 0, match.start)
            line, column = _locate(lines, match.text, document.position(keypath), occurrence)
            findings.append(
                finding(
                    document.path,
                    f"{match.kind} «{match.text}» i texten; protokoll är allmänna handlingar, "
                    "ta bort numret (eller använd --tillåt-personnummer om det måste stå kvar)",
                    line=line,
                    column=column,
                    key=format_keypath(keypath),
                    severity=severity,
                )
            )
    return findings


def _locate(
    lines: list[str], needle: str, start: tuple[int, int], occurrence: int
) -> tuple[int, int]:
    """The number's own line and column in the file.

    The value's text is not the file's (block scalars lose their indent, quoted ones
    their escapes), so the number is looked up in the file itself: its
    ``occurrence``-th appearance (counting from 0) at or after the value's start.
    """
    first_line, first_column = start
    seen = 0
    for number in range(first_line - 1, len(lines)):
        column = lines[number].find(needle, first_column - 1 if number == first_line - 1 else 0)
        while column >= 0:
            if seen == occurrence:
                return number + 1, column + 1
            seen += 1
            column = lines[number].find(needle, column + 1)
    return start
