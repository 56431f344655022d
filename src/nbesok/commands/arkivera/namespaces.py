"""The XML namespaces of an E-ARK package, the profile it declares, and how its XML is written."""

from __future__ import annotations

from typing import Any

from lxml import etree

METS = "http://www.loc.gov/METS/"
XLINK = "http://www.w3.org/1999/xlink"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
CSIP = "https://DILCIS.eu/XML/METS/CSIPExtensionMETS"
SIP = "https://DILCIS.eu/XML/METS/SIPExtensionMETS"
PREMIS = "http://www.loc.gov/premis/v3"
EAD = "urn:isbn:1-931666-22-9"

# SIP2: a SIP's METS declares the SIP profile, which builds on CSIP's.
SIP_PROFILE = "https://earksip.dilcis.eu/profile/E-ARK-SIP.xml"


def qualified(namespace: str, name: str) -> str:
    """``{namespace}name``, as lxml names attributes."""
    return f"{{{namespace}}}{name}"


def xml_bytes(root: Any) -> bytes:
    """An XML file as the package holds it: UTF-8 with its declaration, indented."""
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return data
