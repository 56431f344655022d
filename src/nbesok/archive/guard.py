"""One guard on what nbesok publishes: the same rules on every outlet's text.

An outlet is whatever nbesok writes for people to read: the DOCX (every XML part:
body, headers and footers, properties, link targets), the ``.md``, the PDF (text,
annotations, metadata), the CSV and the terminal lines of ``followup`` and ``history``,
and the visit files ``import`` writes. Each outlet hands its texts to a :class:`Guard`
as ``(where, text)`` pairs, ``where`` saying in Swedish which part of the outlet the
text is (``i sidhuvudet``). Every rule reads each text as its reader would
(:mod:`nbesok.archive.readertext`), and what it finds is reported where it was written in the
inputs (a visit's line and column), or at the outlet if no input holds it.

A rule is small: it finds :class:`Hit` s in a text and words the message. Personnummer
is one rule (:data:`PERSONNUMMER`); another, such as masked words in a public copy,
plugs into the same outlets by being added to a guard's rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from nbesok.core.errors import Finding, LoadError, RenderError, finding
from nbesok.core.inputs import read_bounded

# A published text as (where, text): "i sidhuvudet", and the header's text. The rules
# read these; nbesok.documents.outlets reads them from each file nbesok writes.
Published = tuple[str, str]


@dataclass(frozen=True)
class Hit:
    """Something a rule forbids, found in a published text."""

    kind: str  # what it is, for the message: "personnummer"
    shown: str  # how a message names it, never the whole secret: "811228-XXXX"
    key: str  # how an allowance names it: the ten digits of a personnummer
    pattern: str  # a regular expression that finds it in an input file as it was written


class Rule(Protocol):
    """What must not be published."""

    def hits(self, text: str) -> Iterable[Hit]: ...

    def message(self, hit: Hit, where: str, source: Path | None) -> str:
        """What to say of ``hit`` found ``where``, written in ``source`` (None: in no
        input nbesok can see)."""
        ...


class _Personnummer:
    """No personnummer or samordningsnummer (:mod:`nbesok.archive.personnummer`)."""

    def hits(self, text: str) -> tuple[Hit, ...]:
        return _personnummer_hits(text)

    def message(self, hit: Hit, where: str, source: Path | None) -> str:
        from nbesok.archive.personnummer import ADVICE, ADVICE_ELSEWHERE, message

        # Only a visit can allow a number (tillåtna_personnummer).
        in_visit = source is not None and source.parent.name == "visits"
        return message(hit.kind, hit.shown, where, ADVICE if in_visit else ADVICE_ELSEWHERE)


# Every document of a run has the reference's styles, theme and fonts: read once.
@lru_cache(maxsize=256)
def _personnummer_hits(text: str) -> tuple[Hit, ...]:
    from nbesok.archive.personnummer import find_numbers

    return tuple(
        Hit(
            match.kind,
            match.shown,
            match.digits,
            _digits_pattern(match.digits, backwards=match.backwards),
        )
        for match in find_numbers(text)
    )


def _digits_pattern(digits: str, *, backwards: bool = False) -> str:
    """Where a number's ten digits stand in a file: in order, with a little of anything
    but digits between them (markup, an invisible character, an escape such as the
    entity ``&#x2D;`` or YAML's ``\u200b``, whose own digits do not count) and more
    between the date and the serial (a line break and the next line's indent)."""
    escape = (
        r"&#?[0-9A-Za-z]{1,8};|%[0-9A-Fa-f]{2}"
        r"|\\(?:x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8})"
    )
    inside = rf"(?:{escape}|[^\d\n]){{0,12}}"
    between = rf"(?:{escape}|[^\d]){{0,48}}"
    if backwards:  # written in reverse for a right-to-left override to turn around
        return between.join(reversed(digits))
    date = inside.join(digits[:6])
    serial = inside.join(digits[6:])
    return rf"(?<!\d)(?:\d{inside}\d{inside})?{date}{between}{serial}(?!\d)"


PERSONNUMMER: Rule = _Personnummer()
RULES: tuple[Rule, ...] = (PERSONNUMMER,)

_SOURCE_LIMIT = 4 * 1024 * 1024


@dataclass
class Guard:
    """The rules, the files a published text is made from, and what they allow."""

    sources: Sequence[Path] = ()
    allowed: frozenset[str] = frozenset()
    rules: Sequence[Rule] = RULES
    # Said of a hit that none of the sources holds as written.
    unsourced: str = "ur mallen eller inställningarna"
    _read: dict[Path, str | None] = field(default_factory=dict, repr=False)

    def findings(self, texts: Iterable[Published], outlet: Path | str) -> list[Finding]:
        """What the rules find in ``texts`` of ``outlet``, each place once."""
        found: dict[tuple[str, int, int, str], Finding] = {}
        for where, text in texts:
            for rule in self.rules:
                for hit in rule.hits(text):
                    if hit.key in self.allowed:
                        continue
                    place = self._source_of(hit)
                    source: Path | None = None
                    if place is None:
                        path, line, column = outlet, 0, 0
                        said = f"{where} ({self.unsourced})"
                    else:
                        source, line, column = place
                        path = source
                        said = where
                    made = finding(path, rule.message(hit, said, source), line=line, column=column)
                    found.setdefault((made.path, line, column, hit.shown), made)
        return list(found.values())

    def check(self, texts: Iterable[Published], outlet: Path | str) -> None:
        """Raise :class:`RenderError` with the findings, if there are any."""
        findings = self.findings(texts, outlet)
        if findings:
            raise RenderError(findings)

    def _source_of(self, hit: Hit) -> tuple[Path, int, int] | None:
        """The first place in the sources where the hit is written."""
        pattern = re.compile(hit.pattern)
        for path in self.sources:
            text = self._text(path)
            found = pattern.search(text) if text is not None else None
            if text is not None and found is not None:
                line_start = text.rfind("\n", 0, found.start()) + 1
                line = text.count("\n", 0, found.start()) + 1
                return path, line, found.start() - line_start + 1
        return None

    def _text(self, path: Path) -> str | None:
        if path not in self._read:
            try:
                data = read_bounded(path, _SOURCE_LIMIT, _unreadable)
            except LoadError:
                self._read[path] = None  # a source that cannot be read is skipped
            else:
                self._read[path] = data.decode("utf-8", errors="replace")
        return self._read[path]


def _unreadable(message: str) -> LoadError:
    return LoadError.at("", message)  # only caught
