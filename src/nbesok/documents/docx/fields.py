"""Content controls (``w:sdt``): the fields of a fillable blank form, written and read.

Each field of the blank form (a header field such as ``verksamhet``, or ``svar.<id>``
for a question's answer) is a block-level content control around its paragraph. Its
tag names nbesok, the protocol and the field (``nbesok:arbetslik-aktivitet-2023:svar.
handlingsplaner``); its alias, the title Word shows on the control, names the field
too (``Svar [svar.handlingsplaner]``). The form's document identifier names the
protocol (``nbesok:arbetslik-aktivitet-2023``).

Word keeps all of that. LibreOffice 7.4 drops the tag and turns the control into an
inline one around the first paragraph only (shared/DESIGN.md), so the reader takes the
field from the alias when the tag is gone, and the protocol from the identifier.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from docx.oxml import OxmlElement
from docx.oxml.ns import qn

PREFIX = "nbesok"
SDT = qn("w:sdt")
SDT_PR = qn("w:sdtPr")
SDT_CONTENT = qn("w:sdtContent")
_ALIAS_FIELD = re.compile(r"\[([^\[\]]+)\]\s*$")
# The visit's own fields that a form has in its head, in the form's order.
HEADER_FIELDS = (
    "verksamhet",
    "ledamöter",
    "tjänstepersoner",
    "besöksdatum",
    "hemsida",
    "diarienummer",
)
# What Word shows on a control, when the template names no label.
_LABELS = {
    "verksamhet": "Verksamhet",
    "besöksdatum": "Besöksdatum",
    "ledamöter": "Ledamöter",
    "tjänstepersoner": "Tjänstepersoner",
    "hemsida": "Hemsida",
    "diarienummer": "Diarienummer",
    "sammanfattning": "Sammanfattning",
    "uppföljning": "Uppföljning",
}


# The placeholders of the default blank form. LibreOffice keeps a control's placeholder
# as plain text, so a control that holds exactly one of these was not filled in.
PLACEHOLDERS = frozenset(
    {
        "Skriv svaret här",
        "Skriv verksamheten här",
        "Namn (parti), ett namn per rad",
        "Namn, ett namn per rad",
        "ÅÅÅÅ-MM-DD",
        "https://…",  # forms made before a web address was printed as its own link
        "Skriv webbadressen här",
        "Skriv diarienumret här",
        "Skriv sammanfattningen här",
        "Vad ska följas upp?",
        "Vem ansvarar?",
        "ej påbörjad, påbörjad eller klar",
    }
)


def label_of(field: str) -> str:
    if field.startswith("svar."):
        return "Svar"
    return _LABELS.get(field, _LABELS.get(field.partition(".")[0], field))


@dataclass(frozen=True)
class FieldId:
    """What a content control holds: a field, and the protocol when its tag says so."""

    field: str
    protocol: str = ""


def document_identifier(protocol_id: str) -> str:
    return f"{PREFIX}:{protocol_id}"


def protocol_of_identifier(identifier: str | None) -> str:
    """The protocol id a form's document identifier names, or ""."""
    prefix, _, protocol = (identifier or "").partition(":")
    return protocol if prefix == PREFIX and protocol else ""


def control(field: str, label: str, protocol: str, *, placeholder: bool) -> Any:
    """An empty block-level ``w:sdt`` for ``field``; its content goes in ``sdtContent``.

    ``placeholder`` marks the content as placeholder text, which Word selects whole on
    the first click and replaces with what is typed.
    """
    sdt = OxmlElement("w:sdt")
    properties = OxmlElement("w:sdtPr")
    properties.append(OxmlElement("w:alias", {qn("w:val"): f"{label} [{field}]"}))
    properties.append(OxmlElement("w:tag", {qn("w:val"): f"{PREFIX}:{protocol}:{field}"}))
    # The control cannot be deleted by mistake; what is typed in it can.
    properties.append(OxmlElement("w:lock", {qn("w:val"): "sdtLocked"}))
    if placeholder:
        properties.append(OxmlElement("w:showingPlcHdr"))
    # A rich-text control: paragraphs, lists and formatting may be typed into it.
    properties.append(OxmlElement("w:richText"))
    sdt.append(properties)
    sdt.append(OxmlElement("w:sdtContent"))
    return sdt


def field_of(sdt: Any) -> FieldId | None:
    """The field a ``w:sdt`` holds, from its tag, else from its alias; None if not ours."""
    properties = sdt.find(SDT_PR)
    if properties is None:
        return None
    tag = properties.find(qn("w:tag"))
    if tag is not None:
        prefix, _, rest = str(tag.get(qn("w:val"), "")).partition(":")
        protocol, _, field = rest.rpartition(":")
        if prefix == PREFIX and field:
            return FieldId(field, protocol)
    alias = properties.find(qn("w:alias"))
    if alias is not None:
        found = _ALIAS_FIELD.search(str(alias.get(qn("w:val"), "")))
        if found:
            return FieldId(found.group(1))
    return None


def shows_placeholder(sdt: Any) -> bool:
    """Whether the control still shows its placeholder (nothing was filled in)."""
    properties = sdt.find(SDT_PR)
    return properties is not None and properties.find(qn("w:showingPlcHdr")) is not None
