"""JSON Schemas of the archive's files, generated from the models, for editors."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from nbesok.archive.models import Protocol, Visit

SCHEMA_FILES: dict[str, tuple[type[BaseModel], str]] = {
    "besok.schema.json": (Visit, "Nämndbesök (nbesok)"),
    "protokoll.schema.json": (Protocol, "Dokumentationsmall/protokoll (nbesok)"),
}


# Editors show these; the models' docstrings are for developers and in English.
_DESCRIPTIONS = {
    "Visit": "Ett nämndbesök: vem, när, var och svaren i Markdown.",
    "Protocol": "En version av dokumentationsmallen: säsongens frågor.",
    "Member": "En deltagande ledamot.",
    "FollowUp": "En punkt att följa upp efter besöket.",
    "Status": "ej påbörjad (röd), påbörjad (gul) eller klar (grön).",
    "Group": "majoritet eller opposition.",
    "Composition": "Besöksgruppen som mallen anger (en kontroll som varnar).",
    "Labels": "Rubriker i dokumenthuvudet som skiljer sig från standard.",
    "Question": "En fråga i mallen.",
    "Section": "Ett avsnitt med frågor.",
    "Review": "Granskningen: godkänd av ledamöterna, fastställd av handläggaren. Skrivs av "
    "nbesok godkänn och nbesok fastställ.",
    "Approval": "En ledamot som läst och godkänt anteckningarna.",
    "Adoption": "Vem som fastställde anteckningarna, när, och kontrollsumman för innehållet.",
}


def type_description(model: type[BaseModel]) -> str:
    """The Swedish description editors show for a kind of value (``Member`` …)."""
    return _DESCRIPTIONS.get(model.__name__, "")


def json_schema(model: type[BaseModel], title: str) -> dict[str, Any]:
    schema = model.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = title
    schema["description"] = _DESCRIPTIONS[model.__name__]
    for name, definition in schema.get("$defs", {}).items():
        target = definition["anyOf"][1] if "anyOf" in definition else definition
        target["description"] = _DESCRIPTIONS.get(name, "")
        target.pop("title", None)
    return schema


def schema_bytes(model: type[BaseModel], title: str) -> bytes:
    text = json.dumps(json_schema(model, title), ensure_ascii=False, indent=2, sort_keys=True)
    return (text + "\n").encode("utf-8")


def schema_files() -> dict[str, bytes]:
    """File name -> JSON Schema, one per kind of file."""
    return {name: schema_bytes(model, title) for name, (model, title) in SCHEMA_FILES.items()}
