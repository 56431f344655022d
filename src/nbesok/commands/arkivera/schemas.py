"""The official XML schemas every package carries, and validation against them.

The schemas live beside this module (``schemas/``, see its SOURCES.md) and are copied
byte for byte into each package's ``schemas/`` folder. Every METS, PREMIS and EAD file
nbesok writes is validated against them before the package is written; the network is
never used (``mets.xsd`` imports XLink by its loc.gov address, which is resolved to the
local copy).
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from lxml import etree

from nbesok.commands.arkivera.namespaces import CSIP, EAD, METS, PREMIS, SIP, XLINK

SCHEMA_FILES = (
    "DILCISExtensionMETS.xsd",
    "DILCISExtensionSIPMETS.xsd",
    "ead.xsd",
    "mets.xsd",
    "premis.xsd",
    "xlink.xsd",
)
# The schema of each namespace, as package files name them in xsi:schemaLocation.
SCHEMA_OF = {
    METS: "mets.xsd",
    XLINK: "xlink.xsd",
    CSIP: "DILCISExtensionMETS.xsd",
    SIP: "DILCISExtensionSIPMETS.xsd",
    PREMIS: "premis.xsd",
    EAD: "ead.xsd",
}
_REMOTE_XLINK = "http://www.loc.gov/standards/xlink/xlink.xsd"


def schema_folder() -> Path:
    return Path(str(files("nbesok.commands.arkivera") / "schemas"))


def schema_bytes() -> dict[str, bytes]:
    """File name -> the official schema's bytes."""
    folder = schema_folder()
    return {name: (folder / name).read_bytes() for name in SCHEMA_FILES}


class _LocalSchemas(etree.Resolver):  # type: ignore[misc]
    """Serves the loc.gov XLink schema that mets.xsd imports from the local copy."""

    def resolve(self, system_url: str, public_id: str, context: Any) -> Any:
        if system_url == _REMOTE_XLINK:
            return self.resolve_filename(str(schema_folder() / "xlink.xsd"), context)
        return None


def _parser() -> etree.XMLParser:
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    parser.resolvers.add(_LocalSchemas())
    return parser


@cache
def _schema(namespace: str) -> etree.XMLSchema:
    """The schema for documents whose root is in ``namespace``; METS documents also
    carry the CSIP and SIP extension attributes, so their schema imports those too."""
    xs = "http://www.w3.org/2001/XMLSchema"
    imports = [namespace, CSIP, SIP] if namespace == METS else [namespace]
    wrapper = etree.Element(f"{{{xs}}}schema", nsmap={"xs": xs})
    for imported in imports:
        location = (schema_folder() / SCHEMA_OF[imported]).as_uri()
        etree.SubElement(wrapper, f"{{{xs}}}import", namespace=imported, schemaLocation=location)
    document = etree.fromstring(etree.tostring(wrapper), _parser())
    return etree.XMLSchema(document)


def schema_errors(data: bytes) -> list[str]:
    """What the official schema of the document's root namespace says is wrong with it:
    ``line N: message`` for each error; empty when the document is valid."""
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as error:
        return [f"rad {error.lineno}: {error.msg}"]
    namespace = etree.QName(root).namespace or ""
    if namespace not in SCHEMA_OF:
        return [f"okänd namnrymd {namespace!r}"]
    schema = _schema(namespace)
    if schema.validate(root):
        return []
    return [f"rad {entry.line}: {entry.message}" for entry in schema.error_log]
