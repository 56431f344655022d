"""The descriptive metadata of a package: the season as an EAD 2002 finding aid.

The season is a series from its committee (the arkivbildare), and each visit a file
within it: the verksamhet, the date of the visit, the diarienummer, who took part, the
template it answers, who approved and fastställde the notes, and where its public copy
is. EAD is what E-ARK's own examples use for ``metadata/descriptive`` (MDTYPE="EAD").

A finding aid is read to find records, often by anyone searching the e-arkiv, so it
shows each field as the public copy does: a masked verksamhet or name is its
”[Uppgift borttagen enligt …]”, and a visit with masked passages says how many, on
which grounds, in its own access note.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from lxml import etree
from lxml.builder import ElementMaker

from nbesok.archive.lifecycle import review_status
from nbesok.archive.masks import public_field
from nbesok.archive.seasons import parse_period
from nbesok.archive.secrecy import visit_passages
from nbesok.commands.arkivera.layout import xml_id
from nbesok.commands.arkivera.namespaces import EAD, XSI, qualified, xml_bytes
from nbesok.commands.arkivera.selection import ChosenVisit, Selection
from nbesok.documents.compose import visit_title
from nbesok.documents.redaction import removed_summary
from nbesok.documents.templating import enumerate_swedish

_E = ElementMaker(namespace=EAD, nsmap={None: EAD, "xsi": XSI})
SWEDISH = "swe"  # ISO 639-2/B, as EAD's langcode asks


def visit_component_id(chosen: ChosenVisit) -> str:
    """The visit's xml id in the description: a file stem may hold what an id may not."""
    return xml_id("besok", chosen.stem)


def season_description(
    *,
    objid: str,
    selection: Selection,
    creator: str,
    version: str,
    access_note: str,
    public_copies: Mapping[str, str],
) -> bytes:
    """``metadata/descriptive/ead.xml`` for the package ``objid``; ``public_copies``
    gives each visit's public PDF (by visit stem, as a package path)."""
    count = len(selection.visits)
    title = f"Nämndbesök {selection.season}, {creator}"
    header = _E.eadheader(
        _E.eadid(objid),
        _E.filedesc(_E.titlestmt(_E.titleproper(title))),
        _E.profiledesc(
            _E.creation(
                f"Skapad av nbesok {version} ",
                _E.date(selection.day.isoformat(), normal=selection.day.isoformat()),
            ),
            _E.langusage(_E.language("svenska", langcode=SWEDISH)),
        ),
        langencoding="iso639-2b",
    )
    did = _E.did(
        _E.unittitle(f"Nämndbesök {selection.season}"),
        _season_date(selection),
        _E.origination(_E.corpname(creator), label="Arkivbildare"),
        _E.langmaterial(_E.language("svenska", langcode=SWEDISH)),
        _E.physdesc(_E.extent(f"{count} besök")),
    )
    archdesc = _E.archdesc(
        did,
        _E.scopecontent(
            _E.p(
                "Anteckningar från nämndens besök hos verksamheter: vilka som deltog, "
                "frågorna i säsongens dokumentationsmall och svaren, granskade av de "
                "ledamöter som deltog och fastställda."
            )
        ),
        _E.accessrestrict(_E.p(access_note)),
        _E.dsc(*(_visit(chosen, public_copies[chosen.stem]) for chosen in selection.visits)),
        level="series",
    )
    root = _E.ead(header, archdesc)
    root.set(qualified(XSI, "schemaLocation"), f"{EAD} ../../schemas/ead.xsd")
    return xml_bytes(root)


def _season_date(selection: Selection) -> etree._Element:
    season = parse_period(selection.season)
    dates = [chosen.visit.model.date for chosen in selection.visits]
    first, last = (season.first, season.last) if season else (min(dates), max(dates))
    return _E.unitdate(selection.season, normal=f"{first.isoformat()}/{last.isoformat()}")


def _visit(chosen: ChosenVisit, public_copy: str) -> etree._Element:
    visit = chosen.visit.model
    day = visit.date.isoformat()
    identifiers = (
        [_E.unitid(public_field(visit.case_number), label="Diarienummer")]
        if visit.case_number
        else []
    )
    did = _E.did(
        _E.unittitle(visit_title(visit)),
        _E.unitdate(day, normal=day),
        *identifiers,
        _E.unitid(f"visits/{chosen.visit.path.name}", label="Besöksfil"),
        _E.unitid(public_copy, label="Publikt exemplar"),
    )
    people = [
        ("Verksamhet", [public_field(visit.operation)]),
        ("Deltagande ledamöter", [public_field(member.display()) for member in visit.members]),
        ("Deltagande tjänstepersoner", [public_field(name) for name in visit.officials]),
        (
            "Dokumentationsmall",
            [f"{chosen.protocol.model.title} ({chosen.protocol.stem})"],
        ),
    ]
    if visit.website:
        people.append(("Hemsida", [public_field(str(visit.website))]))
    masked = Counter(passage.found.ground for passage in visit_passages(visit))
    restriction = (
        [
            _E.accessrestrict(
                _E.p(
                    f"Besöket har maskerade uppgifter. I det publika exemplaret: "
                    f"{removed_summary(masked)}. I det interna exemplaret står de kvar, "
                    "markerade."
                )
            )
        ]
        if masked
        else []
    )
    return _E.c(
        did,
        *restriction,
        _E.odd(_E.list(*(_item(label, values) for label, values in people))),
        _E.processinfo(*(_E.p(line) for line in _review_lines(chosen))),
        level="file",
        id=visit_component_id(chosen),
    )


def _item(label: str, values: Sequence[str]) -> etree._Element:
    return _E.item(f"{label}: {enumerate_swedish(values) or '–'}")


def _review_lines(chosen: ChosenVisit) -> list[str]:
    status = review_status(chosen.visit.model)
    lines = [
        f"Godkänt {approval.date.isoformat()} av {approval.by}."
        for approval in status.current_approvals
    ]
    adoption = chosen.adoption
    lines.append(
        f"Fastställt {adoption.date.isoformat()} av {adoption.by}. Kontrollsumma för "
        f"det fastställda innehållet: {adoption.content}."
    )
    return lines
