"""``nbesok new``: a visit file to fill in, with each question as a comment above its answer."""

from __future__ import annotations

import json
import textwrap
from datetime import date
from pathlib import Path

from nbesok.archive import SCHEMAS, Archive
from nbesok.errors import UsageError
from nbesok.models import Protocol
from nbesok.names import slugify
from nbesok.output import create_new
from nbesok.yamlfile import ILLEGAL_RAW, character_message


def visit_path(archive: Archive, operation: str, visit_date: date) -> Path:
    bad = ILLEGAL_RAW.search(operation)
    if bad is not None:
        # Usually a terminal escape or a web page's line separator pasted along with the
        # name; validate would refuse the file that new had just written.
        raise UsageError.at("--verksamhet", character_message(bad.group(), "i namnet"))
    slug = slugify(operation)
    if not slug:
        raise UsageError.at(
            "--verksamhet",
            f"”{operation}” ger inget filnamn; verksamheten behöver bokstäver eller siffror",
        )
    return archive.visits_dir / f"{visit_date.isoformat()}-{slug}.yaml"


def scaffold_text(protocol_id: str, protocol: Protocol, operation: str, visit_date: date) -> str:
    """The YAML of a new visit: valid, with only unanswered questions left to fill in."""
    lines = [
        f"# yaml-language-server: $schema=../{SCHEMAS}/besok.schema.json",
        f"# Besök enligt protokollet ”{protocol_id}” ({protocol.title}).",
        "# Fyll i deltagarna och svaren; kontrollera med ”nbesok validate”.",
        f"protokoll: {protocol_id}",
        f"verksamhet: {_quoted(operation)}",
        f"besöksdatum: {visit_date.isoformat()}",
        "hemsida:          # t.ex. https://www.linkoping.se/…",
        "diarienummer:",
        "ledamöter: []     # en per rad: - Förnamn Efternamn (S)",
        "tjänstepersoner: []  # en per rad: - Förnamn Efternamn",
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
    lines += [
        "# sammanfattning: |",
        "#   En kort sammanfattning för nämnden.",
        "# uppföljning:",
        "#   - punkt: Det som ska följas upp",
        "#     ansvarig: Arbetsmarknadsnämnden",
        "#     senast: ÅÅÅÅ-MM-DD",
        "#     status: ej påbörjad   # ej påbörjad | påbörjad | klar",
    ]
    return "\n".join(lines) + "\n"


def _comment(text: str) -> list[str]:
    wrapped: list[str] = []
    for paragraph in text.splitlines() or [""]:
        wrapped += textwrap.wrap(paragraph, 84) or [""]
    return [f"  # {line}".rstrip() for line in wrapped]


def _quoted(text: str) -> str:
    # A JSON string is a valid YAML double-quoted scalar, so any text survives.
    return json.dumps(text, ensure_ascii=False)


def create_visit(archive: Archive, protocol_id: str, operation: str, visit_date: date) -> Path:
    """Write the scaffold for a new visit; refuse to overwrite an existing file."""
    protocol = archive.protocol(protocol_id).model
    target = visit_path(archive, operation, visit_date)
    create_new(target, scaffold_text(protocol_id, protocol, operation, visit_date).encode("utf-8"))
    return target
