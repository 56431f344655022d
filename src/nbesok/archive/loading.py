"""Load archive files into models, turning every problem into a located finding."""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

import pydantic
from pydantic import BaseModel

from nbesok.archive.models import Protocol, Settings, Visit
from nbesok.archive.yamlfile import KeyPath, YamlDocument, format_keypath, parse_yaml, read_yaml
from nbesok.core.errors import Finding, LoadError, finding
from nbesok.core.names import nearest

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Loaded(Generic[M]):
    """A validated model together with the document it came from (for locations)."""

    model: M
    document: YamlDocument

    @property
    def path(self) -> Path:
        return self.document.path

    @property
    def stem(self) -> str:
        return self.document.path.stem


def load_visit(path: Path) -> Loaded[Visit]:
    return load_model(path, Visit)


def parse_visit_text(text: str, path: Path) -> Loaded[Visit]:
    """A visit from YAML text not yet on disk (``path`` names it in messages)."""
    document = parse_yaml(text, path)
    try:
        return Loaded(Visit.model_validate(document.data), document)
    except pydantic.ValidationError as error:
        raise LoadError(validation_findings(error, document, Visit)) from None


def load_protocol(path: Path) -> Loaded[Protocol]:
    return load_model(path, Protocol)


def load_settings(path: Path) -> Loaded[Settings]:
    """nbesok.yaml; an empty one is every setting at its default."""
    return load_model(path, Settings, empty_ok=True)


def load_model(path: Path, model: type[M], *, empty_ok: bool = False) -> Loaded[M]:
    """Read ``path`` and validate it as ``model``; raise :class:`LoadError` with every problem."""
    document = read_yaml(path, empty_ok=empty_ok)
    try:
        return Loaded(model.model_validate(document.data), document)
    except pydantic.ValidationError as error:
        raise LoadError(validation_findings(error, document, model)) from None


def validation_findings(
    error: pydantic.ValidationError, document: YamlDocument, model: type[BaseModel]
) -> list[Finding]:
    findings: dict[tuple[int, int, str], Finding] = {}
    for detail in error.errors(include_url=False):
        keypath = _document_keypath(detail["loc"], document)
        named = detail.get("ctx", {}).get("key")
        if not keypath and isinstance(named, str):
            keypath = (named,)  # a check across keys names the key it reports on
        message = _message(detail, keypath, model)
        if detail["type"] == "extra_forbidden":
            line, column = document.key_position(keypath)
        else:
            line, column = document.position(keypath)
        key = format_keypath(keypath)
        # Union members can report the same spot twice; one message per place is enough.
        findings.setdefault(
            (line, column, key),
            finding(document.path, message, line=line, column=column, key=key),
        )
    return sorted(findings.values(), key=lambda f: (f.line, f.column))


def _document_keypath(loc: tuple[int | str, ...], document: YamlDocument) -> KeyPath:
    """Drop the parts of pydantic's ``loc`` that are not YAML keys (validator names)."""
    keypath: KeyPath = ()
    for part in loc:
        candidate = (*keypath, part)
        if candidate in document.values or candidate in document.keys:
            keypath = candidate
        elif isinstance(part, str) and not part[:1].isupper() and "[" not in part:
            # A missing key: keep it, so the message can name it.
            keypath = candidate
    return keypath


_TYPE_WORDS = {
    "string_type": "ska vara text",
    "int_type": "ska vara ett heltal, t.ex. 2",
    "int_parsing": "ska vara ett heltal, t.ex. 2",
    "int_from_float": "ska vara ett heltal, t.ex. 2",
    "int_parsing_size": "ska vara ett heltal med rimligt antal siffror, t.ex. 2",
    "bool_type": "ska vara true eller false",
    "bool_parsing": "ska vara true eller false",
    "list_type": "ska vara en lista: en punkt per rad som börjar med ”- ”",
    "dict_type": "ska vara en mappning: ”nyckel: värde” på varsin rad",
    "model_type": "ska vara en mappning: ”nyckel: värde” på varsin rad",
    "model_attributes_type": "ska vara en mappning: ”nyckel: värde” på varsin rad",
    "too_short": "får inte vara tom",
    "string_too_short": "får inte vara tom; skriv en text",
    "greater_than_equal": "får inte vara negativt",
    "date_type": "ska vara ett datum, ÅÅÅÅ-MM-DD",
}


def _message(detail: Any, keypath: KeyPath, model: type[BaseModel]) -> str:
    kind: str = detail["type"]
    value = detail.get("input")
    if kind.startswith("nbesok_"):
        return str(detail["msg"])
    if kind == "missing":
        return f"nyckeln ”{keypath[-1]}” saknas; lägg till den"
    if kind == "extra_forbidden":
        return _unknown_key_message(keypath, model)
    if kind == "enum":
        allowed = detail.get("ctx", {}).get("expected", "")
        return f"ogiltigt värde ”{value}”; tillåtna värden är {_swedish_or(allowed)}"
    if value is None and kind in {"string_type", "list_type", "dict_type", "model_type"}:
        return "värdet saknas; " + _TYPE_WORDS[kind].replace("ska vara", "skriv")
    if kind == "string_type" and isinstance(value, list | dict) and _is_markdown(keypath):
        # A list under "svar:" without "|": YAML read it as a list, not as Markdown.
        key = keypath[-1]
        return (
            f"ska vara text; skriv ”|” efter nyckeln (”{key}: |”) och texten, listor också, "
            "indragen på raderna under, så blir den Markdown"
        )
    if kind in _TYPE_WORDS:
        shown = f" (nu: ”{_short(value)}”)" if isinstance(value, str) else ""
        return _TYPE_WORDS[kind] + shown
    return f"ogiltigt värde ”{_short(value)}” ({detail['msg']})"


def _is_markdown(keypath: KeyPath) -> bool:
    """Keys whose values are Markdown texts (answers, summaries, guidance)."""
    if not keypath:
        return False
    return keypath[0] in ("svar", "sammanfattning", "inledning", "oplacerat") or keypath[-1] in (
        "text",
        "hjälptext",
    )


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "…"


def _swedish_or(expected: str) -> str:
    words = [word.strip().strip("'") for word in expected.replace(" or ", ",").split(",")]
    words = [f"”{word}”" for word in words if word]
    return ", ".join(words[:-1]) + " eller " + words[-1] if len(words) > 1 else "".join(words)


def _unknown_key_message(keypath: KeyPath, model: type[BaseModel]) -> str:
    key = str(keypath[-1])
    known = sorted(_aliases(_model_at(model, keypath[:-1])))
    suggestion = nearest(key, known)
    if suggestion:
        return f"okänd nyckel ”{key}”; menade du ”{suggestion}”?"
    return f"okänd nyckel ”{key}”; tillåtna nycklar här är: {', '.join(known)}"


def _aliases(model: type[BaseModel] | None) -> list[str]:
    if model is None:
        return []
    return [info.alias or name for name, info in model.model_fields.items()]


def _model_at(model: type[BaseModel], keypath: KeyPath) -> type[BaseModel] | None:
    """Follow ``keypath`` through the model's field annotations to the model it lands in."""
    current: Any = model
    for part in keypath:
        current = _unwrap(current)
        if isinstance(part, int):
            current = _item_type(current)
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        fields = {info.alias or name: info for name, info in current.model_fields.items()}
        if part not in fields:
            return None
        current = fields[part].annotation
    current = _unwrap(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap(annotation: Any) -> Any:
    """``X | None`` → ``X``; ``Annotated[X, …]`` → ``X``."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            members = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
            annotation = members[0]
        else:
            return annotation


def _item_type(annotation: Any) -> Any:
    args = typing.get_args(annotation)
    return args[-1] if args else None
