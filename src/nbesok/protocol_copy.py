"""``nbesok new-protocol``: next season's protocol from the last one.

The copy keeps every key the source protocol has, in its order, and every question id,
so that answers stay comparable from season to season; visits keep pointing at the
protocol version they were made with. Only the period changes (and the title where it
names the old period); dates the source gives with ``gäller_från``/``gäller_till``
belonged to the old season and are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from nbesok.archive import PROTOCOLS, Archive
from nbesok.errors import UsageError
from nbesok.models import ID_PATTERN, Protocol
from nbesok.output import create_new
from nbesok.seasons import PERIOD_HINT, parse_period
from nbesok.yamlfile import parse_yaml

_OLD_DATES = ("gäller_från", "gäller_till")


@dataclass(frozen=True)
class Copied:
    path: Path
    # Lines of the copy that still name the old period: worth a look before the season.
    old_mentions: list[tuple[int, str]]


class _BlockDumper(yaml.SafeDumper):
    """Texts over several lines as ``|`` blocks, as people write them in the archive."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value.strip("\n") or value.endswith("\n") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BlockDumper.add_representer(str, _text)


def copy_protocol(archive: Archive, new_id: str, from_id: str, period: str) -> Copied:
    """Write protocols/<new_id>.yaml from protocols/<from_id>.yaml for ``period``."""
    import re

    if not re.fullmatch(ID_PATTERN, new_id):
        raise UsageError.at(
            "ID",
            f"”{new_id}” går inte som id; använd små bokstäver a–z, siffror och bindestreck, "
            "t.ex. arbetslik-aktivitet-2025",
        )
    season = parse_period(period)
    if season is None:
        raise UsageError.at("--period", f"”{period}” är ingen period: {PERIOD_HINT}")
    source = archive.protocol(from_id)  # a located error if it is missing or broken
    data: dict[str, Any] = {
        key: value for key, value in source.document.data.items() if key not in _OLD_DATES
    }
    old_period = str(data.get("period", ""))
    data["period"] = season.name
    if old_period and isinstance(data.get("titel"), str):
        data["titel"] = data["titel"].replace(old_period, season.name)
    header = (
        f"# Protokoll för {season.name}, kopierat från {PROTOCOLS}/{from_id}.yaml "
        f"(period {old_period}).\n"
        "# Frågornas id är desamma, så svaren går att jämföra mellan säsongerna.\n"
    )
    body = yaml.dump(data, Dumper=_BlockDumper, allow_unicode=True, sort_keys=False, width=100_000)
    text = header + body
    target = archive.protocols_dir / f"{new_id}.yaml"
    # What is written must read back as a valid protocol with the same questions.
    copy = Protocol.model_validate(parse_yaml(text, target).data)
    assert [q.id for q in copy.questions()] == [q.id for q in source.model.questions()]
    create_new(target, text.encode("utf-8"), if_exists="välj ett annat id")
    mentions = [
        (number, line.strip())
        for number, line in enumerate(text.splitlines(), start=1)
        if old_period and old_period in line and number > 2
    ]
    return Copied(target, mentions)
