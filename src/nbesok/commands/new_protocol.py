"""``nbesok new-protocol``: next season's protocol from the last one.

The copy keeps every key the source protocol has, in its order, and every question id,
so that answers stay comparable from season to season; visits keep pointing at the
protocol version they were made with. Only the period changes (and the title where it
names the old period); dates the source gives with ``gäller_från``/``gäller_till``
belonged to the old season and are left out.

The copy is the source file's own text with those few values edited in place, found
through PyYAML's node positions: its comments, quoting, block styles and key order
stay as the municipality wrote them, so the new file reads like the old one and a
diff between the two shows only what changed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from nbesok.archive.models import ID_PATTERN, Protocol
from nbesok.archive.root import PROTOCOLS, Archive
from nbesok.archive.seasons import PERIOD_HINT, parse_period
from nbesok.archive.yamlfile import parse_yaml
from nbesok.core.errors import UsageError
from nbesok.core.output import create_new

_OLD_DATES = ("gäller_från", "gäller_till")


@dataclass(frozen=True)
class Copied:
    path: Path
    # Lines of the copy that still name the old period: worth a look before the season.
    old_mentions: list[tuple[int, str]]


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
    data: dict[str, Any] = source.document.data
    old_period = str(data.get("period", ""))
    header = (
        f"# Protokoll för {season.name}, kopierat från {PROTOCOLS}/{from_id}.yaml "
        f"(period {old_period}).\n"
        "# Frågornas id är desamma, så svaren går att jämföra mellan säsongerna.\n"
    )
    text = header + _edited(source.document.text, old_period, season.name)
    target = archive.protocols_dir / f"{new_id}.yaml"
    # What is written must read back as the source's data with just these changes.
    expected = {key: value for key, value in data.items() if key not in _OLD_DATES}
    expected["period"] = season.name
    if old_period and isinstance(expected.get("titel"), str):
        expected["titel"] = expected["titel"].replace(old_period, season.name)
    written = parse_yaml(text, target).data
    assert written == expected, "new-protocol ändrade mer än perioden"
    Protocol.model_validate(written)
    create_new(target, text.encode("utf-8"), if_exists="välj ett annat id")
    mentions = [
        (number, line.strip())
        for number, line in enumerate(text.splitlines(), start=1)
        if old_period and old_period in line and number > 2
    ]
    return Copied(target, mentions)


def _edited(text: str, old_period: str, new_period: str) -> str:
    """The protocol's text with the new period, the title moved along, and the old
    season's dates taken out; everything else as it was."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    assert isinstance(root, yaml.MappingNode)
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement), by character
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    for key, value in root.value:
        name = key.value
        if name == "period" and isinstance(value, yaml.ScalarNode):
            edits.append((value.start_mark.index, value.end_mark.index, _scalar(new_period, value)))
        elif name == "titel" and old_period and isinstance(value, yaml.ScalarNode):
            span = text[value.start_mark.index : value.end_mark.index]
            edits.append(
                (
                    value.start_mark.index,
                    value.end_mark.index,
                    span.replace(old_period, new_period),
                )
            )
        elif name in _OLD_DATES:
            last = value.end_mark.line - (1 if value.end_mark.column == 0 else 0)
            edits.append((starts[key.start_mark.line], starts[last + 1], ""))
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def _scalar(value: str, like: yaml.ScalarNode) -> str:
    """``value`` written the way the source wrote the scalar it replaces."""
    if like.style == "'":
        return "'" + value.replace("'", "''") + "'"
    if like.style == '"':
        return json.dumps(value, ensure_ascii=False)
    return value  # a season's name (2024, 2018/19) is plain text to nbesok's reader
