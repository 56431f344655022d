"""``nbesok arkivera``: a season delivered to the e-arkiv as one information package.

FGS Paketstruktur 2.0, that is E-ARK CSIP 2.1.0 with E-ARK SIP 2.1.0: a root folder
named after the package's OBJID with METS.xml, the representations (the internal
PDF/A copies with their masked passages marked, the public copies without them, and
the archive's own source files), PREMIS preservation metadata, an EAD description of
the season, the official schemas and a documentation file. Made in memory, checked,
then written reproducibly as a folder and a ZIP or TAR file.

The modules, in the order a package is made: :mod:`selection` (which visits, and the
checks they must pass), :mod:`rendering` (their documents, with :mod:`public` and
:mod:`settled_pdf`), :mod:`builder` (the package, with :mod:`mets`, :mod:`premis`,
:mod:`description`, :mod:`documentation` and :mod:`schemas`), :mod:`writing`, all
run by :mod:`delivery`; and :mod:`fixity`, which checks a delivered package.
"""
