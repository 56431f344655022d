"""Jinja's sandbox with limits that a runaway template cannot get past.

Templates are written by users, and one mistake (a loop that never ends, a string
that doubles on every step) must end in a located error, not a hung machine or a
process killed for its memory. Two limits hold on every path:

- **Time.** A deadline is checked on every call, on every step of every ``for`` loop
  (the compiler routes each loop's iterable through :meth:`LimitedSandbox.steps`) and
  on every chunk of output.
- **Size.** Nothing a template builds may grow past the render's budget: ``~``, ``+``,
  ``*`` and ``%`` are checked before they run, and so are the filters and string
  methods that can multiply a text (``center``, ``replace``, ``format``, ``lipsum``,
  ``indent``, ``wordwrap``, ``join``, ``sum``, ``ljust`` …), from their arguments.
  The budget scales with the data: a real season of hundreds of long visits is
  fine, a template that writes ten times more than its input is not. A loop takes
  at most as many steps as the budget has characters.

Some operations are refused outright rather than measured, since their size is not
in their arguments: a width or precision given by ``*`` or by an inner ``{field}``,
any width or precision over :data:`MAX_WIDTH`, ``translate`` (a one-character key can
map to any text), and integers of more than :data:`MAX_INT_BITS` bits (``10**100``
is fine, ``(10**100)**100`` is refused before Python starts on it).
"""

from __future__ import annotations

import re
import string
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.sandbox import ImmutableSandboxedEnvironment

MAX_SECONDS = 5.0
BASE_BUDGET = 5_000_000  # characters, whatever the input
BUDGET_PER_INPUT = 10  # characters of output allowed per character of input
STEP_FILTER = "nbesok_steg"
# Raise when the code generator changes what it writes, so cached templates go unused.
GENERATOR_REVISION = 2
MAX_WIDTH = 1000  # characters of width or precision in one formatted field
MAX_INT_BITS = 4096  # about 1 200 decimal digits

# One conversion of printf-style formatting: %(key)-10.3s, %*d, %%.
_PERCENT_SPEC = re.compile(
    r"%(?:\([^)]*\))?[-#0 +]*(?P<width>\*|\d+)?(?:\.(?P<precision>\*|\d*))?[hlL]?"
)
# The width and precision of a str.format field: {:>10}, {:_^20.3f}.
_FORMAT_SPEC = re.compile(r"(?:.?[<>=^])?[-+ ]?z?#?0?(?P<width>\d*)[,_]?(?:\.(?P<precision>\d+))?")
_REFUSED_METHODS = frozenset({"translate", "maketrans"})
_SEQUENCES = (str, bytes, bytearray, list, tuple)


class LimitExceeded(Exception):
    """A template ran too long or built too much: almost always a runaway loop."""


class LimitedCodeGenerator(CodeGenerator):
    """Compiles ``a ~ b`` and ``for`` loops so that the sandbox sees them.

    Jinja builds concatenations and iterates loops without asking the environment, so
    a template could double a string or loop over a list forever, unseen.
    """

    def visit_Template(self, node: nodes.Template, frame: Frame | None = None) -> None:
        for loop in node.find_all(nodes.For):
            loop.iter = nodes.Filter(loop.iter, STEP_FILTER, [], [], None, None)
            loop.iter.set_lineno(loop.lineno)
        super().visit_Template(node, frame)

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.checked_concat(")
        super().visit_Concat(node, frame)
        self.write(")")


class LimitedSandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox with a deadline and a size budget per render."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})
    code_generator_class = LimitedCodeGenerator
    deadline: float = 0.0
    budget: int = BASE_BUDGET

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters[STEP_FILTER] = self.steps
        for name, estimate in _FILTER_SIZES.items():
            self.filters[name] = self._checked_filter(self.filters[name], estimate)

    def start(self, input_size: int) -> None:
        """Reset the limits for one render of a template over ``input_size`` characters."""
        self.deadline = time.monotonic() + MAX_SECONDS
        self.budget = max(BASE_BUDGET, BUDGET_PER_INPUT * input_size)

    def check_deadline(self) -> None:
        if time.monotonic() > self.deadline:
            raise LimitExceeded(f"mallen tog mer än {MAX_SECONDS:.0f} sekunder (en oändlig loop?)")

    def check_size(self, size: int, *, parts: bool = False) -> None:
        """Refuse a text of ``size`` characters (or a list of ``size`` parts) over budget."""
        if size > self.budget:
            what = f"en lista med {size:,} delar" if parts else f"en text på {size:,} tecken"
            raise LimitExceeded(f"mallen försöker bygga {what}".replace(",", " "))

    def checked_concat(self, text: str) -> str:
        """The result of ``~``, refused once it outgrows the budget."""
        self.check_deadline()
        self.check_size(len(text))
        return text

    def steps(self, items: Iterable[Any]) -> Iterator[Any]:
        """Every ``for`` loop (and ``range``) iterates through this: the deadline on every
        step, and no more steps than the budget (``range(10**9) | list`` would fill the
        memory within the deadline)."""
        check = self.check_deadline
        limit = self.budget
        for count, item in enumerate(items):
            check()
            if count >= limit:
                raise LimitExceeded(
                    f"en loop i mallen tar mer än {limit:,} steg".replace(",", " ")
                    + " (en loop som inte tar slut?)"
                )
            yield item

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        __self.check_deadline()
        owner = getattr(__obj, "__self__", None)
        name = getattr(__obj, "__name__", "")
        text_owner = isinstance(owner, str | bytes | bytearray) or owner in (str, bytes)
        if text_owner and name in _REFUSED_METHODS:
            raise LimitExceeded(
                f"mallen använder ”{name}”, som inte är tillåtet i mallar (en text kan växa "
                "utan gräns); använd replace"
            )
        if isinstance(owner, str | bytes | bytearray) and name in _METHOD_SIZES:
            __self.check_size(_METHOD_SIZES[name](owner, *args, **kwargs))
        elif name == "generate_lorem_ipsum":  # the lipsum() global
            __self.check_size(_lipsum_size(*args, **kwargs))
        result = super().call(__context, __obj, *args, **kwargs)
        if isinstance(result, range):
            return __self.steps(result)
        return result

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """``str.format`` and ``format_map``, which Jinja hands out wrapped: checked
        before they run."""
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        text: str = value.__self__
        format_map = value.__name__ == "format_map"

        def checked(*args: Any, **kwargs: Any) -> str:
            self.check_deadline()
            _check_format_fields(text)
            values = (
                (*args[0].values(),) if format_map and args and hasattr(args[0], "values") else args
            )
            self.check_size(_format_method_size(text, *values, **kwargs))
            return wrapped(*args, **kwargs)

        return checked

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        self.check_deadline()
        if operator in ("**", "*"):
            _check_integer_size(operator, left, right)
        if operator == "*":
            listed = isinstance(left, list | tuple) or isinstance(right, list | tuple)
            self.check_size(_repeat_size(left, right), parts=listed)
        if operator == "+" and isinstance(left, _SEQUENCES) and isinstance(right, _SEQUENCES):
            self.check_size(len(left) + len(right), parts=isinstance(left, list | tuple))
        if operator == "%" and isinstance(left, str):
            _check_percent_fields(left)
            self.check_size(_percent_size(left, right))
        return super().call_binop(context, operator, left, right)

    def _checked_filter(
        self, function: Callable[..., Any], estimate: Callable[..., int]
    ) -> Callable[..., Any]:
        # Jinja passes the environment or context first to filters marked for it.
        passed = getattr(function, "jinja_pass_arg", None)
        skip = 0 if passed is None else 1

        def checked(*args: Any, **kwargs: Any) -> Any:
            self.check_deadline()
            self.check_size(estimate(*args[skip:], **kwargs))
            return function(*args, **kwargs)

        checked.jinja_pass_arg = passed  # type: ignore[attr-defined]
        return checked


def _repeat_size(left: Any, right: Any) -> int:
    """The length of ``sequence * count`` (a text, bytes, a list or a tuple)."""
    count, sequence = (left, right) if isinstance(right, _SEQUENCES) else (right, left)
    if not isinstance(count, int) or not isinstance(sequence, _SEQUENCES):
        return 0
    return count * len(sequence)


def _integer_bits(value: Any) -> int:
    return value.bit_length() if isinstance(value, int) and not isinstance(value, bool) else 0


def _check_integer_size(operator: str, left: Any, right: Any) -> None:
    """Refuse an integer power or product that would have more than MAX_INT_BITS bits,
    before Python spends minutes and gigabytes on it."""
    if not (isinstance(left, int) and isinstance(right, int)):
        return
    if operator == "**":
        if right <= 0 or abs(left) <= 1:
            return
        bits = right * _integer_bits(left)
    else:
        bits = _integer_bits(left) + _integer_bits(right)
    if bits > MAX_INT_BITS:
        raise LimitExceeded(
            f"mallen räknar fram ett tal med omkring {bits:,} binära siffror; högst ".replace(
                ",", " "
            )
            + f"{MAX_INT_BITS} tillåts (en för stor potens eller produkt)"
        )


def _refuse_width(value: int) -> None:
    if value > MAX_WIDTH:
        raise LimitExceeded(
            f"mallen ber om en bredd eller precision på {value:,} tecken i en ".replace(",", " ")
            + f"formatering; högst {MAX_WIDTH} tillåts i mallar"
        )


def _check_percent_fields(text: str) -> None:
    """printf-style formatting (``%`` and the ``format`` filter): no ``*`` for a width or
    precision, which takes it from the values, and no width over MAX_WIDTH."""
    for spec in _PERCENT_SPEC.finditer(text):
        width, precision = spec["width"] or "", spec["precision"] or ""
        if "*" in (width, precision):
            raise LimitExceeded(
                "mallen anger en bredd med * i en %-formatering, vilket inte är tillåtet i "
                "mallar; skriv bredden som ett tal"
            )
        _refuse_width(int(width or 0))
        _refuse_width(int(precision or 0))


def _check_format_fields(text: str) -> None:
    """``str.format`` and ``format_map``: no width from an inner ``{field}``, which takes
    it from the values, and no width over MAX_WIDTH."""
    for _literal, field_name, spec, _conversion in string.Formatter().parse(text):
        if field_name is None or not spec:
            continue
        if "{" in spec:
            raise LimitExceeded(
                "mallen anger en bredd med ett inre fält ({…}) i format, vilket inte är "
                "tillåtet i mallar; skriv bredden som ett tal"
            )
        found = _FORMAT_SPEC.match(spec)
        if found is not None:
            _refuse_width(int(found["width"] or 0))
            _refuse_width(int(found["precision"] or 0))


def _length(value: Any) -> int:
    return len(value) if isinstance(value, str | list | tuple) else len(str(value))


def _percent_size(text: str, values: Any = ()) -> int:
    """``text % values``: the text, every width and precision it asks for, the values."""
    items = values if isinstance(values, tuple) else (values,)
    widths = sum(
        int(spec["width"] or 0) + int(spec["precision"] or 0)
        for spec in _PERCENT_SPEC.finditer(text)
    )
    return len(text) + widths + sum(_length(item) for item in items)


def _format_method_size(text: str, *args: Any, **kwargs: Any) -> int:
    """``text.format(…)``: widths such as ``{:>99999999}`` are digits in the text."""
    widths = sum(int(digits) for digits in re.findall(r"\d+", text))
    values = [*args, *kwargs.values()]
    return len(text) + widths + sum(_length(value) for value in values)


def _replace_size(text: Any, old: Any = "", new: Any = "", count: Any = None, *_: Any) -> int:
    text, old, new = str(text), str(old), str(new)
    found = len(text) + 1 if not old else text.count(old)
    if isinstance(count, int) and count >= 0:
        found = min(found, count)
    return len(text) + found * max(len(new) - len(old), 0)


def _width(value: Any, width: Any = 80, *_: Any, **__: Any) -> int:
    return max(_length(value), width if isinstance(width, int) else 0)


def _indent_size(text: Any, width: Any = 4, *_: Any, **__: Any) -> int:
    lines = str(text).count("\n") + 1
    step: int = width if isinstance(width, int) else len(str(width))
    return len(str(text)) + lines * max(step, 0)


def _wordwrap_size(text: Any, width: Any = 79, *args: Any, **kwargs: Any) -> int:
    text = str(text)
    wrapstring = kwargs.get("wrapstring") or (args[1] if len(args) > 1 else None) or "\n"
    lines = len(text) // max(width if isinstance(width, int) else 1, 1) + 1
    return len(text) + lines * len(str(wrapstring))


def _join_size(value: Any, separator: Any = "", *_: Any, **__: Any) -> int:
    items = value if isinstance(value, list | tuple | str) else []
    return sum(_length(item) for item in items) + len(items) * len(str(separator))


def _lipsum_size(*args: Any, **kwargs: Any) -> int:
    """``lipsum(n=5, html=True, min=20, max=100)``: n paragraphs of at most max words."""
    n = kwargs.get("n", args[0] if args else 5)
    high = kwargs.get("max", args[3] if len(args) > 3 else 100)
    return (n if isinstance(n, int) else 0) * (high if isinstance(high, int) else 100) * 12


def _sum_size(value: Any, *_: Any, **__: Any) -> int:
    items = value if isinstance(value, list | tuple) else []
    return sum(len(item) for item in items if isinstance(item, list | tuple | str))


def _format_filter_size(text: Any, *args: Any, **kwargs: Any) -> int:
    _check_percent_fields(str(text))
    values = args if args else tuple(kwargs.values())
    return _percent_size(str(text), values)


_FILTER_SIZES: dict[str, Callable[..., int]] = {
    "center": _width,
    "indent": _indent_size,
    "replace": _replace_size,
    "format": _format_filter_size,
    "wordwrap": _wordwrap_size,
    "join": _join_size,
    "sum": _sum_size,
}

_METHOD_SIZES: dict[str, Callable[..., int]] = {
    "center": _width,
    "ljust": _width,
    "rjust": _width,
    "zfill": _width,
    "expandtabs": lambda text, size=8, *_: len(text) * max(size if isinstance(size, int) else 8, 1),
    "replace": _replace_size,
    "join": lambda separator, items=(), *_: _join_size(items, separator),
}
