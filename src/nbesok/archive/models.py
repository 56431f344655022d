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
    from nbesok.archive.seasons import Season

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
    # A masked address, "[https://…]{maskera=\"…\"}", is an address too.
    shown = _unmasked(value.strip()) if isinstance(value, str) else value
    if isinstance(shown, str) and not re.match(r"^https?://\S+$", shown):
        raise PydanticCustomError(
            "nbesok_url",
            "”{value}” är ingen webbadress; skriv hela adressen, med https:// först",
            {"value": value},
        )
    return value.strip() if isinstance(value, str) else value


_LINE_BREAK = re.compile("[\n\r\x0b\x0c\x85\u2028\u2029]")


def _one_line(value: Any) -> Any:
    if isinstance(value, str) and _LINE_BREAK.search(value.strip()):
        shown = " / ".join(part.strip() for part in _LINE_BREAK.split(value.strip()))
        raise PydanticCustomError(
            "nbesok_line",
            "”{value}” står på flera rader; skriv det på en rad (utan ”|” efter nyckeln)",
            {"value": shown},
        )
    return value


def _allowed_number(value: Any) -> Any:
    from nbesok.archive.personnummer import number_digits

    if isinstance(value, str) and number_digits(value) is None:
        raise PydanticCustomError(
            "nbesok_allowed_number",
            "”{value}” är inget personnummer eller samordningsnummer (ÅÅMMDD-NNNN med rätt "
            "kontrollsiffra); skriv numret som det står i texten, ett per rad",
            {"value": value},
        )
    return value


def _unmasked(text: str) -> str:
    from nbesok.archive.masks import internal_field

    return internal_field(text)


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
AllowedNumber = Annotated[str, BeforeValidator(_allowed_number)]
PartyCode = Annotated[str, BeforeValidator(_party)]
Slug = Annotated[str, BeforeValidator(_slug)]
WebAddress = Annotated[str, BeforeValidator(_web_address)]
Text = Annotated[str, Field(min_length=1)]
# A name, a place, a number: a value that stands on one line in the documents' tables
# and in file names.
Line = Annotated[str, Field(min_length=1), BeforeValidator(_one_line)]
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

    name: Line = Field(alias="namn", description="Ledamotens namn.")
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
        """``Roger Bandick (S)``; a group given in the file shows too (``Eva Ek (M,
        opposition)``), so that the document says it and an import gets it back."""
        inside = ", ".join(part for part in (self.party, self.group and self.group.value) if part)
        return f"{self.name} ({inside})" if inside else self.name


class FollowUp(_Strict):
    """Something promised or asked for during the visit, and its state."""

    item: Line = Field(alias="punkt", description="Vad som ska följas upp.")
    responsible: Line = Field(alias="ansvarig", description="Vem som ansvarar.")
    due: IsoDate | None = Field(None, alias="senast", description="Senast (ÅÅÅÅ-MM-DD).")
    status: Status = Field(
        Status.NOT_STARTED,
        alias="status",
        description="ej påbörjad (röd), påbörjad (gul) eller klar (grön).",
    )
    origin: Line | None = Field(
        None,
        alias="från",
        description="Besöket punkten fördes över från: besöksfilens namn utan .yaml.",
    )


_CONTENT_HASH = re.compile(r"^sha256:[0-9a-f]{64}$")


def _content_hash(value: Any) -> Any:
    if isinstance(value, str) and not _CONTENT_HASH.match(value.strip()):
        raise PydanticCustomError(
            "nbesok_hash",
            "”{value}” är ingen kontrollsumma; den skrivs av nbesok som sha256: följt av 64 "
            "tecken 0–9 och a–f. Skriv inte in den för hand: kör nbesok fastställ",
            {"value": value},
        )
    return value.strip() if isinstance(value, str) else value


ContentHash = Annotated[str, BeforeValidator(_content_hash)]


class Approval(_Strict):
    """A visiting ledamot read the notes and approved them (godkänd)."""

    by: Text = Field(alias="av", description="Ledamoten som godkände, som under ledamöter.")
    date: IsoDate = Field(alias="datum", description="Dagen för godkännandet (ÅÅÅÅ-MM-DD).")
    content: ContentHash | None = Field(
        None,
        alias="innehåll",
        description="Kontrollsumman för innehållet som godkändes (skrivs av nbesok godkänn).",
    )


class Adoption(_Strict):
    """The version reported to the committee was fastställd: by whom, when, which content."""

    by: Text = Field(alias="av", description="Den som fastställde, t.ex. handläggaren.")
    date: IsoDate = Field(alias="datum", description="Dagen för fastställandet (ÅÅÅÅ-MM-DD).")
    content: ContentHash = Field(
        alias="innehåll",
        description="Kontrollsumman för det publicerade innehållet när det fastställdes.",
    )


class Review(_Strict):
    """The review steps of a visit: ``utkast`` → ``godkänd`` → ``fastställd``."""

    approvals: list[Approval] = Field(
        default_factory=list,
        alias="godkänd",
        description="Ledamöterna som läst och godkänt anteckningarna.",
    )
    adoption: Adoption | None = Field(
        None, alias="fastställd", description="Vem som fastställde, när och vilket innehåll."
    )


class Visit(_Strict):
    """One committee visit: who, when, where, and the answers in Markdown."""

    protocol: Slug = Field(
        alias="protokoll", description="Id för protokollet (filnamnet utan .yaml)."
    )
    operation: Line = Field(alias="verksamhet", description="Den besökta verksamheten.")
    date: IsoDate = Field(alias="besöksdatum", description="Besöksdatum, ÅÅÅÅ-MM-DD.")
    website: WebAddress | None = Field(None, alias="hemsida", description="Länk till hemsida.")
    case_number: Line | None = Field(None, alias="diarienummer", description="Diarienummer.")
    members: list[Member] = Field(
        default_factory=list,
        alias="ledamöter",
        description="Deltagande ledamöter: ”Namn (PARTI)” eller namn/parti/grupp.",
    )
    officials: list[Line] = Field(
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
    review: Review | None = Field(
        None,
        alias="status",
        description=(
            "Granskningen: godkänd av ledamöterna, fastställd av handläggaren. Skrivs av "
            "nbesok godkänn och nbesok fastställ; saknas den är besöket ett utkast."
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
        from nbesok.archive.seasons import PERIOD_HINT, protocol_season

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
        from nbesok.archive.seasons import protocol_season

        found = protocol_season(self.period, self.valid_from, self.valid_to)
        assert found is not None  # the validator above refuses a protocol without one
        return found


DEFAULT_PROPOSALS = ("Informationen noteras.",)


class Official(_Strict):
    """The handläggare who writes the tjänsteskrivelser: name, and title for the closing."""

    name: Text = Field(alias="namn", description="Handläggarens namn.")
    title: Text | None = Field(None, alias="titel", description="Titel, t.ex. Utredare.")


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
    official: Official | None = Field(
        None,
        alias="handläggare",
        description="Handläggaren som skriver tjänsteskrivelserna (namn och titel).",
    )
    grounds: dict[Text, Text] = Field(
        default_factory=dict,
        alias="sekretessgrunder",
        description=(
            "Kommunens egna grunder för maskering, utöver nbesoks: bestämmelsen som den "
            'skrivs i maskera="…" → en kort beskrivning, t.ex. '
            "”26 kap. 5 § OSL: uppgift om …”."
        ),
    )
    public: bool = Field(
        False,
        alias="publik",
        description=(
            "true: render och report skriver alltid också den publika kopian, med de "
            "maskerade uppgifterna borttagna (som --publik)."
        ),
    )

    @model_validator(mode="after")
    def _own_grounds(self) -> Settings:
        from nbesok.archive.osl import PERSONAL_DATA

        if PERSONAL_DATA in self.grounds:
            raise PydanticCustomError(
                "nbesok_ground",
                "”{ground}” är nbesoks egen maskering utan sekretessgrund och kan inte "
                "läggas till här; ta bort den raden",
                {"ground": PERSONAL_DATA, "key": "sekretessgrunder"},
            )
        return self
