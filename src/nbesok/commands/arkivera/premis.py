"""PREMIS 3.0 preservation metadata, built with lxml's element builder.

One PREMIS file per representation (its files: fixity, size, format, where each came
from, and the events that made them) and one for the package (the visits as
intellectual entities with their review steps, the package-level files and the
package's own events). Object identifiers are package paths, so an event in one file
can name an object described in another.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from lxml import etree
from lxml.builder import ElementMaker

from nbesok.commands.arkivera.layout import PackageFile
from nbesok.commands.arkivera.namespaces import PREMIS, XSI, qualified, xml_bytes

PATH_IDENTIFIER = "sökväg i paketet"
VISIT_IDENTIFIER = "nbesok-besök"
LOCAL_IDENTIFIER = "nbesok"

_E = ElementMaker(namespace=PREMIS, nsmap={"premis": PREMIS, "xsi": XSI})


@dataclass(frozen=True)
class Agent:
    """Who or what took part in an event: nbesok, LibreOffice, a person, an organisation."""

    identifier: str
    name: str
    kind: str  # PREMIS agentType: software, person, organization
    version: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class LinkedObject:
    identifier_type: str
    identifier: str
    role: str  # source, outcome, …


@dataclass(frozen=True)
class Event:
    identifier: str
    kind: str  # PREMIS eventType
    day: date
    detail: str
    outcome: str
    agents: tuple[tuple[str, str], ...]  # (agent identifier, role)
    objects: tuple[LinkedObject, ...]


@dataclass(frozen=True)
class Entity:
    """A visit as an intellectual entity: what the files of several representations are."""

    identifier: str
    name: str
    events: tuple[str, ...]


def premis_document(
    *,
    entities: Sequence[Entity] = (),
    representation: tuple[str, str] | None = None,  # (package path, original name)
    files: Sequence[PackageFile],
    events: Sequence[Event],
    agents: Sequence[Agent],
) -> bytes:
    """One PREMIS file: objects (entities, the representation, files), events, agents."""
    objects = [
        *(_entity(entity) for entity in entities),
        *([_representation(*representation, files)] if representation else []),
        *(_file(file, _events_of(file.path, events)) for file in files),
    ]
    root = _E.premis(
        *objects,
        *(_event(event) for event in events),
        *(_agent(agent) for agent in agents),
        version="3.0",
    )
    root.set(qualified(XSI, "schemaLocation"), f"{PREMIS} {_schema_location(representation)}")
    return xml_bytes(root)


def _schema_location(representation: tuple[str, str] | None) -> str:
    # A representation's PREMIS file sits four folders below the root, the package's two.
    return "../../../../schemas/premis.xsd" if representation else "../../schemas/premis.xsd"


def _identifier(tag: str, kind: str, value: str) -> etree._Element:
    return _E(tag, _E(f"{tag}Type", kind), _E(f"{tag}Value", value))


def _typed(kind: str) -> dict[str, str]:
    return {qualified(XSI, "type"): f"premis:{kind}"}


def _entity(entity: Entity) -> etree._Element:
    return _E.object(
        _identifier("objectIdentifier", VISIT_IDENTIFIER, entity.identifier),
        _E.originalName(entity.name),
        *(_identifier("linkingEventIdentifier", LOCAL_IDENTIFIER, e) for e in entity.events),
        _typed("intellectualEntity"),
    )


def _representation(path: str, label: str, files: Sequence[PackageFile]) -> etree._Element:
    return _E.object(
        _identifier("objectIdentifier", PATH_IDENTIFIER, path),
        _E.originalName(label),
        _E.relationship(
            _E.relationshipType("structural"),
            _E.relationshipSubType("includes"),
            *(_identifier("relatedObjectIdentifier", PATH_IDENTIFIER, f.path) for f in files),
        ),
        _typed("representation"),
    )


def _file(file: PackageFile, events: Iterable[str]) -> etree._Element:
    designation = [_E.formatName(file.file_format.name)]
    if file.file_format.version:
        designation.append(_E.formatVersion(file.file_format.version))
    characteristics = _E.objectCharacteristics(
        _E.compositionLevel("0"),
        _E.fixity(
            _E.messageDigestAlgorithm("SHA-256"),
            _E.messageDigest(file.sha256),
            _E.messageDigestOriginator("nbesok"),
        ),
        _E.size(str(file.size)),
        _E.format(_E.formatDesignation(*designation)),
    )
    parts: list[etree._Element] = [
        _identifier("objectIdentifier", PATH_IDENTIFIER, file.path),
        characteristics,
    ]
    if file.original_name:
        parts.append(_E.originalName(file.original_name))
    if file.sources:
        parts.append(
            _E.relationship(
                _E.relationshipType("derivation"),
                _E.relationshipSubType("has source"),
                *(
                    _identifier("relatedObjectIdentifier", PATH_IDENTIFIER, source)
                    for source in file.sources
                ),
            )
        )
    parts += [_identifier("linkingEventIdentifier", LOCAL_IDENTIFIER, e) for e in events]
    return _E.object(*parts, _typed("file"))


def _events_of(path: str, events: Sequence[Event]) -> list[str]:
    return [
        event.identifier
        for event in events
        if any(linked.identifier == path for linked in event.objects)
    ]


def _event(event: Event) -> etree._Element:
    return _E.event(
        _identifier("eventIdentifier", LOCAL_IDENTIFIER, event.identifier),
        _E.eventType(event.kind),
        _E.eventDateTime(event.day.isoformat()),
        _E.eventDetailInformation(_E.eventDetail(event.detail)),
        _E.eventOutcomeInformation(_E.eventOutcome(event.outcome)),
        *(
            _E.linkingAgentIdentifier(
                _E.linkingAgentIdentifierType(LOCAL_IDENTIFIER),
                _E.linkingAgentIdentifierValue(agent),
                _E.linkingAgentRole(role),
            )
            for agent, role in event.agents
        ),
        *(
            _E.linkingObjectIdentifier(
                _E.linkingObjectIdentifierType(linked.identifier_type),
                _E.linkingObjectIdentifierValue(linked.identifier),
                _E.linkingObjectRole(linked.role),
            )
            for linked in event.objects
        ),
    )


def _agent(agent: Agent) -> etree._Element:
    parts = [
        _identifier("agentIdentifier", LOCAL_IDENTIFIER, agent.identifier),
        _E.agentName(agent.name),
        _E.agentType(agent.kind),
    ]
    if agent.version:
        parts.append(_E.agentVersion(agent.version))
    if agent.note:
        parts.append(_E.agentNote(agent.note))
    return _E.agent(*parts)
