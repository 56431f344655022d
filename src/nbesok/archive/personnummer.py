"""Swedish personal identity and coordination numbers, as a reader of a text sees them.

Visit protocols are public records (allmän handling) and must not carry personnummer or
samordningsnummer. A number is looked for in the text a reader sees
(:mod:`nbesok.archive.readertext`: every dash and space kind folded, invisible characters
dropped, entities decoded), with any short run of spaces, dashes, line breaks and
Markdown or HTML markup between the date and the serial. It is reported only if its
date exists (day + 60 for a samordningsnummer) and its Luhn check digit is right, so
dates, phone numbers and diarienummer pass.

Messages never repeat a number whole: the serial is shown as XXXX, so a finding in a
terminal or a CI log does not publish what it warns about.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nbesok.archive.masks import blanked
from nbesok.archive.readertext import may_change, reader_map, reader_text
from nbesok.archive.yamlfile import KeyPath, YamlDocument, format_keypath
from nbesok.core.errors import Finding, Severity, finding

# The visit's own list of numbers that may stand in its documents.
ALLOWED_KEY = "tillåtna_personnummer"

# What may stand between the date and the serial in a reader's text: spaces (tabs and
# line breaks are spaces by then), dashes and pluses, Markdown markup and HTML tags.
_GAP_ITEM = r"(?:[ +\-\\*_~`]|<[^<>]{0,40}>)"
# A twelve-digit number's century is 18, 19 or 20: no other is a person's, and the
# restriction keeps a UUID's all-digit "19811228-9874-…" segments from counting.
_CANDIDATE = re.compile(
    rf"(?<!\d)(?P<century>1[89]|20)?(?P<date>\d{{6}})(?P<gap>{_GAP_ITEM}{{0,16}})"
    rf"(?P<tail>\d{{4}})(?!\d)"
)
_MARKUP = re.compile(r"<[^<>]*>|[\\*_~`]")
# A right-to-left override shows the digits after it in reverse order.
_REVERSING = "\u202e"
# Every candidate has six digits in a row in the reader's text.
_SIX_DIGITS = re.compile(r"\d{6}")


@dataclass(frozen=True)
class Match:
    """A number found in a text: where it was written and how a reader sees it."""

    start: int  # the span of the original text it was written in
    end: int
    kind: str  # "personnummer", "samordningsnummer" or "möjligt personnummer"
    text: str  # as a reader sees it: 811228-9874
    digits: str  # the ten digits ÅÅMMDDNNNN, how an allowance names the number
    backwards: bool = False  # written in reverse, shown right-to-left by an override

    @property
    def shown(self) -> str:
        """The number for a message: the serial masked, 811228-XXXX."""
        return self.text[:-4] + "XXXX"


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


def _candidates(seen: str) -> Iterator[tuple[re.Match[str], str, str]]:
    """Valid numbers in a reader's text: the match, its kind and how it reads."""
    for candidate in _CANDIDATE.finditer(seen):
        century, date, tail = candidate["century"], candidate["date"], candidate["tail"]
        exists, coordination = _date_ok(century, date)
        if not exists or not luhn_ok(date + tail):
            continue
        gap = _MARKUP.sub("", candidate["gap"])
        separator = next((mark for mark in "+- " if mark in gap), "")
        if not separator:
            kind = "möjligt personnummer"
        else:
            kind = "samordningsnummer" if coordination else "personnummer"
        yield candidate, kind, f"{century or ''}{date}{separator}{tail}"


# nbesok's own content hashes (status blocks, a fastställd protocol): hexadecimal, where a
# run of digits that passes the Luhn check is chance, not a number anyone could read.
_CONTENT_HASH = re.compile(r"sha256:[0-9a-f]{64}(?![0-9a-f])")


def find_numbers(text: str) -> Iterator[Match]:
    """Every personnummer or samordningsnummer a reader of ``text`` would see."""
    if not _SIX_DIGITS.search(text) and not may_change(text):
        return
    if "sha256:" in text:  # blanked, so that positions stay where they were
        text = _CONTENT_HASH.sub(lambda found: " " * len(found.group()), text)
    seen = reader_text(text)
    reversing = _REVERSING in text
    if not _SIX_DIGITS.search(seen) and not reversing:
        return
    found = list(_candidates(seen))
    backwards = list(_candidates(seen[::-1])) if reversing else []
    if not found and not backwards:
        return
    mapped, spans = reader_map(text)
    assert mapped == seen  # one rule, two ways of applying it
    for candidate, kind, shown in found:
        digits = candidate["date"] + candidate["tail"]
        start, end = spans[candidate.start()][0], spans[candidate.end() - 1][1]
        yield Match(start, end, kind, shown, digits)
    last = len(seen) - 1
    for candidate, kind, shown in backwards:
        digits = candidate["date"] + candidate["tail"]
        start, end = spans[last - (candidate.end() - 1)][0], spans[last - candidate.start()][1]
        yield Match(start, end, kind, shown, digits, backwards=True)


def number_digits(text: str) -> str | None:
    """The ten digits of ``text`` if it is one valid personnummer and nothing else."""
    matches = list(find_numbers(text))
    if len(matches) != 1 or text[: matches[0].start].strip() or text[matches[0].end :].strip():
        return None
    return matches[0].digits


def _strings(value: Any, keypath: KeyPath) -> Iterator[tuple[KeyPath, str]]:
    if isinstance(value, str):
        yield keypath, value
    elif isinstance(value, dict):
        for key, item in value.items():
            if keypath or key != ALLOWED_KEY:
                yield from _strings(item, (*keypath, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, (*keypath, index))


def value_texts(value: Any) -> Iterator[str]:
    """Every text in a parsed YAML value (a visit's data), but the visit's own list of
    allowed numbers."""
    return (text for _, text in _strings(value, ()))


def allowed_digits(numbers: Iterable[str]) -> frozenset[str]:
    """The ten digits of each number a visit allows (``tillåtna_personnummer``)."""
    return frozenset(digits for number in numbers if (digits := number_digits(number)))


ADVICE = (
    "protokoll är allmänna handlingar: ta bort numret, eller skriv det under "
    f"{ALLOWED_KEY} i besöksfilen om det måste stå kvar"
)
# Where no visit can allow it: a protocol, nbesok.yaml, a template.
ADVICE_ELSEWHERE = (
    "protokoll är allmänna handlingar: ta bort numret (eller kör render och report med "
    "--tillåt-personnummer om det måste stå kvar)"
)


def message(kind: str, shown: str, where: str, advice: str = ADVICE) -> str:
    return f"{kind} ”{shown}” {where}; {advice}"


def personnummer_findings(
    document: YamlDocument,
    severity: Severity,
    allowed: frozenset[str] = frozenset(),
    *,
    visit: bool = True,
) -> list[Finding]:
    """Every number a reader would see in the document's text values, located in the
    file; the ``allowed`` ones (ten digits each) are left out. Only a ``visit`` can
    allow a number, and only its messages say how."""
    advice = ADVICE if visit else ADVICE_ELSEWHERE
    lines = document.text.split("\n")
    findings = []
    for keypath, text in _strings(document.data, ()):
        for match in find_numbers(blanked(text)):
            # A number in a masked passage is allowed: the mask keeps it out of the
            # public copy, and is the explicit permission for the internal one.
            if match.digits in allowed:
                continue
            line, column = _locate(lines, text, match, document.position(keypath))
            findings.append(
                finding(
                    document.path,
                    message(match.kind, match.shown, "i texten", advice),
                    line=line,
                    column=column,
                    key=format_keypath(keypath),
                    severity=severity,
                )
            )
    return findings


def _locate(lines: list[str], text: str, match: Match, start: tuple[int, int]) -> tuple[int, int]:
    """The number's own line and column in the file.

    The value's text is not the file's (block scalars lose their indent, quoted ones
    their escapes), so the number's leading digits are looked up in the file itself:
    their n-th appearance at or after the value's start, n counted in the value. The
    value's start if they cannot be found.
    """
    written = text[match.start : match.end]
    # Its leading digits are written as they are, whatever an escape did to the rest.
    leading = re.match(r"\d+", written)
    needle = leading.group() if leading else written.split("\n")[0]
    occurrence = text.count(needle, 0, match.start)
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


def name_findings(path: Path, severity: Severity) -> list[Finding]:
    """A number in a file name, which becomes the document's file name."""
    advice = "protokoll är allmänna handlingar: byt namn på filen (dokumenten får dess namn)"
    return [
        finding(path, message(match.kind, match.shown, "i filnamnet", advice), severity=severity)
        for match in find_numbers(path.stem)
    ]


def proposal_findings(proposals: Iterable[str]) -> list[Finding]:
    """A number in a ``--förslag`` given on the command line."""
    return [
        finding(
            "--förslag",
            message(
                match.kind,
                match.shown,
                "i förslaget",
                "protokoll är allmänna handlingar: ta bort numret (eller använd "
                "--tillåt-personnummer om det måste stå kvar)",
            ),
        )
        for text in proposals
        for match in find_numbers(text)
    ]
