"""``nbesok granska``: the accessibility review of Word documents given by file or folder.

The review itself is :mod:`nbesok.documents.docx.review`; every render runs it too.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from nbesok.core.errors import Finding
from nbesok.core.errors import summary_line as counted
from nbesok.core.inputs import expand_paths
from nbesok.documents.docx.review import review_file


def docx_files(paths: Sequence[Path]) -> list[Path]:
    """The documents to review: given files as they are, folders by their ``*.docx``.

    Word's lock files (``~$…``) and hidden files in a folder are left out.
    """
    return expand_paths(paths, ".docx", keep_missing=True)


def review_paths(paths: Sequence[Path]) -> list[Finding]:
    """Review every document of :func:`docx_files`; findings in file order."""
    return [found for path in docx_files(paths) for found in review_file(path)]


def summary_line(files: int, findings: Sequence[Finding]) -> str:
    """``Inga tillgänglighetsproblem i 6 filer.`` or ``2 fel och 1 varning i 6 filer.``"""
    return counted(files, findings, clean="Inga tillgänglighetsproblem")
