"""``nbesok new``: a visit file to fill in, with each question as a comment above its answer.

A verksamhet visited before gets the items still open from its earlier visits, each
marked ``från:`` with the visit it comes from, so nothing promised is forgotten.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from nbesok.archive.root import Archive
from nbesok.archive.scaffold import carry_over, scaffold_text, visit_path
from nbesok.core.errors import Finding, Severity, finding
from nbesok.core.output import create_new


@dataclass
class Created:
    """The new visit file, how many open items it carries, and what could not be read."""

    path: Path
    carried: int = 0
    warnings: list[Finding] = field(default_factory=list)


def create_visit(archive: Archive, protocol_id: str, operation: str, visit_date: date) -> Created:
    """Write the scaffold for a new visit; refuse to overwrite an existing file.

    The open items of earlier visits to the same verksamhet come along. An earlier
    visit file that cannot be read is a warning: its items could not be carried.
    """
    from nbesok.documents.compose import committee

    protocol = archive.protocol(protocol_id).model
    target = visit_path(archive, operation, visit_date)
    operation, carried, errors = carry_over(archive, operation, visit_date)
    text = scaffold_text(
        protocol_id,
        protocol,
        operation,
        visit_date,
        committee=committee(protocol, archive),
        carried=carried,
    )
    create_new(target, text.encode("utf-8"))
    warnings = [
        finding(
            error.path,
            f"{error.message} (filen kunde inte läsas, så dess öppna punkter fördes inte över)",
            line=error.line,
            column=error.column,
            key=error.key,
            severity=Severity.WARNING,
        )
        for error in errors
    ]
    return Created(target, len(carried), warnings)
