"""The text of a new visit file, with each question as a comment above its answer.

``nbesok new`` and ``nbesok import`` both write it.

A verksamhet visited before gets the items still open from its earlier visits, each
marked ``från:`` with the visit it comes from, so nothing promised is forgotten.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from nbesok.archive.items import Tracked, load_visit_files, open_items_before, visits_to
from nbesok.archive.masks import has_masks, without_masks
from nbesok.archive.models import Protocol, Review
from nbesok.archive.root import SCHEMAS, Archive
from nbesok.archive.yamlfile import ILLEGAL_RAW, character_message
from nbesok.core.errors import Finding, UsageError
from nbesok.core.names import slugify


def visit_path(archive: Archive, operation: str, visit_date: date) -> Path:
    bad = ILLEGAL_RAW.search(operation)
    if bad is not None:
        # Usually a terminal escape or a web page's line separator pasted along with the
        # name; validate would refuse the file that new had just written.
        raise UsageError.at("--verksamhet", character_message(bad.group(), "i namnet"))
    # A masked verksamhet is no part of the file's name, which lists and messages show.
    slug = slugify(without_masks(operation)) if has_masks(operation) else slugify(operation)
    if has_masks(operation) and not slug:
        slug = "besok"
    if not slug:
        raise UsageError.at(
            "--verksamhet",
            f"”{operation}” ger inget filnamn; verksamheten behöver bokstäver eller siffror",
        )
    return archive.visits_dir / f"{visit_date.isoformat()}-{slug}.yaml"


@dataclass
class Filled:
    """What an imported document already says; the scaffold writes it in place."""

    source: str  # the document's file name
    website: str = ""
    case_number: str = ""
    # "Namn (PARTI)", or the long form when the document names the group
    members: list[str | dict[str, str]] = field(default_factory=list)
    officials: list[str] = field(default_factory=list)
    answers: dict[str, str] = field(default_factory=dict)
    summary: str = ""
    items: list[dict[str, str]] = field(default_factory=list)
    unplaced: list[tuple[int, str]] = field(default_factory=list)  # (paragraph, Markdown)
    review: Review | None = None  # the review of a fastställd protocol, kept on import


def scaffold_text(
    protocol_id: str,
    protocol: Protocol,
    operation: str,
    visit_date: date,
    *,
    committee: str = "",
    carried: list[Tracked] | None = None,
    filled: Filled | None = None,
) -> str:
    """The YAML of a new visit: valid, with only unanswered questions left to fill in.

    ``committee`` is the suggested ``ansvarig`` of new items; ``carried`` are the open
    items of earlier visits to the same verksamhet; ``filled`` what a Word document
    already answered.
    """
    done = filled or Filled("")
    source = _one_line(done.source)
    origin = (
        f"# Importerad ur {source} med ”nbesok import”; läs igenom svaren."
        if filled
        else "# Fyll i deltagarna och svaren; kontrollera med ”nbesok validate”."
    )
    lines = [
        f"# yaml-language-server: $schema=../{SCHEMAS}/besok.schema.json",
        f"# Besök enligt protokollet ”{protocol_id}” ({protocol.title}).",
        origin,
        f"protokoll: {protocol_id}",
        f"verksamhet: {_quoted(operation)}",
        f"besöksdatum: {visit_date.isoformat()}",
        f"hemsida: {_quoted(done.website)}"
        if done.website
        else "hemsida:          # verksamhetens webbsida, https://…",
        f"diarienummer: {_quoted(done.case_number)}" if done.case_number else "diarienummer:",
        *_names("ledamöter", done.members, "en per rad: - Förnamn Efternamn (S)"),
        *_names("tjänstepersoner", done.officials, "en per rad: - Förnamn Efternamn"),
        "svar:",
    ]
    for section in protocol.sections:
        if not section.questions:
            continue
        lines.append(f"  # ── {section.heading}")
        for question in section.questions:
            lines.append("  #")
            lines.extend(_comment(f"Fråga: {question.question}"))
            for follow_up in question.follow_ups:
                lines.extend(_comment(f"– {follow_up}"))
            if question.guidance:
                lines.extend(_comment(f"Hjälptext: {question.guidance.strip()}"))
            lines.append(f"  {question.id}: |")
            lines += _block(done.answers.get(question.id, ""), "    ")
    if done.summary:
        lines += ["sammanfattning: |", *_block(done.summary, "  ")]
    else:
        lines += [
            "# sammanfattning: |",
            "#   En kort sammanfattning för nämnden.",
        ]
    responsible = _quoted(committee) if committee else "Vem som ansvarar"
    example = [
        "  #   - punkt: Det som ska följas upp",
        f"  #     ansvarig: {responsible}",
        "  #     senast: ÅÅÅÅ-MM-DD",
        "  #     status: ej påbörjad   # ej påbörjad | påbörjad | klar",
    ]
    if done.items:
        lines.append("uppföljning:")
        for item in done.items:
            lines += [
                f"  - punkt: {_quoted(item['punkt'])}",
                f"    ansvarig: {_quoted(item['ansvarig'])}",
            ]
            if item.get("senast"):
                lines.append(f"    senast: {item['senast']}")
            if item.get("status"):
                lines.append(f"    status: {item['status']}")
    elif carried:
        lines += [
            "uppföljning:",
            "  # Öppna punkter från tidigare besök hos verksamheten. Uppdatera status och",
            "  # senast; ta inte bort en punkt som är klar, skriv status: klar.",
        ]
        for tracked in carried:
            lines += _item_lines(tracked)
        lines += ["  # Nya punkter från det här besöket:", *example]
    else:
        lines += ["# uppföljning:", *(line.replace("  #", "#", 1) for line in example)]
    if done.unplaced:
        numbers = ", ".join(str(number) for number in sorted({n for n, _ in done.unplaced if n}))
        lines += [
            f"# Text ur {source} som inte hör till någon fråga (stycke {numbers}).",
            "# Flytta den till rätt svar, eller ta bort den, och ta sedan bort oplacerat.",
            "oplacerat: |",
            *_block("\n".join(markdown for _, markdown in done.unplaced), "  "),
        ]
    text = "\n".join(lines) + "\n"
    if done.review is not None:
        from nbesok.archive.status_block import block_lines

        text += f"# Granskningen ur {done.source}: fastställt innehåll med kontrollsumma.\n"
        text += block_lines(done.review)
    return text


def _names(key: str, names: Sequence[str | dict[str, str]], hint: str) -> list[str]:
    if not names:
        return [f"{key}: []".ljust(19) + f" # {hint}"]
    return [f"{key}:", *(f"  - {_entry(name)}" for name in names)]


def _entry(name: str | dict[str, str]) -> str:
    if isinstance(name, str):
        return _quoted(name)
    return "{" + ", ".join(f"{key}: {_quoted(value)}" for key, value in name.items()) + "}"


def _one_line(text: str) -> str:
    """A file name as a YAML comment can hold it: a line break in it would end the
    comment and start keys of its own."""
    return " ".join(ILLEGAL_RAW.sub(" ", text).split())


def _block(markdown: str, indent: str) -> list[str]:
    """Markdown as the lines of a ``|`` block scalar, blank lines kept empty."""
    return [f"{indent}{line}" if line.strip() else "" for line in markdown.strip("\n").splitlines()]


def _item_lines(tracked: Tracked) -> list[str]:
    item = tracked.item
    lines = [
        f"  - punkt: {_quoted(item.item)}",
        f"    ansvarig: {_quoted(item.responsible)}",
    ]
    if item.due is not None:
        lines.append(f"    senast: {item.due.isoformat()}")
    lines += [
        f"    status: {item.status.value}",
        f"    från: {tracked.source.stem}   # besöket {tracked.visit.date.isoformat()}",
    ]
    return lines


def _comment(text: str) -> list[str]:
    wrapped: list[str] = []
    for paragraph in text.splitlines() or [""]:
        wrapped += textwrap.wrap(paragraph, 84) or [""]
    return [f"  # {line}".rstrip() for line in wrapped]


def _quoted(text: str) -> str:
    # A JSON string is a valid YAML double-quoted scalar, so any text survives.
    return json.dumps(text, ensure_ascii=False)


def carry_over(
    archive: Archive, operation: str, visit_date: date
) -> tuple[str, list[Tracked], list[Finding]]:
    """What a new visit to ``operation`` on ``visit_date`` takes from the archive: the
    name as the archive already writes it (so the visits count as one verksamhet), the
    items still open from its earlier visits, and the errors of files not readable."""
    target = visit_path(archive, operation, visit_date)
    visits, errors = load_visit_files([p for p in archive.visit_paths() if p != target], archive)
    earlier = visits_to(operation, visits)
    if earlier:
        operation = earlier[-1].visit.operation
    return operation, open_items_before(operation, visit_date, visits), errors
