"""Read a YAML file strictly, keeping the line and column of every key and value.

The archive's files are typed by hand, so this reader is deliberately narrower than
YAML: every scalar stays the text the user wrote (no YAML 1.1 booleans, octals or
sexagesimals; pydantic converts where a model asks for a number, date or flag), and
anchors, aliases, tags, duplicate keys and multi-document files are errors. It works
on the parser's event stream rather than PyYAML's composer, so a "billion laughs"
file is rejected at its first anchor and deep nesting cannot exhaust the stack.
"""

from __future__ import annotations

import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from nbesok.core import inputs
from nbesok.core.errors import LoadError

try:  # libyaml's C parser is several times faster; pure Python is the fallback.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_FILE_BYTES = inputs.MAX_FILE_BYTES  # re-exported: its users know it from here
MAX_SCALAR_CHARS = 200_000
MAX_DEPTH = 32

Key = str | int
KeyPath = tuple[Key, ...]
Position = tuple[int, int]

_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
# Raw in the file: control characters (libyaml rejects them without saying where) and
# the Unicode line separators that web pages carry. YAML counts U+2028, U+2029 and
# NEL as line breaks while editors do not, so the parser's line numbers would stop
# matching the editor's; they are refused up front, at the place the editor shows.
# This covers every character the YAML readers refuse, so their unlocated reader
# errors no longer reach a user.
# Bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) make a
# name show in another order than it is written ("trojan source"); they are refused too.
ILLEGAL_RAW = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufffe\uffff]"
)
# A parsed value gets the same check as the file's text: an escape in a quoted text
# ("\u202e", "\L") must not bring in what the file may not hold. Tabs and line breaks
# are a value's own; lone surrogates cannot be written to any document.
_ILLEGAL_VALUE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
    "\ud800-\udfff\ufffe\uffff]"
)
_FOLDING = (None, "", ">")  # plain (None or "" by parser) and folded ">" scalars
_LINE_SEPARATORS = {"\x85": "NEL", "\u2028": "radavgränsare", "\u2029": "styckeavgränsare"}


@dataclass
class YamlDocument:
    """The plain data of one YAML file plus where each part of it was written."""

    path: Path
    data: dict[str, Any]
    text: str = ""
    values: dict[KeyPath, Position] = field(default_factory=dict)
    keys: dict[KeyPath, Position] = field(default_factory=dict)
    # Texts written over several lines without "|": YAML joined their lines, so any
    # paragraphs and lists in them are gone (plain, or ">" folded). A quoted text is a
    # deliberate choice (programs write one, with "\n" kept), so it is left alone.
    folded: set[KeyPath] = field(default_factory=set)

    def position(self, keypath: KeyPath) -> Position:
        """Line and column of the value at ``keypath``.

        A path that does not exist (a missing key) falls back to its nearest
        existing parent: the parent's key line (``svar:``) where it has one, so the
        message points at the mapping that lacks it.
        """
        if keypath in self.values:
            return self.values[keypath]
        for end in range(len(keypath) - 1, 0, -1):
            prefix = keypath[:end]
            if prefix in self.keys:
                return self.keys[prefix]
            if prefix in self.values:
                return self.values[prefix]
        return (1, 1)

    def key_position(self, keypath: KeyPath) -> Position:
        """Line and column of the key itself (for unknown keys), else of the value."""
        return self.keys.get(keypath) or self.position(keypath)


def format_keypath(keypath: KeyPath) -> str:
    """``('svar', 'handlingsplaner')`` → ``svar.handlingsplaner``; list items count from 1."""
    text = ""
    for part in keypath:
        if isinstance(part, int):
            text += f"[{part + 1}]"
        else:
            text += ("." if text else "") + part
    return text


def read_yaml(path: Path, *, empty_ok: bool = False) -> YamlDocument:
    """Read ``path`` as a mapping, or raise :class:`LoadError` with a located message.

    ``empty_ok``: a file with nothing but comments is an empty mapping (nbesok.yaml,
    whose every setting has a default), not an error.
    """
    text = _read_text(path)
    return parse_yaml(text, path, empty_ok=empty_ok)


def parse_yaml(text: str, path: Path, *, empty_ok: bool = False) -> YamlDocument:
    text = _one_kind_of_line_break(text)
    _check_raw_characters(text, path)
    builder = _Builder(path)
    builder.doc.text = text
    loader = _Loader(text)
    try:
        feed = builder.feed
        get_event = loader.get_event
        # Straight from the loader rather than yaml.parse(): this loop runs for every
        # key and value of every file, and validate reads the whole archive.
        while True:
            event = get_event()
            if event is None or type(event) is yaml.StreamEndEvent:
                break
            feed(event)
    except yaml.MarkedYAMLError as error:
        raise _syntax_error(error, text, path) from None
    except yaml.YAMLError as error:  # reader errors carry no mark in the C parser
        raise LoadError.at(path, _translate_problem(str(error)), line=1, column=1) from None
    finally:
        loader.dispose()
    return builder.finish(empty_ok=empty_ok)


def _one_kind_of_line_break(text: str) -> str:
    """YAML and editors both take CR LF and a lone CR (old Mac files) as line breaks;
    one kind of break keeps every line number nbesok computes the same."""
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _check_raw_characters(text: str, path: Path) -> None:
    bad = ILLEGAL_RAW.search(text)
    if bad is None:
        return
    line, column = text_position(text, bad.start())
    raise LoadError.at(path, character_message(bad.group()), line=line, column=column)


def character_message(char: str, where: str = "i filen") -> str:
    """Why a character in ILLEGAL_RAW cannot stand in an archive file, and what to do."""
    code = f"U+{ord(char):04X}"
    if char in _LINE_SEPARATORS:
        return (
            f"{_LINE_SEPARATORS[char]} ({code}) i texten, troligen inklistrad från en webbsida; "
            "ersätt den med en vanlig radbrytning"
        )
    if "\u202a" <= char <= "\u202e" or "\u2066" <= char <= "\u2069":
        return (
            f"osynligt styrtecken för skrivriktning ({code}) i texten; det får text att visas i "
            "en annan ordning än den står, ta bort det"
        )
    return f"otillåtet kontrolltecken {code} {where}; ta bort det"


def text_position(text: str, offset: int) -> Position:
    """The 1-based line and column of ``offset`` in ``text``, as an editor counts them."""
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


def _read_text(path: Path) -> str:
    return decode_utf8(read_file_bytes(path), path)


def read_file_bytes(path: Path) -> bytes:
    """The bytes of the archive file at ``path``, after the checks every read makes
    (a valid name, a regular file, not too large); a located error otherwise."""
    from nbesok.core.inputs import INVALID_NAME, read_bounded, valid_name

    if not valid_name(path):
        raise LoadError.at(path, INVALID_NAME)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise LoadError.at(path, "filen finns inte") from None
    except OSError as error:
        raise LoadError.at(path, f"filen kan inte läsas ({error.strerror})") from None
    if stat.S_ISDIR(info.st_mode):
        raise LoadError.at(path, "är en mapp, inte en fil; ange en YAML-fil")
    if not stat.S_ISREG(info.st_mode):
        # A FIFO would wait for a writer forever; a device such as /dev/zero never ends.
        raise LoadError.at(
            path,
            "är ingen vanlig fil (en enhet, en namngiven pipe eller en länk till en sådan); "
            "ange en YAML-fil",
        )
    if info.st_size > MAX_FILE_BYTES:
        raise LoadError.at(
            path,
            f"filen är {info.st_size / 1_048_576:.1f} MB; högst {MAX_FILE_BYTES // 1_048_576} MB "
            "tillåts för ett besök eller protokoll. Kontrollera att det är rätt fil.",
            line=1,
            column=1,
        )
    return read_bounded(
        path, MAX_FILE_BYTES, lambda message: LoadError.at(path, message, line=1, column=1)
    )


def decode_utf8(raw: bytes, path: Path) -> str:
    """Decode ``raw`` as UTF-8 (a BOM is allowed); explain the usual wrong encodings."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise LoadError.at(
            path,
            "filen är sparad som UTF-16; spara den som UTF-8 "
            "(i Anteckningar: Spara som › Kodning › UTF-8)",
            line=1,
            column=1,
        )
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        # Everything before the bad byte is valid UTF-8, so it can be counted as text.
        before = _one_kind_of_line_break(raw[: error.start].decode("utf-8"))
        line, column = text_position(before, len(before))
        guess = raw[error.start : error.start + 1].decode("cp1252", errors="replace")
        raise LoadError.at(
            path,
            f"filen är inte UTF-8 (tecknet ”{guess}” ser ut att vara Windows-1252/ANSI); "
            "spara filen som UTF-8",
            line=line,
            column=column,
        ) from None


@dataclass
class _Frame:
    container: dict[str, Any] | list[Any]
    keypath: KeyPath
    pending_key: str | None = None
    key_lines: dict[str, int] = field(default_factory=dict)


class _Builder:
    """Turns parser events into plain dicts, lists and strings with positions."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.doc = YamlDocument(path, {})
        self.stack: list[_Frame] = []
        self.root: Any = _UNSET
        self.documents = 0

    def error(self, message: str, mark: Any, key: KeyPath = ()) -> LoadError:
        return LoadError.at(
            self.path,
            message,
            line=mark.line + 1,
            column=mark.column + 1,
            key=format_keypath(key),
        )

    def feed(self, event: Any) -> None:  # a yaml.Event; Any keeps the hot loop unboxed
        kind = type(event)
        if kind is yaml.ScalarEvent:
            self._check_node(event)
            value = self._scalar(event)
            stack = self.stack
            if stack and stack[-1].pending_key is None and type(stack[-1].container) is dict:
                self._key(value, event)
            else:
                keypath = self._attach(value, event)
                if event.style in _FOLDING and event.end_mark.line > event.start_mark.line:
                    self.doc.folded.add(keypath)
        elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            self._check_node(event)
            self._collection(event)
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            self.stack.pop()
        elif kind is yaml.AliasEvent:
            raise self.error(
                f"alias (*{event.anchor}) används inte i nbesok; skriv ut värdet, "
                "eller sätt texten inom citattecken om * ska stå i den",
                event.start_mark,
            )
        elif kind is yaml.DocumentStartEvent:
            self.documents += 1
            if self.documents > 1:
                raise self.error(
                    "filen innehåller flera YAML-dokument (avdelade med ---); "
                    "en fil ska innehålla ett besök eller ett protokoll",
                    event.start_mark,
                )

    def _check_node(self, event: yaml.NodeEvent) -> None:
        if event.anchor is not None:
            raise self.error(
                f"ankare (&{event.anchor}) används inte i nbesok; skriv ut värdet, "
                "eller sätt texten inom citattecken om & ska stå i den",
                event.start_mark,
            )
        tag = getattr(event, "tag", None)
        if tag is not None and not (type(event) is yaml.ScalarEvent and tag == "!"):
            raise self.error(
                f"taggen ”{tag}” tillåts inte; skriv värdet utan tagg "
                "(sätt texten inom citattecken om ! ska stå i den)",
                event.start_mark,
            )

    def _collection(self, event: yaml.CollectionStartEvent) -> None:
        stack = self.stack
        if stack and stack[-1].pending_key is None and type(stack[-1].container) is dict:
            raise self.error(
                "en nyckel måste vara enkel text, inte en lista eller mappning",
                event.start_mark,
                stack[-1].keypath,
            )
        container: dict[str, Any] | list[Any] = {} if type(event) is yaml.MappingStartEvent else []
        keypath = self._attach(container, event)
        if len(stack) >= MAX_DEPTH:
            raise self.error(
                f"strukturen är nästlad i fler än {MAX_DEPTH} nivåer; "
                "kontrollera hakparenteser och indrag",
                event.start_mark,
            )
        stack.append(_Frame(container, keypath))

    def _scalar(self, event: yaml.ScalarEvent) -> str | None:
        value = event.value
        plain = event.implicit[0] and event.tag is None
        if plain and value in _NULLS:
            return None
        if len(value) > MAX_SCALAR_CHARS:
            raise self.error(
                f"texten är {len(value):,} tecken lång; högst {MAX_SCALAR_CHARS:,} tecken "
                "tillåts i ett värde".replace(",", " "),
                event.start_mark,
            )
        bad = _ILLEGAL_VALUE.search(value) if not value.isprintable() else None
        if bad:
            char = bad.group()
            message = (
                character_message(char, "i texten")
                if char in _LINE_SEPARATORS or "\u202a" <= char <= "\u2069"
                else f"otillåtet tecken U+{ord(char):04X} i texten; ta bort det "
                "(kontrolltecken kan inte stå i ett dokument)"
            )
            raise self.error(message, event.start_mark, self._coming_keypath())
        return value

    def _coming_keypath(self) -> KeyPath:
        """Where the scalar being read goes: its key's path, or its mapping's for a key."""
        if not self.stack:
            return ()
        frame = self.stack[-1]
        if isinstance(frame.container, list):
            return (*frame.keypath, len(frame.container))
        if frame.pending_key is None:
            return frame.keypath
        return (*frame.keypath, frame.pending_key)

    def _key(self, value: str | None, event: yaml.ScalarEvent) -> None:
        frame = self.stack[-1]
        key = value if value is not None else ""
        mark: Any = event.start_mark
        line = mark.line + 1
        keypath = (*frame.keypath, key)
        if key in frame.key_lines:
            raise self.error(
                f"nyckeln ”{key}” förekommer två gånger (rad {frame.key_lines[key]} och "
                f"rad {line}); ta bort eller slå ihop den ena",
                event.start_mark,
                keypath,
            )
        frame.key_lines[key] = line
        frame.pending_key = key
        self.doc.keys[keypath] = (line, mark.column + 1)

    def _attach(self, value: Any, event: yaml.NodeEvent) -> KeyPath:
        mark: Any = event.start_mark
        position = (mark.line + 1, mark.column + 1)
        if not self.stack:
            if self.root is not _UNSET:  # pragma: no cover - the parser prevents it
                raise self.error("oväntat innehåll efter dokumentet", event.start_mark)
            self.root = value
            self.doc.values[()] = position
            return ()
        frame = self.stack[-1]
        part: Key
        if isinstance(frame.container, dict):
            assert frame.pending_key is not None
            part = frame.pending_key
            frame.container[part] = value
            frame.pending_key = None
        else:
            part = len(frame.container)
            frame.container.append(value)
        keypath = (*frame.keypath, part)
        self.doc.values[keypath] = position
        return keypath

    def finish(self, *, empty_ok: bool = False) -> YamlDocument:
        if empty_ok and (self.root is _UNSET or self.root is None):
            return self.doc
        if self.root is _UNSET or self.root is None:
            raise LoadError.at(
                self.path,
                "filen är tom (eller innehåller bara kommentarer); den ska innehålla "
                "nycklar som ”nyckel: värde”",
                line=1,
                column=1,
            )
        if not isinstance(self.root, dict):
            kind = "en lista" if isinstance(self.root, list) else "en ensam text"
            line, column = self.doc.values[()]
            raise LoadError.at(
                self.path,
                f"filen innehåller {kind}; den ska vara en mappning av nycklar "
                "(”nyckel: värde” på varsin rad)",
                line=line,
                column=column,
            )
        self.doc.data = self.root
        return self.doc


class _Unset:
    pass


_UNSET: Any = _Unset()

_QUOTE_HINT = 'sätt värdet inom citattecken, t.ex. ”verksamhet: "Kl 10: möte"”'

_PROBLEMS: list[tuple[str, str]] = [
    (
        "mapping values are not allowed",
        "kolon följt av mellanslag mitt i ett värde; " + _QUOTE_HINT,
    ),
    (
        "block sequence entries are not allowed",
        "ett värde som börjar med ”- ” tolkas som en lista; sätt värdet inom citattecken, "
        "eller börja listan på en ny rad",
    ),
    (
        "invalid Unicode character escape",
        "ogiltig \\u-escape (t.ex. ett ensamt surrogattecken som \\ud800); skriv tecknet "
        "direkt eller ta bort det",
    ),
    (
        "expected alphabetic or numeric character",
        "* och & har särskild betydelse i början av ett YAML-värde; " + _QUOTE_HINT,
    ),
    (
        "expected <block end>, but found '-'",
        "ett värde som börjar med ”- ” tolkas som en lista; "
        "sätt värdet inom citattecken, eller kontrollera indraget",
    ),
    (
        "expected <block end>",
        "indraget stämmer inte med raderna ovanför; kontrollera antalet mellanslag",
    ),
    (
        "could not find expected ':'",
        "raden saknar ”: ” efter nyckeln (skriv mellanslag efter kolon), eller så är indraget fel",
    ),
    (
        "found unknown escape character",
        "okänd escape-sekvens (\\) i text inom dubbla citattecken; "
        "använd enkla citattecken eller en blockskalär (|)",
    ),
    (
        "found unexpected end of stream",
        "texten inom citattecken som börjar här avslutas aldrig; "
        "lägg till det avslutande citattecknet",
    ),
    (
        "did not find expected node content",
        "ett värde saknas eller börjar med ett tecken som har särskild betydelse; " + _QUOTE_HINT,
    ),
    (
        "did not find expected ',' or ']'",
        "listan inom [ ] som börjar här avslutas inte; kontrollera kommatecken och ]",
    ),
    (
        "did not find expected ',' or '}'",
        "mappningen inom { } som börjar här avslutas inte; kontrollera kommatecken och }",
    ),
    ("did not find expected key", "indraget stämmer inte eller en nyckel saknar ”: ”"),
    (
        "did not find expected '-' indicator",
        "listan har fel indrag; varje punkt ska börja med ”- ”",
    ),
]


# Keys whose value is a list in nbesok's files; any other key holds text.
_LIST_KEYS = frozenset(
    {
        "ledamöter",
        "tjänstepersoner",
        "underlag",
        "följdfrågor",
        "uppföljning",
        "förslag_till_beslut",
        "avsnitt",
        "frågor",
        "majoritetspartier",
    }
)
_INLINE_VALUE = re.compile(r"\s*(?:- )?([\w-]+):[ \t]+[^|>\s#]")


def _list_after_value(lines: list[str], number: int) -> str | None:
    """The message for a list written under ``nyckel: text`` instead of ``nyckel: |``.

    YAML cannot continue a text begun on the key's line with a list, so the parser
    stops at the first ``- ``; the fix is a block text.
    """
    current = lines[number] if number < len(lines) else ""
    if not current.lstrip().startswith("- "):
        return None
    for previous in reversed(lines[:number]):
        if not previous.strip():
            continue
        found = _INLINE_VALUE.match(previous)
        if found is None:
            return None
        key = found.group(1)
        if key in _LIST_KEYS:
            return (
                f"”{key}” är en lista: skriv ”{key}:” ensamt på raden och varje punkt på en "
                "egen rad under, med ”- ” först"
            )
        return (
            f"en lista kan inte fortsätta texten i ”{key}” som börjar på nyckelns rad; "
            f"skriv ”|” efter nyckeln (”{key}: |”) och hela texten, listan också, indragen "
            "på raderna under"
        )
    return None


# Parser contexts whose mark is where the unfinished thing began.
_OPENED_AT = (
    "while scanning a simple key",
    "while parsing a flow mapping",
    "while parsing a flow sequence",
    "while scanning a quoted scalar",
)


def _translate_problem(problem: str) -> str:
    for needle, swedish in _PROBLEMS:
        if needle in problem:
            return swedish
    return (
        f"YAML-syntaxfel ({problem}); kontrollera indrag och ”: ”, och sätt texten inom "
        "citattecken om den innehåller : # - * & eller liknande"
    )


def _syntax_error(error: yaml.MarkedYAMLError, text: str, path: Path) -> LoadError:
    mark = error.problem_mark or error.context_mark
    problem = error.problem or error.context or "okänt fel"
    message = _translate_problem(problem)
    if error.context_mark is not None and (error.context or "").startswith(_OPENED_AT):
        # The parser notices a missing "]", "}", quote or ": " where the next thing
        # starts (often the end of the file); the user has to fix where it began.
        mark = error.context_mark
    line = mark.line + 1 if mark else 0
    column = mark.column + 1 if mark else 0
    lines = text.splitlines()
    at_end = mark is not None and (
        mark.line >= len(lines) or (mark.line == len(lines) - 1 and mark.column >= len(lines[-1]))
    )
    if at_end and (error.context or "") == "while parsing a flow node":
        # "nyckel: [" or "{" as the last thing in the file: something opened, never closed.
        message = (
            "filen tar slut efter ett ”[” eller ”{” som aldrig stängs; stäng det med ”]” "
            "eller ”}”, eller sätt värdet inom citattecken"
        )
    if mark is not None and (
        "cannot start any token" in problem or "found a tab character" in problem
    ):
        source_line = lines[mark.line] if mark.line < len(lines) else ""
        char = source_line[mark.column : mark.column + 1]
        if char == "\t":
            message = "tabbtecken i indraget; YAML kräver mellanslag (ersätt tabben med mellanslag)"
        else:
            message = f"ett värde kan inte börja med ”{char}”; " + _QUOTE_HINT
    if mark is not None and problem.startswith(
        ("did not find expected key", "expected <block end>")
    ):
        message = _list_after_value(lines, mark.line) or message
    if mark is not None and (
        "could not find expected ':'" in problem or "mapping values are not allowed" in problem
    ):
        # "namn:Åsa" without a space is read as plain text that runs on into the next
        # line, so the parser complains a line later; point at the real culprit.
        first = error.context_mark.line if error.context_mark else mark.line
        for number in range(max(0, min(first, mark.line) - 2), mark.line + 1):
            candidate = lines[number] if number < len(lines) else ""
            missing_space = re.match(r"\s*(?:- )?([\w-]+):([^\s:/])", candidate)
            if missing_space:
                key = missing_space.group(1)
                message = f"mellanslag saknas efter kolon; skriv ”{key}: {missing_space.group(2)}…”"
                line, column = number + 1, missing_space.start(1) + len(key) + 2
                break
    if lines and line > len(lines):
        # libyaml marks the end of the file on the line after the last one; an editor
        # has no such line, so point just after the last character instead.
        line, column = len(lines), len(lines[-1]) + 1
    return LoadError.at(path, message, line=line, column=column)
