"""``nbesok status``: where each visit of the archive, or of a season, is in its review.

Visits that still need something come first: drafts, then fastställda visits whose
content has changed since, then approved ones waiting to be fastställda, then the
fastställda. A visit file that cannot be read is reported, never silently left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from nbesok.archive.items import load_visit_files
from nbesok.archive.lifecycle import ReviewState, ReviewStatus, review_status
from nbesok.archive.models import Visit
from nbesok.archive.root import Archive
from nbesok.archive.seasons import PERIOD_HINT, parse_period
from nbesok.core.errors import Finding, UsageError
from nbesok.core.inputs import expand_paths
from nbesok.core.paths import display_path
from nbesok.core.terminal import aligned_table

CHANGED = "ändrad"  # fastställd, and changed since: the one state that is an error


@dataclass(frozen=True)
class VisitReview:
    """One visit and its review status."""

    path: Path
    visit: Visit
    status: ReviewStatus

    @property
    def label(self) -> str:
        return CHANGED if self.status.changed_since_adoption else self.status.state.value


# What needs doing first.
_ORDER = {ReviewState.DRAFT.value: 0, CHANGED: 1, ReviewState.APPROVED.value: 2}


def visit_reviews(
    archive: Archive, paths: Sequence[Path], period: str | None
) -> tuple[list[VisitReview], list[Finding]]:
    """The review status of the given visits (default: all), within ``period`` if given;
    and the located errors of the files that could not be read."""
    files = expand_paths(paths, ".yaml") if paths else archive.visit_paths()
    season = None
    if period is not None:
        season = parse_period(period)
        if season is None:
            raise UsageError.at("--period", f"”{period}” är ingen period: {PERIOD_HINT}")
    loaded, errors = load_visit_files(files)
    reviews = [
        VisitReview(file.path, file.visit, review_status(file.visit))
        for file in loaded
        if season is None or file.visit.date in season
    ]
    reviews.sort(key=lambda r: (_ORDER.get(r.label, 3), r.visit.date, r.path.name))
    return reviews, errors


def status_lines(reviews: Sequence[VisitReview], *, reveal: bool = False) -> list[str]:
    """An aligned table for the terminal; the file last. A masked verksamhet is its
    placeholder unless ``reveal`` (``--visa-maskerat``)."""
    header = ("Status", "Besöksdatum", "Verksamhet", "Godkänt", "Fastställt", "Fil")
    rows = [_row(review, reveal) for review in reviews]
    return aligned_table(header, rows)


def _row(review: VisitReview, reveal: bool) -> tuple[str, ...]:
    from nbesok.archive.masks import internal_field, public_field

    status, visit = review.status, review.visit
    adoption = status.adoption
    adopted = f"{adoption.date.isoformat()} {adoption.by}" if adoption else "–"
    return (
        review.label,
        visit.date.isoformat(),
        (internal_field if reveal else public_field)(visit.operation),
        f"{len(status.current_approvals)} av {len(visit.members)}",
        adopted,
        display_path(review.path),
    )


def summary(reviews: Sequence[VisitReview], period: str | None) -> str:
    """``2 besök: 1 utkast, 0 godkända, 0 ändrade efter fastställandet och 1 fastställt.``"""
    within = f" under {period}" if period else ""
    if not reviews:
        return f"Inga besök{within}."
    count: dict[str, int] = {}
    for review in reviews:
        count[review.label] = count.get(review.label, 0) + 1

    def n(label: str, one: str, many: str) -> str:
        number = count.get(label, 0)
        return f"{number} {one if number == 1 else many}"

    parts = [n("utkast", "utkast", "utkast"), n("godkänd", "godkänt", "godkända")]
    if count.get(CHANGED):
        parts.append(n(CHANGED, "ändrat efter fastställandet", "ändrade efter fastställandet"))
    last = n("fastställd", "fastställt", "fastställda")
    return f"{len(reviews)} besök{within}: {', '.join(parts)} och {last}."
