"""PDF/A from LibreOffice with the same bytes every time, for a package that can be verified.

LibreOffice stamps four things that change from run to run (measured on 7.4 with two
conversions of one .docx; every other object was identical):

- the document's creation time, in the Info dictionary and in the XMP metadata;
- the creation time in the header of the sRGB ICC profile of the PDF/A output intent
  (ICC.1 header bytes 24–35, a dateTimeNumber; the profile carries no profile id that
  would cover it);
- a random file identifier, the trailer's ``/ID``;
- a ``/DocChecksum`` of its own in the trailer.

:func:`settle_pdf` sets both times to one date taken from the content (the day the
visit was fastställd), drops ``/DocChecksum`` and lets qpdf (through pikepdf) derive
``/ID`` from the content. The XMP is edited through pikepdf's metadata API and left
without pikepdf's name in it, and the Info and XMP dates stay equal, as PDF/A asks.
"""

from __future__ import annotations

import io
import struct
from datetime import date

import pikepdf

_ICC_SIGNATURE = b"acsp"  # ICC.1: bytes 36–39 of every profile header
_ICC_DATE = slice(24, 36)


def settle_pdf(data: bytes, day: date) -> bytes:
    """``data`` (a LibreOffice PDF/A) with its dates set to ``day`` and a content-derived id."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        pdf.docinfo[pikepdf.Name.CreationDate] = f"D:{day:%Y%m%d}000000Z"
        if pikepdf.Name.ModDate in pdf.docinfo:
            del pdf.docinfo[pikepdf.Name.ModDate]
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            meta["xmp:CreateDate"] = f"{day.isoformat()}T00:00:00Z"
            for name in ("xmp:ModifyDate", "xmp:MetadataDate"):
                if name in meta:
                    meta[name] = f"{day.isoformat()}T00:00:00Z"
        for intent in pdf.Root.get(pikepdf.Name.OutputIntents, []):
            profile = intent.get(pikepdf.Name.DestOutputProfile)
            if isinstance(profile, pikepdf.Stream):
                profile.write(_dated_profile(profile.read_bytes(), day))
        for key in (pikepdf.Name.ID, pikepdf.Name("/DocChecksum")):
            if key in pdf.trailer:
                del pdf.trailer[key]
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True, fix_metadata_version=False)
    return out.getvalue()


def _dated_profile(icc: bytes, day: date) -> bytes:
    if icc[36:40] != _ICC_SIGNATURE:
        return icc  # not an ICC profile nbesok knows how to read: left as it is
    stamp = struct.pack(">6H", day.year, day.month, day.day, 0, 0, 0)
    return icc[: _ICC_DATE.start] + stamp + icc[_ICC_DATE.stop :]
