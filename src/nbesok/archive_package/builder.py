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
from nbesok.archive import MARKER, Archive
from nbesok.archive_package import premis
from nbesok.archive_package.description import season_description
from nbesok.archive_package.documentation import readme
from nbesok.archive_package.layout import PackageFile, Representation, xml_id
from nbesok.archive_package.mets import Organisation, package_mets, representation_mets
from nbesok.archive_package.premis import Agent, Entity, Event, LinkedObject
from nbesok.archive_package.rendering import RenderedVisit, render_visits
from nbesok.archive_package.schemas import schema_bytes, schema_errors
from nbesok.archive_package.selection import ChosenVisit, Selection
from nbesok.errors import Finding, RenderError, UsageError, finding
from nbesok.followup import same_words
from nbesok.lifecycle import review_status
from nbesok.names import slugify
from nbesok.schema import schema_files

INTERNAL = "intern"
PUBLIC = "publik"
SOURCES = "kallfiler"
TEXT = "Textual works – Digital"  # CSIP content category (vocabulary term, with its en dash)
DATASETS = "Datasets"

NBESOK = Agent("nbesok", "nbesok", "software", __version__)
LIBREOFFICE_ID = "libreoffice"

INTERNAL_NOTE = (
    "Representationen intern innehåller de interna exemplaren av protokollen, som de "
    "fastställdes, och representationen kallfiler samma innehåll som textfiler. Båda kan "
    "innehålla uppgifter som omfattas av sekretess och ska sekretessprövas innan de "
    "lämnas ut."
)
NO_PUBLIC_NOTE = (
    " Paketet innehåller inga publika (maskade) exemplar: den här versionen av nbesok "
    "maskerar inte uppgifter enligt OSL."
)
PUBLIC_NOTE = (
    " Representationen publik innehåller de publika exemplaren, där uppgifter som "
    "omfattas av sekretess är borttagna; de kan lämnas ut."
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
    representations = [_document_representation(INTERNAL, rendered, package_day, public=False)]
    if any(visit.public for visit in rendered):
        representations.append(_document_representation(PUBLIC, rendered, package_day, True))
    representations.append(sources)
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
    public_copies = any(r.name == PUBLIC for r in representations)
    note = INTERNAL_NOTE + (PUBLIC_NOTE if public_copies else NO_PUBLIC_NOTE)
    description = PackageFile(
        "metadata/descriptive/ead.xml",
        season_description(
            objid=objid,
            selection=selection,
            creator=creator,
            version=__version__,
            internal_note=note,
        ),
        package_day,
    )
    documentation = PackageFile(
        "documentation/LASMIG.md",
        readme(
            _readme_context(
                objid, selection, creator, submitter, representations, package_day, day, note
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
    files = []
    for visit in rendered:
        chosen = visit.chosen
        made_from = (_visit_source(chosen), _protocol_source(chosen))
        documents = visit.public if public else (visit.internal,)
        for document in documents:
            created = chosen.adoption.date
            folder = f"representations/{name}/data"
            files.append(
                PackageFile(
                    f"{folder}/{document.name}.pdf",
                    document.pdf,
                    created,
                    None,
                    made_from,
                    chosen.stem,
                )
            )
            if public:
                files.append(
                    PackageFile(
                        f"{folder}/{document.name}.md",
                        document.markdown,
                        created,
                        None,
                        made_from,
                        chosen.stem,
                    )
                )
    label = (
        "Publika exemplar: protokollen som PDF/A-2b och Markdown, med uppgifter som "
        "omfattas av sekretess borttagna"
        if public
        else "Interna exemplar: de fastställda protokollen som PDF/A-2b (kan innehålla "
        "uppgifter som omfattas av sekretess)"
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
        "besök, egna mallar) och de publicerade Markdown-filerna, med JSON-scheman"
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
                f"Protokollet renderat av nbesok {__version__} ur visits/"
                f"{chosen.visit.path.name} och protocols/{chosen.protocol.path.name}{converted}.",
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


def _entity(chosen: ChosenVisit) -> Entity:
    from nbesok.documents import visit_title

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


def _readme_context(
    objid: str,
    selection: Selection,
    creator: str,
    submitter: str,
    representations: list[Representation],
    day: date,
    own_day: date | None,
    note: str,
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
        "sekretess": note,
        "besök": [
            {
                "datum": chosen.visit.model.date.isoformat(),
                "verksamhet": chosen.visit.model.operation,
                "diarienummer": chosen.visit.model.case_number,
                "fastställt": f"{chosen.adoption.date.isoformat()} av {chosen.adoption.by}",
                "pdf": f"representations/{INTERNAL}/data/{chosen.stem}.pdf",
            }
            for chosen in selection.visits
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
