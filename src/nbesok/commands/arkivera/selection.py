"""Which visits go into a package, and the checks that must pass before one is made.

A package holds one season (``--period``) or the visits given. Every visit must
validate without errors (the personnummer guard included) and be fastställd with the
content it has now; anything else is a located error, and nothing is written. The
visits of one package report to one committee: the archival creator (arkivbildare)
of a Swedish municipality is the nämnd, and a SIP names one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from nbesok.archive.checks import checked_visit
from nbesok.archive.lifecycle import review_status, waiting_members
from nbesok.archive.loading import Loaded, load_visit
from nbesok.archive.models import Adoption, Protocol, Visit
from nbesok.archive.root import Archive
from nbesok.archive.seasons import PERIOD_HINT, parse_period
from nbesok.archive.secrecy import PUBLIC_SUFFIX
from nbesok.core.errors import (
    ArchiveError,
    Finding,
    NbesokError,
    RenderError,
    Severity,
    UsageError,
    finding,
)
from nbesok.core.inputs import expand_paths
from nbesok.core.paths import display_path
from nbesok.documents.compose import committee
from nbesok.documents.record import fold


@dataclass(frozen=True)
class ChosenVisit:
    """A checked, fastställd visit and the protocol it answers."""

    visit: Loaded[Visit]
    protocol: Loaded[Protocol]

    @property
    def stem(self) -> str:
        return self.visit.stem

    @property
    def adoption(self) -> Adoption:
        adoption = review_status(self.visit.model).adoption
        assert adoption is not None  # only fastställda visits are chosen
        return adoption


@dataclass(frozen=True)
class Selection:
    """The visits of one package, oldest first, and what they are."""

    visits: tuple[ChosenVisit, ...]
    season: str  # "2023", "2018/19", or the dates of the visits given
    committee: str

    @property
    def day(self) -> date:
        """The package's date: the day the last of its visits was fastställd. Every date
        nbesok stamps in a package comes from here, never from the clock."""
        return max(chosen.adoption.date for chosen in self.visits)


def select_visits(
    archive: Archive, paths: Sequence[Path], period: str | None, today: date
) -> Selection:
    """The visits of ``period`` (by besöksdatum) or the visit files ``paths``, checked.

    Raises with every problem located in its file: a visit that cannot be read, has
    errors, or is not fastställd; visits of more than one committee; no visits at all.
    """
    if period is not None:
        season = parse_period(period)
        if season is None:
            raise UsageError.at("--period", f"”{period}” är ingen period: {PERIOD_HINT}")
        files = archive.visit_paths()
        name = season.describe()
    else:
        season = None
        files = expand_paths(paths, ".yaml")
        name = ""
    chosen: list[ChosenVisit] = []
    errors: list[Finding] = []
    for path in files:
        try:
            loaded = load_visit(path)
        except NbesokError as error:
            errors += error.findings
            continue
        if season is not None and loaded.model.date not in season:
            continue
        protocol, findings = checked_visit(
            loaded, archive, today, personnummer=Severity.ERROR, changed=Severity.ERROR
        )
        problems = [found for found in findings if found.is_error]
        if not problems and not review_status(loaded.model).is_adopted:
            problems.append(_not_adopted(loaded))
        if fold(loaded.stem).endswith(PUBLIC_SUFFIX):
            problems.append(_public_name(loaded))
        errors += problems
        if not problems and protocol is not None:
            chosen.append(ChosenVisit(loaded, protocol))
    if errors:
        raise RenderError(errors)
    if not chosen:
        where = f" under {name}" if name else ""
        raise ArchiveError.at(archive.visits_dir, f"inga besök{where}; inget att arkivera")
    chosen.sort(key=lambda item: (item.visit.model.date, item.stem))
    return Selection(tuple(chosen), name or _season_of(chosen), _one_committee(archive, chosen))


def _not_adopted(loaded: Loaded[Visit]) -> Finding:
    """A draft is no record to deliver: the error names the commands that fastställer it.

    (A fastställd visit changed since is already an error from :func:`checked_visit`.)"""
    visit = loaded.model
    status = review_status(visit)
    name = display_path(loaded.path)
    if status.current_approvals:
        state = "besöket är godkänt men inte fastställt"
        steps = f"nbesok fastställ {name} --av NAMN"
    else:
        state = "besöket är ett utkast: ingen av ledamöterna har godkänt anteckningarna"
        waiting = waiting_members(visit, status)
        who = waiting[0].name if waiting else "NAMN"
        steps = f'nbesok godkänn {name} --av "{who}", sedan nbesok fastställ {name} --av NAMN'
    line, column = loaded.document.position(("status",)) if visit.review else (1, 1)
    return finding(
        loaded.path,
        f"{state}; bara fastställda besök lämnas till e-arkivet. Kör {steps}",
        line=line,
        column=column,
        key="status",
    )


def _public_name(loaded: Loaded[Visit]) -> Finding:
    """A visit named ``x-publik`` would share its protocol's name with the public copy
    of ``x`` (render --publik refuses it the same way)."""
    return finding(
        loaded.path,
        f"filnamnet slutar på ”{PUBLIC_SUFFIX}”, som de publika exemplaren i paketet får; "
        "byt namn på filen (git mv), det ändrar inte det fastställda innehållet",
    )


def _season_of(chosen: Sequence[ChosenVisit]) -> str:
    """What visits given by name are: their protocol's period when they share one,
    else the span of their dates."""
    periods = {item.protocol.model.period for item in chosen}
    if len(periods) == 1:
        return periods.pop()
    first, last = chosen[0].visit.model.date, chosen[-1].visit.model.date
    return f"{first.isoformat()}–{last.isoformat()}"


def _one_committee(archive: Archive, chosen: Sequence[ChosenVisit]) -> str:
    committees: dict[str, list[ChosenVisit]] = {}
    for item in chosen:
        committees.setdefault(committee(item.protocol.model, archive), []).append(item)
    if len(committees) == 1:
        name = next(iter(committees))
        if name:
            return name
        raise ArchiveError.at(
            archive.root / "nbesok.yaml",
            "ingen nämnd angiven: paketet behöver arkivbildaren; skriv nämnd: i nbesok.yaml "
            "eller i protokollen",
            key="nämnd",
        )
    listing = "; ".join(
        f"{name or 'ingen nämnd'}: {', '.join(display_path(i.visit.path) for i in items)}"
        for name, items in committees.items()
    )
    raise ArchiveError.at(
        archive.visits_dir,
        f"besöken hör till {len(committees)} nämnder ({listing}); en leverans har en "
        "arkivbildare, så arkivera varje nämnds besök för sig (nbesok arkivera BESÖK…)",
    )
