"""The public copy of a visit's protocol: the one step where a package meets masking.

A package holds the internal copies of the protocols (``representations/intern``) and,
beside them, the public copies (``representations/publik``): the same document, made
from the same Markdown, with every passage masked under offentlighets- och
sekretesslagen replaced by ”[Uppgift borttagen enligt …]” (nbesok.documents.redaction), named as
``render --publik`` names it (``<stem>-publik``, or ``<datum>-besok-publik`` when the
visit file's name shows a masked verksamhet).

Every visit gets a public copy, masked or not: the public representation is then the
whole season, so a registrator can hand out any protocol in it without first asking
which ones had something to mask. A visit without masks gives the same text as its
internal copy (the properties say it is the public copy; there is no
sekretessmarkering to leave out).

What is published is checked, not what was typed: :func:`nbesok.documents.publish.make` reads
every outlet of a public copy (the DOCX parts, its properties, the .md, the file name)
for the masked words and returns the rule for its PDF, which
:mod:`nbesok.commands.arkivera.rendering` runs on the PDF that goes into the package.
"""

from __future__ import annotations

from nbesok.archive.loading import Loaded
from nbesok.archive.models import Visit
from nbesok.archive.secrecy import PUBLIC_SUFFIX, leaked_ground
from nbesok.core.errors import Finding, Severity, finding
from nbesok.core.paths import display_path
from nbesok.documents.compose import Document


def public_copy(internal: Document) -> Document:
    """The public copy of the protocol ``internal`` (a visit's, from ``render_visit``)."""
    assert internal.secrecy is not None  # a visit's protocol always knows its secrecy
    return internal.public_copy()


def is_neutrally_named(internal: Document) -> bool:
    """Whether the visit file's own name shows a masked value, so that the public
    copy goes by a neutral one (and nothing public may name the file)."""
    return public_copy(internal).name != internal.name + PUBLIC_SUFFIX


def file_name_warning(visit: Loaded[Visit], internal: Document) -> Finding | None:
    """A warning when the visit file's name shows a masked value: the public copy has a
    neutral name and names no such file, but the package's metadata and the internal
    representations name every file as it is called (they are for the e-arkiv, which
    needs to find them), so the arkivarie learns it before delivering."""
    if not is_neutrally_named(internal):
        return None
    assert internal.secrecy is not None
    ground = leaked_ground(visit.stem, internal.secrecy.secrets)
    neutral = public_copy(internal).name.removesuffix(PUBLIC_SUFFIX)
    folder = display_path(visit.path.parent)
    return finding(
        visit.path,
        f"filnamnet visar en maskerad uppgift ({ground}): det publika exemplaret heter "
        f"{neutral}{PUBLIC_SUFFIX} och nämner inte filen, men representationerna intern och "
        "kallfiler och paketets metadata (PREMIS, EAD, LASMIG.md) nämner den vid namn. Ska "
        f"namnet inte synas där, byt namn före leveransen: git mv {display_path(visit.path)} "
        f"{folder}/{neutral}.yaml",
        severity=Severity.WARNING,
    )
