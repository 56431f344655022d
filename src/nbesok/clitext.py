"""Swedish wording for click's own messages (usage, help headings, usage errors).

click marks its texts with gettext but ships no Swedish catalogue, and our users read
only Swedish. Each click module binds ``_``/``ngettext`` at import, so we rebind those
names to a lookup in the table below; an unknown text passes through unchanged.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

_SWEDISH = {
    "Usage:": "Användning:",
    "Options": "Flaggor",
    "Commands": "Kommandon",
    "Show this message and exit.": "Visa den här hjälpen och avsluta.",
    "Show the version and exit.": "Visa versionen och avsluta.",
    "%(prog)s, version %(version)s": "%(prog)s, version %(version)s",
    "Error: {message}": "fel: {message}",
    "Try '{command} {option}' for help.": "Se ”{command} {option}” för hjälp.",
    "Missing command.": "Kommando saknas.",
    "Missing argument": "Argument saknas",
    "Missing option": "Flagga saknas",
    "Missing parameter": "Parameter saknas",
    "Missing {param_type}": "{param_type} saknas",
    "Missing parameter: {param_name}": "Parameter saknas: {param_name}",
    "No such command {name!r}.": "Okänt kommando {name!r}.",
    "No such option {name!r}.": "Okänd flagga {name!r}.",
    "Option {name!r} does not take a value.": "Flaggan {name!r} tar inget värde.",
    "Invalid value for {param_hint}: {message}": "Ogiltigt värde för {param_hint}: {message}",
    "Invalid value: {message}": "Ogiltigt värde: {message}",
    "Aborted!": "Avbrutet.",
    "default: {default}": "standard: {default}",
    "{name} {filename!r} does not exist.": "{filename!r} finns inte.",
    "{name} {filename!r} is a directory.": "{filename!r} är en mapp.",
    "{name} {filename!r} is a file.": "{filename!r} är en fil.",
    "{name} {filename!r} is not readable.": "{filename!r} kan inte läsas.",
    "{name} {filename!r} is not writable.": "{filename!r} kan inte skrivas.",
    "{value!r} is not a valid {number_type}.": "{value!r} är inget giltigt tal.",
    "{value!r} is not one of {choices}.": "{value!r} är inte ett av {choices}.",
    "{value!r} is not one of {choices}": "{value!r} är inte ett av {choices}",
    "Choose from:\n\t{choices}": "Välj bland:\n\t{choices}",
    "required": "obligatorisk",
    "file": "fil",
    "directory": "mapp",
    "path": "sökväg",
}

_SWEDISH_PLURAL = {
    "Option {name!r} requires an argument.": "Flaggan {name!r} kräver ett värde.",
    "Option {name!r} requires {nargs} arguments.": "Flaggan {name!r} kräver {nargs} värden.",
    "Got unexpected extra argument ({args})": "Oväntat extra argument ({args})",
    "Got unexpected extra arguments ({args})": "Oväntade extra argument ({args})",
    "Did you mean {possibility}?": "Menade du {possibility}?",
    "(Did you mean one of: {possibilities}?)": "(Menade du någon av: {possibilities}?)",
}


def _gettext(message: str) -> str:
    return _SWEDISH.get(message, message)


def _ngettext(singular: str, plural: str, count: int) -> str:
    chosen = singular if count == 1 else plural
    return _SWEDISH_PLURAL.get(chosen, _SWEDISH.get(chosen, chosen))


def install() -> None:
    """Make click speak Swedish. Idempotent."""
    for name in ("core", "exceptions", "formatting", "decorators", "parser", "types", "termui"):
        module = importlib.import_module(f"click.{name}")
        replacements: dict[str, Callable[..., str]] = {"_": _gettext, "ngettext": _ngettext}
        for attribute, function in replacements.items():
            if hasattr(module, attribute):
                setattr(module, attribute, function)
