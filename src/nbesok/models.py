"""The archive's vocabulary as pydantic models: protocols, visits and settings.

Attribute names are English; the YAML keys are the Swedish words of the templates
(aliases). Every model forbids unknown keys. Validators raise
:class:`~pydantic_core.PydanticCustomError` with Swedish messages, so the loader can
pass them to the user unchanged.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError

if TYPE_CHECKING:
    from nbesok.seasons import Season

# Ids of protocols and questions: file stems and YAML keys, never paths.
ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PARTY = re.compile(r"^[A-ZÅÄÖ]{1,4}$")
_SHORTHAND = re.compile(r"^(?P<name>[^()]*?)\s*\((?P<party>[^()]*)\)\s*$")


def _iso_date(value: Any) -> Any:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _DATE.match(value.strip()):
        raise PydanticCustomError(
            "nbesok_date",
            "ogiltigt datum ”{value}”; skriv datum som ÅÅÅÅ-MM-DD, t.ex. 2018-10-17",
            {"value": value},
        )
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise PydanticCustomError(
            "nbesok_date",
            "datumet ”{value}” finns inte i kalendern; skriv ett verkligt datum som ÅÅÅÅ-MM-DD",
            {"value": value},
        ) from None


def _party(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    code = value.strip().upper()
    if not _PARTY.match(code):
        raise PydanticCustomError(
            "nbesok_party",
            "ogiltig partibeteckning ”{value}”; skriv partiets förkortning med 1–4 bokstäver, "
            "t.ex. S, M, C, L, KD, V, MP eller SD",
            {"value": value},
        )
    return code


def _slug(value: Any) -> Any:
    if isinstance(value, str) and not re.match(ID_PATTERN, value):
        raise PydanticCustomError(
            "nbesok_slug",
            "”{value}” är inte ett giltigt id; använd små bokstäver a–z, siffror och "
            "bindestreck, t.ex. ”individens-behov”",
            {"value": value},
        )
    return value


def _web_address(value: Any) -> Any:
    if isinstance(value, str) and not re.match(r"^https?://\S+$", value.strip()):
        raise PydanticCustomError(
            "nbesok_url",
            "”{value}” är ingen webbadress; skriv hela adressen, t.ex. https://www.linkoping.se/…",
            {"value": value},
        )
    return value.strip() if isinstance(value, str) else value


def _allowed_number(value: Any) -> Any:
    from nbesok.personnummer import number_digits

    if isinstance(value, str) and number_digits(value) is None:
        raise PydanticCustomError(
            "nbesok_allowed_number",
            "”{value}” är inget personnummer eller samordningsnummer (ÅÅMMDD-NNNN med rätt "
            "kontrollsiffra); skriv numret som det står i texten, ett per rad",
            {"value": value},
        )
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
AllowedNumber = Annotated[str, BeforeValidator(_allowed_number)]
PartyCode = Annotated[str, BeforeValidator(_party)]
Slug = Annotated[str, BeforeValidator(_slug)]
WebAddress = Annotated[str, BeforeValidator(_web_address)]
Text = Annotated[str, Field(min_length=1)]
Markdown = Annotated[str, Field(description="Markdown-text.")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=False)


class Status(StrEnum):
    """The traffic light of a follow-up item (green, yellow, red in the 2018 seed)."""

    NOT_STARTED = "ej påbörjad"
    STARTED = "påbörjad"
    DONE = "klar"


class Group(StrEnum):
    MAJORITY = "majoritet"
    OPPOSITION = "opposition"


class Member(_Strict):
    """A visiting ledamot: ``Roger Bandick (S)`` or the long form with namn/parti/grupp."""

    name: Text = Field(alias="namn", description="Ledamotens namn.")
    party: PartyCode | None = Field(
        None, alias="parti", description="Partiets förkortning, t.ex. S."
    )
    group: Group | None = Field(
        None,
        alias="grupp",
        description="majoritet eller opposition; annars räknas den fram ur majoritetspartier.",
    )

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        match = _SHORTHAND.match(value)
        if match:
            return {"namn": match["name"].strip(), "parti": match["party"]}
        if "(" in value or ")" in value:
            raise PydanticCustomError(
                "nbesok_member",
                "”{value}” går inte att läsa som ledamot; skriv ”Namn (PARTI)” med ett parti, "
                "t.ex. ”Roger Bandick (S)”, eller bara namnet",
                {"value": value},
            )
        return {"namn": value.strip()}

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        # The shorthand is a plain string, which the object schema alone would reject.
        return {
            "anyOf": [
                {"type": "string", "description": "”Namn (PARTI)”, t.ex. ”Roger Bandick (S)”."},
                handler(core_schema),
            ]
        }

    def display(self) -> str:
        return f"{self.name} ({self.party})" if self.party else self.name


class FollowUp(_Strict):
    """Something promised or asked for during the visit, and its state."""

    item: Text = Field(alias="punkt", description="Vad som ska följas upp.")
    responsible: Text = Field(alias="ansvarig", description="Vem som ansvarar.")
    due: IsoDate | None = Field(None, alias="senast", description="Senast (ÅÅÅÅ-MM-DD).")
    status: Status = Field(
        Status.NOT_STARTED,
        alias="status",
        description="ej påbörjad (röd), påbörjad (gul) eller klar (grön).",
    )
    origin: Text | None = Field(
        None,
        alias="från",
        description="Besöket punkten fördes över från: besöksfilens namn utan .yaml.",
    )


class Visit(_Strict):
    """One committee visit: who, when, where, and the answers in Markdown."""

    protocol: Slug = Field(
        alias="protokoll", description="Id för protokollet (filnamnet utan .yaml)."
    )
    operation: Text = Field(alias="verksamhet", description="Den besökta verksamheten.")
    date: IsoDate = Field(alias="besöksdatum", description="Besöksdatum, ÅÅÅÅ-MM-DD.")
    website: WebAddress | None = Field(None, alias="hemsida", description="Länk till hemsida.")
    case_number: Text | None = Field(None, alias="diarienummer", description="Diarienummer.")
    members: list[Member] = Field(
        default_factory=list,
        alias="ledamöter",
        description="Deltagande ledamöter: ”Namn (PARTI)” eller namn/parti/grupp.",
    )
    officials: list[Text] = Field(
        default_factory=list, alias="tjänstepersoner", description="Deltagande tjänstepersoner."
    )
    answers: dict[str, Markdown | None] = Field(
        default_factory=dict, alias="svar", description="Fråge-id → svar i Markdown."
    )
    summary: Markdown | None = Field(
        None, alias="sammanfattning", description="Sammanfattning för nämnden (Markdown)."
    )
    follow_up: list[FollowUp] = Field(
        default_factory=list, alias="uppföljning", description="Punkter att följa upp."
    )
    allowed_numbers: list[AllowedNumber] = Field(
        default_factory=list,
        alias="tillåtna_personnummer",
        description=(
            "Personnummer eller samordningsnummer som får stå i besökets dokument, ett per "
            "rad (ÅÅMMDD-NNNN). Beslutet syns i git; alla andra nummer stoppas."
        ),
    )
    unplaced: Markdown | None = Field(
        None,
        alias="oplacerat",
        description=(
            "Text från en importerad Word-fil som inte hörde till någon fråga; flytta den "
            "till rätt svar och ta bort nyckeln. Kommer inte med i dokumenten."
        ),
    )


class Composition(_Strict):
    """The visiting group a template asks for; a check that warns, not a wall."""

    majority: int = Field(
        0, ge=0, alias="majoritet", description="Antal ledamöter från majoriteten."
    )
    opposition: int = Field(0, ge=0, alias="opposition", description="Antal från oppositionen.")
    officials: int = Field(0, ge=0, alias="tjänstepersoner", description="Antal tjänstepersoner.")
    majority_parties: list[PartyCode] = Field(
        default_factory=list, alias="majoritetspartier", description="Majoritetens partier."
    )


class Labels(_Strict):
    """Header labels; the defaults are the 2018/19 template's wording."""

    operation: Text = Field("Verksamhet", alias="verksamhet")
    members: Text = Field("Deltagande ledamöter", alias="ledamöter")
    officials: Text = Field("Deltagande tjänsteperson", alias="tjänstepersoner")
    date: Text = Field("Besöksdatum", alias="besöksdatum")
    website: Text = Field("Eventuell länk till hemsida", alias="hemsida")
    case_number: Text = Field("Diarienummer", alias="diarienummer")


class Question(_Strict):
    id: Slug = Field(alias="id", description="Stabilt id som besöken använder under svar.")
    question: Text = Field(alias="fråga", description="Frågan.")
    follow_ups: list[Text] = Field(
        default_factory=list, alias="följdfrågor", description="Följdfrågor."
    )
    guidance: Markdown | None = Field(
        None, alias="hjälptext", description="Vad frågan är ute efter (Markdown)."
    )
    to_committee: bool = Field(
        False, alias="till_nämnden", description="Svaret redovisas i tjänsteskrivelsen."
    )


class Section(_Strict):
    heading: Text = Field(alias="rubrik", description="Avsnittets rubrik.")
    text: Markdown | None = Field(None, alias="text", description="Text under rubriken.")
    questions: list[Question] = Field(default_factory=list, alias="frågor")


class Protocol(_Strict):
    """One version of the dokumentationsmall: the questions of a season."""

    title: Text = Field(alias="titel", description="Mallens titel.")
    committee: Text | None = Field(
        None, alias="nämnd", description="Nämnden (standard: nämnd i nbesok.yaml)."
    )
    period: Text = Field(alias="period", description="Säsong, t.ex. 2024 eller 2018/19.")
    valid_from: IsoDate | None = Field(
        None, alias="gäller_från", description="Första dag mallen gäller (ÅÅÅÅ-MM-DD)."
    )
    valid_to: IsoDate | None = Field(
        None, alias="gäller_till", description="Sista dag mallen gäller (ÅÅÅÅ-MM-DD)."
    )
    introduction: Markdown | None = Field(None, alias="inledning", description="Inledning.")
    documents: list[Text] = Field(
        default_factory=list, alias="underlag", description="Underlag inför besöken."
    )
    composition: Composition | None = Field(None, alias="sammansättning")
    labels: Labels = Field(default_factory=Labels, alias="etiketter")
    sections: list[Section] = Field(alias="avsnitt", min_length=1, description="Avsnitt.")

    @model_validator(mode="after")
    def _season(self) -> Protocol:
        from nbesok.seasons import PERIOD_HINT, protocol_season

        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise PydanticCustomError(
                "nbesok_season",
                "gäller_till ({last}) ligger före gäller_från ({first}); byt plats på dem",
                {
                    "first": self.valid_from.isoformat(),
                    "last": self.valid_to.isoformat(),
                    "key": "gäller_till",
                },
            )
        if protocol_season(self.period, self.valid_from, self.valid_to) is None:
            raise PydanticCustomError(
                "nbesok_season",
                "perioden ”{period}” säger inte vilka datum mallen gäller; "
                + PERIOD_HINT
                + ", eller ange gäller_från och gäller_till",
                {"period": self.period, "key": "period"},
            )
        return self

    def questions(self) -> list[Question]:
        return [question for section in self.sections for question in section.questions]

    def season(self) -> Season:
        from nbesok.seasons import protocol_season

        found = protocol_season(self.period, self.valid_from, self.valid_to)
        assert found is not None  # the validator above refuses a protocol without one
        return found


DEFAULT_PROPOSALS = ("Informationen noteras.",)


class Settings(_Strict):
    """``nbesok.yaml``: marks the archive root and holds its defaults."""

    municipality: Text | None = Field(None, alias="kommun", description="Kommunens namn.")
    administration: Text | None = Field(
        None,
        alias="förvaltning",
        description="Förvaltningen som skriver tjänsteskrivelserna (deras huvud).",
    )
    committee: Text | None = Field(
        None, alias="nämnd", description="Nämnden; standard för protokoll som inte anger någon."
    )
    proposals: list[Text] = Field(
        default_factory=lambda: list(DEFAULT_PROPOSALS),
        alias="förslag_till_beslut",
        min_length=1,
        description="Förslag till beslut i tjänsteskrivelser.",
    )
