"""``nbesok schema``: JSON Schemas that accept the real files and reject typos."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema  # no stubs in the dev group
import pytest
import yaml
from click.testing import CliRunner, Result

from nbesok.archive.yamlfile import read_yaml
from nbesok.cli import cli

VISITS = ["2018-10-17-idrott-och-service.yaml", "2023-06-07-arbetslik-aktivitet.yaml"]
PROTOCOLS = ["arbetslik-aktivitet-2023.yaml", "arbetsmarknad-och-integration-2018-19.yaml"]


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), prog_name="nbesok")


def load_json(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def as_editor_reads(path: Path) -> Any:
    """The file as an editor's YAML 1.2 parser sees it: numbers and booleans typed.

    safe_load turns dates into date objects, which JSON Schema does not know; the
    JSON round trip turns them back into the ÅÅÅÅ-MM-DD text the user wrote.
    """
    return json.loads(json.dumps(yaml.safe_load(path.read_text("utf-8")), default=str))


def errors(schema: dict[str, Any], data: Any) -> list[str]:
    validator = jsonschema.Draft202012Validator(schema)
    return [error.message for error in validator.iter_errors(data)]


@pytest.fixture
def schemas(in_archive: Path) -> dict[str, dict[str, Any]]:
    result = invoke("schema")
    assert result.exit_code == 0, result.output
    folder = in_archive / "schemas"
    return {
        "besök": load_json(folder / "besok.schema.json"),
        "protokoll": load_json(folder / "protokoll.schema.json"),
    }


def test_schema_writes_both_files_into_schemas(in_archive: Path) -> None:
    result = invoke("schema")

    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Skrev schemas/besok.schema.json\nSkrev schemas/protokoll.schema.json\n"
    )
    assert sorted(path.name for path in (in_archive / "schemas").iterdir()) == [
        "besok.schema.json",
        "protokoll.schema.json",
    ]


def test_schema_is_reproducible(in_archive: Path) -> None:
    invoke("schema")
    first = (in_archive / "schemas" / "besok.schema.json").read_bytes()

    again = invoke("schema")

    assert again.exit_code == 0
    assert (in_archive / "schemas" / "besok.schema.json").read_bytes() == first


def test_schema_out_writes_elsewhere(in_archive: Path) -> None:
    result = invoke("schema", "--out", "redigerare/scheman")

    assert result.exit_code == 0, result.output
    assert (in_archive / "redigerare" / "scheman" / "protokoll.schema.json").is_file()
    assert not (in_archive / "schemas").exists()


def test_schema_out_onto_a_file_is_an_error_without_traceback(in_archive: Path) -> None:
    (in_archive / "upptagen").write_text("en fil, ingen mapp\n", encoding="utf-8")

    result = invoke("schema", "--out", "upptagen")

    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.stderr.startswith("upptagen: fel: mappen kan inte skrivas")


@pytest.mark.parametrize("name", VISITS)
def test_the_visit_schema_accepts_the_real_visits(
    in_archive: Path, schemas: dict[str, dict[str, Any]], name: str
) -> None:
    path = in_archive / "visits" / name

    assert errors(schemas["besök"], read_yaml(path).data) == []
    assert errors(schemas["besök"], as_editor_reads(path)) == []


@pytest.mark.parametrize("name", PROTOCOLS)
def test_the_protocol_schema_accepts_the_real_protocols(
    in_archive: Path, schemas: dict[str, dict[str, Any]], name: str
) -> None:
    assert errors(schemas["protokoll"], as_editor_reads(in_archive / "protocols" / name)) == []


def test_the_visit_schema_rejects_a_typo_key(
    in_archive: Path, schemas: dict[str, dict[str, Any]]
) -> None:
    data = read_yaml(in_archive / "visits" / VISITS[0]).data
    data["ledamoter"] = data.pop("ledamöter")

    assert errors(schemas["besök"], data) == [
        "Additional properties are not allowed ('ledamoter' was unexpected)"
    ]


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"status": "pågår"}, ("uppföljning", 0)),
        ({"ansvarlig": "Nämnden"}, ("uppföljning", 0)),
    ],
)
def test_the_visit_schema_rejects_bad_follow_ups(
    in_archive: Path,
    schemas: dict[str, dict[str, Any]],
    change: dict[str, str],
    path: tuple[str, int],
) -> None:
    data = read_yaml(in_archive / "visits" / VISITS[0]).data
    data[path[0]][path[1]].update(change)

    assert len(errors(schemas["besök"], data)) == 1


def test_the_protocol_schema_rejects_a_typo_key(
    in_archive: Path, schemas: dict[str, dict[str, Any]]
) -> None:
    data = as_editor_reads(in_archive / "protocols" / PROTOCOLS[0])
    data["avsnitt"][0]["frågor"][0]["hjalptext"] = "Fel stavat."

    assert errors(schemas["protokoll"], data) == [
        "Additional properties are not allowed ('hjalptext' was unexpected)"
    ]


def test_the_schemas_speak_swedish(schemas: dict[str, dict[str, Any]]) -> None:
    visit, protocol = schemas["besök"], schemas["protokoll"]

    assert "besök" in visit["description"]
    assert "mall" in protocol["description"]
    assert visit["properties"]["ledamöter"]["description"].startswith("Deltagande ledamöter")
    assert "ÅÅÅÅ-MM-DD" in visit["properties"]["besöksdatum"]["description"]
    for definition in [*visit["$defs"].values(), *protocol["$defs"].values()]:
        described = definition["anyOf"][1] if "anyOf" in definition else definition
        assert described["description"], definition
    assert visit["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(visit)
    jsonschema.Draft202012Validator.check_schema(protocol)


def test_the_scaffold_points_at_the_written_schema_and_satisfies_it(
    in_archive: Path, schemas: dict[str, dict[str, Any]]
) -> None:
    created = invoke(
        "new",
        "--protokoll",
        "arbetslik-aktivitet-2023",
        "--verksamhet",
        "Arbetslik aktivitet",
        "--datum",
        "2024-05-02",
    )
    assert created.exit_code == 0, created.output
    scaffold = in_archive / "visits" / "2024-05-02-arbetslik-aktivitet.yaml"

    modeline = scaffold.read_text(encoding="utf-8").splitlines()[0]
    prefix = "# yaml-language-server: $schema="
    assert modeline.startswith(prefix)
    target = (scaffold.parent / modeline.removeprefix(prefix)).resolve()
    assert target == (in_archive / "schemas" / "besok.schema.json").resolve()
    assert load_json(target) == schemas["besök"]
    assert errors(schemas["besök"], as_editor_reads(scaffold)) == []
    assert errors(schemas["besök"], read_yaml(scaffold).data) == []


def test_every_key_of_the_models_is_in_the_readme_and_the_schema(
    repo_root: Path, schemas: dict[str, dict[str, Any]]
) -> None:
    """The README's YAML tables are the users' reference: every key a model accepts is
    named there, as `key`, and the editors' schema knows it (one source of truth)."""
    from pydantic import BaseModel

    from nbesok.archive import models

    readme = (repo_root / "README.md").read_text("utf-8")
    section = readme[readme.index("## YAML-filerna") : readme.index("## Personnummer")]
    dumped = json.dumps(schemas, ensure_ascii=False)
    for model in vars(models).values():
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            continue
        for name, info in model.model_fields.items():
            key = info.alias or name
            assert f"`{key}`" in section, f"README nämner inte `{key}` ({model.__name__})"
            if model is not models.Settings:
                assert f'"{key}"' in dumped, f"schemat saknar {key}"


def test_the_permission_for_a_personnummer_is_in_the_visit_schema(
    schemas: dict[str, dict[str, Any]],
) -> None:
    allowed = schemas["besök"]["properties"]["tillåtna_personnummer"]

    assert allowed["type"] == "array"
    assert "git" in allowed["description"]
    assert not errors(schemas["besök"]["properties"]["tillåtna_personnummer"], ["811228-9874"])
