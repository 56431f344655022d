"""``--signera``: a PAdES signature on the published PDF, made with pyHanko.

The municipality provides the certificate: a PKCS#12 file (``.p12``/``.pfx``, e.g. an
exported e-tjänstelegitimation or a function certificate) whose password comes from
an environment variable, never from the command line, where it would be seen in the
process list and the shell history; or a key on a PKCS#11 token (a smart card or an
HSM) through pyHanko's PKCS#11 support, which needs the python-pkcs11 package.

The signature is added as an incremental update: the PDF/A file LibreOffice wrote is
kept byte for byte, and the signature (ETSI.CAdES.detached, SHA-256, an invisible
field that is printable and locked, as PDF/A asks of annotations) follows it. So the
file is still PDF/A-2b, and a reader can show the signed version exactly.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nbesok.core.errors import NbesokError, OutputError, UsageError, finding

CERTIFICATE_VARIABLE = "NBESOK_SIGN_P12"
PASSWORD_VARIABLE = "NBESOK_SIGN_PASSWORD"
PKCS11_MODULE_VARIABLE = "NBESOK_SIGN_PKCS11_MODULE"
PKCS11_TOKEN_VARIABLE = "NBESOK_SIGN_PKCS11_TOKEN"
PKCS11_KEY_VARIABLE = "NBESOK_SIGN_PKCS11_KEY"
PKCS11_PIN_VARIABLE = "NBESOK_SIGN_PKCS11_PIN"
FIELD_NAME = "Signatur"
MAX_CERTIFICATE_BYTES = 1024 * 1024


def _pyhanko() -> None:
    """Import pyHanko once, quietly: it imports cryptography's deprecated DSA module,
    a warning about pyHanko's code that a user of nbesok can do nothing about."""
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="DSA is deprecated", category=Warning)
        import pyhanko.sign  # noqa: F401


class SigningError(NbesokError):
    """The certificate cannot be used, or a PDF could not be signed."""


@dataclass(frozen=True)
class Signer:
    """Where the key is: a PKCS#12 file (with its password), or a PKCS#11 token."""

    pkcs12: Path | None = None
    password: str | None = None
    pkcs11_module: str | None = None
    pkcs11_token: str | None = None
    pkcs11_key: str | None = None
    pkcs11_pin: str | None = None

    def identity(self) -> str:
        """What distinguishes this signer in a render fingerprint (no secrets)."""
        if self.pkcs12 is not None:
            return f"pkcs12:{self.pkcs12.resolve()}"
        return f"pkcs11:{self.pkcs11_module}:{self.pkcs11_token}:{self.pkcs11_key}"

    def sign_file(self, pdf: Path) -> None:
        """Sign ``pdf`` in place: the signed bytes replace it in one step."""
        try:
            data = pdf.read_bytes()
        except OSError as error:
            raise SigningError.at(pdf, f"kan inte läsas för signering ({error.strerror})") from None
        signed = self.sign(data, pdf)
        temporary = pdf.with_name(f".{pdf.name}.signerad")
        try:
            temporary.write_bytes(signed)
            os.replace(temporary, pdf)
        except OSError as error:
            temporary.unlink(missing_ok=True)
            raise OutputError.at(pdf, f"kan inte skrivas ({error.strerror})") from None

    def sign(self, data: bytes, shown: Path) -> bytes:
        """``data`` with a PAdES signature appended (an incremental update)."""
        _pyhanko()
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.pdf_utils.misc import PdfError
        from pyhanko.sign import fields, signers

        metadata = signers.PdfSignatureMetadata(
            field_name=FIELD_NAME,
            md_algorithm="sha256",
            subfilter=fields.SigSeedSubFilter.PADES,
        )
        with self._signer() as signer:
            try:
                writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
                output = signers.sign_pdf(writer, metadata, signer=signer, output=io.BytesIO())
            except (PdfError, ValueError, OSError) as error:
                raise SigningError.at(
                    shown, f"PDF:en kunde inte signeras ({error}); rendera den igen"
                ) from None
        return bytes(output.getbuffer())

    def _signer(self) -> Any:
        if self.pkcs12 is not None:
            return contextlib.nullcontext(_pkcs12_signer(self.pkcs12, self.password))
        return _pkcs11_signer(self)


def _pkcs12_signer(path: Path, password: str | None) -> Any:
    _pyhanko()
    from pyhanko.sign import signers

    from nbesok.core.inputs import read_bounded

    data = read_bounded(path, MAX_CERTIFICATE_BYTES, lambda message: SigningError.at(path, message))
    try:
        return signers.SimpleSigner.load_pkcs12_data(
            data, other_certs=[], passphrase=password.encode("utf-8") if password else None
        )
    except ValueError:
        hint = (
            f"lösenordet i {PASSWORD_VARIABLE} stämmer inte, eller filen är ingen PKCS#12-fil"
            if password
            else f"ange lösenordet i miljövariabeln {PASSWORD_VARIABLE}, eller filen är ingen "
            "PKCS#12-fil"
        )
        raise SigningError.at(path, f"certifikatet kan inte öppnas: {hint}") from None


class _Pkcs11Session:
    """A PKCS#11 session open while a PDF is signed, closed afterwards."""

    def __init__(self, settings: Signer) -> None:
        self.settings = settings
        self.session: Any = None

    def __enter__(self) -> Any:
        settings = self.settings
        _pyhanko()
        try:
            from pyhanko.config.pkcs11 import TokenCriteria
            from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session
        except ImportError:
            raise SigningError.at(
                PKCS11_MODULE_VARIABLE,
                "signering med PKCS#11 behöver paketet python-pkcs11; installera det i samma "
                "miljö som nbesok (t.ex. uv pip install python-pkcs11)",
            ) from None
        try:
            self.session = open_pkcs11_session(
                str(settings.pkcs11_module),
                token_criteria=TokenCriteria(label=settings.pkcs11_token),
                user_pin=settings.pkcs11_pin,
            )
        except Exception as error:  # python-pkcs11 raises its own hierarchy
            raise SigningError.at(
                PKCS11_MODULE_VARIABLE,
                f"PKCS#11-token ”{settings.pkcs11_token}” kunde inte öppnas ({error}); "
                "kontrollera modulen, tokenets namn och PIN-koden",
            ) from None
        return PKCS11Signer(
            self.session, key_label=settings.pkcs11_key, cert_label=settings.pkcs11_key
        )

    def __exit__(self, *exc: object) -> None:
        if self.session is not None:
            self.session.close()


def _pkcs11_signer(settings: Signer) -> _Pkcs11Session:
    return _Pkcs11Session(settings)


def signer_from(certificate: Path | None, environment: Mapping[str, str]) -> Signer:
    """The signer ``--signera`` uses: ``--certifikat`` or NBESOK_SIGN_P12 (a PKCS#12
    file, password in NBESOK_SIGN_PASSWORD), else a PKCS#11 token named by the
    NBESOK_SIGN_PKCS11_* variables. A usage error says what is missing."""
    given = certificate or (
        Path(environment[CERTIFICATE_VARIABLE]) if environment.get(CERTIFICATE_VARIABLE) else None
    )
    if given is not None:
        if not given.is_file():
            raise UsageError.at(
                given,
                "certifikatfilen finns inte; ange kommunens PKCS#12-fil (.p12 eller .pfx) med "
                f"--certifikat eller miljövariabeln {CERTIFICATE_VARIABLE}",
            )
        return Signer(pkcs12=given, password=environment.get(PASSWORD_VARIABLE))
    module = environment.get(PKCS11_MODULE_VARIABLE)
    if module:
        missing = [
            name
            for name in (PKCS11_TOKEN_VARIABLE, PKCS11_KEY_VARIABLE)
            if not environment.get(name)
        ]
        if missing:
            raise UsageError.at(
                "--signera",
                f"PKCS#11 behöver också {' och '.join(missing)} (tokenets och nyckelns namn)",
            )
        return Signer(
            pkcs11_module=module,
            pkcs11_token=environment[PKCS11_TOKEN_VARIABLE],
            pkcs11_key=environment[PKCS11_KEY_VARIABLE],
            pkcs11_pin=environment.get(PKCS11_PIN_VARIABLE),
        )
    raise UsageError(
        finding(
            "--signera",
            "inget certifikat att signera med; ange kommunens PKCS#12-fil med --certifikat FIL "
            f"(lösenordet i miljövariabeln {PASSWORD_VARIABLE}), eller ett PKCS#11-token med "
            f"{PKCS11_MODULE_VARIABLE}, {PKCS11_TOKEN_VARIABLE} och {PKCS11_KEY_VARIABLE}",
        )
    )
