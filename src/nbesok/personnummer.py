"""Find Swedish personal identity and coordination numbers in a visit's free text.

Visit protocols are public records (allmän handling) and must not carry
personnummer or samordningsnummer. A candidate is reported only if its date exists
(day + 60 for a samordningsnummer) and its Luhn check digit is right, so dates,
phone numbers and ordinary figures pass.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nbesok.errors import Finding, LoadError, Severity, finding
from nbesok.inputs import read_bounded
from nbesok.masks import blanked
from nbesok.yamlfile import KeyPath, YamlDocument, format_keypath

# The separators Word and keyboards put between date and serial: hyphen-minus, plus
# (100 years or older), Unicode's hyphens and dashes (Word turns "-" into an en dash),
# the minus sign, full-width forms, and spaces (also non-breaking).
SEPARATORS = "-+\u2010\u2011\u2012\u2013\u2014\u2212\ufe63\uff0b\uff0d \u00a0\u202f"
# Markdown markup that can stand between the digits in a source text and vanishes in the
# published document: `811228-*9874*`, `811228\-9874`, `**811228**9874`.
_MARKUP = r"[\\*_~`]{0,4}"
# Digits not glued to other digits: YYMMDD-NNNN, YYYYMMDD-NNNN with any separator above,
# and runs of 10 or 12 digits (also when only markup stands between date and serial).
_CANDIDATE = re.compile(
    rf"(?<!\d)(?:(?P<century>\d{{2}})?(?P<date>\d{{6}})"
    rf"(?:{_MARKUP}(?P<sep>[{SEPARATORS}]){_MARKUP}|(?P<glued>{_MARKUP}))(?P<tail>\d{{4}})"
    r"|(?P<bare>\d{10}|\d{12}))(?!\d)"
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
# nbesok's own content hashes (status blocks, a fastställd protocol): hexadecimal, where a
# run of digits that passes the Luhn check is chance, not a number anyone could read.
_CONTENT_HASH = re.compile(r"sha256:[0-9a-f]{64}(?![0-9a-f])")


def find_numbers(text: str) -> Iterator[Match]:
    if not _SIX_DIGITS.search(text):
        return
    if "sha256:" in text:  # blanked, so that positions stay where they were
        text = _CONTENT_HASH.sub(lambda found: " " * len(found.group()), text)
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
        if candidate["bare"] or candidate["sep"] is None:
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
        # A number in a masked passage is allowed: the mask keeps it out of the public
        # copy, and is the explicit permission for the internal one.
        for match in find_numbers(blanked(text)):
            occurrence = text.count(match.text, 0, match.start)
            line, column = _locate(lines, match.text, document.position(keypath), occurrence)
            findings.append(
                finding(
                    document.path,
                    _MESSAGE.format(kind=match.kind, text=match.text, where="i texten"),
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


_MESSAGE = (
    "{kind} ”{text}” {where}; protokoll är allmänna handlingar, ta bort numret (eller kör "
    "render och report med --tillåt-personnummer om det måste stå kvar)"
)


def name_findings(path: Path, severity: Severity) -> list[Finding]:
    """A number in a file name, which becomes the document's file name."""
    return [
        finding(
            path,
            _MESSAGE.format(kind=match.kind, text=match.text, where="i filnamnet"),
            severity=severity,
        )
        for match in find_numbers(path.stem)
    ]


def published_findings(
    texts: Iterable[str],
    sources: Sequence[Path],
    document: Path,
    *,
    allowed: frozenset[str] = frozenset(),
) -> list[Finding]:
    """Every number in the text of a document about to be published, located at its source.

    ``texts`` are the document's paragraphs, table cells, headers and properties as a
    reader sees them, after Markdown and Word have joined what markup split. Each
    number is looked up in ``sources`` (the YAML files and templates it was made from);
    one found nowhere is reported at ``document``. Numbers whose digits are in
    ``allowed`` (those of masked passages, in an internal copy) are not reported.
    """
    findings: dict[tuple[str, int, int, str], Finding] = {}
    for text in texts:
        for match in find_numbers(text):
            digits = re.sub(r"\D", "", match.text)
            if digits in allowed:
                continue
            place = _source_of(digits, sources)
            where = "i dokumentet" if place else "i dokumentet (ur mallen eller inställningarna)"
            path, line, column = place or (document, 0, 0)
            found = finding(
                path,
                _MESSAGE.format(kind=match.kind, text=match.text, where=where),
                line=line,
                column=column,
            )
            findings.setdefault((found.path, line, column, match.text), found)
    return list(findings.values())


_SOURCE_LIMIT = 4 * 1024 * 1024


def _unreadable(message: str) -> LoadError:
    return LoadError.at("", message)  # only caught: a source that cannot be read is skipped


def _source_of(digits: str, sources: Sequence[Path]) -> tuple[Path, int, int] | None:
    """The first place in ``sources`` where ``digits`` are written, markup or separators
    between them allowed."""
    pattern = re.compile(r"(?<!\d)" + r"[^\d\n]{0,6}".join(digits) + r"(?!\d)")
    for path in sources:
        try:
            data = read_bounded(path, _SOURCE_LIMIT, _unreadable)
        except LoadError:
            continue
        text = data.decode("utf-8", errors="replace")
        found = pattern.search(text)
        if found is not None:
            line_start = text.rfind("\n", 0, found.start()) + 1
            return path, text.count("\n", 0, found.start()) + 1, found.start() - line_start + 1
    return None
