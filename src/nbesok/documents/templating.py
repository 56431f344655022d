"""Jinja2, sandboxed: the archive's templates/ overrides the packaged defaults file by file.

Templates are written by users, so they run in Jinja's sandbox with StrictUndefined,
cannot reach files outside the two template folders (no ``..``, no symlinks out),
and a broken one is reported with its file name and line.
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import re
import sys
from collections.abc import Callable, Generator, Iterable
from datetime import date
from functools import lru_cache, partial
from pathlib import Path
from types import TracebackType
from typing import Any, cast

import jinja2
from jinja2.bccache import Bucket, FileSystemBytecodeCache

from nbesok import __version__
from nbesok.archive.fragments import demote_headings
from nbesok.archive.masks import has_masks, public_field, split_field
from nbesok.core.errors import TemplateError
from nbesok.core.inputs import read_bounded
from nbesok.core.paths import PACKAGE_TEMPLATES as PACKAGE_TEMPLATES  # re-exported
from nbesok.core.paths import package_templates_dir as package_templates_dir  # re-exported
from nbesok.documents.sandbox import (
    BUDGET_PER_INPUT,
    GENERATOR_REVISION,
    LimitedSandbox,
    LimitExceeded,
)

MAX_TEMPLATE_BYTES = 1024 * 1024


def find_template_file(name: str, archive_templates: Path) -> Path:
    """The archive's copy of ``name`` if it has one, else the packaged default."""
    override = archive_templates / name
    if override.is_file() or override.is_symlink() or override.exists():
        _check_inside(override, archive_templates, name)
        return override
    return package_templates_dir() / name


def _check_inside(path: Path, folder: Path, name: str) -> None:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        raise TemplateError.at(
            path,
            f"mallen ”{name}” pekar ut ur mappen templates/ (symbolisk länk); "
            "lägg en riktig fil i templates/",
        ) from None


class _ArchiveLoader(jinja2.BaseLoader):
    """Looks in the archive's templates/ first, then in the packaged defaults."""

    def __init__(self, archive_templates: Path) -> None:
        self.archive_templates = archive_templates

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        if not re.fullmatch(r"[\w.-]+", template) or template.startswith("."):
            raise jinja2.TemplateNotFound(template)
        path = find_template_file(template, self.archive_templates)
        if not path.exists() and not path.is_symlink():
            raise jinja2.TemplateNotFound(template)
        data = read_bounded(path, MAX_TEMPLATE_BYTES, partial(TemplateError.at, path))
        try:
            source = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise TemplateError.at(path, "mallen är inte sparad som UTF-8; spara om den") from None
        mtime = path.stat().st_mtime
        return source, str(path), lambda: path.is_file() and path.stat().st_mtime == mtime


def yaml_string(value: Any) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML), safe for any text.

    Front matter values are single-line document properties (title, subject), so
    line breaks and runs of spaces become one space. Properties are never masked in
    the copy they stand in, so a masked passage is its public placeholder here.
    """
    return json.dumps(" ".join(public_field(str(value)).split()), ensure_ascii=False)


def yaml_list(values: Iterable[Any]) -> str:
    """A YAML flow list; a value with a masked passage is left out (a keyword or an
    author that is secret has no place among a document's properties)."""
    kept = [value for value in values if not has_masks(str(value))]
    return "[" + ", ".join(yaml_string(value) for value in kept) + "]"


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|#+!~]|^-|^\d+(?=\.)|:::)", re.MULTILINE)


def inline_text(value: Any) -> str:
    """Plain text made safe to stand inside a Markdown line or table cell.

    Line breaks become spaces and every character that Markdown could read as
    structure (``#`` at the start, ``|``, ``*``, ``[`` …) is backslash-escaped, so a
    value from the YAML header can never turn into a heading, a link or a new cell.
    A masked passage (``[namn]{maskera="…"}``) stays a mask, its text escaped, so that
    the document masks it as it masks an answer's.
    """
    text = " ".join(str(value).split())
    if not has_masks(text):
        return _escaped(text)
    return "".join(
        _escaped(piece) if ground is None else f'[{_escaped(piece)}]{{maskera="{ground}"}}'
        for piece, ground in split_field(text)
    )


def _escaped(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


_BLOCK_START = re.compile(r"^\s*([-*+>#|`~]|\d+[.)]|:::|\\)")


def quote_with_label(markdown: Any, label: str) -> str:
    """A Markdown text as a block quote that opens with a bold label.

    ``> **Hjälptext:** Hur verksamheten …``: how guidance stands apart in a plain .md,
    whatever the viewer; in Word the ``::: Hjälptext`` around it gives the style.
    """
    lines = str(markdown).strip("\n").split("\n")
    if lines[0] and not _BLOCK_START.match(lines[0]):
        lines[0] = f"**{label}:** {lines[0]}"
    else:
        lines = [f"**{label}:**", "", *lines]
    return "\n".join(f"> {line}" if line else ">" for line in lines)


def enumerate_swedish(items: Iterable[Any]) -> str:
    """``[a, b, c]`` → ``a, b och c`` as Swedish documents write lists of names."""
    names = [str(item) for item in items]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " och " + names[-1]


_MONTHS = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)


def long_date(value: Any) -> str:
    """``2023-06-07`` → ``7 juni 2023``, as Swedish prose writes dates."""
    parsed = value if isinstance(value, date) else date.fromisoformat(str(value))
    return f"{parsed.day} {_MONTHS[parsed.month - 1]} {parsed.year}"


def count_word(count: int, singular: str, plural: str, none: str | None = None) -> str:
    """``2, "punkt", "punkter"`` → ``2 punkter``; with ``none`` (”Ingen punkt”), that is
    what 0 is written as, as Swedish says it, rather than ”0 punkter”."""
    if count == 0 and none is not None:
        return none
    return f"{count} {singular if count == 1 else plural}"


def link(address: Any) -> str:
    """A web address as a Markdown link showing the address itself.

    Only http(s) and mailto become links (as everywhere in nbesok); the address is
    percent-encoded where Markdown would end the link early.
    """
    from nbesok.archive.fragments import ALLOWED_LINK

    text = " ".join(str(address).split())
    if not ALLOWED_LINK.match(text):
        return inline_text(text)
    target = "".join(_LINK_ESCAPES.get(char, char) for char in text)
    return f"[{inline_text(text)}]({target})"


_LINK_ESCAPES = {" ": "%20", "(": "%28", ")": "%29", "<": "%3C", ">": "%3E", "\\": "%5C"}


class _QuietBytecodeCache(FileSystemBytecodeCache):
    """Jinja's per-user cache of compiled templates, in the temporary folder.

    Compiling the templates took a tenth of a one-visit render; a cached template
    loads in a fraction of that. It is only a cache: a file that cannot be read or
    written means compiling again, never an error. Entries are keyed by the template's
    source, and the file names carry the versions of nbesok, Jinja and the code
    generator above, since those change the compiled code for the same source.
    """

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, EOFError, pickle.UnpicklingError):
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def _bytecode_cache() -> FileSystemBytecodeCache | None:
    pattern = f"__nbesok-{__version__}-{jinja2.__version__}-{GENERATOR_REVISION}_%s.cache"
    try:
        return _QuietBytecodeCache(pattern=pattern)
    except (OSError, RuntimeError):  # no private temporary folder to be had: no cache
        return None


def make_environment(archive_templates: Path) -> jinja2.Environment:
    environment = LimitedSandbox(
        loader=_ArchiveLoader(archive_templates),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
        bytecode_cache=_bytecode_cache(),
    )
    environment.filters.update(
        yaml_str=yaml_string,
        yaml_lista=yaml_list,
        text=inline_text,
        sänk_rubriker=lambda text, by: demote_headings(str(text), by),
        citat=quote_with_label,
        uppräkning=enumerate_swedish,
        långt_datum=long_date,
        länk=link,
    )
    environment.globals.update(antal_ord=count_word)
    return environment


@lru_cache(maxsize=4)
def _cached_environment(archive_templates: Path, stamp: tuple[Any, ...]) -> jinja2.Environment:
    del stamp  # only part of the cache key
    return make_environment(archive_templates)


def _environment(archive_templates: Path) -> jinja2.Environment:
    """One compiled environment per state of the archive's templates/ folder.

    Compiling templates is slow, so the environment is kept; but an edited, added or
    removed override must take effect at once, also within one process.
    """
    stamp: tuple[Any, ...] = ()
    if archive_templates.is_dir():
        stamp = tuple(
            (entry.name, entry.stat().st_mtime_ns, entry.stat().st_size)
            for entry in sorted(os.scandir(archive_templates), key=lambda e: e.name)
            if entry.is_file()
        )
    return _cached_environment(archive_templates, stamp)


def render_template(name: str, archive_templates: Path, context: dict[str, Any]) -> str:
    """Render template ``name``; any failure becomes a :class:`TemplateError` with its line."""
    environment = _environment(archive_templates)
    try:
        template = environment.get_template(name)
        return _tidy(_render_limited(environment, template, context))
    except TemplateError:
        raise
    except LimitExceeded as error:
        path, line = _template_position(sys.exc_info()[2], name, archive_templates)
        raise TemplateError.at(path, str(error), line=line, column=1) from None
    except jinja2.TemplateSyntaxError as error:
        where = error.filename or name
        raise TemplateError.at(
            where, f"syntaxfel i mallen: {error.message}", line=error.lineno or 0, column=1
        ) from None
    except jinja2.TemplateNotFound as error:
        path, line = _template_position(sys.exc_info()[2], name, archive_templates)
        raise TemplateError.at(
            path,
            f"mallen ”{error.name}” finns inte; include och import når bara filer i "
            "templates/ och standardmallarna (utan mappar och ..)",
            line=line,
            column=1 if line else 0,
        ) from None
    except jinja2.UndefinedError as error:
        path, line = _template_position(sys.exc_info()[2], name, archive_templates)
        raise TemplateError.at(
            path, _undefined_message(str(error.message)), line=line, column=1
        ) from None
    except jinja2.exceptions.SecurityError as error:
        path, line = _template_position(sys.exc_info()[2], name, archive_templates)
        attribute = re.search(r"attribute '([^']+)'", str(error))
        what = f"”{attribute.group(1)}”" if attribute else "något"
        raise TemplateError.at(
            path,
            f"mallen försöker nå {what}, vilket inte är tillåtet i mallar (sandlåda)",
            line=line,
            column=1,
        ) from None
    except MemoryError:
        # The size checks stop the usual ways of building huge texts; this is the
        # last line for the ones they cannot see (a filter asked for a huge width).
        path, line = _template_position(sys.exc_info()[2], name, archive_templates)
        raise TemplateError.at(
            path,
            "mallen använder mer minne än datorn har (en text som växer utan gräns?)",
            line=line,
            column=1,
        ) from None
    except (jinja2.TemplateError, TypeError, ValueError, ArithmeticError, RecursionError) as error:
        path, line = _template_position(sys.exc_info()[2], name, archive_templates)
        raise TemplateError.at(
            path, f"mallen kunde inte köras: {error}", line=line, column=1
        ) from None


def _undefined_message(jinja_message: str) -> str:
    missing = re.search(r"has no attribute '([^']+)'|'([^']+)' is undefined", jinja_message)
    if missing:
        key = missing.group(1) or missing.group(2)
        return f"”{key}” finns inte i mallens data; kontrollera stavningen (se standardmallarna)"
    return f"okänd variabel eller nyckel i mallen ({jinja_message})"


def _render_limited(
    environment: jinja2.Environment, template: jinja2.Template, context: dict[str, Any]
) -> str:
    assert isinstance(environment, LimitedSandbox)
    environment.start(_text_size(context))
    parts: list[str] = []
    size = 0
    # Jinja types it as an Iterator; it is a generator, which can be thrown into.
    chunks = cast(Generator[str, None, None], template.generate(context))
    for chunk in chunks:
        size += len(chunk)
        if size > environment.budget:
            # Thrown into the template's own frame, so the traceback Jinja rewrites
            # names the template line that was writing.
            chunks.throw(
                LimitExceeded(
                    f"mallen skriver mer än {environment.budget:,} tecken".replace(",", " ")
                    + f", mer än {BUDGET_PER_INPUT} gånger så mycket som dess indata (en loop "
                    "som inte tar slut?)"
                )
            )
        environment.check_deadline()
        parts.append(chunk)
    return "".join(parts)


def _text_size(value: Any) -> int:
    """The characters of text in a template's data: what its output may grow with."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, dict):
        return sum(_text_size(item) for item in value.values())
    if isinstance(value, list | tuple):
        return sum(_text_size(item) for item in value)
    return 0


def _tidy(markdown: str) -> str:
    """Collapse the blank-line runs that template control blocks leave behind."""
    return re.sub(r"\n{3,}", "\n\n", markdown).strip("\n") + "\n"


def _template_position(
    trace: TracebackType | None, name: str, archive_templates: Path
) -> tuple[Path, int]:
    """The innermost template file and line in a traceback that Jinja rewrote."""
    found = (find_template_file(name, archive_templates), 0)
    while trace is not None:
        filename = trace.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            found = (Path(filename), trace.tb_lineno)
        trace = trace.tb_next
    return found
