"""The package's METS files (E-ARK CSIP 2.1.0 with SIP 2.1.0), built with lxml.

The package METS describes the package: its agents, the descriptive and preservation
metadata, the documentation and schema files, and one file group per representation
holding that representation's METS file (CSIP 5.3.5). Its structural map has one
division per folder and one per representation, each pointing at the representation's
METS with ``mptr`` (CSIP105–112, as the specification's own example does). Every
representation METS describes that representation's files the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from lxml import etree
from lxml.builder import ElementMaker

from nbesok.commands.arkivera.layout import PackageFile, Representation, xml_id
from nbesok.commands.arkivera.namespaces import (
    CSIP,
    METS,
    SIP_PROFILE,
    XLINK,
    XSI,
    qualified,
    xml_bytes,
)

# CSIP4 and CSIP62: no E-ARK content information type specification covers committee
# visit records, so the type is OTHER, named here.
CONTENT_INFORMATION_TYPE = "nbesok"

_E = ElementMaker(namespace=METS, nsmap={None: METS, "csip": CSIP, "xlink": XLINK, "xsi": XSI})
_SCHEMAS = (
    (METS, "mets.xsd"),
    (XLINK, "xlink.xsd"),
    (CSIP, "DILCISExtensionMETS.xsd"),
)


@dataclass(frozen=True)
class Organisation:
    """An agent of the package header: who created the records, who submits them."""

    role: str  # METS agent ROLE: ARCHIVIST (archival creator) or CREATOR (submitter)
    name: str


def _timestamp(day: date) -> str:
    # CSIP 5.2.2: a date without a known time is given as midnight.
    return f"{day.isoformat()}T00:00:00Z"


def _link(href: str) -> dict[str, str]:
    return {"LOCTYPE": "URL", qualified(XLINK, "type"): "simple", qualified(XLINK, "href"): href}


def _root(objid: str, label: str, content_type: str, folder_depth: int) -> etree._Element:
    up = "../" * folder_depth
    root = _E.mets(
        OBJID=objid,
        TYPE=content_type,
        LABEL=label,
        PROFILE=SIP_PROFILE,
    )
    root.set(qualified(CSIP, "CONTENTINFORMATIONTYPE"), "OTHER")
    root.set(qualified(CSIP, "OTHERCONTENTINFORMATIONTYPE"), CONTENT_INFORMATION_TYPE)
    root.set(
        qualified(XSI, "schemaLocation"),
        " ".join(f"{namespace} {up}schemas/{name}" for namespace, name in _SCHEMAS),
    )
    return root


def _header(day: date, version: str, organisations: Sequence[Organisation]) -> etree._Element:
    software = _E.agent(
        _E.name("nbesok"),
        _E.note(version, {qualified(CSIP, "NOTETYPE"): "SOFTWARE VERSION"}),
        ROLE="CREATOR",
        TYPE="OTHER",
        OTHERTYPE="SOFTWARE",
    )
    others = [
        _E.agent(_E.name(organisation.name), ROLE=organisation.role, TYPE="ORGANIZATION")
        for organisation in organisations
    ]
    header = _E.metsHdr(software, *others, CREATEDATE=_timestamp(day), RECORDSTATUS="NEW")
    header.set(qualified(CSIP, "OAISPACKAGETYPE"), "SIP")
    return header


def _md_ref(file: PackageFile, folder: str, mdtype: str) -> etree._Element:
    return _E.mdRef(
        _link(file.href(folder)),
        MDTYPE=mdtype,
        MIMETYPE=file.mimetype,
        SIZE=str(file.size),
        CREATED=_timestamp(file.created),
        CHECKSUM=file.sha256,
        CHECKSUMTYPE="SHA-256",
    )


def _file(file: PackageFile, folder: str) -> etree._Element:
    return _E.file(
        _E.FLocat(_link(file.href(folder))),
        ID=xml_id("file", file.path),
        MIMETYPE=file.mimetype,
        SIZE=str(file.size),
        CREATED=_timestamp(file.created),
        CHECKSUM=file.sha256,
        CHECKSUMTYPE="SHA-256",
    )


def _group(use: str, files: Sequence[PackageFile], folder: str, key: str) -> etree._Element:
    return _E.fileGrp(*(_file(file, folder) for file in files), USE=use, ID=xml_id("grp", key))


def _division(label: str, key: str, group: str) -> etree._Element:
    return _E.div(_E.fptr(FILEID=group), ID=xml_id("div", key), LABEL=label)


def package_mets(
    *,
    objid: str,
    label: str,
    content_type: str,
    day: date,
    version: str,
    organisations: Sequence[Organisation],
    description: PackageFile,
    preservation: PackageFile,
    documentation: Sequence[PackageFile],
    schemas: Sequence[PackageFile],
    representations: Sequence[tuple[Representation, PackageFile]],
) -> bytes:
    """The package METS.xml; each representation comes with its METS file."""
    dmd_id, amd_id = xml_id("dmd", description.path), xml_id("digiprov", preservation.path)
    groups = [
        _group("Documentation", documentation, "", "documentation"),
        _group("Schemas", schemas, "", "schemas"),
    ]
    divisions = [
        _E.div(ID=xml_id("div", "metadata"), LABEL="Metadata", ADMID=amd_id, DMDID=dmd_id),
        _division("Documentation", "documentation", groups[0].get("ID")),
        _division("Schemas", "schemas", groups[1].get("ID")),
    ]
    for representation, mets_file in representations:
        use = f"Representations/{representation.name}"
        group = _group(use, [mets_file], "", representation.folder)
        group.set(qualified(CSIP, "CONTENTINFORMATIONTYPE"), "OTHER")
        group.set(qualified(CSIP, "OTHERCONTENTINFORMATIONTYPE"), CONTENT_INFORMATION_TYPE)
        groups.append(group)
        pointer = _E.mptr(_link(mets_file.href("")))
        pointer.set(qualified(XLINK, "title"), group.get("ID"))
        divisions.append(_E.div(pointer, ID=xml_id("div", representation.folder), LABEL=use))
    root = _root(objid, label, content_type, 0)
    root.extend(
        [
            _header(day, version, organisations),
            _E.dmdSec(
                _md_ref(description, "", "EAD"),
                ID=dmd_id,
                CREATED=_timestamp(description.created),
                STATUS="CURRENT",
            ),
            _E.amdSec(
                _E.digiprovMD(_md_ref(preservation, "", "PREMIS"), ID=amd_id, STATUS="CURRENT")
            ),
            _E.fileSec(*groups, ID=xml_id("filesec", "")),
            _E.structMap(
                _E.div(*divisions, ID=xml_id("div", ""), LABEL=objid),
                TYPE="PHYSICAL",
                LABEL="CSIP",
                ID=xml_id("structmap", ""),
            ),
        ]
    )
    return xml_bytes(root)


def representation_mets(
    *, representation: Representation, day: date, version: str, preservation: PackageFile
) -> bytes:
    """A representation's METS.xml: its data, schemas and documentation, and its PREMIS."""
    folder = representation.folder
    amd_id = xml_id("digiprov", preservation.path)
    groups = []
    divisions = [_E.div(ID=xml_id("div", f"{folder}/metadata"), LABEL="Metadata", ADMID=amd_id)]
    for subfolder, use in (("documentation", "Documentation"), ("schemas", "Schemas")):
        files = representation.files_in(subfolder)
        if files:
            groups.append(_group(use, files, folder, f"{folder}/{subfolder}"))
            divisions.append(_division(use, f"{folder}/{subfolder}", groups[-1].get("ID")))
    groups.append(_group("Data", representation.files_in("data"), folder, f"{folder}/data"))
    divisions.append(_division("Data", f"{folder}/data", groups[-1].get("ID")))
    root = _root(representation.name, representation.label, representation.content_type, 2)
    root.extend(
        [
            _header(day, version, ()),
            _E.amdSec(
                _E.digiprovMD(_md_ref(preservation, folder, "PREMIS"), ID=amd_id, STATUS="CURRENT")
            ),
            _E.fileSec(*groups, ID=xml_id("filesec", folder)),
            _E.structMap(
                _E.div(*divisions, ID=xml_id("div", f"{folder}:main"), LABEL=representation.name),
                TYPE="PHYSICAL",
                LABEL="CSIP",
                ID=xml_id("structmap", folder),
            ),
        ]
    )
    return xml_bytes(root)
