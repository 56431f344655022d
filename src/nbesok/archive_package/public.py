"""The public copies of a visit's documents: the one step that masking under OSL feeds.

A package holds the internal copies of the protocols (``representations/intern``) and,
beside them, the public copies: the same documents with the passages masked under
offentlighets- och sekretesslagen removed (``representations/publik``). Masking is
built in issue 24; this module is where its library function is called, and the only
place that knows about it. Everything after this step (rendering the returned
documents to PDF/A, the public representation, its METS and PREMIS, the description's
access note) is already in place and takes whatever this function returns.

Until issue 24's function is wired in here, no public copies are made: this function
returns none, and the package says so (the description and LASMIG.md state that it
holds no public copies). It never returns an internal document as if it were public.
"""

from __future__ import annotations

from nbesok.archive import Archive
from nbesok.archive_package.selection import ChosenVisit
from nbesok.documents import Document

PUBLIC_SUFFIX = "-publik"  # as render --publik names its files (…-publik.pdf)


def public_documents(archive: Archive, chosen: ChosenVisit, internal: Document) -> list[Document]:
    """The public copies of ``chosen``'s protocol ``internal``, each named
    ``<name>-publik``, with every masked passage removed; empty while nbesok cannot mask."""
    return []
