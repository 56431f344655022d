"""``documentation/LASMIG.md``: what the package is, what nbesok is, how to read the YAML.

The key tables are generated from the models that read the files, so the
documentation in a package can never describe keys nbesok does not know.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

import jinja2
from pydantic import BaseModel

from nbesok.archive import models
from nbesok.archive.json_schemas import type_description

# (heading, model): every kind of YAML the source representation holds.
VOCABULARY: tuple[tuple[str, type[BaseModel]], ...] = (
    ("Besöksfiler, visits/*.yaml", models.Visit),
    ("En ledamot i lång form (under ledamöter)", models.Member),
    ("En uppföljningspunkt (under uppföljning)", models.FollowUp),
    ("Granskningen (under status)", models.Review),
    ("Ett godkännande (under status.godkänd)", models.Approval),
    ("Fastställandet (under status.fastställd)", models.Adoption),
    ("Protokoll (dokumentationsmallar), protocols/*.yaml", models.Protocol),
    ("Ett avsnitt (under avsnitt)", models.Section),
    ("En fråga (under avsnitt.frågor)", models.Question),
    ("Besöksgruppen (under sammansättning)", models.Composition),
    ("Rubriker (under etiketter)", models.Labels),
    ("Arkivets inställningar, nbesok.yaml", models.Settings),
)


@dataclass(frozen=True)
class KeyTable:
    rubrik: str
    nycklar: list[tuple[str, str]]


def vocabulary() -> list[KeyTable]:
    """One table of keys and their meaning per kind of YAML, from the models."""
    return [
        KeyTable(heading, [(key, meaning) for key, meaning in _keys(model)])
        for heading, model in VOCABULARY
    ]


def _keys(model: type[BaseModel]) -> list[tuple[str, str]]:
    keys = []
    for name, field in model.model_fields.items():
        key = field.alias or name
        meaning = field.description or _described_by_type(field.annotation)
        if not meaning and model is models.Labels:
            meaning = f"Rubriken i dokumenthuvudet i stället för ”{field.default}”."
        keys.append((key, meaning or "–"))
    return keys


def _described_by_type(annotation: Any) -> str:
    """A nested model's own description, for a key that has none (``frågor``)."""
    listed = typing.get_origin(annotation) is list
    for candidate in (annotation, *typing.get_args(annotation)):
        for inner in (candidate, *typing.get_args(candidate)):
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                text = type_description(inner)
                return f"En lista; varje post: {text[0].lower()}{text[1:]}" if listed else text
    return ""


def readme(context: dict[str, Any]) -> bytes:
    """LASMIG.md from its template and ``context`` (the package's facts)."""
    source = (files("nbesok.commands.arkivera") / "LASMIG.md.j2").read_text(encoding="utf-8")
    environment = jinja2.Environment(
        undefined=jinja2.StrictUndefined, keep_trailing_newline=True, autoescape=False
    )
    text = environment.from_string(source).render(**context, ordlista=vocabulary())
    return text.encode("utf-8")
