"""``nbesok arkivera``: the example archive's 2023 season as an E-ARK / FGS package.

The package is checked by readers nbesok does not contain: eark-validator 1.1.3 (the
E-ARK Foundation's validator, structure and CSIP/SIP Schematron rules), xmlschema (an
independent XSD engine) with eark-validator's own copies of the METS schemas, pikepdf
and poppler for the PDF/A, and plain lxml and hashlib for the checksums. Where
eark-validator contradicts the specification's text, the test names the rule, the node
and the requirement it contradicts (VALIDATOR_CONTRADICTIONS), and everything else
must be free of errors.

eark-validator downloads four CSIP vocabularies when it is imported; the same files
ship inside it (``eark_validator/ipxml/resources/vocabs/``), and the fixture serves
them from there, so the test uses no network.
"""

from __future__ import annotations

import contextlib
import email.message
import hashlib
import io
import re
import shutil
import subprocess
import sys
import tarfile
import urllib.parse
import urllib.request
import urllib.response
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from importlib.resources import files
from pathlib import Path
from typing import Any

import pikepdf
import pytest
import xmlschema
from click.testing import CliRunner, Result
from lxml import etree
from support import adopt_visits, copy_archive, missing_tool

from nbesok.cli import cli
from nbesok.commands.arkivera.schemas import schema_folder
from nbesok.commands.arkivera.settled_pdf import settle_pdf

METS = "http://www.loc.gov/METS/"
PREMIS = "http://www.loc.gov/premis/v3"
EAD = "urn:isbn:1-931666-22-9"
XLINK = "http://www.w3.org/1999/xlink"
CSIP = "https://DILCIS.eu/XML/METS/CSIPExtensionMETS"
NS = {"mets": METS, "premis": PREMIS, "ead": EAD, "xlink": XLINK, "csip": CSIP}
VISIT = "2023-06-07-arbetslik-aktivitet"
CASE_NUMBER = "AMN 2023-0412"
ADOPTED = date(2023, 6, 16)  # status.fastställd.datum of the 2023 visit

# eark-validator 1.1.3's Schematron errors that contradict the specifications' text, as
# (rule, the node it fires on). Each is explained in the README section on arkivera.
VALIDATOR_CONTRADICTIONS = {
    # The validator applies CSIP12/13/15/16 (the software agent: TYPE OTHER, OTHERTYPE
    # SOFTWARE, a SOFTWARE VERSION note) to every agent with ROLE CREATOR. SIP15–SIP20
    # make the submitting agent ROLE="CREATOR" TYPE="ORGANIZATION" (the SIP
    # specification's own metsHdrAgentExample2), so it is the third agent here.
    ("CSIP12", "mets/metsHdr/agent[3]"),
    ("CSIP13", "mets/metsHdr/agent[3]"),
    ("CSIP15", "mets/metsHdr/agent[3]"),
    ("CSIP16", "mets/metsHdr/agent[3]"),
    # SIP14 ("The archival creator agent note is typed with the value of
    # IDENTIFICATIONCODE"), checked by the validator on the software agent's note, which
    # CSIP16 requires to be csip:NOTETYPE="SOFTWARE VERSION".
    ("SIP14", "mets/metsHdr/agent[1]/note"),
    # CSIP63 is about file groups whose csip:CONTENTINFORMATIONTYPE is OTHER; the
    # validator's test fails every file group without the attribute, here Documentation
    # and Schemas (CSIP62 asks for it on representation file groups only).
    ("CSIP63", "mets/fileSec/fileGrp[1]"),
    ("CSIP63", "mets/fileSec/fileGrp[2]"),
    # CSIP101: "When no representations are present the content … is described … as a
    # single sub division" labelled Representations (CSIP103 is that division's label).
    # This package has representations, each its own division with an mptr (CSIP105–
    # CSIP112), as in the specification's example "the mandatory structural map
    # including representations", which has no Representations division either.
    ("CSIP103", "mets/structMap/div"),
}


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), prog_name="nbesok")


@dataclass(frozen=True)
class Built:
    archive: Path
    out: Path
    root: Path  # the package folder
    container: Path  # its ZIP or TAR file
    output: str

    @property
    def objid(self) -> str:
        return self.root.name


def build(archive: Path, out: Path, *args: str) -> Built:
    with contextlib.chdir(archive):
        result = invoke("arkivera", "--period", "2023", "--out", str(out), *args)
    assert result.exit_code == 0, result.output
    folders = [path for path in out.iterdir() if path.is_dir()]
    containers = [path for path in out.iterdir() if path.is_file()]
    assert len(folders) == 1 and len(containers) == 1, list(out.iterdir())
    return Built(archive, out, folders[0], containers[0], result.output)


def with_case_number(archive: Path) -> None:
    """The 2023 visit got its diarienummer when it was registered; the number is not
    content (it leaves the fastställd hash alone), so the visit stays fastställd."""
    path = archive / "visits" / f"{VISIT}.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(
            "besöksdatum: 2023-06-07\n", f"besöksdatum: 2023-06-07\ndiarienummer: {CASE_NUMBER}\n"
        ),
        encoding="utf-8",
    )


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory, repo_root: Path, libreoffice: Path) -> Built:
    archive = copy_archive(repo_root, tmp_path_factory.mktemp("arkivera") / "arkiv")
    with_case_number(archive)
    return build(archive, archive / "ut")


def package_files(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def parse(path: Path) -> Any:
    return etree.parse(str(path)).getroot()


# The package and its structure (CSIPSTR1–16)


def test_the_command_says_what_it_wrote(package: Built) -> None:
    assert f"Skrev ut/{package.objid}\nSkrev ut/{package.objid}.zip\n" in package.output
    assert f"Paketet {package.objid}: 1 besök under 2023," in package.output


def test_the_root_folder_is_named_after_the_objid(package: Built) -> None:
    mets = parse(package.root / "METS.xml")

    assert mets.get("OBJID") == package.objid  # CSIP1, CSIPSTR2
    assert re.fullmatch(r"nbesok-arbetsmarknadsnamnden-2023-[0-9a-f]{8}", package.objid)
    assert package.container.name == f"{package.objid}.zip"


def test_the_folders_are_those_of_csip(package: Built) -> None:
    names = set(package_files(package.root))

    assert {
        "METS.xml",
        "metadata/descriptive/ead.xml",
        "metadata/preservation/premis.xml",
        "documentation/LASMIG.md",
        "representations/intern/METS.xml",
        f"representations/intern/data/{VISIT}.pdf",
        "representations/intern/metadata/preservation/premis.xml",
        "representations/publik/METS.xml",
        f"representations/publik/data/{VISIT}-publik.pdf",
        f"representations/publik/data/{VISIT}-publik.md",
        "representations/publik/metadata/preservation/premis.xml",
        "representations/kallfiler/METS.xml",
        "representations/kallfiler/data/nbesok.yaml",
        "representations/kallfiler/data/protocols/arbetslik-aktivitet-2023.yaml",
        f"representations/kallfiler/data/visits/{VISIT}.yaml",
        f"representations/kallfiler/data/out/{VISIT}.md",
        "representations/kallfiler/data/templates/referens.docx",
        "representations/kallfiler/schemas/besok.schema.json",
        "representations/kallfiler/metadata/preservation/premis.xml",
    } <= names
    # Only the 2023 season: the 2018/19 visit and its protocol stay out.
    assert not [name for name in names if "2018" in name]


def test_the_schemas_are_the_official_files_byte_for_byte(package: Built) -> None:
    shipped = {
        path.name: path.read_bytes() for path in schema_folder().iterdir() if path.suffix == ".xsd"
    }
    packaged = {path.name: path.read_bytes() for path in (package.root / "schemas").iterdir()}

    assert packaged == shipped
    assert set(shipped) == {
        "mets.xsd",
        "xlink.xsd",
        "DILCISExtensionMETS.xsd",
        "DILCISExtensionSIPMETS.xsd",
        "premis.xsd",
        "ead.xsd",
    }
    # eark-validator ships the same DILCIS extension schemas and METS XLink schema.
    validator_copies = files("eark_validator.ipxml.resources.schema")
    for name in ("DILCISExtensionMETS.xsd", "DILCISExtensionSIPMETS.xsd", "xlink.xsd"):
        assert (validator_copies / name).read_bytes() == shipped[name], name


def test_the_zip_unpacks_to_the_same_single_folder(package: Built) -> None:
    with zipfile.ZipFile(package.container) as archive:
        entries = {
            info.filename: archive.read(info) for info in archive.infolist() if not info.is_dir()
        }
        roots = {name.split("/")[0] for name in archive.namelist()}

    assert roots == {package.objid}  # CSIPSTR1
    assert {
        name.removeprefix(f"{package.objid}/"): data for name, data in entries.items()
    } == package_files(package.root)


# An independent E-ARK validator and independent schema validation


@pytest.fixture(scope="module")
def eark_validator() -> Any:
    """eark-validator's package module, imported with its vocabularies served locally."""
    vocabularies = files("eark_validator.ipxml.resources.vocabs")
    asked: list[str] = []

    class LocalVocabularies(urllib.request.BaseHandler):
        def https_open(self, request: urllib.request.Request) -> Any:
            asked.append(request.full_url)
            name = request.full_url.rsplit("/", 1)[1]
            data = (vocabularies / name).read_bytes()
            headers = email.message.Message()
            return urllib.response.addinfourl(io.BytesIO(data), headers, request.full_url, 200)

        http_open = https_open

    opener = urllib.request.OpenerDirector()  # no other handler: nothing else is reachable
    opener.add_handler(LocalVocabularies())
    first_import = "eark_validator.ipxml.schematron" not in sys.modules
    previous = urllib.request._opener  # type: ignore[attr-defined]
    urllib.request.install_opener(opener)
    try:
        from eark_validator import packages
    finally:
        urllib.request._opener = previous  # type: ignore[attr-defined]
    if first_import:
        assert sorted(name.rsplit("/", 1)[1] for name in asked) == [
            "CSIPVocabularyContentCategory.xml",
            "CSIPVocabularyContentInformationType.xml",
            "CSIPVocabularyOAISPackageType.xml",
            "CSIPVocabularyStatus.xml",
        ]
    return packages


def svrl_path(location: str) -> str:
    """``/*[local-name()='mets' …]/*[local-name()='metsHdr' …][3]`` → ``mets/metsHdr[3]``."""
    steps = re.findall(
        r"\*\[local-name\(\)='(\w+)' and namespace-uri\(\)='[^']*'\](\[\d+\])?", location
    )
    return "/".join(name + index for name, index in steps)


# eark-validator 1.1.3 leaves the METS files it parses open (iterparse on a path).
LEAKS_FILES = [
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]


@pytest.mark.parametrize("form", ["folder", "zip"])
@LEAKS_FILES[0]
@LEAKS_FILES[1]
def test_eark_validator_finds_no_error_but_its_own_contradictions(
    package: Built, eark_validator: Any, form: str
) -> None:
    from eark_validator.specifications.specification import SpecificationVersion

    target = package.root if form == "folder" else package.container
    report = eark_validator.PackageValidator(target, SpecificationVersion.V2_1_0).validation_report

    assert report.structure.status.value == "WellFormed"
    assert not [m for m in report.structure.messages if m.severity.value == "Error"]
    assert report.metadata.schema_results.status.value == "VALID"
    errors = {
        (message.rule_id, svrl_path(message.location))
        for message in report.metadata.schematron_results.messages
        if message.severity.value == "Error"
    }
    assert errors == VALIDATOR_CONTRADICTIONS


@LEAKS_FILES[0]
@LEAKS_FILES[1]
def test_eark_validator_reads_the_package_as_a_sip(package: Built, eark_validator: Any) -> None:
    from eark_validator.specifications.specification import SpecificationVersion

    report = eark_validator.PackageValidator(
        package.root, SpecificationVersion.V2_1_0
    ).validation_report
    details = report.package.details

    assert details.oaispackagetype == "SIP"
    assert details.contentinformationtype == "OTHER"
    assert details.label == "Nämndbesök 2023, Arbetsmarknadsnämnden, Linköpings kommun"


@pytest.fixture(scope="module")
def mets_schema() -> xmlschema.XMLSchema:
    """METS 1.12 with the CSIP and SIP extensions, from eark-validator's own copies."""
    copies = files("eark_validator.ipxml.resources.schema")
    schema = xmlschema.XMLSchema(
        str(copies / "mets.xsd"),
        locations=[(XLINK, str(copies / "xlink.xsd"))],
        allow="local",
        build=False,
    )
    schema.import_schema(CSIP, str(copies / "DILCISExtensionMETS.xsd"))
    schema.build()
    return schema


def schema_errors(root: Path, mets_schema: xmlschema.XMLSchema) -> dict[str, list[str]]:
    """Each XML file of the package, by path, with its errors against its schema."""
    schemas = root / "schemas"
    premis = xmlschema.XMLSchema(str(schemas / "premis.xsd"), allow="local")
    ead = xmlschema.XMLSchema(str(schemas / "ead.xsd"), allow="local")
    checked = {}
    for path in sorted(root.rglob("*.xml")):
        namespace = etree.QName(parse(path)).namespace
        schema = {METS: mets_schema, PREMIS: premis, EAD: ead}[namespace]
        checked[path.relative_to(root).as_posix()] = [
            str(error) for error in schema.iter_errors(str(path))
        ]
    return checked


def test_every_mets_premis_and_ead_file_is_valid(
    package: Built, mets_schema: xmlschema.XMLSchema
) -> None:
    checked = schema_errors(package.root, mets_schema)

    assert checked == {name: [] for name in checked}
    assert len([name for name in checked if name.endswith("METS.xml")]) == 4
    assert len([name for name in checked if name.endswith("premis.xml")]) == 4


def test_the_schema_validation_would_see_a_wrong_value(
    package: Built, mets_schema: xmlschema.XMLSchema
) -> None:
    mets = etree.parse(str(package.root / "METS.xml"))
    mets.getroot().find(f"{{{METS}}}metsHdr").set(f"{{{CSIP}}}OAISPACKAGETYPE", "PAKET")

    assert not mets_schema.is_valid(mets)


# Checksums: METS and PREMIS, read with lxml and hashlib


def recorded_in_mets(root: Path) -> dict[str, tuple[str, int]]:
    """Package path -> (SHA-256, size) for every file and mdRef of every METS file."""
    recorded: dict[str, tuple[str, int]] = {}
    for mets in root.rglob("METS.xml"):
        folder = mets.parent.relative_to(root).as_posix()
        for element in parse(mets).iter(f"{{{METS}}}file", f"{{{METS}}}mdRef"):
            location = element if element.tag.endswith("mdRef") else element[0]
            href = urllib.parse.unquote(location.get(f"{{{XLINK}}}href"))
            path = href if folder == "." else f"{folder}/{href}"
            assert element.get("CHECKSUMTYPE") == "SHA-256"
            recorded[path] = (element.get("CHECKSUM"), int(element.get("SIZE")))
    return recorded


def test_mets_lists_every_file_with_its_sha256_and_size(package: Built) -> None:
    actual = {
        name: (hashlib.sha256(data).hexdigest(), len(data))
        for name, data in package_files(package.root).items()
    }
    del actual["METS.xml"]  # the package METS is the list itself

    assert recorded_in_mets(package.root) == actual


def test_premis_has_the_fixity_of_every_file(package: Built) -> None:
    fixity = {}
    for premis in package.root.rglob("premis.xml"):
        for element in parse(premis).iterfind(".//premis:object", NS):
            digest = element.findtext(".//premis:messageDigest", namespaces=NS)
            if digest is None:
                continue
            assert element.findtext(".//premis:messageDigestAlgorithm", namespaces=NS) == "SHA-256"
            path = element.findtext(
                "premis:objectIdentifier/premis:objectIdentifierValue", namespaces=NS
            )
            size = int(element.findtext(".//premis:size", namespaces=NS))
            fixity[path] = (digest, size)
    actual = {
        name: (hashlib.sha256(data).hexdigest(), len(data))
        for name, data in package_files(package.root).items()
    }
    # A PREMIS file cannot hold its own checksum, nor the package METS (which holds
    # the package PREMIS's); the package PREMIS holds those of the representations'.
    for name in ("METS.xml", "metadata/preservation/premis.xml"):
        del actual[name]

    assert fixity == actual


# What the metadata says


def events(path: Path) -> list[dict[str, Any]]:
    found = []
    for event in parse(path).iterfind("premis:event", NS):
        found.append(
            {
                "type": event.findtext("premis:eventType", namespaces=NS),
                "date": event.findtext("premis:eventDateTime", namespaces=NS),
                "detail": event.findtext(".//premis:eventDetail", namespaces=NS),
                "agents": [
                    a.text for a in event.iterfind(".//premis:linkingAgentIdentifierValue", NS)
                ],
                "objects": {
                    o.findtext("premis:linkingObjectIdentifierValue", namespaces=NS): o.findtext(
                        "premis:linkingObjectRole", namespaces=NS
                    )
                    for o in event.iterfind("premis:linkingObjectIdentifier", NS)
                },
            }
        )
    return found


def test_premis_records_the_review_steps_from_the_visit_file(package: Built) -> None:
    found = events(package.root / "metadata/preservation/premis.xml")
    review = [(e["type"], e["date"], e["detail"].split(" ")[0:2]) for e in found[:5]]

    assert review == [
        ("godkännande", "2023-06-14", ["Isa", "Fredriksson"]),
        ("godkännande", "2023-06-14", ["Elin", "Johansson"]),
        ("godkännande", "2023-06-14", ["Jennie", "Löfgren"]),
        ("godkännande", "2023-06-14", ["Birgitta", "Lantto"]),
        ("fastställande", "2023-06-16", ["Robert", "Obing"]),
    ]
    assert "sha256:56b4da5be280" in found[4]["detail"]
    assert all(e["objects"] == {VISIT: "source"} for e in found[:5])
    assert [e["type"] for e in found[5:]] == [
        "validation",
        "message digest calculation",
        "information package creation",
    ]
    agents = parse(package.root / "metadata/preservation/premis.xml").iterfind(
        ".//premis:agentName", NS
    )
    assert {agent.text for agent in agents} >= {"nbesok", "Robert Obing", "Isa Fredriksson"}


def test_premis_records_how_each_pdf_was_made(package: Built) -> None:
    premis = package.root / "representations/intern/metadata/preservation/premis.xml"
    (made,) = events(premis)
    pdf = f"representations/intern/data/{VISIT}.pdf"

    assert made["type"] == "creation"
    assert made["date"] == ADOPTED.isoformat()
    assert made["objects"] == {
        f"representations/kallfiler/data/visits/{VISIT}.yaml": "source",
        "representations/kallfiler/data/protocols/arbetslik-aktivitet-2023.yaml": "source",
        pdf: "outcome",
    }
    assert made["agents"] == ["nbesok", "libreoffice"]
    assert "LibreOffice 7" in made["detail"] or "LibreOffice" in made["detail"]
    format_name = parse(premis).findtext(".//premis:formatName", namespaces=NS)
    assert format_name == "PDF/A"
    # The public copy is made from the same files (its name shows nothing masked).
    (public,) = events(package.root / "representations/publik/metadata/preservation/premis.xml")
    assert public["objects"] == {
        f"representations/kallfiler/data/visits/{VISIT}.yaml": "source",
        "representations/kallfiler/data/protocols/arbetslik-aktivitet-2023.yaml": "source",
        f"representations/publik/data/{VISIT}-publik.pdf": "outcome",
        f"representations/publik/data/{VISIT}-publik.md": "outcome",
    }


def test_the_description_names_committee_visits_dates_and_diarienummer(package: Built) -> None:
    ead = parse(package.root / "metadata/descriptive/ead.xml")

    assert ead.findtext("ead:eadheader/ead:eadid", namespaces=NS) == package.objid
    assert ead.find("ead:archdesc", NS).get("level") == "series"
    did = ead.find("ead:archdesc/ead:did", NS)
    assert did.findtext("ead:origination/ead:corpname", namespaces=NS) == (
        "Arbetsmarknadsnämnden, Linköpings kommun"
    )
    assert did.find("ead:unitdate", NS).get("normal") == "2023-01-01/2023-12-31"
    (visit,) = ead.iterfind(".//ead:c", NS)
    assert visit.findtext("ead:did/ead:unittitle", namespaces=NS) == (
        "Nämndbesök hos Arbetslik aktivitet 2023-06-07"
    )
    assert visit.find("ead:did/ead:unitdate", NS).get("normal") == "2023-06-07"
    case = visit.find("ead:did/ead:unitid[@label='Diarienummer']", NS)
    assert case is not None and case.text == CASE_NUMBER
    items = [item.text for item in visit.iterfind(".//ead:item", NS)]
    assert (
        "Deltagande ledamöter: Isa Fredriksson, Elin Johansson, Jennie Löfgren och "
        "Birgitta Lantto" in items
    )
    process = " ".join(p.text for p in visit.iterfind("ead:processinfo/ead:p", NS))
    assert "Fastställt 2023-06-16 av Robert Obing" in process
    assert visit.findtext("ead:did/ead:unitid[@label='Publikt exemplar']", namespaces=NS) == (
        f"representations/publik/data/{VISIT}-publik.pdf"
    )
    assert visit.find("ead:accessrestrict", NS) is None  # the visit masks nothing
    restriction = ead.findtext("ead:archdesc/ead:accessrestrict/ead:p", namespaces=NS)
    assert "Representationen intern innehåller de interna exemplaren" in restriction
    assert "sekretessprövas" in restriction
    assert "Representationen publik innehåller ett publikt exemplar av varje protokoll" in (
        restriction
    )


def test_the_package_mets_names_its_agents(package: Built) -> None:
    agents = [
        (a.get("ROLE"), a.get("TYPE"), a.findtext("mets:name", namespaces=NS))
        for a in parse(package.root / "METS.xml").iterfind("mets:metsHdr/mets:agent", NS)
    ]

    assert agents == [
        ("CREATOR", "OTHER", "nbesok"),
        ("ARCHIVIST", "ORGANIZATION", "Arbetsmarknadsnämnden, Linköpings kommun"),
        (
            "CREATOR",
            "ORGANIZATION",
            "Linköpings kommun, Integrations- och arbetsmarknadsförvaltningen",
        ),
    ]


def test_the_documentation_describes_nbesok_the_package_and_the_yaml(package: Built) -> None:
    text = (package.root / "documentation/LASMIG.md").read_text(encoding="utf-8")

    assert f"nbesok {__import__('nbesok').__version__}" in text
    assert package.objid in text
    assert (
        "| 2023-06-07 | Arbetslik aktivitet | AMN 2023-0412 | 2023-06-16 av Robert Obing |" in text
    )
    for key in ("`besöksdatum`", "`ledamöter`", "`svar`", "`status`", "`fastställd`", "`frågor`"):
        assert key in text, key
    assert (
        "| 2023-06-07 | Arbetslik aktivitet | AMN 2023-0412 | 2023-06-16 av Robert Obing | "
        f"`representations/intern/data/{VISIT}.pdf` | "
        f"`representations/publik/data/{VISIT}-publik.pdf` |"
    ) in text
    assert "| `representations/publik/` | Publika exemplar:" in text
    secrecy = text[text.index("## Sekretess") : text.index("## Att läsa källfilerna")]
    assert "sekretessmarkering överst (5 kap. 5 § OSL)" in secrecy
    assert "Båda ska sekretessprövas innan något ur dem lämnas ut." in secrecy
    assert "Representationen publik innehåller ett publikt exemplar av varje protokoll" in (secrecy)
    assert "inga publika" not in text


# The documents


def test_the_pdf_is_the_fastställd_protocol_as_pdfa(package: Built) -> None:
    pdf = package.root / f"representations/intern/data/{VISIT}.pdf"
    if shutil.which("pdftotext") is None:
        missing_tool("pdftotext saknas: installera poppler-utils")
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True
    ).stdout.decode("utf-8")

    assert "Nämndbesök hos Arbetslik aktivitet 2023-06-07" in text
    assert "Fastställt" in text and "UTKAST" not in text
    with pikepdf.open(pdf) as document:
        xmp = document.Root.Metadata.read_bytes().decode("utf-8")
        assert "<pdfaid:part>2</pdfaid:part>" in xmp
        assert "<pdfaid:conformance>B</pdfaid:conformance>" in xmp
        # The dates come from the visit (the day it was fastställd), in both places.
        assert "<xmp:CreateDate>2023-06-16T00:00:00Z</xmp:CreateDate>" in xmp
        assert str(document.docinfo["/CreationDate"]) == "D:20230616000000Z"
        assert "pikepdf" not in xmp and "pikepdf" not in str(document.docinfo.get("/Producer"))
        assert len(document.trailer.ID) == 2
        assert "/DocChecksum" not in document.trailer
        assert "/StructTreeRoot" in document.Root  # still tagged
        assert bool(document.Root.MarkInfo.Marked)


def test_the_source_representation_holds_the_archive_files(package: Built, tmp_path: Path) -> None:
    data = package.root / "representations/kallfiler/data"
    archive = package.archive

    for name in (
        "nbesok.yaml",
        f"visits/{VISIT}.yaml",
        "protocols/arbetslik-aktivitet-2023.yaml",
        "templates/referens.docx",
    ):
        assert (data / name).read_bytes() == (archive / name).read_bytes(), name
    # The published Markdown is render's, byte for byte.
    with contextlib.chdir(archive):
        rendered = invoke(
            "render", f"visits/{VISIT}.yaml", "--format", "md", "--out", str(tmp_path)
        )
    assert rendered.exit_code == 0, rendered.output
    markdown = (data / f"out/{VISIT}.md").read_bytes()
    assert markdown == (tmp_path / f"{VISIT}.md").read_bytes()
    assert CASE_NUMBER.encode() in markdown


# Reproducible


def test_a_second_build_gives_the_same_bytes(package: Built, tmp_path: Path) -> None:
    again = build(package.archive, tmp_path / "igen")

    assert again.objid == package.objid
    assert again.container.read_bytes() == package.container.read_bytes()
    assert package_files(again.root) == package_files(package.root)


def test_a_tar_file_is_reproducible_too(package: Built, tmp_path: Path) -> None:
    first = build(package.archive, tmp_path / "ett", "--format", "tar")
    second = build(package.archive, tmp_path / "två", "--format", "tar")

    assert first.container.name == f"{package.objid}.tar"
    assert first.container.read_bytes() == second.container.read_bytes()
    with tarfile.open(first.container) as archive:
        members = archive.getmembers()
        assert {member.name.split("/")[0] for member in members} == {package.objid}
        assert {m.mtime for m in members} == {1686873600}  # 2023-06-16T00:00:00Z
        contents = {
            m.name.removeprefix(f"{package.objid}/"): archive.extractfile(m).read()  # type: ignore[union-attr]
            for m in members
            if m.isfile()
        }
    assert contents == package_files(package.root)


def test_a_run_again_into_the_same_folder_writes_nothing(package: Built) -> None:
    stamp = package.container.stat().st_mtime_ns
    with contextlib.chdir(package.archive):
        result = invoke("arkivera", "--period", "2023", "--out", str(package.out))

    assert result.exit_code == 0, result.output
    assert "fanns redan, byte för byte; skrevs inte om." in result.output
    assert package.container.stat().st_mtime_ns == stamp


def pdf_with(data: bytes, change: Any) -> bytes:
    """``data`` after ``change(pdf)``, as another LibreOffice run would differ."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        change(pdf)
        out = io.BytesIO()
        pdf.save(out, static_id=True)
    return out.getvalue()


def _another_time(pdf: pikepdf.Pdf) -> None:
    pdf.docinfo["/CreationDate"] = "D:20991231235959Z'"
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta["xmp:CreateDate"] = "2099-12-31T23:59:59Z"


def _another_profile_time(pdf: pikepdf.Pdf) -> None:
    profile = pdf.Root.OutputIntents[0].DestOutputProfile
    icc = bytearray(profile.read_bytes())
    icc[24:36] = bytes(range(12))
    profile.write(bytes(icc))


def _another_id(pdf: pikepdf.Pdf) -> None:
    pdf.trailer.ID = pikepdf.Array([pikepdf.String(b"x" * 16), pikepdf.String(b"y" * 16)])


def _another_checksum(pdf: pikepdf.Pdf) -> None:
    pdf.trailer["/DocChecksum"] = pikepdf.Name("/0123456789ABCDEF0123456789ABCDEF")


@pytest.mark.parametrize(
    "change", [_another_time, _another_profile_time, _another_id, _another_checksum]
)
def test_settling_a_pdf_removes_what_varies_between_libreoffice_runs(
    package: Built, change: Any
) -> None:
    original = (package.root / f"representations/intern/data/{VISIT}.pdf").read_bytes()
    varied = pdf_with(original, change)

    assert varied != pdf_with(original, lambda pdf: None)
    assert settle_pdf(varied, ADOPTED) == settle_pdf(original, ADOPTED) == original


# Fixity: a delivered package is checked against its own checksums


def copy_package(package: Built, tmp_path: Path) -> Path:
    copy = tmp_path / package.objid
    shutil.copytree(package.root, copy)
    return copy


def test_an_untouched_package_passes_the_check(package: Built, tmp_path: Path) -> None:
    for target in (package.root, package.container):
        result = invoke("arkivera", "--kontrollera", str(target))

        assert result.exit_code == 0, result.output
        assert result.output.startswith(f"Alla {len(package_files(package.root))} filer i ")


def test_the_check_catches_one_changed_byte(package: Built, tmp_path: Path) -> None:
    copy = copy_package(package, tmp_path)
    pdf = copy / f"representations/intern/data/{VISIT}.pdf"
    data = bytearray(pdf.read_bytes())
    data[len(data) // 2] ^= 0x01
    pdf.write_bytes(bytes(data))

    result = invoke("arkivera", "--kontrollera", str(copy))

    assert result.exit_code == 1
    shown = f"{package.objid}/representations/intern/data/{VISIT}.pdf"
    assert result.output.splitlines()[:2] == [
        f"{shown}: fel: kontrollsumman (SHA-256) stämmer inte med "
        "representations/intern/METS.xml; filen är ändrad",
        f"{shown}: fel: kontrollsumman (SHA-256) stämmer inte med "
        "representations/intern/metadata/preservation/premis.xml; filen är ändrad",
    ]


def test_the_check_catches_a_changed_byte_inside_the_zip(package: Built, tmp_path: Path) -> None:
    changed = tmp_path / package.container.name
    name = f"{package.objid}/representations/kallfiler/data/visits/{VISIT}.yaml"
    with zipfile.ZipFile(package.container) as source, zipfile.ZipFile(changed, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == name:
                data = data.replace(b"Arbetslik aktivitet", b"Arbetslik aktivitat", 1)
            target.writestr(info, data)

    result = invoke("arkivera", "--kontrollera", str(changed))

    assert result.exit_code == 1
    assert (
        f"{package.objid}/representations/kallfiler/data/visits/{VISIT}.yaml: fel: "
        "kontrollsumman (SHA-256) stämmer inte med representations/kallfiler/METS.xml"
        in result.output
    )


def test_the_check_names_missing_and_unlisted_files(package: Built, tmp_path: Path) -> None:
    copy = copy_package(package, tmp_path)
    (copy / "schemas/xlink.xsd").unlink()
    (copy / "documentation/anteckning.txt").write_text("tillagd", encoding="utf-8")

    result = invoke("arkivera", "--kontrollera", str(copy))

    assert result.exit_code == 1
    assert f"{package.objid}/schemas/xlink.xsd: fel: saknas; METS.xml förtecknar filen" in (
        result.output
    )
    assert (
        f"{package.objid}/documentation/anteckning.txt: fel: finns i paketet men "
        "förtecknas inte i METS" in result.output
    )


# Refusals: checked before anything is written


@pytest.fixture
def archive_copy(tmp_path: Path, repo_root: Path) -> Iterator[Path]:
    root = copy_archive(repo_root, tmp_path / "arkiv")
    with contextlib.chdir(root):
        yield root


def test_a_draft_is_a_located_error_and_nothing_is_written(archive_copy: Path) -> None:
    path = archive_copy / "visits" / f"{VISIT}.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("# Exempel: godkännandena")], encoding="utf-8")

    result = invoke("arkivera", "--period", "2023")

    assert result.exit_code == 1
    assert result.stderr == (
        f"visits/{VISIT}.yaml:1:1: fel: status: besöket är ett utkast: ingen av ledamöterna "
        "har godkänt anteckningarna; bara fastställda besök lämnas till e-arkivet. Kör "
        f'nbesok godkänn visits/{VISIT}.yaml --av "Isa Fredriksson", sedan nbesok fastställ '
        f"visits/{VISIT}.yaml --av NAMN\n"
    )
    assert not (archive_copy / "out").exists()


def test_a_changed_fastställd_visit_is_refused(archive_copy: Path) -> None:
    path = archive_copy / "visits" / f"{VISIT}.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Varje deltagare har", "Varje deltagare hade", 1), "utf-8")

    result = invoke("arkivera", "--period", "2023")

    assert result.exit_code == 1
    assert f"visits/{VISIT}.yaml:" in result.stderr
    assert "status.fastställd.innehåll: innehållet har ändrats sedan det fastställdes" in (
        result.stderr
    )
    assert not (archive_copy / "out").exists()


def test_a_personnummer_is_refused_where_it_stands(archive_copy: Path) -> None:
    # The diarienummer is not content, so the visit stays fastställd: the guard alone
    # stops the package.
    path = archive_copy / "visits" / f"{VISIT}.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(
            "besöksdatum: 2023-06-07\n", "besöksdatum: 2023-06-07\ndiarienummer: 19121212-1212\n"
        ),
        encoding="utf-8",
    )

    result = invoke("arkivera", "--period", "2023")

    assert result.exit_code == 1
    assert result.stderr.startswith(f"visits/{VISIT}.yaml:6:15: fel: diarienummer: ")
    assert "personnummer" in result.stderr
    assert not (archive_copy / "out").exists()


def test_visits_of_two_committees_are_refused(archive_copy: Path) -> None:
    result = invoke("arkivera", "visits/2018-10-17-idrott-och-service.yaml", f"visits/{VISIT}.yaml")

    assert result.exit_code == 1
    assert "besöken hör till 2 nämnder (Bildningsnämnden: " in result.stderr
    assert "en leverans har en arkivbildare" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "--period: fel: ange antingen en period (--period 2023) eller besöksfilerna"),
        (("--period", "2023", f"visits/{VISIT}.yaml"), "--period: fel: ange antingen"),
        (("--period", "sommar"), "--period: fel: ”sommar” är ingen period"),
    ],
)
def test_usage_errors(archive_copy: Path, args: tuple[str, ...], message: str) -> None:
    result = invoke("arkivera", *args)

    assert result.exit_code == 2
    assert result.stderr.startswith(message)


def test_a_period_without_visits_is_an_error(archive_copy: Path) -> None:
    result = invoke("arkivera", "--period", "2025")

    assert result.exit_code == 1
    assert result.stderr == "visits: fel: inga besök under 2025; inget att arkivera\n"


def test_a_different_package_in_the_way_is_not_overwritten(
    package: Built, archive_copy: Path
) -> None:
    with_case_number(archive_copy)
    blocking = archive_copy / "out" / package.objid
    blocking.mkdir(parents=True)
    (blocking / "egen.txt").write_text("min fil", encoding="utf-8")

    result = invoke("arkivera", "--period", "2023")

    assert result.exit_code == 1
    assert "finns redan men är inte det här paketet; nbesok skriver inte över den" in (
        result.stderr
    )
    assert [p.name for p in (archive_copy / "out").iterdir()] == [package.objid]
    assert (blocking / "egen.txt").read_text(encoding="utf-8") == "min fil"


# The public copies: issue 24's masking in the package


# The example's 2023 visit masked the way a registrator would, with the seed's own text.
MASKED_VISIT = "2023-06-07-korttidsboendet-ekbacken"  # named after its (now masked) verksamhet
NEUTRAL = "2023-06-07-besok"  # what its public copy is called instead
PERSONNUMMER = "19121212-1212"  # Skatteverket's test number, inside a mask
MASKS = (
    # The verksamhet itself: a header field takes the inline form in a quoted string.
    (
        "verksamhet: Arbetslik aktivitet\n",
        'verksamhet: "[Korttidsboendet Ekbacken]{maskera=\\"26 kap. 1 § OSL\\"}"\n',
    ),
    # Inline in an answer, with a personnummer inside: the mask is the permission.
    (
        "Koordinatorn följer också upp deltagaren kontinuerligt.",
        f"Koordinatorn följer också upp deltagaren [Amir Haddad ({PERSONNUMMER})]"
        '{maskera="26 kap. 1 § OSL"} kontinuerligt.',
    ),
    # A block: a whole paragraph of an answer.
    (
        "    Verksamheten ser behovet av att jobba mer förebyggande",
        '    ::: {maskera="26 kap. 1 § OSL"}\n    Verksamheten ser behovet av att jobba mer '
        "förebyggande",
    ),
    (
        "långsiktiga uppdrag och öronmärkta medel.\n",
        "långsiktiga uppdrag och öronmärkta medel.\n    :::\n",
    ),
    # A follow-up item.
    (
        "  - punkt: Undersöka kombination av kommunal BEA- eller OSA-anställning och praktik i "
        "näringslivet för",
        '  - punkt: "Undersöka kombination av kommunal BEA- eller OSA-anställning och praktik '
        'hos [Lindqvists Åkeri]{maskera=\\"31 kap. 16 § OSL\\"} för',
    ),
    (
        "övergångar till den reguljära arbetsmarknaden\n    ansvarig",
        'övergångar till den reguljära arbetsmarknaden"\n    ansvarig',
    ),
)
# Words that stand in the visit only inside its masks.
SECRETS = (
    "Korttidsboendet Ekbacken",
    "Ekbacken",
    "Amir Haddad",
    "Haddad",
    PERSONNUMMER,
    "punktinsatser",
    "nämndens/förvaltningens målgrupper",
    "Lindqvists Åkeri",
)
PLACEHOLDERS = (
    "[Uppgift borttagen enligt 26 kap. 1 § OSL]",
    "[Uppgift borttagen enligt 31 kap. 16 § OSL]",
)


def mask_visit(archive: Path) -> None:
    """The 2023 visit with every kind of mask, renamed after its verksamhet (as it was
    before the verksamhet was masked), and approved and fastställd anew through the
    library (its content changed, so the example's review no longer holds)."""
    source = archive / "visits" / f"{VISIT}.yaml"
    text = source.read_text(encoding="utf-8")
    for before, after in MASKS:
        assert text.count(before) == 1, before
        text = text.replace(before, after)
    text = text[: text.index("# Exempel: godkännandena")]
    (archive / "visits" / f"{MASKED_VISIT}.yaml").write_text(text, encoding="utf-8")
    source.unlink()
    adopt_visits(archive)


@pytest.fixture(scope="module")
def masked(tmp_path_factory: pytest.TempPathFactory, repo_root: Path, libreoffice: Path) -> Built:
    archive = copy_archive(repo_root, tmp_path_factory.mktemp("maskerat") / "arkiv")
    with_case_number(archive)
    mask_visit(archive)
    return build(archive, archive / "ut")


def pdf_text(path: Path) -> str:
    if shutil.which("pdftotext") is None:
        missing_tool("pdftotext saknas: installera poppler-utils")
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    ).stdout.decode("utf-8")


def readable(path: Path) -> Iterator[tuple[str, str]]:
    """Everything a reader of ``path`` can get out of it, by readers that are not
    nbesok's: its name; a PDF's text (pdftotext), document information, XMP and every
    string object (pikepdf); any other file as plain UTF-8 text."""
    yield "filnamn", path.name
    if path.suffix != ".pdf":
        yield "text", path.read_text(encoding="utf-8")
        return
    yield "pdftotext", pdf_text(path)
    with pikepdf.open(path) as pdf:
        yield "docinfo", " ".join(str(value) for value in pdf.docinfo.values())
        yield "xmp", pdf.Root.Metadata.read_bytes().decode("utf-8")
        strings = []
        for obj in pdf.objects:  # every indirect object once; inside it, direct ones only
            stack = [obj]
            while stack:
                item = stack.pop()
                if isinstance(item, pikepdf.String):
                    strings.append(str(item))
                elif isinstance(item, pikepdf.Array | pikepdf.Dictionary | pikepdf.Stream):
                    values = item if isinstance(item, pikepdf.Array) else item.values()
                    stack.extend(
                        value
                        for value in values
                        if isinstance(value, pikepdf.Object) and not value.is_indirect
                    )
        yield "strängobjekt", "\n".join(strings)


def found_in(path: Path, word: str) -> list[str]:
    """Where in ``path`` ``word`` is, case and line breaks aside."""
    wanted = " ".join(word.casefold().split())
    return [where for where, text in readable(path) if wanted in " ".join(text.casefold().split())]


def test_a_personnummer_in_a_mask_passes_and_a_file_named_after_a_mask_is_warned_of(
    masked: Built,
) -> None:
    assert f"Paketet {masked.objid}: 1 besök under 2023," in masked.output
    assert (
        f"visits/{MASKED_VISIT}.yaml: varning: filnamnet visar en maskerad uppgift (26 kap. 1 § "
        f"OSL): det publika exemplaret heter {NEUTRAL}-publik och nämner inte filen"
    ) in masked.output
    assert f"git mv visits/{MASKED_VISIT}.yaml visits/{NEUTRAL}.yaml" in masked.output


def test_every_visit_has_a_public_copy_in_its_own_representation(
    package: Built, masked: Built
) -> None:
    def listed(built: Built) -> list[str]:
        public = built.root / "representations/publik"
        return sorted(p.relative_to(public).as_posix() for p in public.rglob("*") if p.is_file())

    assert listed(package) == [
        "METS.xml",
        f"data/{VISIT}-publik.md",
        f"data/{VISIT}-publik.pdf",
        "metadata/preservation/premis.xml",
    ]
    assert listed(masked) == [
        "METS.xml",
        f"data/{NEUTRAL}-publik.md",
        f"data/{NEUTRAL}-publik.pdf",
        "metadata/preservation/premis.xml",
    ]
    mptrs = [
        pointer.get(f"{{{XLINK}}}href")
        for pointer in parse(masked.root / "METS.xml").iterfind(".//mets:mptr", NS)
    ]
    assert mptrs == [
        "representations/intern/METS.xml",
        "representations/publik/METS.xml",
        "representations/kallfiler/METS.xml",
    ]


def test_no_masked_word_is_in_any_file_of_the_public_representation(masked: Built) -> None:
    files = sorted(p for p in (masked.root / "representations/publik").rglob("*") if p.is_file())
    leaks = {
        f"{path.relative_to(masked.root)}: {word}": where
        for path in files
        for word in (*SECRETS, PERSONNUMMER.replace("-", ""))
        if (where := found_in(path, word))
    }

    assert len(files) == 4
    assert leaks == {}
    shown = " ".join(
        pdf_text(masked.root / f"representations/publik/data/{NEUTRAL}-publik.pdf").split()
    )
    markdown = (masked.root / f"representations/publik/data/{NEUTRAL}-publik.md").read_text(
        encoding="utf-8"
    )
    for placeholder in PLACEHOLDERS:
        assert placeholder in shown and placeholder in markdown, placeholder
    assert (
        "Publik kopia. 4 uppgifter har tagits bort: 3 enligt 26 kap. 1 § OSL och 1 enligt " in shown
    )
    with pikepdf.open(masked.root / f"representations/publik/data/{NEUTRAL}-publik.pdf") as pdf:
        assert "<pdfaid:part>2</pdfaid:part>" in pdf.Root.Metadata.read_bytes().decode()
        assert str(pdf.docinfo["/Title"]) == "Nämndbesök 2023-06-07"


def test_the_internal_copy_keeps_the_masked_words_under_its_sekretessmarkering(
    masked: Built,
) -> None:
    pdf = masked.root / f"representations/intern/data/{MASKED_VISIT}.pdf"
    markdown = masked.root / f"representations/kallfiler/data/out/{MASKED_VISIT}.md"
    source = masked.root / f"representations/kallfiler/data/visits/{MASKED_VISIT}.yaml"

    for path in (pdf, markdown, source):
        missing = [word for word in SECRETS if not found_in(path, word)]
        assert missing == [], path.name
    text = " ".join(pdf_text(pdf).split())
    assert "Sekretessmarkering enligt 5 kap. 5 § OSL." in text
    assert "Sekretess enligt 26 kap. 1 § OSL (uppgift om enskilds personliga " in text
    assert "Datum för markeringen 2023-06-07" in text
    assert "Myndighet Arbetsmarknadsnämnden, Linköpings kommun" in text
    assert "Amir Haddad (19121212-1212) [26 kap. 1 § OSL]" in text  # the passage's mark
    with pikepdf.open(pdf) as document:
        assert "sekretessmarkerad enligt 26 kap. 1 § OSL och 31 kap. 16 § OSL" in str(
            document.docinfo["/Keywords"]
        )
    assert "**Sekretessmarkering** enligt 5 kap. 5 § OSL." in markdown.read_text(encoding="utf-8")


@LEAKS_FILES[0]
@LEAKS_FILES[1]
def test_the_masked_package_passes_eark_validator_and_the_schemas(
    masked: Built, eark_validator: Any, mets_schema: xmlschema.XMLSchema
) -> None:
    from eark_validator.specifications.specification import SpecificationVersion

    report = eark_validator.PackageValidator(
        masked.root, SpecificationVersion.V2_1_0
    ).validation_report
    errors = {
        (message.rule_id, svrl_path(message.location))
        for message in report.metadata.schematron_results.messages
        if message.severity.value == "Error"
    }

    assert report.structure.status.value == "WellFormed"
    assert report.metadata.schema_results.status.value == "VALID"
    assert errors == VALIDATOR_CONTRADICTIONS
    checked = schema_errors(masked.root, mets_schema)
    assert checked == {name: [] for name in checked}
    assert "representations/publik/METS.xml" in checked


def test_fixity_covers_the_public_copies(masked: Built, tmp_path: Path) -> None:
    actual = {
        name: (hashlib.sha256(data).hexdigest(), len(data))
        for name, data in package_files(masked.root).items()
    }
    del actual["METS.xml"]
    assert recorded_in_mets(masked.root) == actual
    public = f"representations/publik/data/{NEUTRAL}-publik.pdf"
    assert public in actual and public.replace(".pdf", ".md") in actual
    assert invoke("arkivera", "--kontrollera", str(masked.container)).exit_code == 0

    copy = copy_package(masked, tmp_path)
    data = bytearray((copy / public).read_bytes())
    data[len(data) // 3] ^= 0x01
    (copy / public).write_bytes(bytes(data))
    result = invoke("arkivera", "--kontrollera", str(copy))

    assert result.exit_code == 1
    assert (
        f"{masked.objid}/{public}: fel: kontrollsumman (SHA-256) stämmer inte med "
        "representations/publik/METS.xml; filen är ändrad"
    ) in result.output


def test_the_masked_package_is_reproducible(masked: Built, tmp_path: Path) -> None:
    again = build(masked.archive, tmp_path / "igen")

    assert again.objid == masked.objid
    assert again.container.read_bytes() == masked.container.read_bytes()


def test_the_public_premis_does_not_name_a_visit_file_named_after_a_mask(masked: Built) -> None:
    public = f"representations/publik/data/{NEUTRAL}-publik"
    (made,) = events(masked.root / "representations/publik/metadata/preservation/premis.xml")

    assert made["objects"] == {
        "representations/kallfiler/data/protocols/arbetslik-aktivitet-2023.yaml": "source",
        f"{public}.pdf": "outcome",
        f"{public}.md": "outcome",
    }
    assert made["detail"].startswith(
        "Protokollets publika exemplar, med de maskerade uppgifterna borttagna, renderat av "
    )
    assert "ur besöksfilen (vars namn visar en maskerad uppgift) och protocols/" in made["detail"]
    # The internal representation is for the e-arkiv: it names the file as it is.
    (internal,) = events(masked.root / "representations/intern/metadata/preservation/premis.xml")
    assert f"representations/kallfiler/data/visits/{MASKED_VISIT}.yaml" in internal["objects"]


def test_the_description_shows_the_fields_as_the_public_copy_does(masked: Built) -> None:
    ead = parse(masked.root / "metadata/descriptive/ead.xml")
    (visit,) = ead.iterfind(".//ead:c", NS)
    items = [item.text for item in visit.iterfind(".//ead:item", NS)]

    assert visit.findtext("ead:did/ead:unittitle", namespaces=NS) == "Nämndbesök 2023-06-07"
    assert "Verksamhet: [Uppgift borttagen enligt 26 kap. 1 § OSL]" in items
    assert visit.findtext("ead:did/ead:unitid[@label='Publikt exemplar']", namespaces=NS) == (
        f"representations/publik/data/{NEUTRAL}-publik.pdf"
    )
    assert visit.findtext("ead:accessrestrict/ead:p", namespaces=NS) == (
        "Besöket har maskerade uppgifter. I det publika exemplaret: 4 uppgifter har tagits "
        "bort: 3 enligt 26 kap. 1 § OSL och 1 enligt 31 kap. 16 § OSL. I det interna "
        "exemplaret står de kvar, markerade."
    )
    documentation = (masked.root / "documentation/LASMIG.md").read_text(encoding="utf-8")
    assert (
        "| 2023-06-07 | [Uppgift borttagen enligt 26 kap. 1 § OSL] | AMN 2023-0412 | "
        f"2023-06-07 av Robert Obing | `representations/intern/data/{MASKED_VISIT}.pdf` | "
        f"`representations/publik/data/{NEUTRAL}-publik.pdf` |"
    ) in documentation


def test_a_personnummer_outside_a_mask_is_refused(masked: Built, tmp_path: Path) -> None:
    archive = tmp_path / "arkiv"
    shutil.copytree(masked.archive, archive, ignore=shutil.ignore_patterns("ut"))
    path = archive / "visits" / f"{MASKED_VISIT}.yaml"
    text = path.read_text(encoding="utf-8")
    masked_number = f'[Amir Haddad ({PERSONNUMMER})]{{maskera="26 kap. 1 § OSL"}}'
    assert masked_number in text
    path.write_text(
        text.replace(masked_number, f'[Amir Haddad]{{maskera="26 kap. 1 § OSL"}} ({PERSONNUMMER})'),
        encoding="utf-8",
    )
    line = text[: text.index(masked_number)].count("\n") + 1

    with contextlib.chdir(archive):
        result = invoke("arkivera", "--period", "2023")

    assert result.exit_code == 1
    assert re.search(
        rf"^visits/{MASKED_VISIT}\.yaml:{line}:\d+: fel: svar\.individens-behov: .*personnummer",
        result.stderr,
        re.MULTILINE,
    ), result.stderr
    assert not (archive / "out").exists()


def test_a_public_pdf_that_shows_a_masked_word_stops_the_package(
    masked: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The PDF that goes into the package is read back: a converter that put a masked
    value into a PDF's properties (here, a stand-in for LibreOffice's settling step)
    is caught where the value is written in the visit file, and nothing is written."""
    import nbesok.commands.arkivera.rendering as rendering

    def leaky(data: bytes, day: date) -> bytes:
        return pdf_with(
            settle_pdf(data, day),
            lambda pdf: pdf.docinfo.__setitem__("/Title", "Korttidsboendet Ekbacken"),
        )

    monkeypatch.setattr(rendering, "settle_pdf", leaky)
    out = tmp_path / "ut"
    with contextlib.chdir(masked.archive):
        result = invoke("arkivera", "--period", "2023", "--out", str(out))

    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"visits/{MASKED_VISIT}.yaml:4:13: fel: verksamhet: den publika kopian skrivs inte: "
        "”kor…” ur den maskerade uppgiften i verksamhet står i PDF-filens länkar, bokmärken "
        "eller egenskaper"
    ), result.stderr
    assert not out.exists()


def test_a_visit_file_named_like_a_public_copy_is_refused(archive_copy: Path) -> None:
    visits = archive_copy / "visits"
    (visits / f"{VISIT}.yaml").rename(visits / f"{VISIT}-publik.yaml")

    result = invoke("arkivera", "--period", "2023")

    assert result.exit_code == 1
    assert result.stderr == (
        f"visits/{VISIT}-publik.yaml: fel: filnamnet slutar på ”-publik”, som de publika "
        "exemplaren i paketet får; byt namn på filen (git mv), det ändrar inte det "
        "fastställda innehållet\n"
    )
    assert not (archive_copy / "out").exists()


def test_an_unmasked_visit_has_a_public_copy_with_the_same_text(package: Built) -> None:
    internal = package.root / f"representations/intern/data/{VISIT}.pdf"
    public = package.root / f"representations/publik/data/{VISIT}-publik.pdf"
    source = package.root / f"representations/kallfiler/data/out/{VISIT}.md"
    markdown = package.root / f"representations/publik/data/{VISIT}-publik.md"

    assert pdf_text(public) == pdf_text(internal)
    assert "Sekretessmarkering" not in pdf_text(internal)
    # The .md says it is the public copy; nothing else differs.
    assert markdown.read_text(encoding="utf-8") == source.read_text(encoding="utf-8").replace(
        'status: "Fastställd"\n', 'status: "Fastställd"\ncategory: "Publik kopia"\n', 1
    )


def test_a_delivery_date_can_be_given(package: Built, tmp_path: Path) -> None:
    built = build(package.archive, tmp_path / "datum", "--datum", "2024-01-31")
    header = parse(built.root / "METS.xml").find("mets:metsHdr", NS)

    assert header.get("CREATEDATE") == "2024-01-31T00:00:00Z"
    assert "| Paketets datum | 2024-01-31 |" in (built.root / "documentation/LASMIG.md").read_text(
        encoding="utf-8"
    )
    # The protocol is the one fastställd on its own day, whatever day it is delivered.
    assert (built.root / f"representations/intern/data/{VISIT}.pdf").read_bytes() == (
        package.root / f"representations/intern/data/{VISIT}.pdf"
    ).read_bytes()


def test_a_delivery_date_before_the_last_fastställande_is_refused(archive_copy: Path) -> None:
    result = invoke("arkivera", "--period", "2023", "--datum", "2023-06-15")

    assert result.exit_code == 2
    assert result.stderr.startswith(
        "--datum: fel: 2023-06-15 ligger före 2023-06-16, då det senaste av besöken fastställdes"
    )
    assert not (archive_copy / "out").exists()


def test_the_check_takes_nothing_but_the_package(archive_copy: Path) -> None:
    result = invoke("arkivera", "--period", "2023", "--kontrollera", "out/paket.zip")

    assert result.exit_code == 2
    assert result.stderr == "--kontrollera: fel: kontrollerar ett färdigt paket; ange bara det\n"


def test_a_missing_package_to_check_is_named(archive_copy: Path) -> None:
    result = invoke("arkivera", "--kontrollera", "out/finns-inte.zip")

    assert result.exit_code == 1
    assert result.stderr == (
        "out/finns-inte.zip: fel: finns inte; ange paketets mapp eller ZIP- eller TAR-fil\n"
    )


def test_file_names_with_spaces_and_å_are_urls_in_mets(
    archive_copy: Path, libreoffice: Path
) -> None:
    """A visit file renamed by hand, and a logo among the templates, still make a
    package whose METS locates every file (CSIP76: a URL) and that checks out."""
    visits = archive_copy / "visits"
    (visits / f"{VISIT}.yaml").rename(visits / "2023-06-07 Åby gård.yaml")
    (archive_copy / "templates/logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")

    built = build(archive_copy, archive_copy / "ut")
    hrefs = [
        element.get(f"{{{XLINK}}}href")
        for element in parse(built.root / "representations/kallfiler/METS.xml").iter(
            f"{{{METS}}}FLocat"
        )
    ]

    assert "data/visits/2023-06-07%20%C3%85by%20g%C3%A5rd.yaml" in hrefs
    assert (built.root / "representations/intern/data/2023-06-07 Åby gård.pdf").is_file()
    (logo,) = parse(built.root / "representations/kallfiler/METS.xml").xpath(
        ".//mets:file[mets:FLocat/@xlink:href='data/templates/logo.png']", namespaces=NS
    )
    assert logo.get("MIMETYPE") == "application/octet-stream"
    result = invoke("arkivera", "--kontrollera", str(built.container))
    assert result.exit_code == 0, result.output
