"""Checks that span more than one file, and the warnings of the visiting rules."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path

from nbesok.archive import fragments, pictures
from nbesok.archive.lifecycle import changed_message, review_problems, review_status
from nbesok.archive.loading import Loaded, load_protocol, load_settings, load_visit
from nbesok.archive.mask_checks import mask_findings
from nbesok.archive.models import Group, Protocol, Settings, Visit
from nbesok.archive.personnummer import (
    ALLOWED_KEY,
    allowed_digits,
    find_numbers,
    name_findings,
    number_digits,
    personnummer_findings,
    value_texts,
)
from nbesok.archive.root import Archive, Kind, unknown_protocol_message
from nbesok.archive.yamlfile import KeyPath, format_keypath
from nbesok.core.errors import Finding, NbesokError, Severity, finding
from nbesok.core.names import nearest


def check_file(archive: Archive, path: Path, today: date) -> list[Finding]:
    """Every finding of one archive file, checked by its kind (settings, protocol or visit)."""
    archive.confine(path)
    kind = archive.kind_of(path)
    if kind is Kind.SETTINGS:
        settings = load_settings(path)
        return [
            *personnummer_findings(settings.document, Severity.ERROR, visit=False),
            *_unset_settings(settings),
        ]
    if kind is Kind.PROTOCOL:
        return check_protocol(
            load_protocol(path), default_committee=_settings_committee(archive), root=archive.root
        )
    return check_visit(load_visit(path), archive, today)


# Settings the documents need, and what is missing from them without it.
_HEAD_SETTINGS = (
    ("kommun", "municipality", "tjänsteskrivelsens huvud saknar kommunen"),
    ("förvaltning", "administration", "tjänsteskrivelsens huvud saknar förvaltningen"),
    ("nämnd", "committee", "protokoll utan egen nämnd säger inte vilken nämnd de är till"),
)


def _unset_settings(loaded: Loaded[Settings]) -> Iterator[Finding]:
    for key, attribute, consequence in _HEAD_SETTINGS:
        if not getattr(loaded.model, attribute):
            line, column = loaded.document.position((key,))
            yield finding(
                loaded.path,
                f"{key} är inte angiven, så {consequence}; skriv t.ex. ”{key}: …” i nbesok.yaml",
                line=line,
                column=column,
                key=key,
                severity=Severity.WARNING,
            )


def _settings_committee(archive: Archive) -> str | None:
    """The archive's default nämnd; a broken nbesok.yaml is reported on its own."""
    try:
        return archive.settings.committee
    except NbesokError:
        return None


def _at(
    loaded: Loaded[Visit] | Loaded[Protocol],
    keypath: KeyPath,
    message: str,
    severity: Severity = Severity.ERROR,
    *,
    on_key: bool = False,
) -> Finding:
    document = loaded.document
    line, column = document.key_position(keypath) if on_key else document.position(keypath)
    return finding(
        document.path,
        message,
        line=line,
        column=column,
        key=format_keypath(keypath),
        severity=severity,
    )


def check_protocol(
    loaded: Loaded[Protocol],
    *,
    personnummer: Severity | None = Severity.ERROR,
    default_committee: str | None = None,
    root: Path | None = None,
) -> list[Finding]:
    """Question ids must be unique: visits refer to them. The Markdown texts must stay
    within themselves, their pictures be in the archive at ``root``, and no personnummer
    may be published (``personnummer`` as in :func:`check_visit`). Without a nämnd of
    its own or ``default_committee`` (from nbesok.yaml) the documents would not say
    whom they are for."""
    findings: list[Finding] = [
        *_markdown(loaded, _protocol_texts(loaded.model), root),
        *_folded(loaded, _protocol_texts(loaded.model)),
    ]
    if loaded.model.committee is None and not default_committee:
        findings.append(
            _at(
                loaded,
                ("nämnd",),
                "nämnd saknas, så dokumenten säger inte vilken nämnd de är till; ange "
                "nämnd i protokollet eller i nbesok.yaml",
                Severity.WARNING,
            )
        )
    if personnummer is not None:
        findings += personnummer_findings(loaded.document, personnummer, visit=False)
        findings += name_findings(loaded.path, personnummer)
    first_seen: dict[str, int] = {}
    for s, section in enumerate(loaded.model.sections):
        for q, question in enumerate(section.questions):
            keypath: KeyPath = ("avsnitt", s, "frågor", q, "id")
            line = loaded.document.position(keypath)[0]
            if question.id in first_seen:
                findings.append(
                    _at(
                        loaded,
                        keypath,
                        f"fråge-id ”{question.id}” används redan på rad {first_seen[question.id]}; "
                        "varje fråga behöver ett eget id",
                    )
                )
            else:
                first_seen[question.id] = line
    return findings


def check_visit(
    loaded: Loaded[Visit],
    archive: Archive,
    today: date,
    *,
    personnummer: Severity | None = Severity.ERROR,
) -> list[Finding]:
    """Cross-file checks and visiting-rule warnings for one visit.

    ``personnummer`` is the severity of a personnummer found in the text that the
    visit does not allow (``tillåtna_personnummer``): an error, or None when the user
    allows every number for one run (``--tillåt-personnummer``).
    """
    return checked_visit(loaded, archive, today, personnummer=personnummer)[1]


def checked_visit(
    loaded: Loaded[Visit],
    archive: Archive,
    today: date,
    *,
    personnummer: Severity | None = Severity.ERROR,
    changed: Severity = Severity.ERROR,
) -> tuple[Loaded[Protocol] | None, list[Finding]]:
    """:func:`check_visit`, also handing back the visit's protocol (None if it is broken),
    so that a document is made from the protocol that was checked.

    ``changed`` is the severity of a fastställd visit whose content has changed since:
    an error for validate and report, a warning where the visit is shown as an utkast.
    """
    visit = loaded.model
    allowed = allowed_digits(visit.allowed_numbers)
    guard = [*_unused_allowances(loaded)]
    if personnummer is not None:
        guard += personnummer_findings(loaded.document, personnummer, allowed)
        guard += name_findings(loaded.path, personnummer)
    if not (archive.protocols_dir / f"{visit.protocol}.yaml").is_file():
        return None, [
            _at(loaded, ("protokoll",), unknown_protocol_message(archive, visit.protocol))
        ]
    try:
        protocol = archive.protocol(visit.protocol)
    except NbesokError:
        return None, [
            _at(
                loaded,
                ("protokoll",),
                f"protokollet ”{visit.protocol}” innehåller fel; rätta det först "
                f"(nbesok validate protocols/{visit.protocol}.yaml)",
            )
        ]
    model = protocol.model
    return protocol, [
        *guard,
        *_markdown(loaded, _visit_texts(visit), archive.root),
        *_folded(loaded, _visit_texts(visit)),
        *_unfilled(loaded),
        *_answer_keys(loaded, model),
        *_unanswered(loaded, model),
        *_review(loaded, today, changed),
        *_composition(loaded, model),
        *_future(loaded, today),
        *_outside_season(loaded, model),
        *_name_date(loaded),
        *_due_before_visit(loaded),
        *_origins(loaded, archive),
        *_unplaced(loaded),
        *mask_findings(loaded, archive, model),
    ]


def _review(loaded: Loaded[Visit], today: date, changed: Severity) -> Iterator[Finding]:
    """The status block: approvals by the visit's own ledamöter, plausible dates, and a
    fastställd content that is still the content."""
    visit = loaded.model
    if visit.review is None:
        return  # an utkast: nothing recorded to check, and no hash to take
    for problem in review_problems(visit, today):
        yield _at(loaded, problem.keypath, problem.message, problem.severity)
    status = review_status(visit)
    if status.changed_since_adoption:
        yield _at(
            loaded,
            ("status", "fastställd", "innehåll"),
            changed_message(loaded.path, visit, status),
            changed,
        )


def _unused_allowances(loaded: Loaded[Visit]) -> Iterator[Finding]:
    """A number allowed in ``tillåtna_personnummer`` that the visit no longer holds: the
    permission should go with it, or it would let the number back in unnoticed."""
    if not loaded.model.allowed_numbers:
        return
    present = {
        match.digits for text in value_texts(loaded.document.data) for match in find_numbers(text)
    }
    for index, number in enumerate(loaded.model.allowed_numbers):
        if number_digits(number) not in present:
            yield _at(
                loaded,
                (ALLOWED_KEY, index),
                "numret står inte längre i besöket; ta bort det ur tillåtna_personnummer",
                Severity.WARNING,
            )


def _visit_texts(visit: Visit) -> Iterator[tuple[KeyPath, str | None]]:
    for answer_id, answer in visit.answers.items():
        yield ("svar", answer_id), answer
    yield ("sammanfattning",), visit.summary
    yield ("oplacerat",), visit.unplaced


def _unplaced(loaded: Loaded[Visit]) -> Iterable[Finding]:
    """Text an import could not place is in no document until someone places it."""
    if loaded.model.unplaced and loaded.model.unplaced.strip():
        yield _at(
            loaded,
            ("oplacerat",),
            "text från Word-importen som inte hör till någon fråga och inte kommer med i "
            "dokumenten; flytta den till rätt svar och ta bort oplacerat",
            Severity.WARNING,
        )


def _protocol_texts(protocol: Protocol) -> Iterator[tuple[KeyPath, str | None]]:
    yield ("inledning",), protocol.introduction
    for s, section in enumerate(protocol.sections):
        yield ("avsnitt", s, "text"), section.text
        for q, question in enumerate(section.questions):
            yield ("avsnitt", s, "frågor", q, "hjälptext"), question.guidance


def _markdown(
    loaded: Loaded[Visit] | Loaded[Protocol],
    texts: Iterable[tuple[KeyPath, str | None]],
    root: Path | None = None,
) -> Iterator[Finding]:
    """What in a Markdown value would reach past its end, or cannot become a document:
    also a picture that is missing, unreadable or without alt text (``root`` is the
    archive whose bilder/ holds them)."""
    document = loaded.document
    for keypath, text in texts:
        if not text:
            continue
        found = fragments.problems(text)
        if root is not None:
            found += [
                fragments.Problem(problem.line, problem.message, is_error=True)
                for problem in pictures.problems(text, root)
            ]
        for problem in found:
            line, column = document.position(keypath)
            source_line = document.text.split("\n")[line - 1] if line else ""
            # A block scalar (| or >) starts on the line after its indicator.
            first = line + 1 if source_line[column - 1 : column] in ("|", ">") else line
            yield finding(
                document.path,
                problem.message,
                line=first + problem.line,
                column=1,
                key=format_keypath(keypath),
                severity=Severity.ERROR if problem.is_error else Severity.WARNING,
            )


def _folded(
    loaded: Loaded[Visit] | Loaded[Protocol], texts: Iterable[tuple[KeyPath, str | None]]
) -> Iterator[Finding]:
    """A Markdown text written over several lines without ``|``: YAML has joined its
    lines, so its paragraphs and lists are silently gone."""
    for keypath, text in texts:
        if text and keypath in loaded.document.folded:
            key = keypath[-1]
            yield _at(
                loaded,
                keypath,
                "texten står på flera rader utan ”|”, så radbrytningar, stycken och listor "
                f"försvinner; skriv ”|” efter nyckeln (”{key}: |”) och texten indragen på "
                "raderna under",
                Severity.WARNING,
            )


def _unfilled(loaded: Loaded[Visit]) -> Iterable[Finding]:
    visit = loaded.model
    for key, people in (("ledamöter", visit.members), ("tjänstepersoner", visit.officials)):
        if not people:
            yield _at(loaded, (key,), f"ej ifyllt: inga {key} angivna", Severity.WARNING)


def _answer_keys(loaded: Loaded[Visit], protocol: Protocol) -> Iterable[Finding]:
    ids = [question.id for question in protocol.questions()]
    for answer_id in loaded.model.answers:
        if answer_id not in ids:
            suggestion = nearest(answer_id, ids)
            hint = f"menade du ”{suggestion}”?" if suggestion else f"frågorna är: {', '.join(ids)}"
            yield _at(
                loaded,
                ("svar", answer_id),
                f"protokollet ”{loaded.model.protocol}” har ingen fråga ”{answer_id}”; {hint}",
                on_key=True,
            )


def _unanswered(loaded: Loaded[Visit], protocol: Protocol) -> Iterable[Finding]:
    answers = loaded.model.answers
    for question in protocol.questions():
        if not (answers.get(question.id) or "").strip():
            yield _at(
                loaded,
                ("svar", question.id),
                f"frågan är obesvarad: ”{question.question}”",
                Severity.WARNING,
            )


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def _composition(loaded: Loaded[Visit], protocol: Protocol) -> Iterable[Finding]:
    """The visiting group against the template's rule: informative, never a fault (a
    member falls ill, a colleague comes along), so a note that --strict ignores."""
    wanted = protocol.composition
    visit = loaded.model
    if wanted is None:
        return
    if not visit.members and not visit.officials:
        return  # not filled in yet: _unfilled already says so
    groups = Counter(
        _group_of(member.group, member.party, wanted.majority_parties) for member in visit.members
    )
    rule = (
        f"mallen anger {wanted.majority} från majoriteten och {wanted.opposition} från oppositionen"
    )
    if not visit.members:
        pass  # _unfilled says so
    elif groups[None]:
        expected = wanted.majority + wanted.opposition
        if len(visit.members) != expected:
            yield _at(
                loaded,
                ("ledamöter",),
                f"{_count(len(visit.members), 'ledamot', 'ledamöter')} deltog; {rule}, "
                f"alltså {expected}",
                Severity.NOTE,
            )
    elif (groups[Group.MAJORITY], groups[Group.OPPOSITION]) != (wanted.majority, wanted.opposition):
        yield _at(
            loaded,
            ("ledamöter",),
            f"{groups[Group.MAJORITY]} från majoriteten och {groups[Group.OPPOSITION]} från "
            f"oppositionen deltog; {rule}",
            Severity.NOTE,
        )
    if visit.officials and wanted.officials and len(visit.officials) != wanted.officials:
        yield _at(
            loaded,
            ("tjänstepersoner",),
            f"{_count(len(visit.officials), 'tjänsteperson', 'tjänstepersoner')} deltog; "
            f"mallen anger {wanted.officials}",
            Severity.NOTE,
        )


def _group_of(group: Group | None, party: str | None, majority: list[str]) -> Group | None:
    if group is not None:
        return group
    if party is None or not majority:
        return None
    return Group.MAJORITY if party in majority else Group.OPPOSITION


def _outside_season(loaded: Loaded[Visit], protocol: Protocol) -> Iterable[Finding]:
    """A visit documented with another season's template: probably the wrong protocol."""
    season = protocol.season()
    if loaded.model.date not in season:
        yield _at(
            loaded,
            ("besöksdatum",),
            f"besöksdatumet {loaded.model.date.isoformat()} ligger utanför protokollets period "
            f"{season.describe()} ({season.first.isoformat()}–{season.last.isoformat()}); "
            "kontrollera datumet, eller välj protokollet för den säsongen",
            Severity.WARNING,
        )


_DATED_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})-")


def _name_date(loaded: Loaded[Visit]) -> Iterable[Finding]:
    """visits/<datum>-<verksamhet>.yaml: a name with another date sorts the visit wrongly
    and hides it from whoever looks for it by date."""
    found = _DATED_NAME.match(loaded.path.name)
    visit_date = loaded.model.date.isoformat()
    if found is not None and found.group(1) != visit_date:
        right = visit_date + loaded.path.name[found.end(1) :]
        yield _at(
            loaded,
            ("besöksdatum",),
            f"filnamnet börjar med {found.group(1)} men besöksdatum är {visit_date}; rätta "
            f"datumet, eller byt namn på filen till ”{right}”",
            Severity.WARNING,
        )


def _due_before_visit(loaded: Loaded[Visit]) -> Iterable[Finding]:
    visit_date = loaded.model.date
    for number, item in enumerate(loaded.model.follow_up):
        # A carried-over item keeps the date set at the visit it comes from.
        if item.due is not None and item.due < visit_date and item.origin is None:
            yield _at(
                loaded,
                ("uppföljning", number, "senast"),
                f"senast {item.due.isoformat()} ligger före besöket {visit_date.isoformat()}; "
                "ett slutdatum för uppföljning bör ligga efter besöket",
                Severity.WARNING,
            )


def _origins(loaded: Loaded[Visit], archive: Archive) -> Iterable[Finding]:
    """``från`` names the visit an item was carried over from; a wrong name breaks the
    item's history."""
    for number, item in enumerate(loaded.model.follow_up):
        if item.origin is None:
            continue
        source = archive.visits_dir / f"{item.origin}.yaml"
        named_file = Path(item.origin).name == item.origin and "\\" not in item.origin
        if item.origin == loaded.path.stem or not named_file or not source.is_file():
            known = [path.stem for path in archive.visit_paths() if path != loaded.path]
            suggestion = nearest(item.origin, known)
            hint = f"; menade du ”{suggestion}”?" if suggestion else ""
            yield _at(
                loaded,
                ("uppföljning", number, "från"),
                f"punkten säger att den kommer från besöket ”{item.origin}”, men det finns "
                f"ingen sådan fil i visits/{hint} (från: besöksfilens namn utan .yaml)",
                Severity.WARNING,
            )


def _future(loaded: Loaded[Visit], today: date) -> Iterable[Finding]:
    if loaded.model.date > today:
        yield _at(
            loaded,
            ("besöksdatum",),
            f"besöksdatumet {loaded.model.date.isoformat()} ligger i framtiden",
            Severity.WARNING,
        )
