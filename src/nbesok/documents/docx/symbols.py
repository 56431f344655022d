"""Word's symbol characters (``w:sym``) as the Unicode characters they show.

A ``w:sym`` names a font and a character code; in the symbol fonts the code is a
private-use code point (F0xx) whose glyph only that font knows. The common ones –
Symbol's Greek letters and mathematical signs, Wingdings' check marks, boxes and
arrows – are mapped here; any other comes back as its code, so a word about it can
be said instead of losing it.
"""

from __future__ import annotations

# Symbol font: the Greek letters sit where Latin ones do in ASCII.
_GREEK = dict(
    zip(
        "ABGDEZHQIKLMNXOPRSTUFCYWJabgdezhqiklmnxoprstufcywjV",
        "ΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩϑαβγδεζηθικλμνξοπρστυφχψωϕς",
        strict=True,
    )
)
_SYMBOL = {
    **{ord(latin): greek for latin, greek in _GREEK.items()},
    0x22: "∀",
    0x24: "∃",
    0x27: "∋",
    0x2A: "∗",
    0x2D: "−",
    0x40: "≅",
    0x5E: "⊥",
    0xA3: "≤",
    0xA5: "∞",
    0xAB: "↔",
    0xAC: "←",
    0xAD: "↑",
    0xAE: "→",
    0xAF: "↓",
    0xB0: "°",
    0xB1: "±",
    0xB3: "≥",
    0xB4: "×",
    0xB5: "∝",
    0xB6: "∂",
    0xB7: "•",
    0xB8: "÷",
    0xB9: "≠",
    0xBA: "≡",
    0xBB: "≈",
    0xC5: "⊕",
    0xC6: "∅",
    0xC7: "∩",
    0xC8: "∪",
    0xCE: "∈",
    0xD1: "∇",
    0xD6: "√",
    0xD7: "⋅",
    0xD8: "¬",
    0xD9: "∧",
    0xDA: "∨",
    0xDB: "⇔",
    0xDE: "⇒",
    0xE5: "∑",
    0xF2: "∫",
}
_WINGDINGS = {
    0x4A: "☺",
    0x4C: "☹",
    0x6C: "●",
    0x6E: "■",
    0x6F: "□",
    0x71: "❑",
    0x75: "◆",
    0x77: "⬥",
    0x9F: "•",
    0xA1: "○",
    0xA7: "▪",
    0xA8: "◻",
    0xD8: "➢",
    0xE0: "→",
    0xE8: "➔",
    0xEF: "⇦",
    0xF0: "⇨",
    0xFB: "✗",
    0xFC: "✓",
    0xFD: "☒",
    0xFE: "☑",
}
_FONTS = {"symbol": _SYMBOL, "wingdings": _WINGDINGS}


def symbol_text(font: str, code: str) -> tuple[str, bool]:
    """The character of ``w:sym``, and whether it is known (else its code in brackets)."""
    try:
        number = int(code, 16)
    except ValueError:
        return f"[symbol {code}]", False
    low = number - 0xF000 if 0xF000 <= number <= 0xF0FF else number
    table = _FONTS.get(font.strip().lower())
    if table is not None and low in table:
        return table[low], True
    if table is None and not 0xE000 <= number <= 0xF8FF and 0x20 <= number <= 0x10FFFF:
        return chr(number), True  # an ordinary character in an ordinary font
    return f"[symbol {code.upper()} i {font or 'okänt typsnitt'}]", False
