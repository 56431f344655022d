"""What validate says about a visit's masks: their grounds, their syntax, and their use.

- A ground that is neither nbesok's nor the archive's (``sekretessgrunder``) is an
  error with the nearest known ground.
- Markup that looks like a mask but does not parse as one is an error: its words would
  reach the public copy as they stand.
- A word of a masked passage that also stands unmasked elsewhere in the visit (or in the
  protocol, which every document shows) makes the mask pointless: a warning where the
  word stands, since the public copy will not be written until it is masked there too.
- The masked passages of each visit are listed as one note: how many, on which grounds
  and under which keys. Never their words: the terminal is an outlet too.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from nbesok.archive.loading import Loaded
from nbesok.archive.masked_words import shown
from nbesok.archive.masks import blanked, has_masks, normalised, secret_terms, unreadable
from nbesok.archive.models import Protocol, Visit
from nbesok.archive.osl import PERSONAL_DATA, Grounds
from nbesok.archive.root import Archive
from nbesok.archive.secrecy import (
    Passage,
    archive_vocabulary,
    markdown_fields,
    passage_position,
    plain_fields,
    visit_passages,
)
from nbesok.archive.yamlfile import KeyPath, format_keypath
from nbesok.core.errors import Finding, Severity, finding


def mask_findings(loaded: Loaded[Visit], archive: Archive, protocol: Protocol) -> Iterator[Finding]:
    """Every finding about the masks of one visit (see the module's description)."""
    visit = loaded.model
    yield from _unreadable(loaded)
    passages = visit_passages(visit)
    if not passages:
        return
    try:
        grounds = Grounds.of(archive.settings.grounds)
    except Exception:  # a broken nbesok.yaml is reported on its own
        grounds = Grounds.of()
    for passage in passages:
        problem = grounds.problem(passage.found.ground)
        if problem is not None:
            yield _at(loaded, passage, problem, Severity.ERROR)
    yield from _pointless(loaded, passages, archive, protocol)
    yield _summary(loaded, passages)


def _at(loaded: Loaded[Visit], passage: Passage, message: str, severity: Severity) -> Finding:
    line, column = passage_position(loaded, passage)
    return finding(
        loaded.path,
        message,
        line=line,
        column=column,
        key=format_keypath(passage.keypath),
        severity=severity,
    )


_UNREADABLE = (
    "maskeringen går inte att läsa, så texten skulle stå kvar i den publika kopian; skriv "
    '[texten]{maskera="26 kap. 1 § OSL"} med raka citattecken, eller ett stycke mellan '
    '::: {maskera="26 kap. 1 § OSL"} och :::, och maskera en länk hel: '
    '[[text](https://…)]{maskera="…"}'
)


def _unreadable(loaded: Loaded[Visit]) -> Iterator[Finding]:
    fields = [(keypath, text, True) for keypath, text in plain_fields(loaded.model)]
    fields += [(keypath, text, False) for keypath, text in markdown_fields(loaded.model)]
    for keypath, text, plain in fields:
        if not has_masks(text):
            continue
        line = unreadable(text, plain=plain)
        if line is not None:
            where, column = _value_line(loaded, keypath, line)
            yield finding(
                loaded.path,
                _UNREADABLE,
                line=where,
                column=column,
                key=format_keypath(keypath),
            )


def _value_line(loaded: Loaded[Visit], keypath: KeyPath, line: int) -> tuple[int, int]:
    """The file's line and column of line ``line`` (0-based) of a value."""
    document = loaded.document
    if keypath[0] == "ledamöter" and (*keypath, "namn") in document.values:
        keypath = (*keypath, "namn")
    first, column = document.position(keypath)
    source = document.text.split("\n")[first - 1] if first else ""
    if source[column - 1 : column] in ("|", ">"):  # a block scalar starts below
        return first + 1 + line, 1
    return first + line, column if line == 0 else 1


def _pointless(
    loaded: Loaded[Visit], passages: list[Passage], archive: Archive, protocol: Protocol
) -> Iterator[Finding]:
    """A masked word that the public copy shows anyway, from the visit or the protocol."""
    vocabulary = archive_vocabulary(archive, [protocol])
    fields = [*plain_fields(loaded.model), *markdown_fields(loaded.model)]
    # One warning per passage and place: its whole text, or else its first word, found.
    reported: set[tuple[KeyPath, int, KeyPath | None]] = set()
    for passage in passages:
        for term in secret_terms(passage.found):
            key: tuple[KeyPath, int, KeyPath | None]
            if vocabulary.knows(term):
                key = (passage.keypath, passage.found.line, None)
                if key not in reported:
                    reported.add(key)
                    yield _at(
                        loaded,
                        passage,
                        f"”{shown(term)}” ur den maskerade uppgiften står också i protokollet "
                        "eller i nbesok.yaml, som alla dokument visar; maskeringen döljer det "
                        "inte",
                        Severity.WARNING,
                    )
                continue
            pattern = _term_pattern(term)
            for keypath, text in fields:
                for found in pattern.finditer(blanked(text)):
                    key = (passage.keypath, passage.found.line, keypath)
                    if key in reported:
                        continue
                    reported.add(key)
                    offset = found.start()
                    line, column = _value_line(loaded, keypath, text.count("\n", 0, offset))
                    yield finding(
                        loaded.path,
                        f"”{shown(term)}” ur den maskerade uppgiften i "
                        f"{format_keypath(passage.keypath)} står här omaskerat, så maskeringen "
                        "döljer det inte; maskera det också här (den publika kopian skrivs "
                        "inte så länge det står kvar)",
                        line=line,
                        column=_column(loaded, line, found.group(), column),
                        key=format_keypath(keypath),
                        severity=Severity.WARNING,
                    )


def _term_pattern(term: str) -> re.Pattern[str]:
    words = r"\s+".join(re.escape(word) for word in normalised(term).split())
    return re.compile(rf"(?<!\w){words}(?::?s)?(?!\w)", re.IGNORECASE)


def _column(loaded: Loaded[Visit], line: int, text: str, fallback: int) -> int:
    source = loaded.document.text.split("\n")
    if 0 < line <= len(source):
        index = source[line - 1].casefold().find(text.casefold())
        if index >= 0:
            return index + 1
    return fallback


def _summary(loaded: Loaded[Visit], passages: list[Passage]) -> Finding:
    grounds = Counter(passage.found.ground for passage in passages)
    count = len(passages)

    def kind(ground: str, number: int) -> str:
        if ground != PERSONAL_DATA:
            return f"enligt {ground}"
        return "personuppgift" if number == 1 else "personuppgifter"

    named = ", ".join(
        f"{number} {kind(ground, number)}" for ground, number in sorted(grounds.items())
    )
    keys = ", ".join(dict.fromkeys(format_keypath(passage.keypath) for passage in passages))
    noun = "maskerad uppgift" if count == 1 else "maskerade uppgifter"
    return finding(
        loaded.path,
        f"{count} {noun} ({named}) i {keys}; de tas bort i den publika kopian (--publik)",
        line=1,
        column=1,
        severity=Severity.NOTE,
    )
