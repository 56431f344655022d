"""The secrecy of a document: which passages of its visits are masked, who marks them
when, and what the public copy is called.

A document is made once, from one Markdown text; the internal copy shows the masked
passages marked, the public copy leaves them out (nbesok.documents.redaction). This module holds
what both need from the archive: each masked passage with the place it was written
(for messages) and what of it the public copy must never contain (for the guard,
nbesok.archive.masked_words), the sekretessmarkering's date and authority, and a file name
for the public copy that carries no masked value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from nbesok.archive.loading import Loaded
from nbesok.archive.masks import (
    Found,
    Vocabulary,
    field_masks,
    has_masks,
    secret_terms,
    value_masks,
    vocabulary_of,
)
from nbesok.archive.models import Protocol, Visit
from nbesok.archive.osl import Grounds
from nbesok.archive.root import Archive
from nbesok.archive.yamlfile import KeyPath, format_keypath
from nbesok.core.names import PUBLIC_SUFFIX as PUBLIC_SUFFIX  # re-exported
from nbesok.core.names import slugify


@dataclass(frozen=True)
class Passage:
    """A masked passage of a visit and the key it is written under."""

    keypath: KeyPath
    found: Found
    markdown: bool  # a Markdown value (answer, summary); else a plain field


def plain_fields(visit: Visit) -> Iterator[tuple[KeyPath, str]]:
    """The plain texts of a visit that its documents show: header fields, names and
    follow-up items."""
    yield ("verksamhet",), visit.operation
    if visit.website:
        yield ("hemsida",), visit.website
    if visit.case_number:
        yield ("diarienummer",), visit.case_number
    for number, member in enumerate(visit.members):
        yield ("ledamöter", number), member.name
    for number, official in enumerate(visit.officials):
        yield ("tjänstepersoner", number), official
    for number, item in enumerate(visit.follow_up):
        yield ("uppföljning", number, "punkt"), item.item
        yield ("uppföljning", number, "ansvarig"), item.responsible


def markdown_fields(visit: Visit) -> Iterator[tuple[KeyPath, str]]:
    """The Markdown texts of a visit that its documents show."""
    for answer_id, answer in visit.answers.items():
        if answer:
            yield ("svar", answer_id), answer
    if visit.summary:
        yield ("sammanfattning",), visit.summary


def visit_passages(visit: Visit) -> list[Passage]:
    """Every masked passage the visit's documents would show, in the file's order."""
    passages = [
        Passage(keypath, found, markdown=False)
        for keypath, text in plain_fields(visit)
        if has_masks(text)
        for found in field_masks(text)
    ]
    passages += [
        Passage(keypath, found, markdown=True)
        for keypath, text in markdown_fields(visit)
        for found in value_masks(text)
    ]
    return passages


def passage_position(loaded: Loaded[Visit], passage: Passage) -> tuple[int, int]:
    """Line and column of a passage in the visit file: the value's, and in a Markdown
    value the line the passage starts on."""
    document = loaded.document
    keypath = passage.keypath
    if keypath[0] == "ledamöter" and (*keypath, "namn") in document.values:
        keypath = (*keypath, "namn")
    line, column = document.position(keypath)
    if not passage.markdown:
        return line, column
    source_line = document.text.split("\n")[line - 1] if line else ""
    # A block scalar (| or >) starts on the line after its indicator.
    first = line + 1 if source_line[column - 1 : column] in ("|", ">") else line
    if first != line:
        return first + passage.found.line, 1
    return line + passage.found.line, column


@dataclass(frozen=True)
class Secret:
    """A masked passage as the guard on the public copy looks for it: what must not be
    seen (``terms``, normalised), and where the passage is written."""

    source: Path
    line: int
    column: int
    key: str
    ground: str
    terms: tuple[str, ...]


def visit_secrets(loaded: Loaded[Visit], vocabulary: Vocabulary | None = None) -> list[Secret]:
    """Every masked passage of a visit with its place in the file and its terms."""
    vocabulary = vocabulary or Vocabulary()
    secrets: list[Secret] = []
    for passage in visit_passages(loaded.model):
        line, column = passage_position(loaded, passage)
        terms = tuple(secret_terms(passage.found, vocabulary))
        secrets.append(
            Secret(
                loaded.path,
                line,
                column,
                format_keypath(passage.keypath),
                passage.found.ground,
                terms,
            )
        )
    return secrets


def archive_vocabulary(archive: Archive, protocols: Iterable[Protocol]) -> Vocabulary:
    """What every document of the archive shows whatever a visit says: its protocols'
    texts and its settings. A masked word that is also one of these is no secret the
    public copy could give away (the sekretessmarkering names the authority, too)."""
    texts: list[str | None] = []
    for protocol in protocols:
        texts += [protocol.title, protocol.committee, protocol.period, protocol.introduction]
        texts += protocol.documents
        texts += list(protocol.labels.model_dump().values())
        for section in protocol.sections:
            texts += [section.heading, section.text]
            for question in section.questions:
                texts += [question.question, question.guidance, *question.follow_ups]
    try:
        settings = archive.settings
    except Exception:  # a broken nbesok.yaml is reported on its own
        settings = None
    if settings is not None:
        texts += [settings.municipality, settings.administration, settings.committee]
        texts += settings.proposals
    return vocabulary_of(texts)


@dataclass(frozen=True)
class Secrecy:
    """What a document's two copies need: its sources' masked passages, the grounds'
    descriptions, the sekretessmarkering's date (the day the visit was fastställd, or
    the document's date; "" for an utkast) and authority, and the public copy's name."""

    secrets: tuple[Secret, ...] = ()
    grounds: Grounds = field(default_factory=Grounds.of)
    marked: str = ""
    authority: str = ""
    public_name: str = ""

    def terms(self) -> list[tuple[str, Secret]]:
        """Each term with the passage it comes from, longest first (so a message names
        the whole passage rather than one of its words)."""
        pairs = {(term, secret) for secret in self.secrets for term in secret.terms}
        return sorted(pairs, key=lambda pair: (-len(pair[0]), pair[1].line, pair[0]))

    def with_public_name(self, name: str) -> Secrecy:
        return replace(self, public_name=name)


def authority(archive: Archive, committees: Sequence[str]) -> str:
    """The authority that marks a document: its nämnd(er), of the municipality."""
    named = ", ".join(dict.fromkeys(name for name in committees if name))
    try:
        municipality = archive.settings.municipality or ""
    except Exception:  # reported by validate
        municipality = ""
    return ", ".join(part for part in (named, municipality) if part)


def leaks(name: str, secrets: Iterable[Secret]) -> bool:
    """Whether a file name shows a masked value: a term of a passage, as a file name
    writes it (``Gruppboendet Solrosen`` → ``gruppboendet-solrosen``)."""
    return leaked_ground(name, secrets) is not None


def leaked_ground(name: str, secrets: Iterable[Secret]) -> str | None:
    """The ground of the first passage whose term a file name shows, or None."""
    padded = f"-{slugify(name)}-"
    for secret in secrets:
        for term in secret.terms:
            slug = slugify(term)
            if slug and f"-{slug}-" in padded:
                return secret.ground
    return None


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def neutral_stem(path: Path, visit: Visit, secrets: Sequence[Secret]) -> str:
    """The name a visit's public documents go by: the file's own stem, or where that
    shows a masked value, ``<besöksdatum>-besok``, numbered among the visit files of
    the same date in the same folder (``2023-06-07-besok-2``)."""
    if not leaks(path.stem, secrets):
        return path.stem
    day = visit.date.isoformat()
    same_day = sorted(
        other.stem for other in path.parent.glob(f"{day}*.yaml") if other.stem != path.stem
    )
    if not same_day:
        return f"{day}-besok"
    ordinal = sorted([*same_day, path.stem]).index(path.stem) + 1
    return f"{day}-besok-{ordinal}"


def public_name(name: str, stems: dict[str, str]) -> str:
    """The public copy's file name: ``name`` with each visit's stem in it replaced by its
    neutral stem (``stems``, stem → neutral), and ``-publik`` after."""
    for stem, neutral in sorted(stems.items(), key=lambda pair: -len(pair[0])):
        if stem != neutral:
            name = name.replace(stem, neutral)
    return name + PUBLIC_SUFFIX
