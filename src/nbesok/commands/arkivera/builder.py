"""One information package, assembled in memory from checked visits and their documents.

The order matters because each METS and PREMIS file records the checksums of what it
describes: first the representations' content, then each representation's PREMIS and
METS, then the package-level files, the package PREMIS (which covers the
representation METS and PREMIS files) and last the package METS over all of it. Every
XML file is validated against the official schemas before the package is handed on.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from nbesok import __version__
from nbesok.archive.items import same_words
from nbesok.archive.json_schemas import schema_files
from nbesok.archive.lifecycle import review_status
from nbesok.archive.masks import public_field
from nbesok.archive.root import MARKER, Archive
from nbesok.commands.arkivera import premis
from nbesok.commands.arkivera.description import season_description
from nbesok.commands.arkivera.documentation import readme
from nbesok.commands.arkivera.layout import PackageFile, Representation, xml_id
from nbesok.commands.arkivera.mets import Organisation, package_mets, representation_mets
from nbesok.commands.arkivera.premis import Agent, Entity, Event, LinkedObject
from nbesok.commands.arkivera.rendering import RenderedVisit, render_visits
from nbesok.commands.arkivera.schemas import schema_bytes, schema_errors
from nbesok.commands.arkivera.selection import ChosenVisit, Selection
from nbesok.core.errors import Finding, RenderError, UsageError, finding
from nbesok.core.names import slugify

INTERNAL = "intern"
PUBLIC = "publik"
SOURCES = "kallfiler"
TEXT = "Textual works – Digital"  # CSIP content category (vocabulary term, with its en dash)
DATASETS = "Datasets"

NBESOK = Agent("nbesok", "nbesok", "software", __version__)
LIBREOFFICE_ID = "libreoffice"

# What the description (EAD accessrestrict) and LASMIG.md say of the two representations.
SECRECY_NOTE = (
    "Representationen intern innehåller de interna exemplaren av protokollen, som de "
    "fastställdes: uppgifter som maskerats (enligt offentlighets- och sekretesslagen, "
    "OSL, eller som personuppgifter) står kvar i dem, markerade i texten, och ett "
    "protokoll med uppgifter som omfattas av sekretess har en sekretessmarkering överst "
    "(5 kap. 5 § OSL). Representationen kallfiler har samma innehåll som textfiler, de "
    "maskerade uppgifterna med. Båda ska sekretessprövas innan något ur dem lämnas ut. "
    "Representationen publik innehåller ett publikt exemplar av varje protokoll, där "
    "varje maskerad uppgift är ersatt av ”[Uppgift borttagen enligt …]” eller "
    "”[Personuppgift borttagen]”; ett protokoll utan maskerade uppgifter har samma text "
    "som det interna exemplaret. Ingen fil i representationen publik innehåller något "
    "av de maskerade orden, och den är gjord för att lämnas ut; vad som maskerades "
    "bedömdes när besöket dokumenterades och fastställdes."
)


@dataclass(frozen=True)
class Package:
    """A finished package: its id and every file, by path inside the root folder."""

    objid: str
    files: dict[str, bytes]
    visits: int
    representations: tuple[str, ...]
    day: date
    warnings: list[Finding]  # the documents' accessibility review


def build_package(
    archive: Archive,
    selection: Selection,
    *,
    libreoffice: Path | None = None,
    day: date | None = None,
) -> Package:
    """Render, describe and check the package of ``selection``; nothing is written."""
    if day is not None and day < selection.day:
        raise UsageError.at(
            "--datum",
            f"{day.isoformat()} ligger före {selection.day.isoformat()}, då det senaste av "
            "besöken fastställdes; paketets datum kan inte vara tidigare",
        )
    result = render_visits(archive, selection, libreoffice)
    rendered, producer = result.visits, result.producer
    package_day = day or selection.day
    libreoffice_agent = Agent(LIBREOFFICE_ID, producer, "software")
    sources = _source_representation(archive, selection, rendered, package_day)
    representations = [
        _document_representation(INTERNAL, rendered, package_day, public=False),
        _document_representation(PUBLIC, rendered, package_day, public=True),
        sources,
    ]
    objid = _package_id(selection, representations)
    creator, submitter = _organisations(archive, selection)
    files: dict[str, bytes] = {}
    described: list[tuple[Representation, PackageFile]] = []
    package_level: list[PackageFile] = []
    for representation in representations:
        rep_premis, rep_mets = _representation_metadata(
            representation, rendered, libreoffice_agent, package_day
        )
        files.update({file.path: file.data for file in (*representation.files, rep_premis)})
        files[rep_mets.path] = rep_mets.data
        described.append((representation, rep_mets))
        package_level += [rep_premis, rep_mets]
    description = PackageFile(
        "metadata/descriptive/ead.xml",
        season_description(
            objid=objid,
            selection=selection,
            creator=creator,
            version=__version__,
            access_note=SECRECY_NOTE,
            public_copies={visit.chosen.stem: _public_pdf(visit) for visit in rendered},
        ),
        package_day,
    )
    documentation = PackageFile(
        "documentation/LASMIG.md",
        readme(
            _readme_context(
                objid, selection, rendered, creator, submitter, representations, package_day, day
            )
        ),
        package_day,
    )
    schemas = [
        PackageFile(f"schemas/{name}", data, package_day) for name, data in schema_bytes().items()
    ]
    package_level += [description, documentation, *schemas]
    preservation = PackageFile(
        "metadata/preservation/premis.xml",
        premis.premis_document(
            entities=[_entity(chosen) for chosen in selection.visits],
            files=package_level,
            events=_package_events(objid, selection, package_day),
            agents=[NBESOK, *_people(selection)],
        ),
        package_day,
    )
    mets = package_mets(
        objid=objid,
        label=f"Nämndbesök {selection.season}, {creator}",
        content_type=TEXT,
        day=package_day,
        version=__version__,
        organisations=[Organisation("ARCHIVIST", creator), Organisation("CREATOR", submitter)],
        description=description,
        preservation=preservation,
        documentation=[documentation],
        schemas=schemas,
        representations=described,
    )
    for file in (description, documentation, *schemas, preservation):
        files[file.path] = file.data
    files["METS.xml"] = mets
    _check_xml(files)
    return Package(
        objid,
        dict(sorted(files.items())),
        len(selection.visits),
        tuple(r.name for r in representations),
        package_day,
        result.warnings,
    )


def _organisations(archive: Archive, selection: Selection) -> tuple[str, str]:
    """The archival creator (the committee, of its municipality) and who submits the
    package (the municipality and the administration that keeps the archive)."""
    settings = archive.settings
    creator = ", ".join(part for part in (selection.committee, settings.municipality) if part)
    parts = (settings.municipality, settings.administration)
    return creator, ", ".join(part for part in parts if part) or creator


def _representation_metadata(
    representation: Representation,
    rendered: list[RenderedVisit],
    libreoffice: Agent,
    day: date,
) -> tuple[PackageFile, PackageFile]:
    """A representation's PREMIS file, and its METS file, which records the PREMIS's checksum."""
    preservation = PackageFile(
        f"{representation.folder}/metadata/preservation/premis.xml",
        premis.premis_document(
            representation=(representation.folder, representation.label),
            files=representation.files,
            events=_rendering_events(representation, rendered, libreoffice.name),
            agents=[NBESOK, libreoffice],
        ),
        day,
    )
    mets = PackageFile(
        f"{representation.folder}/METS.xml",
        representation_mets(
            representation=representation, day=day, version=__version__, preservation=preservation
        ),
        day,
    )
    return preservation, mets


def _visit_source(chosen: ChosenVisit) -> str:
    return f"representations/{SOURCES}/data/visits/{chosen.visit.path.name}"


def _protocol_source(chosen: ChosenVisit) -> str:
    return f"representations/{SOURCES}/data/protocols/{chosen.protocol.path.name}"


def _document_representation(
    name: str, rendered: list[RenderedVisit], day: date, public: bool
) -> Representation:
    """The internal copies as PDF/A, or the public copies as PDF/A and Markdown (the
    internal .md is among the source files). A public copy names the visit file it was
    made from only where that name shows no masked value."""
    files = []
    folder = f"representations/{name}/data"
    for visit in rendered:
        chosen = visit.chosen
        document = visit.public if public else visit.internal
        made_from: tuple[str, ...] = (_visit_source(chosen), _protocol_source(chosen))
        if public and visit.neutrally_named:
            made_from = (_protocol_source(chosen),)
        suffixes = ("pdf", "md") if public else ("pdf",)
        data = {"pdf": document.pdf, "md": document.markdown}
        files += [
            PackageFile(
                f"{folder}/{document.name}.{suffix}",
                data[suffix],
                chosen.adoption.date,
                None,
                made_from,
                chosen.stem,
            )
            for suffix in suffixes
        ]
    label = (
        "Publika exemplar: protokollen som PDF/A-2b och Markdown, varje maskerad uppgift "
        "ersatt av ”[Uppgift borttagen enligt …]”; kan lämnas ut"
        if public
        else "Interna exemplar: de fastställda protokollen som PDF/A-2b, maskerade uppgifter "
        "kvar och markerade under en sekretessmarkering (sekretessprövas innan de lämnas ut)"
    )
    return Representation(name, label, TEXT, tuple(files))


def _source_representation(
    archive: Archive, selection: Selection, rendered: list[RenderedVisit], day: date
) -> Representation:
    data = f"representations/{SOURCES}/data"
    files = [PackageFile(f"{data}/{MARKER}", (archive.root / MARKER).read_bytes(), day, MARKER)]
    protocols = {chosen.protocol.path.name: chosen.protocol.path for chosen in selection.visits}
    for name, path in sorted(protocols.items()):
        files.append(
            PackageFile(f"{data}/protocols/{name}", path.read_bytes(), day, f"protocols/{name}")
        )
    for visit in rendered:
        chosen = visit.chosen
        name = chosen.visit.path.name
        files.append(
            PackageFile(
                _visit_source(chosen),
                chosen.visit.path.read_bytes(),
                chosen.adoption.date,
                f"visits/{name}",
                visit=chosen.stem,
            )
        )
        files.append(
            PackageFile(
                f"{data}/out/{visit.internal.name}.md",
                visit.internal.markdown,
                chosen.adoption.date,
                None,
                (_visit_source(chosen), _protocol_source(chosen)),
                chosen.stem,
            )
        )
    templates = archive.templates_dir
    if templates.is_dir():
        for path in sorted(templates.iterdir()):
            if path.is_file() and not path.name.startswith("."):
                files.append(
                    PackageFile(
                        f"{data}/templates/{path.name}",
                        path.read_bytes(),
                        day,
                        f"templates/{path.name}",
                    )
                )
    for name, schema in schema_files().items():
        files.append(PackageFile(f"representations/{SOURCES}/schemas/{name}", schema, day))
    label = (
        "Källfiler: nbesok-arkivets YAML-filer för besöken (inställningar, protokoll, "
        "besök, egna mallar) och de interna exemplaren som Markdown, med JSON-scheman"
    )
    return Representation(SOURCES, label, DATASETS, tuple(files))


def _package_id(selection: Selection, representations: list[Representation]) -> str:
    """A readable, reproducible OBJID that changes whenever the content does."""
    digest = hashlib.sha256()
    for representation in representations:
        for file in representation.files:
            digest.update(f"{file.path}\0{file.sha256}\n".encode())
    name = "-".join(
        part for part in (slugify(selection.committee), slugify(selection.season)) if part
    )
    return f"nbesok-{name}-{digest.hexdigest()[:8]}"


def _rendering_events(
    representation: Representation, rendered: list[RenderedVisit], producer: str
) -> list[Event]:
    events = []
    for visit in rendered:
        chosen = visit.chosen
        made = [file for file in representation.files if file.visit == chosen.stem and file.sources]
        if not made:
            continue
        pdf = any(file.path.endswith(".pdf") for file in made)
        converted = f", konverterat till PDF/A-2b av {producer}" if pdf else ""
        events.append(
            Event(
                xml_id("event", f"{representation.folder}:{chosen.stem}"),
                "creation",
                chosen.adoption.date,
                f"{_what_was_made(representation)} renderat av nbesok {__version__} ur "
                f"{_made_from(representation, visit)}{converted}.",
                "klart",
                (("nbesok", "executing program"),)
                + (((LIBREOFFICE_ID, "executing program"),) if pdf else ()),
                (
                    *(
                        LinkedObject(premis.PATH_IDENTIFIER, source, "source")
                        for source in made[0].sources
                    ),
                    *(LinkedObject(premis.PATH_IDENTIFIER, file.path, "outcome") for file in made),
                ),
            )
        )
    return events


def _what_was_made(representation: Representation) -> str:
    if representation.name == PUBLIC:
        return "Protokollets publika exemplar, med de maskerade uppgifterna borttagna,"
    if representation.name == INTERNAL:
        return "Protokollets interna exemplar"
    return "Protokollet"


def _made_from(representation: Representation, visit: RenderedVisit) -> str:
    """The files a document was made from, as the event says it: a public copy does not
    name a visit file whose name shows a masked value (its name is neutral for that)."""
    chosen = visit.chosen
    protocol = f"protocols/{chosen.protocol.path.name}"
    if representation.name == PUBLIC and visit.neutrally_named:
        return f"besöksfilen (vars namn visar en maskerad uppgift) och {protocol}"
    return f"visits/{chosen.visit.path.name} och {protocol}"


def _entity(chosen: ChosenVisit) -> Entity:
    from nbesok.documents.compose import visit_title

    events = [event.identifier for event in _visit_events(chosen)]
    return Entity(chosen.stem, visit_title(chosen.visit.model), tuple(events))


def _person(name: str) -> str:
    return xml_id("person", same_words(name))


def _visit_events(chosen: ChosenVisit) -> list[Event]:
    """The review steps recorded in the visit file, oldest first."""
    entity = LinkedObject(premis.VISIT_IDENTIFIER, chosen.stem, "source")
    events = []
    for number, step in enumerate(review_status(chosen.visit.model).events()):
        covered = f" (innehåll {step.content})" if step.content else ""
        if step.kind == "godkänd":
            kind, detail, role = (
                "godkännande",
                f"{step.by} godkände anteckningarna{covered}.",
                "implementer",
            )
        else:
            kind, detail, role = (
                "fastställande",
                f"{step.by} fastställde anteckningarna{covered}.",
                "authorizer",
            )
        events.append(
            Event(
                xml_id("event", f"review:{chosen.stem}:{number}"),
                kind,
                step.date,
                detail,
                "klart",
                ((_person(step.by), role),),
                (entity,),
            )
        )
    return events


def _package_events(objid: str, selection: Selection, day: date) -> list[Event]:
    events = []
    for chosen in selection.visits:
        events += _visit_events(chosen)
    package = LinkedObject("OBJID", objid, "outcome")
    events.append(
        Event(
            xml_id("event", "validation"),
            "validation",
            day,
            "Besöken kontrollerades som nbesok validate gör (inga fel, inga personnummer) och "
            "är fastställda med det innehåll de har.",
            "inga fel",
            (("nbesok", "validator"),),
            tuple(
                LinkedObject(premis.VISIT_IDENTIFIER, c.stem, "source") for c in selection.visits
            ),
        )
    )
    events.append(
        Event(
            xml_id("event", "message digest calculation"),
            "message digest calculation",
            day,
            "SHA-256 för varje fil i paketet, i METS-filerna och i PREMIS.",
            "klart",
            (("nbesok", "executing program"),),
            (package,),
        )
    )
    events.append(
        Event(
            xml_id("event", "information package creation"),
            "information package creation",
            day,
            f"Informationspaketet gjordes av nbesok {__version__} enligt E-ARK CSIP 2.1.0 och "
            "SIP 2.1.0 (FGS Paketstruktur 2.0).",
            "klart",
            (("nbesok", "executing program"),),
            (package,),
        )
    )
    return events


def _people(selection: Selection) -> list[Agent]:
    people: dict[str, Agent] = {}
    for chosen in selection.visits:
        for step in review_status(chosen.visit.model).events():
            role = (
                "ledamot som deltog i besöket"
                if step.kind == "godkänd"
                else "fastställde anteckningarna"
            )
            people.setdefault(
                _person(step.by), Agent(_person(step.by), step.by, "person", note=role)
            )
    return sorted(people.values(), key=lambda agent: agent.identifier)


def _public_pdf(visit: RenderedVisit) -> str:
    return f"representations/{PUBLIC}/data/{visit.public.name}.pdf"


def _readme_context(
    objid: str,
    selection: Selection,
    rendered: list[RenderedVisit],
    creator: str,
    submitter: str,
    representations: list[Representation],
    day: date,
    own_day: date | None,
) -> dict[str, object]:
    return {
        "objid": objid,
        "säsong": selection.season,
        "arkivbildare": creator,
        "levererat_av": submitter,
        "antal": len(selection.visits),
        "version": __version__,
        "datum": day.isoformat(),
        "eget_datum": own_day is not None,
        "representationer": representations,
        "källor": SOURCES,
        "sekretess": SECRECY_NOTE,
        "besök": [
            {
                "datum": visit.chosen.visit.model.date.isoformat(),
                # As the public copy shows it, like the description (description.py).
                "verksamhet": public_field(visit.chosen.visit.model.operation),
                "diarienummer": public_field(visit.chosen.visit.model.case_number or ""),
                "fastställt": f"{visit.chosen.adoption.date.isoformat()} av "
                f"{visit.chosen.adoption.by}",
                "pdf": f"representations/{INTERNAL}/data/{visit.internal.name}.pdf",
                "publik": _public_pdf(visit),
            }
            for visit in rendered
        ],
    }


def _check_xml(files: dict[str, bytes]) -> None:
    """Every METS, PREMIS and EAD file against its official schema: a failure here is a
    fault in nbesok, never in the archive, and nothing is written."""
    problems = [
        finding(path, f"följer inte sitt XML-schema ({error}); detta är ett fel i nbesok")
        for path, data in files.items()
        if path.endswith(".xml")
        for error in schema_errors(data)
    ]
    if problems:
        raise RenderError(problems)
