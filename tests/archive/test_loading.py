"""The strict YAML reader and the models, through the library API."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from nbesok.archive.loading import load_protocol, load_settings, load_visit
from nbesok.archive.models import Group, Status
from nbesok.archive.yamlfile import read_yaml
from nbesok.core.errors import Finding, LoadError, Severity

HEAD = """\
protokoll: arbetslik-aktivitet-2023
verksamhet: Arbetslik aktivitet
besöksdatum: 2023-06-07
"""


def write(tmp_path: Path, text: str | bytes, name: str = "x.yaml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def load_error(path: Path, kind: str = "visit") -> list[Finding]:
    loader = load_visit if kind == "visit" else load_protocol
    with pytest.raises(LoadError) as caught:
        loader(path)
    return caught.value.findings


def where(found: Finding) -> tuple[int, int, str]:
    return found.line, found.column, found.key


# --- the real archive


def test_the_2018_visit_loads(repo_root: Path) -> None:
    loaded = load_visit(repo_root / "visits" / "2018-10-17-idrott-och-service.yaml")
    visit = loaded.model

    assert loaded.stem == "2018-10-17-idrott-och-service"
    assert visit.protocol == "arbetsmarknad-och-integration-2018-19"
    assert visit.operation == "Idrott- och service"
    assert visit.date == date(2018, 10, 17)
    assert [member.display() for member in visit.members] == [
        "Roger Bandick (S)",
        "Madelaine Erlandsson (M)",
        "Christoffer Rosendahl (C)",
    ]
    assert visit.officials == ["Anja Lindahl", "Christina Björkman"]
    assert list(visit.answers) == [
        "individens-behov",
        "handlingsplaner",
        "samarbete-kommunen",
        "samarbete-myndigheter",
        "samarbete-naringslivet",
    ]
    assert visit.answers["samarbete-kommunen"] == (
        "Medarbetare på Idrott- och service slussas in via Arbetsförmedlingen för en OSA plats "
        "eller via Jobb- och kunskapsstorget för en arbetsträningsplats.\n"
    )
    first = visit.follow_up[0]
    assert first.responsible == "Bildningsnämnden"
    assert first.due == date(2019, 9, 30)
    assert {item.status for item in visit.follow_up} == set(Status)


def test_the_2023_visit_loads(repo_root: Path) -> None:
    visit = load_visit(repo_root / "visits" / "2023-06-07-arbetslik-aktivitet.yaml").model

    assert visit.date == date(2023, 6, 7)
    assert [(m.name, m.party) for m in visit.members][:2] == [
        ("Isa Fredriksson", None),
        ("Elin Johansson", None),
    ]
    assert len(visit.officials) == 6
    assert [item.status for item in visit.follow_up] == [
        Status.NOT_STARTED,
        Status.STARTED,
        Status.STARTED,
    ]
    answer = visit.answers["individens-behov"]
    assert answer is not None
    assert answer.startswith("Heltidsaktiveringen")


def test_the_protocols_load(repo_root: Path) -> None:
    loaded = load_protocol(repo_root / "protocols" / "arbetslik-aktivitet-2023.yaml")
    protocol = loaded.model

    assert loaded.stem == "arbetslik-aktivitet-2023"
    assert protocol.period == "2023"
    assert protocol.committee == "Arbetsmarknadsnämnden"
    assert protocol.labels.operation == "Verksamhetsinriktning"
    assert protocol.labels.members == "Deltagande ledamöter"  # default kept
    assert protocol.composition is not None
    assert (protocol.composition.majority, protocol.composition.opposition) == (2, 2)
    assert protocol.composition.officials == 1
    assert [(q.id, q.to_committee) for q in protocol.questions()] == [
        ("individens-behov", False),
        ("handlingsplaner", False),
        ("samarbete-kommunen", False),
        ("samarbete-myndigheter-naringsliv", False),
        ("saknar-fran-politiken", True),
        ("ovrig-information", True),
    ]

    older = load_protocol(repo_root / "protocols" / "arbetsmarknad-och-integration-2018-19.yaml")
    assert older.model.period == "2018/19"
    assert older.model.sections[0].questions == []
    assert len(older.model.questions()) == 5


def test_the_settings_load(repo_root: Path) -> None:
    settings = load_settings(repo_root / "nbesok.yaml").model

    assert settings.municipality == "Linköpings kommun"
    assert settings.proposals == ["Informationen noteras."]


# --- scalars stay the text the user wrote


@pytest.mark.parametrize(
    "written",
    [
        "no",
        "on",
        "off",
        "yes",
        "Nej",
        "12:30",
        "0701234567",
        "0180",
        "2018",
        "1e3",
        "0x1F",
        "0o17",
        ".inf",
        "1_000",
        "2018-10-17",
        "true",
    ],
)
def test_scalars_reach_the_model_as_the_user_s_text(tmp_path: Path, written: str) -> None:
    path = write(
        tmp_path,
        f"protokoll: arbetslik-aktivitet-2023\nverksamhet: {written}\n"
        f"besöksdatum: 2023-06-07\ndiarienummer: {written}\ntjänstepersoner: [{written}]\n",
    )

    visit = load_visit(path).model

    assert read_yaml(path).data["verksamhet"] == written
    assert visit.operation == written
    assert visit.case_number == written
    assert visit.officials == [written]


def test_a_protocol_period_may_be_written_without_quotes(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "titel: T\nnämnd: N\nperiod: 2023\navsnitt:\n  - rubrik: R\n    frågor:\n"
        "      - id: a\n        fråga: F?\n        till_nämnden: true\n",
    )

    protocol = load_protocol(path).model

    assert protocol.period == "2023"
    assert protocol.questions()[0].to_committee is True


def test_a_bom_is_fine(tmp_path: Path) -> None:
    path = write(tmp_path, b"\xef\xbb\xbf" + HEAD.encode("utf-8"))

    visit = load_visit(path).model

    assert visit.protocol == "arbetslik-aktivitet-2023"
    assert read_yaml(path).values[("protokoll",)] == (1, 12)


def test_read_yaml_keeps_positions_of_keys_and_values(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEAD
        + "ledamöter:\n  - Anna (S)\n  - namn: Bo\n    parti: m\nsvar:\n  fråga-1: |\n    Text\n",
    )

    document = read_yaml(path)

    assert document.data["ledamöter"] == ["Anna (S)", {"namn": "Bo", "parti": "m"}]
    assert document.data["svar"] == {"fråga-1": "Text\n"}
    assert document.keys[("ledamöter", 1, "parti")] == (7, 5)
    assert document.values[("ledamöter", 1, "parti")] == (7, 12)
    assert document.values[("svar", "fråga-1")] == (9, 12)
    # A missing key falls back to the mapping that should hold it: its key line if it
    # has one (``svar:``), else the mapping itself (a list item has no key).
    assert document.position(("ledamöter", 1, "grupp")) == (6, 5)
    assert document.key_position(("svar", "saknas")) == (8, 1)


# --- members, parties, follow-up status


@pytest.mark.parametrize(
    ("written", "name", "party"),
    [
        ("Roger Bandick (S)", "Roger Bandick", "S"),
        ("Roger Bandick (s)", "Roger Bandick", "S"),
        ("Bo Berg ( kd )", "Bo Berg", "KD"),
        ("Bo Berg(Mp)", "Bo Berg", "MP"),
        ("Isa Fredriksson", "Isa Fredriksson", None),
        ("  Isa Fredriksson  ", "Isa Fredriksson", None),
    ],
)
def test_member_shorthand(tmp_path: Path, written: str, name: str, party: str | None) -> None:
    path = write(tmp_path, HEAD + f"ledamöter:\n  - {written}\n")

    (member,) = load_visit(path).model.members

    assert (member.name, member.party, member.group) == (name, party, None)


def test_member_long_form(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEAD + "ledamöter:\n"
        "  - namn: Madelaine Erlandsson\n    parti: m\n    grupp: majoritet\n"
        "  - namn: Cia Carlsson\n    grupp: opposition\n"
        "  - namn: Dan Dahl\n",
    )

    members = load_visit(path).model.members

    assert [(m.name, m.party, m.group) for m in members] == [
        ("Madelaine Erlandsson", "M", Group.MAJORITY),
        ("Cia Carlsson", None, Group.OPPOSITION),
        ("Dan Dahl", None, None),
    ]
    # A group given in the file shows, so that an imported document gets it back.
    assert members[0].display() == "Madelaine Erlandsson (M, majoritet)"
    assert members[1].display() == "Cia Carlsson (opposition)"
    assert members[2].display() == "Dan Dahl"


def test_majority_parties_are_normalised(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "titel: T\nnämnd: N\nperiod: '2024'\nsammansättning:\n  majoritetspartier: [s, m, Kd]\n"
        "avsnitt:\n  - rubrik: R\n",
    )

    composition = load_protocol(path).model.composition

    assert composition is not None
    assert composition.majority_parties == ["S", "M", "KD"]


@pytest.mark.parametrize(
    ("written", "status"),
    [("ej påbörjad", Status.NOT_STARTED), ("påbörjad", Status.STARTED), ("klar", Status.DONE)],
)
def test_follow_up_status(tmp_path: Path, written: str, status: Status) -> None:
    path = write(
        tmp_path,
        HEAD + f"uppföljning:\n  - punkt: P\n    ansvarig: A\n    status: {written}\n",
    )

    assert load_visit(path).model.follow_up[0].status is status


def test_follow_up_status_defaults_to_not_started(tmp_path: Path) -> None:
    path = write(tmp_path, HEAD + "uppföljning:\n  - punkt: P\n    ansvarig: A\n")

    (item,) = load_visit(path).model.follow_up

    assert (item.status, item.due) == (Status.NOT_STARTED, None)


# --- errors: located, Swedish, complete


def test_every_model_error_is_reported_at_once(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "protokoll: Arbetslik aktivitet\nverksamhet: ''\nbesöksdatum: 17/10/2018\nledamoter: []\n",
    )

    findings = load_error(path)

    assert [where(f) for f in findings] == [
        (1, 12, "protokoll"),
        (2, 13, "verksamhet"),
        (3, 14, "besöksdatum"),
        (4, 1, "ledamoter"),
    ]
    assert all(f.severity is Severity.ERROR for f in findings)
    assert "är inte ett giltigt id" in findings[0].message
    assert "får inte vara tom" in findings[1].message
    assert "skriv datum som ÅÅÅÅ-MM-DD" in findings[2].message
    assert findings[3].message == "okänd nyckel ”ledamoter”; menade du ”ledamöter”?"
    assert findings[0].format().startswith(f"{path.as_posix()}:1:12: fel: protokoll: ")


def test_an_unknown_key_without_a_near_match_lists_the_allowed_keys(tmp_path: Path) -> None:
    path = write(tmp_path, HEAD + "uppföljning:\n  - punkt: P\n    ansvarig: A\n    xyz: 1\n")

    (found,) = load_error(path)

    assert where(found) == (7, 5, "uppföljning[1].xyz")
    assert found.message == (
        "okänd nyckel ”xyz”; tillåtna nycklar här är: ansvarig, från, punkt, senast, status"
    )


def test_a_missing_key_points_at_its_parent_mapping(tmp_path: Path) -> None:
    path = write(tmp_path, HEAD + "ledamöter:\n  - parti: S\n")

    (found,) = load_error(path)

    assert where(found) == (5, 5, "ledamöter[1].namn")
    assert found.message == "nyckeln ”namn” saknas; lägg till den"


def test_a_protocol_needs_sections(tmp_path: Path) -> None:
    path = write(tmp_path, "titel: T\nnämnd: N\nperiod: '2024'\navsnitt: []\n")

    (found,) = load_error(path, "protocol")

    assert where(found) == (4, 10, "avsnitt")
    assert "får inte vara tom" in found.message


@pytest.mark.parametrize(
    ("text", "line", "column", "fragment"),
    [
        ("a: 1\na: 2\n", 2, 1, "nyckeln ”a” förekommer två gånger (rad 1 och rad 2)"),
        ("a:\n  b: 1\n  c: 2\n  b: 3\n", 4, 3, "”b” förekommer två gånger (rad 2 och rad 4)"),
        ("a: &x 1\n", 1, 4, "ankare (&x)"),
        ("a: *x\n", 1, 4, "alias (*x)"),
        ("a: !!python/name:os.system ''\n", 1, 4, "python/name:os.system” tillåts inte"),
        ("a: !!str 1\n", 1, 4, "tillåts inte"),
        ("a: 1\n---\nb: 2\n", 2, 1, "flera YAML-dokument"),
        ("[a, b]\n", 1, 1, "filen innehåller en lista"),
        ("bara text\n", 1, 1, "filen innehåller en ensam text"),
        ("? [a, b]\n: c\n", 1, 3, "en nyckel måste vara enkel text"),
        ('a: "x\\u0001y"\n', 1, 4, "otillåtet tecken U+0001"),
        ("a: " + "[" * 40 + "]" * 40 + "\n", 1, 35, "nästlad i fler än 32 nivåer"),
        ("a: b: c\n", 1, 5, "citattecken"),
        ("a: - b\n", 1, 4, "tolkas som en lista"),
        ("a: @b\n", 1, 4, "ett värde kan inte börja med ”@”"),
    ],
)
def test_read_yaml_rejects_with_a_location(
    tmp_path: Path, text: str, line: int, column: int, fragment: str
) -> None:
    path = write(tmp_path, text)

    with pytest.raises(LoadError) as caught:
        read_yaml(path)

    (found,) = caught.value.findings
    assert (found.line, found.column) == (line, column), found.format()
    assert fragment in found.message, found.message


@pytest.mark.parametrize("text", ["", "\n\n", "# bara kommentarer\n", "---\n", "~\n"])
def test_an_empty_file_says_so(tmp_path: Path, text: str) -> None:
    with pytest.raises(LoadError) as caught:
        read_yaml(write(tmp_path, text))

    assert "filen är tom" in caught.value.findings[0].message


def test_cp1252_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, "verksamhet: Räksmörgås\n".encode("cp1252"))

    with pytest.raises(LoadError) as caught:
        read_yaml(path)

    (found,) = caught.value.findings
    assert (found.line, found.column) == (1, 14)
    assert "Windows-1252" in found.message
    assert "spara filen som UTF-8" in found.message


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(LoadError) as caught:
        load_visit(tmp_path / "finns-inte.yaml")

    assert caught.value.findings[0].message == "filen finns inte"
