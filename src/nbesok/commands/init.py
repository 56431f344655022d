"""``nbesok init``: a new archive, ready to validate, render and commit.

Everything is created with "create if missing": a file that is already there is left
as it is and named in the result, so init never overwrites a user's work. An existing
``nbesok.yaml`` means there already is an archive, and nothing is written.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from string import Template

from nbesok.archive.root import MARKER, PROTOCOLS, SCHEMAS, TEMPLATES, VISITS
from nbesok.archive.yamlfile import ILLEGAL_RAW, character_message
from nbesok.core.errors import ArchiveError, OutputError, UsageError, finding
from nbesok.core.output import create_new, make_folder
from nbesok.core.paths import package_templates_dir

_STARTER_PROTOCOL = Path(__file__).parent / "starter" / "protokoll.yaml"

GITIGNORE = "# Dokumenten går att göra om från YAML-filerna: de hålls utanför git.\nout/\n"

GITATTRIBUTES = """\
# Text med LF-radslut på alla datorer, så att git visar ändringarna rad för rad.
*.yaml text eol=lf
*.yml text eol=lf
*.md text eol=lf
*.j2 text eol=lf
*.json text eol=lf
# Word- och PDF-filer är binära: git ska aldrig röra deras radslut.
*.docx binary
*.pdf binary
"""

PRE_COMMIT = """\
# pre-commit (https://pre-commit.com) kör ”nbesok validate” före varje commit, så att
# inget fel i en besöksfil når arkivet: ett fel, till exempel ett personnummer som
# besöket inte tillåter, stoppar commit. Varningarna visas också (verbose), fast commit
# går igenom. Slå på det en gång per dator:
#   pip install pre-commit && pre-commit install
# Kroken kan också hämtas från nbesoks eget förråd, som har en .pre-commit-hooks.yaml
# med id ”nbesok-validate”.
repos:
  - repo: local
    hooks:
      - id: nbesok-validate
        name: nbesok validate
        entry: nbesok validate
        language: system
        pass_filenames: false
        verbose: true
        files: ^(nbesok\\.yaml|protocols/.+\\.yaml|visits/.+\\.yaml)$
"""


@dataclass(frozen=True)
class Names:
    """The municipality, its administration and its committee, as the user wrote them."""

    municipality: str
    administration: str
    committee: str


@dataclass
class Started:
    """What init created and what it found already there."""

    root: Path
    protocol_id: str
    created: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)
    git: str = ""  # "initierat", "finns redan" or "saknas"


def settings_text(names: Names) -> str:
    return f"""\
# nbesok: arkivets inställningar. Filen markerar arkivets rot: nbesok letar upp den
# från den mapp du står i och uppåt, som git hittar .git.

# Kommunens namn, i tjänsteskrivelsernas huvud.
kommun: {_quoted(names.municipality)}

# Förvaltningen som skriver tjänsteskrivelserna, i deras huvud.
förvaltning: {_quoted(names.administration)}

# Nämnden som besöken redovisas för, när ett protokoll inte anger någon egen: mottagare
# av tjänsteskrivelserna och förslag på ansvarig i nya uppföljningspunkter.
nämnd: {_quoted(names.committee)}

# Förslag till beslut i tjänsteskrivelserna, ett per rad. ”nbesok report --förslag”
# ersätter dem för en enstaka skrivelse.
förslag_till_beslut:
  - Informationen noteras.

# Handläggaren som skriver tjänsteskrivelserna: namnet står i huvudet, namn och titel i
# avslutningen. Utan handläggare står besökets första tjänsteperson i en skrivelse om
# ett besök; ”nbesok report --handläggare” byter namnet för en enstaka skrivelse.
# handläggare:
#   namn: Förnamn Efternamn
#   titel: Utredare

# true: render och report skriver alltid också den publika kopian (…-publik.docx),
# med maskerade uppgifter borttagna, som med --publik.
publik: false

# Kommunens egna grunder för maskering, utöver dem nbesok känner till (se README):
# bestämmelsen som den skrivs i maskera="…", och en kort beskrivning.
sekretessgrunder: {{}}
#   "24 kap. 8 § OSL": uppgift om enskild i statistikverksamhet
"""


def protocol_text(names: Names, year: int) -> str:
    """A general template for a first season, drawn from the questions of the 2018/19
    and 2023 templates that nbesok's example archive holds."""
    municipality = names.municipality or "kommunen"
    committee = names.committee or "nämnden"
    q = _quoted
    return Template(_STARTER_PROTOCOL.read_text("utf-8")).substitute(
        title=q(f"Dokumentationsmall nämndbesök {year}"),
        year=year,
        last_year=year - 1,
        q_municipality=q(f"Hur ser samarbetet med andra verksamheter inom {municipality} ut?"),
        q_politics=q(f"Saknar verksamheten något från politiken i {municipality}?"),
        guidance_wishes=(
            f"Om det finns några önskemål från verksamheten till {committee} kan dessa "
            "beskrivas här."
        ),
        q_other=q(f"Finns det övrig information som verksamheten vill delge {committee}?"),
    )


def protocol_id_for(year: int) -> str:
    return f"nambesok-{year}"


def check_names(names: Names) -> None:
    """Control characters in a name would end up in every document: a usage error."""
    for option, value in (
        ("--kommun", names.municipality),
        ("--förvaltning", names.administration),
        ("--nämnd", names.committee),
    ):
        bad = ILLEGAL_RAW.search(value)
        if bad is not None:
            raise UsageError.at(option, character_message(bad.group(), "i namnet"))
        if not value.strip():
            raise UsageError.at(option, "namnet är tomt; skriv det inom citattecken")


def start_archive(
    root: Path, names: Names, today: date, *, with_reference: bool = False
) -> Started:
    """Create an archive in ``root`` (made if missing); leave whatever is there."""
    check_names(names)
    if (root / MARKER).exists():
        raise ArchiveError.at(
            root / MARKER,
            "här finns redan ett arkiv; init skriver aldrig över något. Kör ”nbesok validate” "
            "för att kontrollera det",
        )
    if root.exists() and not root.is_dir():
        raise UsageError.at(str(root), "finns redan och är ingen mapp; välj en annan mapp")
    from nbesok.archive.json_schemas import schema_files

    protocol_id = protocol_id_for(today.year)
    started = Started(root, protocol_id)
    files: dict[Path, bytes] = {
        root / MARKER: settings_text(names).encode("utf-8"),
        root / PROTOCOLS / f"{protocol_id}.yaml": protocol_text(names, today.year).encode(),
        root / VISITS / ".gitkeep": b"",
        root / TEMPLATES / "README.md": (package_templates_dir() / "README.md").read_bytes(),
        root / ".gitignore": GITIGNORE.encode("utf-8"),
        root / ".gitattributes": GITATTRIBUTES.encode("utf-8"),
        root / ".pre-commit-config.yaml": PRE_COMMIT.encode("utf-8"),
        **{root / SCHEMAS / name: data for name, data in schema_files().items()},
    }
    if with_reference:
        files[root / TEMPLATES / "referens.docx"] = (
            package_templates_dir() / "referens.docx"
        ).read_bytes()
    # Every path is checked before anything is written: init stops on a link or a file
    # in the way having written nothing.
    _check_paths(root, files)
    make_folder(root, instead="välj en annan mapp")
    # The settings last: until it exists, a broken-off init is no archive, and can be rerun.
    order = [path for path in files if path.name != MARKER] + [root / MARKER]
    for path in order:
        make_folder(path.parent, instead="välj en annan mapp")
        if path.exists():
            started.kept.append(path)
            continue
        try:
            create_new(path, files[path], if_exists="init skriver aldrig över något")
        except OutputError:
            if not path.exists():
                raise
            started.kept.append(path)
        else:
            started.created.append(path)
    started.git = _git_init(root)
    return started


def _check_paths(root: Path, files: dict[Path, bytes]) -> None:
    """No symbolic link on the way to anything init writes, and no file where it needs a
    folder: a link would lead its files out of the archive (``visits`` → ``/``), a dangling
    one or a loop cannot be written through at all. Each problem once, where it is."""
    problems: dict[Path, str] = {}
    if root.is_symlink() and not root.exists():
        problems[root] = (
            "är en symbolisk länk som inte leder till någon mapp (den pekar på något som "
            "saknas, eller på sig själv); välj en annan mapp"
        )
    for path in files:
        below = path.relative_to(root).parts
        for depth in range(1, len(below) + 1):
            candidate = root.joinpath(*below[:depth])
            folder = depth < len(below)
            if candidate in problems:
                break
            if candidate.is_symlink():
                problems[candidate] = (
                    "är en symbolisk länk, och init skriver aldrig genom en länk (den kan leda "
                    "ut ur arkivet); ta bort länken, eller välj en annan mapp"
                )
                break
            if folder and candidate.exists() and not candidate.is_dir():
                problems[candidate] = (
                    "finns redan som fil, men init behöver en mapp här; flytta filen, eller "
                    "välj en annan mapp"
                )
                break
    if problems:
        raise ArchiveError(finding(path, message) for path, message in problems.items())


def _git_init(root: Path) -> str:
    git = shutil.which("git")
    if git is None:
        return "saknas"
    inside = subprocess.run(
        [git, "-C", str(root), "rev-parse", "--is-inside-work-tree"],
        capture_output=True,
        check=False,
    )
    if inside.returncode == 0:
        return "finns redan"
    done = subprocess.run([git, "init", "-q", str(root)], capture_output=True, check=False)
    return "initierat" if done.returncode == 0 else "misslyckades"


def _quoted(text: str) -> str:
    # A JSON string is a valid YAML double-quoted scalar, so any text survives.
    return json.dumps(text, ensure_ascii=False)
