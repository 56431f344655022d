"""The review steps of a visit: ``utkast`` → ``godkänd`` → ``fastställd``.

The notes are written by one tjänsteperson for the ledamöter who visited. They read
and approve them (*godkänd*), and the handläggare then *fastställer* the version that
is reported to the committee. Each step is recorded in the visit file's ``status``
block (see :mod:`nbesok.archive.status_block`), so git holds who did what and when.

Every step names the content it covers by a hash: :func:`content_hash`. It is taken
over the visit as nbesok reads it, not over the file's bytes, so that reformatting the
YAML or editing a comment leaves it alone while any change to what the documents say
does not. :func:`review_status` is the library's view of a visit's review, for the
commands and for whoever records the steps elsewhere (an e-arkiv's PREMIS events).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from nbesok.archive.items import same_words
from nbesok.archive.models import Adoption, Approval, Member, Visit
from nbesok.core.errors import Severity

# Named in the hashed text, so that a later definition can never collide with this one.
CONTENT_DEFINITION = "nbesok-innehåll-1"
HASH_PREFIX = "sha256:"
# The parts of a visit file that are not its published content: the review itself,
# text an import could not place (it reaches no document), and the diarienummer, the
# registry's handle, which is often given when the fastställda notes are registered.
# The personnummer a visit allows (tillåtna_personnummer) are a permission about its
# text, not text of its own.
NOT_CONTENT = frozenset({"review", "unplaced", "case_number", "allowed_numbers"})
# The keys definition 1 hashes. A key added to the visit later counts only when it is
# given, so that a new optional key never changes the hash of a visit fastställd
# before it existed.
_DEFINITION_KEYS = frozenset(
    {
        "besöksdatum",
        "hemsida",
        "ledamöter",
        "protokoll",
        "sammanfattning",
        "svar",
        "tjänstepersoner",
        "uppföljning",
        "verksamhet",
    }
)


class ReviewState(StrEnum):
    """Where a visit is in its review, as the ``status`` command and documents name it."""

    DRAFT = "utkast"
    APPROVED = "godkänd"
    ADOPTED = "fastställd"


def published_content(visit: Visit) -> dict[str, Any]:
    """The visit's content as the hash covers it: parsed and normalised.

    The YAML keys as the file writes them, values as nbesok reads them: a ledamot
    written ``Roger Bandick (S)`` is the same as the long form with namn and parti, an
    empty answer is the same as a missing one, and the spaces and line breaks at the
    end of a text (``|`` or ``|-``) do not count, nor does the order of the follow-up
    items (documents sort them). Comments, quoting, the order of keys and the file's
    line breaks are not content at all.
    """
    data = visit.model_dump(mode="json", by_alias=True, exclude=set(NOT_CONTENT))
    given = visit.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    data = {key: value for key, value in data.items() if key in _DEFINITION_KEYS or key in given}
    data["svar"] = {
        key: answer.rstrip()
        for key, answer in data["svar"].items()
        if answer is not None and answer.strip()
    }
    summary = data.get("sammanfattning")
    data["sammanfattning"] = summary.rstrip() if summary and summary.strip() else None
    # Documents list follow-up items in an order of their own (open first, by date), so
    # the order in the file is not content.
    data["uppföljning"] = sorted(
        data["uppföljning"], key=lambda item: json.dumps(item, ensure_ascii=False, sort_keys=True)
    )
    return data


def content_hash(visit: Visit) -> str:
    """``sha256:`` and the SHA-256 of :func:`published_content` as canonical JSON
    (keys sorted, UTF-8, no spaces), prefixed by :data:`CONTENT_DEFINITION`."""
    canonical = json.dumps(
        [CONTENT_DEFINITION, published_content(visit)],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return HASH_PREFIX + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def changed_parts(before: Visit, after: Visit) -> list[str]:
    """The keys whose content differs, as validate names them: ``svar.handlingsplaner``."""
    old, new = published_content(before), published_content(after)
    parts: list[str] = []
    for key in sorted(set(old) | set(new), key=_key_order(old, new)):
        if old.get(key) == new.get(key):
            continue
        if key == "svar":
            answers_old, answers_new = old["svar"], new["svar"]
            for answer in sorted(set(answers_old) | set(answers_new)):
                if answers_old.get(answer) != answers_new.get(answer):
                    parts.append(f"svar.{answer}")
        else:
            parts.append(key)
    return parts


def _key_order(old: dict[str, Any], new: dict[str, Any]) -> Any:
    order = {key: index for index, key in enumerate([*new, *old])}
    return lambda key: order.get(key, len(order))


def is_member(name: str, member: Member) -> bool:
    """Whether ``name`` (as typed after ``--av``, or written under godkänd) is ``member``:
    the name alone, with the party, or as the document shows it (with the group where the
    file gives one), case and spacing aside."""
    wanted = same_words(name)
    forms = [member.name, member.display()]
    if member.party:
        forms.append(f"{member.name} ({member.party})")
    return wanted in {same_words(form) for form in forms}


def member_named(visit: Visit, name: str) -> Member | None:
    return next((member for member in visit.members if is_member(name, member)), None)


@dataclass(frozen=True)
class ReviewEvent:
    """One recorded step: who approved or fastställde which content, and when."""

    kind: Literal["godkänd", "fastställd"]
    by: str
    date: date
    content: str | None  # the content hash; None for an approval written by hand


@dataclass(frozen=True)
class ReviewStatus:
    """A visit's review as the archive records it, weighed against its content now."""

    content: str  # the hash of the visit's published content as it is now
    approvals: tuple[Approval, ...]
    adoption: Adoption | None

    @property
    def current_approvals(self) -> tuple[Approval, ...]:
        """Approvals of the content as it is now (one written by hand, with no hash,
        is taken to cover the file as it stands)."""
        return tuple(
            approval
            for approval in self.approvals
            if approval.content is None or approval.content == self.content
        )

    @property
    def stale_approvals(self) -> tuple[Approval, ...]:
        """Approvals of an earlier version of the content."""
        current = self.current_approvals
        return tuple(approval for approval in self.approvals if approval not in current)

    @property
    def changed_since_adoption(self) -> bool:
        return self.adoption is not None and self.adoption.content != self.content

    @property
    def state(self) -> ReviewState:
        """fastställd only while the content is the one fastställd; godkänd while some
        ledamot has approved the content as it is; utkast otherwise."""
        if self.adoption is not None and not self.changed_since_adoption:
            return ReviewState.ADOPTED
        if self.current_approvals:
            return ReviewState.APPROVED
        return ReviewState.DRAFT

    @property
    def is_adopted(self) -> bool:
        return self.state is ReviewState.ADOPTED

    def events(self) -> list[ReviewEvent]:
        """Every recorded step, oldest first (approvals before a fastställande on the
        same day)."""
        steps = [
            ReviewEvent("godkänd", approval.by, approval.date, approval.content)
            for approval in self.approvals
        ]
        if self.adoption is not None:
            adoption = self.adoption
            steps.append(ReviewEvent("fastställd", adoption.by, adoption.date, adoption.content))
        return sorted(steps, key=lambda step: (step.date, step.kind == "fastställd"))


def review_status(visit: Visit) -> ReviewStatus:
    review = visit.review
    return ReviewStatus(
        content_hash(visit),
        tuple(review.approvals) if review else (),
        review.adoption if review else None,
    )


def waiting_members(visit: Visit, status: ReviewStatus) -> list[Member]:
    """The visiting ledamöter who have not approved the content as it is now."""
    return [
        member
        for member in visit.members
        if not any(is_member(approval.by, member) for approval in status.current_approvals)
    ]


@dataclass(frozen=True)
class Located:
    """A finding about the status block, before it is placed in the file."""

    keypath: tuple[str | int, ...]
    message: str
    severity: Severity = Severity.ERROR


def review_problems(visit: Visit, today: date) -> Iterator[Located]:
    """What is wrong or odd in a visit's status block, apart from changed content."""
    review = visit.review
    if review is None:
        return
    names = [member.display() for member in visit.members]
    seen: dict[str, int] = {}
    for number, approval in enumerate(review.approvals):
        where: tuple[str | int, ...] = ("status", "godkänd", number)
        member = member_named(visit, approval.by)
        if member is None:
            from nbesok.core.names import nearest

            suggestion = nearest(approval.by, names)
            hint = (
                f"menade du ”{suggestion}”?"
                if suggestion
                else f"besökets ledamöter är {', '.join(names) or 'inte angivna'}"
            )
            yield Located(
                (*where, "av"),
                f"”{approval.by}” är ingen av besökets ledamöter; bara de som deltog i besöket "
                f"godkänner anteckningarna ({hint})",
            )
        else:
            first = seen.setdefault(member.display(), number)
            if first != number:
                yield Located(
                    (*where, "av"),
                    f"{member.display()} har redan ett godkännande (nummer {first + 1}); "
                    "ta bort det ena",
                    Severity.WARNING,
                )
        yield from _dated((*where, "datum"), approval.date, visit, today, "godkännandet")
    adoption = review.adoption
    if adoption is None:
        return
    where = ("status", "fastställd")
    yield from _dated((*where, "datum"), adoption.date, visit, today, "fastställandet")
    if not review.approvals:
        yield Located(
            (*where,),
            "besöket är fastställt utan att någon ledamot har godkänt anteckningarna; "
            "låt ledamöterna godkänna dem (nbesok godkänn) och fastställ igen",
            Severity.WARNING,
        )
    for approval in review.approvals:
        if approval.content != adoption.content or approval.date <= adoption.date:
            continue
        yield Located(
            (*where, "datum"),
            f"fastställt {adoption.date.isoformat()}, före {approval.by}s godkännande "
            f"{approval.date.isoformat()}; ledamöterna godkänner före fastställandet",
            Severity.WARNING,
        )


def _dated(
    keypath: tuple[str | int, ...], day: date, visit: Visit, today: date, what: str
) -> Iterator[Located]:
    if day < visit.date:
        yield Located(
            keypath,
            f"{what} {day.isoformat()} ligger före besöket {visit.date.isoformat()}",
            Severity.WARNING,
        )
    if day > today:
        yield Located(keypath, f"{what} {day.isoformat()} ligger i framtiden", Severity.WARNING)


def describe_hash(value: str) -> str:
    """A hash as people compare it: the first 12 hex digits."""
    return value.removeprefix(HASH_PREFIX)[:12]


def changed_message(path: Path, visit: Visit, status: ReviewStatus) -> str:
    """What validate says about a fastställd visit whose content has changed: what
    changed (from the fastställda version in git, when it is there) and what to do."""
    from nbesok.archive.git_history import find_version
    from nbesok.core.paths import display_path

    shown = display_path(path)
    adoption = status.adoption
    assert adoption is not None
    head = (
        f"innehållet har ändrats sedan det fastställdes {adoption.date.isoformat()} av "
        f"{adoption.by}"
    )
    hashes = (
        f"kontrollsumman var {describe_hash(adoption.content)}… och är nu "
        f"{describe_hash(status.content)}…"
    )
    remedy = (
        "ändra tillbaka, eller låt ledamöterna godkänna det nya innehållet och fastställ "
        f"igen (nbesok godkänn {shown} --av NAMN, nbesok fastställ {shown} --av NAMN)"
    )
    found = find_version(path, lambda old: content_hash(old) == adoption.content)
    if found is None:
        return (
            f"{head}; {hashes}. Den fastställda versionen finns inte i git, så nbesok kan inte "
            f"visa vad som ändrats (git log -p {shown} visar ändringarna); {remedy}"
        )
    parts = changed_parts(found.visit, visit)
    where = [commit.describe() for commit in found.later[:3]]
    if len(found.later) > 3:
        where.append(f"{len(found.later) - 3} commits till")
    since = f" Ändrat i {', '.join(where)}." if where else ""
    if found.uncommitted:
        since += " Filen har också ändringar som inte är incheckade."
    return (
        f"{head}: {', '.join(parts) or 'innehållet'} (jämfört med den fastställda versionen i "
        f"{found.commit.short}; {hashes}).{since} {remedy[0].upper()}{remedy[1:]}"
    )
