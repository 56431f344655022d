"""``--signera``: a PAdES signature on the published PDF that others can check.

The certificate is made here with ``cryptography`` (a CA and a signer under it, in a
PKCS#12 file with a password), as a municipality's would be. The signed PDF is
checked by readers that are not pyHanko: poppler's ``pdfsig`` (NSS) says the
signature is valid and covers the whole document, and ``openssl cms -verify`` checks
the CMS against the signed byte ranges and the test CA. The PDF/A checks of
test_pdf.py are run on the signed file, and the unsigned PDF must be a byte-for-byte
prefix of it (an incremental update).
"""

from __future__ import annotations

import datetime
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner, Result
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from support import missing_tool
from test_pdf import info, poppler, xmp_value

from nbesok.cli import cli
from nbesok.core.errors import UsageError
from nbesok.documents.signing import PASSWORD_VARIABLE, Signer, SigningError, signer_from

VISIT = "visits/2018-10-17-idrott-och-service.yaml"
NAME = "2018-10-17-idrott-och-service"
PASSWORD = "Hemligt lösenord 1"


@dataclass(frozen=True)
class Certificate:
    pkcs12: Path
    ca: Path  # PEM


def _name(common: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Testkommunen"),
        ]
    )


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    folder = tmp_path_factory.mktemp("certifikat")
    now = datetime.datetime.now(datetime.UTC)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("Testkommunens CA"))
        .issuer_name(_name("Testkommunens CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    signer = (
        x509.CertificateBuilder()
        .subject_name(_name("Anja Lindahl"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(ca_key, hashes.SHA256())
    )
    bundle = pkcs12.serialize_key_and_certificates(
        b"kommunen",
        key,
        signer,
        [ca],
        serialization.BestAvailableEncryption(PASSWORD.encode("utf-8")),
    )
    (folder / "kommunen.p12").write_bytes(bundle)
    (folder / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    return Certificate(folder / "kommunen.p12", folder / "ca.pem")


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), prog_name="nbesok")


# Where the certificate comes from


def test_the_certificate_comes_from_the_option_or_the_environment(
    certificate: Certificate,
) -> None:
    environment = {"NBESOK_SIGN_P12": str(certificate.pkcs12), PASSWORD_VARIABLE: PASSWORD}

    assert signer_from(None, environment) == Signer(certificate.pkcs12, PASSWORD)
    assert signer_from(certificate.pkcs12, {}).pkcs12 == certificate.pkcs12
    with pytest.raises(UsageError, match="inget certifikat att signera med"):
        signer_from(None, {})
    with pytest.raises(UsageError, match="NBESOK_SIGN_PKCS11_KEY"):
        signer_from(None, {"NBESOK_SIGN_PKCS11_MODULE": "/x.so", "NBESOK_SIGN_PKCS11_TOKEN": "t"})


def test_a_wrong_password_is_named_not_a_traceback(certificate: Certificate) -> None:
    signer = Signer(certificate.pkcs12, "fel")

    with pytest.raises(SigningError, match=f"lösenordet i {PASSWORD_VARIABLE} stämmer inte"):
        signer.sign(b"%PDF-1.7\n", Path("x.pdf"))


def test_signera_needs_a_pdf(in_archive: Path, certificate: Certificate) -> None:
    result = invoke("render", VISIT, "--signera", "--certifikat", str(certificate.pkcs12))

    assert result.exit_code == 2
    assert result.stderr == (
        "--signera: fel: signerar PDF-filen; lägg till pdf i --format, t.ex. --format md,docx,pdf\n"
    )


# A real signed PDF


def _cms_length(data: bytes) -> int:
    """The length of a DER SEQUENCE with its header (the /Contents are zero-padded)."""
    assert data[0] == 0x30
    if data[1] < 0x80:
        return 2 + data[1]
    count = data[1] & 0x7F
    return 2 + count + int.from_bytes(data[2 : 2 + count], "big")


def _openssl_verifies(pdf: Path, ca: Path, folder: Path) -> str:
    if shutil.which("openssl") is None:
        missing_tool("openssl saknas: installera openssl")
    data = pdf.read_bytes()
    found = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", data)
    assert found is not None
    start, first, second, rest = (int(value) for value in found.groups())
    assert start == 0 and second + rest == len(data)  # everything but the signature itself
    contents = bytes.fromhex(data[first:second].strip(b"<>").decode("ascii"))
    (folder / "signatur.der").write_bytes(contents[: _cms_length(contents)])
    (folder / "signerat.bin").write_bytes(data[:first] + data[second : second + rest])
    done = subprocess.run(
        [
            "openssl",
            "cms",
            "-verify",
            "-inform",
            "DER",
            "-in",
            str(folder / "signatur.der"),
            "-content",
            str(folder / "signerat.bin"),
            "-binary",
            "-CAfile",
            str(ca),
            "-purpose",
            "any",
            "-out",
            str(folder / "ut.bin"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stderr.strip() if done.returncode == 0 else ""


def test_a_signed_pdf_validates_and_is_still_pdfa(
    in_archive: Path,
    libreoffice: Path,
    certificate: Certificate,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv(PASSWORD_VARIABLE, PASSWORD)
    monkeypatch.setenv("NBESOK_SIGN_P12", str(certificate.pkcs12))
    unsigned = invoke("render", VISIT, "--format", "pdf", "--out", "osignerad")
    assert unsigned.exit_code == 0, unsigned.output

    result = invoke("render", VISIT, "--format", "md,docx,pdf", "--signera", "--out", "ut")

    assert result.exit_code == 0, result.output
    pdf = in_archive / "ut" / f"{NAME}.pdf"
    report = poppler("pdfsig", str(pdf))
    assert "Signature Type: ETSI.CAdES.detached" in report
    assert "Signer Certificate Common Name: Anja Lindahl" in report
    assert "Signature Validation: Signature is Valid." in report
    assert "Total document signed" in report
    assert _openssl_verifies(pdf, certificate.ca, tmp_path) == "CMS Verification successful"

    # Still PDF/A-2b, as test_pdf.py checks the unsigned ones.
    xmp = poppler("pdfinfo", "-meta", str(pdf))
    assert xmp_value(xmp, "pdfaid:part") == "2"
    assert xmp_value(xmp, "pdfaid:conformance") == "B"
    details = info(pdf)
    assert details["Tagged"] == "yes"
    assert details["Title"] == "Nämndbesök hos Idrott- och service 2018-10-17"
    fonts = poppler("pdffonts", str(pdf)).splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts)  # "emb" column
    with pikepdf.open(pdf) as document:
        (field,) = document.Root.AcroForm.Fields
        assert field.FT == "/Sig"
        assert int(field.F) & 0b100  # printable, as PDF/A asks of every annotation
        assert not int(field.F) & 0b10  # not hidden
        assert [float(x) for x in field.Rect] == [0, 0, 0, 0]  # invisible: no appearance
    # An incremental update: what LibreOffice wrote is kept, the signature follows it.
    plain = Signer(certificate.pkcs12, PASSWORD).sign(
        (in_archive / "osignerad" / f"{NAME}.pdf").read_bytes(), pdf
    )
    assert plain.startswith((in_archive / "osignerad" / f"{NAME}.pdf").read_bytes())


def test_a_change_after_signing_breaks_the_signature(
    in_archive: Path, libreoffice: Path, certificate: Certificate, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PASSWORD_VARIABLE, PASSWORD)
    result = invoke(
        "report",
        "visits/2023-06-07-arbetslik-aktivitet.yaml",
        "--per",
        "2024-01-15",
        "--format",
        "pdf",
        "--signera",
        "--certifikat",
        str(certificate.pkcs12),
    )
    assert result.exit_code == 0, result.output
    pdf = in_archive / "out" / "2023-06-07-arbetslik-aktivitet-uppfoljning.pdf"
    data = bytearray(pdf.read_bytes())
    found = re.search(rb"Informationen noteras", data)
    if found is None:  # the text is in a compressed stream: change a byte of the first one
        found = re.search(rb"stream\r?\n", data)
    assert found is not None
    data[found.end() + 1] ^= 0x01
    pdf.write_bytes(bytes(data))

    report = poppler("pdfsig", str(pdf))

    assert "Signature is Valid." not in report


def test_a_pdf_that_cannot_be_signed_is_not_left_unsigned(
    in_archive: Path, libreoffice: Path, certificate: Certificate, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PASSWORD_VARIABLE, "fel lösenord")

    result = invoke(
        "render", VISIT, "--format", "md,pdf", "--signera", "--certifikat", str(certificate.pkcs12)
    )

    assert result.exit_code == 1
    assert f"certifikatet kan inte öppnas: lösenordet i {PASSWORD_VARIABLE} stämmer inte" in (
        result.stderr
    )
    assert (in_archive / "out" / f"{NAME}.md").is_file()
    assert not (in_archive / "out" / f"{NAME}.pdf").exists()
