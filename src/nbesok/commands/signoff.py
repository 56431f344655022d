"""``nbesok godkänn`` and ``nbesok fastställ``: the review steps, recorded in the visit file.

A visiting ledamot approves the notes (godkänn); when at least one has approved the
content as it is, the handläggare fastställer it. Each step records who, when and
the hash of the content it covers, in the status block only
(:mod:`nbesok.archive.status_block`). A visit with errors is neither approved nor fastställd:
what is approved is what the documents will show.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from nbesok.archive.checks import checked_visit
from nbesok.archive.lifecycle import (
    ReviewStatus,
    member_named,
    review_status,
    waiting_members,
)
from nbesok.archive.models import Adoption, Approval, Review, Visit
from nbesok.archive.root import Archive, Kind
from nbesok.archive.status_block import VisitText, read_visit_text, write_review
from nbesok.core.errors import Finding, RenderError, Severity, UsageError, finding
from nbesok.core.names import nearest
from nbesok.core.paths import display_path


@dataclass
class SignedOff:
    """What a review command did to one visit file, for the CLI to tell."""

    path: Path
    done: list[str] = field(default_factory=list)  # what was recorded, one line each
    unchanged: list[str] = field(default_factory=list)  # what was already recorded
    notes: list[str] = field(default_factory=list)  # what is still missing

    @property
    def written(self) -> bool:
        return bool(self.done)


def approve(
    archive: Archive, path: Path, names: Sequence[str], day: date, today: date
) -> SignedOff:
    """Record that the ledamöter ``names`` approved the visit's content as it is, on ``day``.

    An approval of an earlier version by the same ledamot is replaced; one of the same
    content is left as it was.
    """
    source, visit, status = _checked(archive, path, today, personnummer=Severity.WARNING)
    _check_day(day, visit, today, "--datum", "godkännandet")
    if status.is_adopted:
        adoption = status.adoption
        assert adoption is not None
        raise UsageError.at(
            path,
            f"besöket fastställdes {adoption.date.isoformat()} av {adoption.by} och har inte "
            "ändrats sedan dess; det behöver inga fler godkännanden",
            key="status",
        )
    result = SignedOff(path)
    approvals = list(visit.review.approvals) if visit.review else []
    for name in names:
        member = member_named(visit, name)
        if member is None:
            raise UsageError.at("--av", _not_a_member(name, visit, path))
        shown = member.display()
        same = [i for i, a in enumerate(approvals) if member_named(visit, a.by) == member]
        if any(approvals[i] in status.current_approvals for i in same):
            result.unchanged.append(f"{shown} har redan godkänt innehållet som det är nu.")
            continue
        for index in reversed(same):  # an approval of an earlier version gives way
            approvals.pop(index)
        approvals.append(Approval(av=shown, datum=day, innehåll=status.content))
        result.done.append(f"Godkänt av {shown} {day.isoformat()}.")
    if result.done:
        adopted = visit.review.adoption if visit.review else None
        review = Review(godkänd=approvals, fastställd=adopted)
        written = write_review(source, review)
        status = review_status(written.model)
        visit = written.model
    waiting = waiting_members(visit, status)
    if waiting:
        names_left = ", ".join(member.display() for member in waiting)
        result.notes.append(
            f"{len(visit.members) - len(waiting)} av {len(visit.members)} ledamöter har godkänt; "
            f"kvar: {names_left}."
        )
    else:
        result.notes.append(
            f"Alla ledamöter har godkänt. Nästa steg: nbesok fastställ {display_path(path)} "
            "--av NAMN"
        )
    return result


def adopt(archive: Archive, path: Path, by: str, day: date, today: date) -> SignedOff:
    """Record that ``by`` fastställde the visit's content as it is, on ``day``.

    At least one visiting ledamot must have approved that content (README: the
    template's composition need not be met). A visit fastställd again after a change
    gets the new hash; the approvals of earlier versions stay in the file as history.
    """
    source, visit, status = _checked(archive, path, today, personnummer=Severity.ERROR)
    by = " ".join(by.split())
    if not by:
        raise UsageError.at("--av", 'ange vem som fastställer, t.ex. --av "Anja Lindahl"')
    _check_day(day, visit, today, "--datum", "fastställandet")
    result = SignedOff(path)
    if status.is_adopted:
        adoption = status.adoption
        assert adoption is not None
        result.unchanged.append(
            f"Besöket fastställdes redan {adoption.date.isoformat()} av {adoption.by}, med "
            "samma innehåll."
        )
        return result
    current = status.current_approvals
    if not current:
        stale = ", ".join(approval.by for approval in status.stale_approvals)
        earlier = f" ({stale} godkände en tidigare version)" if stale else ""
        raise UsageError.at(
            path,
            f"ingen ledamot har godkänt innehållet som det är nu{earlier}; låt ledamöterna "
            f"läsa och godkänna det först: nbesok godkänn {display_path(path)} --av NAMN",
            key="status",
        )
    latest = max(approval.date for approval in current)
    if day < latest:
        raise UsageError.at(
            "--datum",
            f"fastställandet {day.isoformat()} ligger före det senaste godkännandet "
            f"{latest.isoformat()}; ledamöterna godkänner före fastställandet",
        )
    adoption = Adoption(av=by, datum=day, innehåll=status.content)
    approvals = list(visit.review.approvals) if visit.review else []
    review = Review(godkänd=approvals, fastställd=adoption)
    write_review(source, review)
    again = " på nytt" if status.changed_since_adoption else ""
    result.done.append(f"Fastställt{again} av {by} {day.isoformat()}.")
    waiting = waiting_members(visit, status)
    if waiting:
        result.notes.append(
            f"Godkänt av {len(current)} av {len(visit.members)} ledamöter; "
            f"{', '.join(member.display() for member in waiting)} har inte godkänt "
            "innehållet som det är nu."
        )
    return result


def _checked(
    archive: Archive, path: Path, today: date, *, personnummer: Severity
) -> tuple[VisitText, Visit, ReviewStatus]:
    """The visit file, read once, with no errors that would stop its documents."""
    if archive.kind_of(path) is not Kind.VISIT or path.suffix != ".yaml":
        raise UsageError.at(path, "är ingen besöksfil; ange en besöksfil, t.ex. visits/x.yaml")
    source = read_visit_text(path)
    _protocol, findings = checked_visit(
        source.loaded, archive, today, personnummer=personnummer, changed=Severity.NOTE
    )
    errors = [found for found in findings if found.is_error]
    if errors:
        raise RenderError([*errors, _fix_first(path)])
    visit = source.loaded.model
    return source, visit, review_status(visit)


def _fix_first(path: Path) -> Finding:
    return finding(
        path,
        "rätta felen ovan först; anteckningar med fel godkänns och fastställs inte "
        f"(nbesok validate {display_path(path)})",
    )


def _not_a_member(name: str, visit: Visit, path: Path) -> str:
    names = [member.display() for member in visit.members]
    if not names:
        return (
            f"besöket har inga ledamöter angivna, så ”{name}” kan inte godkänna det; fyll i "
            f"ledamöter i {display_path(path)}"
        )
    suggestion = nearest(name, names)
    hint = f"menade du ”{suggestion}”?" if suggestion else f"ledamöterna är {', '.join(names)}"
    return (
        f"”{name}” är ingen av besökets ledamöter; bara de som deltog i besöket godkänner "
        f"anteckningarna ({hint})"
    )


def _check_day(day: date, visit: Visit, today: date, option: str, what: str) -> None:
    if day > today:
        raise UsageError.at(option, f"{what} kan inte ligga i framtiden ({day.isoformat()})")
    if day < visit.date:
        raise UsageError.at(
            option,
            f"{what} {day.isoformat()} kan inte ligga före besöket {visit.date.isoformat()}",
        )
