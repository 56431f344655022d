"""The rule on every public copy: no masked word in it, in any part of any file.

The public copy is made by leaving the masked passages out of the document's token
stream (nbesok.documents.redaction). This rule checks the result as its readers will
get it: every text of every outlet (read by nbesok.documents.outlets) is searched for
what of each masked passage must not be seen (nbesok.archive.masks.secret_terms: the
passage, and the words in it that name someone or something). A masked name that also
stands unmasked in an answer, a link address or a file name that spells it, a template
that puts a field in the properties unfiltered: any of them stops the public copy from
being written, with the passage's place in the visit file and the part of the file
where it was found.

The rule has the shape a guard over all outlets takes (``hits`` in a text, a
``message`` for each): it reads texts, not files.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from nbesok.archive.guard import Published
from nbesok.archive.masks import normalised
from nbesok.archive.secrecy import Secrecy, Secret
from nbesok.core.errors import Finding, RenderError, finding

# A Swedish genitive (Solrosens, SFI:s) is the same word.
_ENDING = r"(?::?s)?"


@dataclass(frozen=True)
class Hit:
    """A masked passage's term, found in a published text."""

    term: str
    secret: Secret


class MaskedWords:
    """What of a document's masked passages must not be published."""

    def __init__(self, secrecy: Secrecy) -> None:
        pairs = secrecy.terms()
        self._secrets = {term: secret for term, secret in reversed(pairs)}
        terms = [term for term, _ in pairs]
        self._pattern = (
            re.compile(
                r"(?<!\w)(?:"
                + "|".join(r"\s+".join(map(re.escape, term.split())) for term in terms)
                + rf"){_ENDING}(?!\w)"
            )
            if terms
            else None
        )

    @property
    def empty(self) -> bool:
        """Nothing to look for: the document's sources mask nothing."""
        return self._pattern is None

    def hits(self, text: str) -> Iterator[Hit]:
        if self._pattern is None or not text:
            return
        for found in self._pattern.finditer(normalised(text)):
            term = " ".join(found.group().split())
            secret = self._secrets.get(term) or self._secrets.get(_without_ending(term))
            if secret is not None:
                yield Hit(term, secret)

    def message(self, hit: Hit, where: str) -> str:
        secret = hit.secret
        return (
            f"den publika kopian skrivs inte: ”{shown(hit.term)}” ur den maskerade uppgiften "
            f"i {secret.key} står {where}. Maskera ordet också där det står omaskerat (nbesok "
            "validate visar var), eller skriv om texten så att det inte behövs"
        )

    def findings(self, texts: Iterable[Published]) -> list[Finding]:
        """Each passage once for each part of the outlet it was found in."""
        found: dict[tuple[str, str, str], Finding] = {}
        for where, text in texts:
            for hit in self.hits(text):
                secret = hit.secret
                made = finding(
                    secret.source,
                    self.message(hit, where),
                    line=secret.line,
                    column=secret.column,
                    key=secret.key,
                )
                found.setdefault((secret.key, str(secret.line), where), made)
        return list(found.values())

    def check(self, texts: Iterable[Published]) -> None:
        """RenderError with the findings, if there are any."""
        findings = self.findings(texts)
        if findings:
            raise RenderError(findings)


def _without_ending(term: str) -> str:
    return re.sub(r":?s$", "", term)


def shown(term: str) -> str:
    """A term as a message may show it: enough to find it, never the whole secret."""
    return term if len(term) <= 3 else term[:3] + "…"
