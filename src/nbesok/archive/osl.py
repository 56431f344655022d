"""The grounds a passage is masked on: provisions of offentlighets- och sekretesslagen.

A secret passage in a visit names the provision that makes it secret, written as the
law is cited: ``26 kap. 1 § OSL``. A small table of the provisions committee visits
meet comes with nbesok, each with the short description a reader of the
sekretessmarkering needs; a municipality adds its own under ``sekretessgrunder`` in
``nbesok.yaml``. A private person's data that no provision covers, such as the name of
a relative, is masked as ``personuppgift``: it is left out of the public copy, but it
is no secrecy under OSL and gives the internal copy no sekretessmarkering.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

PERSONAL_DATA = "personuppgift"

# The provisions visits to socialtjänst, skola, förskola, vård and the municipality's
# own workplaces meet, as OSL words them in short.
BUILT_IN: Mapping[str, str] = {
    "18 kap. 8 § OSL": "uppgift om säkerhets- eller bevakningsåtgärder",
    "19 kap. 3 § OSL": "uppgift i ett ärende om upphandling",
    "21 kap. 1 § OSL": "uppgift om enskilds hälsa eller sexualliv",
    "21 kap. 3 § OSL": "uppgift om var en enskild som kan utsättas för hot eller våld bor",
    "23 kap. 1 § OSL": "uppgift om enskilds personliga förhållanden i förskolan",
    "23 kap. 2 § OSL": "uppgift om enskilds personliga förhållanden i elevhälsan och i "
    "särskild elevstödjande verksamhet",
    "25 kap. 1 § OSL": "uppgift om enskilds hälsotillstånd eller andra personliga "
    "förhållanden inom hälso- och sjukvården",
    "26 kap. 1 § OSL": "uppgift om enskilds personliga förhållanden inom socialtjänsten",
    "31 kap. 16 § OSL": "uppgift om enskilds affärs- eller driftförhållanden i affärsförbindelse "
    "med en myndighet",
    "39 kap. 1 § OSL": "uppgift om enskilds personliga förhållanden i personalsocial verksamhet",
    "39 kap. 3 § OSL": "uppgift om en anställds bostadsadress, telefonnummer och liknande, när "
    "den anställde kan utsättas för hot eller våld",
}

# "26 kap. 1 §", "26 kap 1 § OSL", "26:1 OSL", "OSL 26:1", "26 kap. 1 a §": the chapter
# and section a mistyped ground most likely means.
_CITED = re.compile(r"(\d+)\s*(?:kap\.?|:)\s*(\d+)\s*([a-z]?)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Grounds:
    """The grounds an archive accepts: nbesok's table and the municipality's own."""

    known: Mapping[str, str]

    @classmethod
    def of(cls, own: Mapping[str, str] | None = None) -> Grounds:
        """nbesok's table, with ``own`` (``sekretessgrunder`` in nbesok.yaml) added."""
        return cls({**BUILT_IN, **(own or {})})

    def accepts(self, ground: str) -> bool:
        return ground == PERSONAL_DATA or ground in self.known

    def describe(self, ground: str) -> str:
        """``26 kap. 1 § OSL (uppgift om enskilds personliga förhållanden inom …)``."""
        if ground == PERSONAL_DATA:
            return "personuppgift om en enskild"
        description = self.known.get(ground)
        return f"{ground} ({description})" if description else ground

    def problem(self, ground: str) -> str | None:
        """What is wrong with ``ground``, in Swedish with a suggestion; None if it is known."""
        if self.accepts(ground):
            return None
        suggestion = self.suggestion(ground)
        hint = f"menade du ”{suggestion}”?" if suggestion else self._listing()
        return (
            f"okänd grund för maskering ”{ground}”; {hint} Skriv bestämmelsen som "
            f"”26 kap. 1 § OSL”, eller ”{PERSONAL_DATA}” för en enskilds uppgifter utan "
            "sekretessgrund; kommunens egna grunder läggs under sekretessgrunder i nbesok.yaml"
        )

    def suggestion(self, ground: str) -> str | None:
        """The known ground a mistyped one most likely means: the same chapter and
        section, or the nearest spelling."""
        from nbesok.core.names import nearest

        cited = _CITED.search(ground)
        if cited is not None:
            wanted = (cited[1], cited[2], cited[3].lower())
            for known in self.known:
                found = _CITED.search(known)
                if found is not None and (found[1], found[2], found[3].lower()) == wanted:
                    return known
        return nearest(ground, [*self.known, PERSONAL_DATA])

    def _listing(self) -> str:
        return "kända grunder är " + ", ".join(self.known) + "."


def placeholder(ground: str) -> str:
    """What stands in the public copy where a passage was: ``[Uppgift borttagen enligt
    26 kap. 1 § OSL]``, or ``[Personuppgift borttagen]``."""
    if ground == PERSONAL_DATA:
        return "[Personuppgift borttagen]"
    return f"[Uppgift borttagen enligt {ground}]"


# How the internal copy marks a passage, in words beside its style: after an inline
# passage its ground in brackets, around a block a line before and one after. nbesok
# import reads them back into masks.
BLOCK_END = "[Slut på maskerad text]"


def inline_label(ground: str) -> str:
    return f"[{ground}]"


def block_label(ground: str) -> str:
    if ground == PERSONAL_DATA:
        return "[Personuppgift som maskeras:]"
    return f"[Maskeras enligt {ground}:]"


_BLOCK_LABEL = re.compile(r"^\[Maskeras enligt (?P<ground>.+):\]$")
_INLINE_LABEL = re.compile(r"^\[(?P<ground>[^\[\]]+)\]$")


def read_block_label(text: str) -> str | None:
    """The ground of a block's opening line in an internal copy, or None."""
    text = text.strip()
    if text == block_label(PERSONAL_DATA):
        return PERSONAL_DATA
    found = _BLOCK_LABEL.match(text)
    return found["ground"] if found else None


def read_inline_label(text: str) -> str | None:
    """The ground after an inline passage in an internal copy, or None."""
    found = _INLINE_LABEL.match(text.strip())
    return found["ground"] if found else None
