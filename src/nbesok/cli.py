"""The ``nbesok`` command: glue between click and the library.

Each command reads its options, calls one library function and prints the result.
Library modules are imported inside the commands so that ``nbesok --help`` starts as
fast as click itself.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING, Any, NoReturn

import click

from nbesok import __version__, clitext

if TYPE_CHECKING:
    from pathlib import Path

    from nbesok.core.errors import Finding
    from nbesok.documents.publish import Outcome

clitext.install()
# nbesok uses no pydantic plugins; looking for them reads every installed package's
# metadata, about 20 ms of a one-visit render.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")


class _IsoDate(click.ParamType[date]):
    name = "ÅÅÅÅ-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        try:
            if len(value) != 10:
                raise ValueError
            return date.fromisoformat(value)
        except ValueError:
            self.fail(f"”{value}” är inget datum; skriv ÅÅÅÅ-MM-DD, t.ex. 2023-06-07", param, ctx)


ISO_DATE = _IsoDate()


class _LazyPath(click.ParamType["Path"]):
    """A path argument; pathlib is imported only when a command runs, not for --help."""

    name = "sökväg"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Path:
        from pathlib import Path

        return value if isinstance(value, Path) else Path(value)


PATH = _LazyPath()


class _Nbesok(click.Group):
    """Turns every library error into located lines on stderr and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        from nbesok.core.errors import NbesokError
        from nbesok.core.processes import Stopped, stop_on_signals

        try:
            with stop_on_signals():
                return super().invoke(ctx)
        except NbesokError as error:
            for found in error.findings:
                click.echo(found.format(), err=True)
            ctx.exit(error.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("nbesok: avbrutet", err=True)
            ctx.exit(130)
        except BrokenPipeError:
            # The reader of the output has gone (”nbesok validate | head -1”): stop
            # quietly, as a writer to a closed pipe does, with 128 + SIGPIPE.
            _silence_stdout()
            ctx.exit(141)
        except Stopped as stop:
            # Everything was stopped and tidied on the way here; finished files are whole.
            click.echo(f"nbesok: avbrutet ({stop.name})", err=True)
            ctx.exit(stop.exit_code)
        except Exception as error:  # the one place that catches everything
            _internal_error(ctx, error)


def _silence_stdout() -> None:
    """Point standard output at the null device, so that the interpreter's final flush
    does not fail on the closed pipe as well."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _internal_error(ctx: click.Context, error: Exception) -> NoReturn:
    if ctx.params.get("debug") or os.environ.get("NBESOK_DEBUG"):
        import traceback

        traceback.print_exc()
    click.echo(
        f"nbesok: internt fel ({type(error).__name__}); detta är ett fel i nbesok, inte i dina "
        "filer. Kör kommandot igen med ”nbesok --debug …” och skicka utskriften till "
        "utvecklarna.",
        err=True,
    )
    ctx.exit(1)


@click.group(
    cls=_Nbesok,
    context_settings={"help_option_names": ["-h", "--help"]},
    options_metavar="[FLAGGOR]",
    subcommand_metavar="KOMMANDO [ARGUMENT]...",
)
@click.version_option(__version__, "--version", prog_name="nbesok")
@click.option("--debug", is_flag=True, help="Visa hela felutskriften vid interna fel.")
def cli(debug: bool) -> None:
    """Dokumentera nämndbesök: protokoll och besök som YAML, dokument som DOCX och Markdown.

    Kommandona letar upp arkivet (mappen med nbesok.yaml) från den aktuella mappen
    och uppåt, som git gör.

    \b
    Exempel:
      nbesok validate
      nbesok new --protokoll arbetslik-aktivitet-2023 \\
                 --verksamhet "Arbetslik aktivitet" --datum 2023-06-07
      nbesok render visits/2018-10-17-idrott-och-service.yaml
    """


@cli.command(options_metavar="[FLAGGOR]")
@click.argument("paths", nargs=-1, type=PATH, metavar="[SÖKVÄGAR]...")
@click.option("--strict", is_flag=True, help="Behandla varningar som fel (slutkod 1).")
def validate(paths: tuple[Path, ...], strict: bool) -> None:
    """Kontrollera protokoll och besök; skriv varje fynd som fil:rad:kolumn.

    Utan sökvägar kontrolleras hela arkivet. Sökvägar kan vara filer eller mappar.
    Slutkod 1 om något fel hittas (med --strict även vid varningar).

    \b
    Exempel:
      nbesok validate
      nbesok validate visits/2023-06-07-arbetslik-aktivitet.yaml
    """
    from nbesok.archive.root import archive_of
    from nbesok.commands.validate import archive_files, validate_files
    from nbesok.core.errors import summary_line

    archive = archive_of(paths)
    report = validate_files(archive, archive_files(archive, paths), date.today())
    for found in report.findings:
        click.echo(found.format())
    click.echo(summary_line(report.files, report.findings))
    if report.errors or (strict and report.warnings):
        sys.exit(1)


@cli.command(options_metavar="[FLAGGOR]")
@click.argument("directory", type=PATH, default=".", metavar="[MAPP]")
@click.option("--kommun", "municipality", required=True, metavar="NAMN", help="Kommunens namn.")
@click.option(
    "--förvaltning",
    "administration",
    required=True,
    metavar="NAMN",
    help="Förvaltningen som skriver tjänsteskrivelserna.",
)
@click.option(
    "--nämnd", "committee", required=True, metavar="NAMN", help="Nämnden som besöken görs för."
)
@click.option(
    "--med-referens",
    "with_reference",
    is_flag=True,
    help="Lägg också en kopia av referens.docx i templates/, att ge kommunens utseende.",
)
def init(
    directory: Path, municipality: str, administration: str, committee: str, with_reference: bool
) -> None:
    """Starta ett nytt arkiv i MAPP (standard: den aktuella mappen).

    Skapar nbesok.yaml med alla inställningar, protocols/ med ett första protokoll att
    utgå från, visits/, templates/ med en README om egna mallar, schemas/ för
    redigerare, .gitignore, .gitattributes och en pre-commit-konfiguration som kör
    ”nbesok validate”. Kör ”git init” om mappen inte redan är ett git-förråd. Inget
    som redan finns skrivs över.

    \b
    Exempel:
      nbesok init nambesok --kommun "Linköpings kommun" \\
                  --förvaltning "Utbildningsförvaltningen" --nämnd "Bildningsnämnden"
    """
    from nbesok.commands.init import Names, start_archive
    from nbesok.core.paths import display_path

    names = Names(municipality, administration, committee)
    started = start_archive(directory, names, date.today(), with_reference=with_reference)
    click.echo(f"Skapade ett arkiv i {display_path(started.root.resolve())}:")
    for path in started.created:
        click.echo(f"  {display_path(path)}")
    for path in started.kept:
        click.echo(f"  {display_path(path)} (fanns redan och lämnades orörd)")
    git = {
        "initierat": "Skapade ett git-förråd (git init).",
        "finns redan": "Mappen ligger redan i ett git-förråd.",
        "saknas": "git finns inte på datorn; installera git och kör ”git init” här.",
        "misslyckades": "git init misslyckades; kör det själv i mappen.",
    }
    click.echo(git[started.git])
    click.echo("Nästa steg:")
    if str(directory) not in (".", ""):
        click.echo(f"  cd {display_path(directory)}")
    click.echo(
        f'  nbesok new --protokoll {started.protocol_id} --verksamhet "Verksamhetens namn" '
        f"--datum {date.today().isoformat()}"
    )


@cli.command(options_metavar="[FLAGGOR]")
@click.option(
    "--protokoll",
    "protocol_id",
    required=True,
    metavar="ID",
    help="Protokollets id (filnamnet i protocols/ utan .yaml).",
)
@click.option(
    "--verksamhet", "operation", required=True, metavar="TEXT", help="Den verksamhet som besöks."
)
@click.option("--datum", "visit_date", required=True, type=ISO_DATE, help="Besöksdatum.")
def new(protocol_id: str, operation: str, visit_date: date) -> None:
    """Skapa en ny besöksfil att fylla i, med frågorna som kommentarer.

    Filen heter visits/<datum>-<verksamhet>.yaml. En befintlig fil skrivs aldrig över.
    Har verksamheten besökts förut följer de uppföljningspunkter som inte är klara med,
    märkta med vilket besök de kommer från.

    \b
    Exempel:
      nbesok new --protokoll arbetslik-aktivitet-2023 \\
                 --verksamhet "Arbetslik aktivitet" --datum 2023-06-07
    """
    from nbesok.archive.root import open_archive
    from nbesok.commands.new import create_visit
    from nbesok.core.paths import display_path

    created = create_visit(open_archive(), protocol_id, operation, visit_date)
    for warning in created.warnings:
        click.echo(warning.format(), err=True)
    click.echo(f"Skapade {display_path(created.path)}")
    if created.carried:
        items = "öppen punkt" if created.carried == 1 else "öppna punkter"
        click.echo(f"{created.carried} {items} från tidigare besök fördes över till uppföljning.")


@cli.command("import", options_metavar="[FLAGGOR]")
@click.argument("files", nargs=-1, required=True, type=PATH, metavar="FIL.docx…")
@click.option(
    "--protokoll",
    "protocol_id",
    metavar="ID",
    help="Protokollet dokumentet följer (standard: formulärets eget, annars det vars "
    "frågor dokumentet har flest av).",
)
@click.option(
    "--verksamhet", "operation", metavar="TEXT", help="Verksamheten, om dokumentet inte anger den."
)
@click.option(
    "--datum", "visit_date", type=ISO_DATE, help="Besöksdatum, om dokumentet inte anger det."
)
@click.option(
    "--tillåt-personnummer",
    "allow_personnummer",
    is_flag=True,
    help="Importera trots att texten innehåller personnummer (ta sedan bort dem).",
)
def import_(
    files: tuple[Path, ...],
    protocol_id: str | None,
    operation: str | None,
    visit_date: date | None,
    allow_personnummer: bool,
) -> None:
    """Gör besöksfiler av ifyllda Word-blanketter och gamla Word-protokoll.

    Skriver visits/<datum>-<verksamhet>.yaml för varje fil, som ”nbesok new” skulle ha
    döpt den; en befintlig fil skrivs aldrig över. En mapp betyder alla .docx-filer i
    den. En blankett från ”nbesok render protocols/…” läses fält för fält. I ett
    gammalt protokoll känns frågorna igen på sin text och besöksuppgifterna på sina
    rubriker (Verksamhet:, Besöksdatum: …). Text som inte hör till någon fråga hamnar
    under oplacerat, med en varning.

    \b
    Exempel:
      nbesok import ifylld-blankett.docx
      nbesok import gamla/ --protokoll arbetsmarknad-och-integration-2018-19
    """
    from nbesok.archive.root import open_archive
    from nbesok.commands.import_ import Failed, import_files, word_files
    from nbesok.core.paths import display_path

    archive = open_archive()
    documents, empty = word_files(files)
    failed = len(empty)
    for found in empty:
        click.echo(found.format(), err=True)
    debug = bool(click.get_current_context().find_root().params.get("debug"))
    outcomes = import_files(
        archive,
        documents,
        protocol_id=protocol_id,
        operation=operation,
        visit_date=visit_date,
        allow_personnummer=allow_personnummer,
        debug=debug or bool(os.environ.get("NBESOK_DEBUG")),
    )
    for outcome in outcomes:
        if isinstance(outcome, Failed):
            failed += 1
            for found in outcome.findings:
                click.echo(found.format(), err=True)
            continue
        for warning in outcome.warnings:
            click.echo(warning.format(), err=True)
        click.echo(f"Skapade {display_path(outcome.path)} av {display_path(outcome.source)}")
        if outcome.carried:
            items = "öppen punkt" if outcome.carried == 1 else "öppna punkter"
            click.echo(
                f"  {outcome.carried} {items} från tidigare besök fördes över till uppföljning."
            )
        if outcome.unplaced:
            pieces, them = ("stycke", "det") if outcome.unplaced == 1 else ("stycken", "dem")
            click.echo(
                f"  {outcome.unplaced} {pieces} hörde inte till någon fråga och ligger under "
                f"oplacerat i filen; flytta {them} till rätt svar."
            )
    total = len(documents) + len(empty)
    files_word = "fil" if total == 1 else "filer"
    if failed:
        click.echo(f"{failed} av {total} {files_word} kunde inte importeras.", err=True)
        raise SystemExit(1)
    click.echo(f"{total} av {total} {files_word} importerades.")


@cli.command("new-protocol", options_metavar="[FLAGGOR]")
@click.argument("new_id", metavar="ID")
@click.option(
    "--from",
    "from_id",
    required=True,
    metavar="ID",
    help="Protokollet att utgå från (filnamnet i protocols/ utan .yaml).",
)
@click.option(
    "--period", required=True, metavar="PERIOD", help="Den nya säsongen: 2025 eller 2025/26."
)
def new_protocol(new_id: str, from_id: str, period: str) -> None:
    """Gör nästa säsongs protokoll av ett tidigare, med samma frågor och fråge-id.

    Skriver protocols/ID.yaml; en befintlig fil skrivs aldrig över. Besök som redan
    gjorts behåller sitt gamla protokoll.

    \b
    Exempel:
      nbesok new-protocol arbetslik-aktivitet-2024 --from arbetslik-aktivitet-2023 \\
                          --period 2024
    """
    from nbesok.archive.root import open_archive
    from nbesok.commands.new_protocol import copy_protocol
    from nbesok.core.paths import display_path

    copied = copy_protocol(open_archive(), new_id, from_id, period)
    click.echo(f"Skapade {display_path(copied.path)}")
    if copied.old_mentions:
        click.echo("Kontrollera raderna som fortfarande nämner den förra perioden:")
        for number, line in copied.old_mentions:
            click.echo(f"  {display_path(copied.path)}:{number}: {line}")


@cli.command(options_metavar="[FLAGGOR]")
@click.option(
    "--out",
    "folder",
    type=PATH,
    metavar="MAPP",
    help="Mapp att skriva till (standard: schemas/ i arkivet).",
)
def schema(folder: Path | None) -> None:
    """Skriv JSON-scheman för besöks- och protokollfiler, för redigerare.

    Besöksfilerna pekar på schemat med en rad ”# yaml-language-server: $schema=…”,
    så att t.ex. VS Code föreslår och kontrollerar nycklarna.

    \b
    Exempel:
      nbesok schema
    """
    from nbesok.archive.root import SCHEMAS, open_archive
    from nbesok.commands.schema import write_schemas
    from nbesok.core.paths import display_path

    target = folder if folder is not None else open_archive().root / SCHEMAS
    for path in write_schemas(target):
        click.echo(f"Skrev {display_path(path)}")


def _document_options(command: Callable[..., None]) -> Callable[..., None]:
    """The options every command that writes documents shares."""
    options = [
        click.option(
            "--format",
            "formats",
            default="md,docx",
            show_default=True,
            metavar="FORMAT",
            help="Kommaseparerade format: md, docx, pdf (PDF/A-2b, kräver LibreOffice).",
        ),
        click.option(
            "--out",
            "out_dir",
            type=PATH,
            metavar="MAPP",
            help="Mapp för dokumenten (standard: out/ i arkivet).",
        ),
        click.option(
            "--libreoffice",
            type=PATH,
            metavar="SÖKVÄG",
            help="LibreOffice-programmet för pdf (standard: NBESOK_LIBREOFFICE eller soffice).",
        ),
        click.option(
            "--tillåt-personnummer",
            "allow_personnummer",
            is_flag=True,
            help="Skriv dokumentet trots att texten innehåller personnummer.",
        ),
        click.option(
            "--publik",
            "public",
            is_flag=True,
            help="Skriv också den publika kopian (…-publik.docx/.md/.pdf), med de maskerade "
            "uppgifterna borttagna (standard: publik i nbesok.yaml).",
        ),
        click.option(
            "--signera",
            "sign",
            is_flag=True,
            help="Signera PDF-filen (PAdES) med kommunens certifikat; kräver pdf i --format.",
        ),
        click.option(
            "--certifikat",
            "certificate",
            type=PATH,
            metavar="FIL",
            help="Certifikatet för --signera: en PKCS#12-fil (.p12, .pfx); lösenordet i "
            "miljövariabeln NBESOK_SIGN_PASSWORD (standard: NBESOK_SIGN_P12).",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _signer(sign: bool, certificate: Path | None, formats: tuple[str, ...]) -> Any:
    """The signer of --signera, or None; a usage error when it cannot sign anything."""
    from nbesok.core.errors import UsageError

    if not sign:
        if certificate is not None:
            raise UsageError.at("--certifikat", "används bara med --signera; lägg till --signera")
        return None
    if "pdf" not in formats:
        raise UsageError.at(
            "--signera", "signerar PDF-filen; lägg till pdf i --format, t.ex. --format md,docx,pdf"
        )
    from nbesok.documents.signing import signer_from

    return signer_from(certificate, os.environ)


@cli.command(options_metavar="[FLAGGOR]")
@click.argument("paths", nargs=-1, type=PATH, metavar="[SÖKVÄGAR]...")
@_document_options
@click.option(
    "--utan-hjälptext", "without_guidance", is_flag=True, help="Utelämna frågornas hjälptexter."
)
@click.option(
    "--per",
    type=ISO_DATE,
    help="Datum som försenade uppföljningspunkter räknas mot (standard: besöksdatum).",
)
@click.option(
    "--verbose", "-v", is_flag=True, help="Skriv ut varje fil som skrivs, inte bara antalet."
)
def render(
    paths: tuple[Path, ...],
    formats: str,
    out_dir: Path | None,
    libreoffice: Path | None,
    allow_personnummer: bool,
    public: bool,
    sign: bool,
    certificate: Path | None,
    without_guidance: bool,
    per: date | None,
    verbose: bool,
) -> None:
    """Gör dokument: besök blir protokoll, protokoll blir blanketter.

    Utan sökvägar renderas alla besök i visits/. Utfilerna får samma namn som
    indatafilen (t.ex. out/2018-10-17-idrott-och-service.docx) och skrivs så att en
    avbruten körning aldrig lämnar en halvskriven fil. Körningen slutar med en rad
    som säger hur många filer som skrevs och hur många dokument som var oförändrade;
    --verbose skriver också ut varje fil.

    \b
    Exempel:
      nbesok render visits/2018-10-17-idrott-och-service.yaml
      nbesok render protocols/arbetslik-aktivitet-2023.yaml --format docx
      nbesok render --out dokument/
      nbesok render visits/2018-10-17-idrott-och-service.yaml --format pdf --signera \\
                    --certifikat kommunen.p12

    Ett besök som inte är fastställt blir ett utkast: UTKAST står i titeln och i
    sidhuvudet på varje sida.

    Med --publik skrivs också besökets publika kopia, med de maskerade uppgifterna
    (maskera="26 kap. 1 § OSL") ersatta av ”[Uppgift borttagen enligt 26 kap. 1 § OSL]”.
    En publik kopia som skulle visa ett maskerat ord skrivs inte.
    """
    from nbesok.archive.root import archive_of
    from nbesok.commands.render import Options, render_batch
    from nbesok.documents.publish import parse_formats

    archive = archive_of(paths)
    chosen = parse_formats(formats)
    options = Options(
        chosen,
        guidance=not without_guidance,
        allow_personnummer=allow_personnummer,
        per=per,
        libreoffice=libreoffice,
        signer=_signer(sign, certificate, chosen),
        public=public,  # or the archive's setting, read only if something is rendered
    )
    with _progress_bar() as advance:
        outcome = render_batch(
            archive,
            paths,
            options=options,
            out_dir=out_dir if out_dir is not None else archive.root / "out",
            today=date.today(),
            progress=advance,
            waiting=_tell_waiting,
        )
    _report_outcome(outcome, each_file=verbose, summary=True)


def _tell_waiting(folder: Path) -> None:
    from nbesok.core.paths import display_path

    click.echo(
        f"nbesok: väntar på en annan körning av nbesok som skriver i {display_path(folder)}/ …",
        err=True,
    )


def _report_outcome(outcome: Outcome, *, each_file: bool = True, summary: bool = False) -> None:
    """What render and report did: findings on stderr, then each file written
    (``each_file``) or one line that counts them (``summary``), exit 1 on errors."""
    from nbesok.core.paths import display_path

    for found in outcome.findings:
        click.echo(found.format(), err=True)
    if each_file:
        for path in outcome.written:
            click.echo(f"Skrev {display_path(path)}")
    said = []
    if summary and outcome.written:
        files = len(outcome.written)
        documents = len({path.with_suffix("") for path in outcome.written})
        folders = sorted({display_path(path.parent) for path in outcome.written})
        said.append(
            f"Skrev {files} {'fil' if files == 1 else 'filer'} för {documents} dokument i "
            f"{', '.join(folder + '/' for folder in folders)}"
        )
    if outcome.unchanged:
        state = "oförändrat" if outcome.unchanged == 1 else "oförändrade"
        said.append(f"{outcome.unchanged} dokument var {state} och skrevs inte om")
    if said:
        click.echo("; ".join(said) + ".")
    if outcome.failed:
        sys.exit(1)


@contextmanager
def _progress_bar() -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on stderr when a person watches; silent in pipes and CI."""
    if not sys.stderr.isatty() or os.environ.get("CI"):
        yield None
        return
    bars: list[Any] = []

    def advance(done: int, total: int) -> None:
        if not bars:
            bars.append(click.progressbar(length=total, label="Renderar", file=sys.stderr))
            bars[0].__enter__()
        bars[0].update(done - bars[0].pos)

    try:
        yield advance
    finally:
        for bar in bars:
            bar.__exit__(None, None, None)


@cli.command(options_metavar="[FLAGGOR]")
@click.argument("visits", nargs=-1, type=PATH, metavar="[BESÖK]...")
@click.option(
    "--protokoll",
    "protocol_id",
    metavar="ID",
    help="Sammanställ alla besök enligt detta protokoll.",
)
@click.option(
    "--period", metavar="PERIOD", help="Sammanställ alla besök under perioden, t.ex. 2018/19."
)
@click.option(
    "--per", "per", type=ISO_DATE, help="Datum som försenade punkter räknas mot (standard: i dag)."
)
@click.option(
    "--datum",
    "document_date",
    type=ISO_DATE,
    help="Tjänsteskrivelsens datum (standard: --per, annars i dag).",
)
@click.option(
    "--handläggare",
    "official",
    metavar="NAMN",
    help="Handläggaren (standard: handläggare i nbesok.yaml, annars besökets första "
    "tjänsteperson).",
)
@click.option(
    "--förslag",
    "proposals",
    multiple=True,
    metavar="TEXT",
    help="Förslag till beslut (kan upprepas); ersätter arkivets standard.",
)
@click.option(
    "--utkast",
    "draft",
    is_flag=True,
    help="Ta med besök som inte är fastställda och märk tjänsteskrivelsen som utkast.",
)
@click.option("--rubrik", "title", metavar="TEXT", help="Ärendets rubrik, skrivelsens titel.")
@click.option(
    "--diarienummer",
    "case_number",
    metavar="DNR",
    help="Skrivelsens diarienummer (standard: besökens, om de har samma).",
)
@click.option(
    "--bilaga",
    "appendices",
    multiple=True,
    type=PATH,
    metavar="FIL",
    help="En bilaga, PDF/A eller .docx (kan upprepas): listas under Beslutsunderlag och "
    "läggs sist i PDF:en.",
)
@click.option(
    "--underlag",
    "documents",
    multiple=True,
    metavar="TEXT",
    help="Ett beslutsunderlag som inte bifogas, t.ex. ”Verksamhetsberättelse 2018” (kan upprepas).",
)
@_document_options
def report(
    visits: tuple[Path, ...],
    protocol_id: str | None,
    period: str | None,
    per: date | None,
    document_date: date | None,
    official: str | None,
    proposals: tuple[str, ...],
    draft: bool,
    title: str | None,
    case_number: str | None,
    appendices: tuple[Path, ...],
    documents: tuple[str, ...],
    formats: str,
    out_dir: Path | None,
    libreoffice: Path | None,
    allow_personnummer: bool,
    public: bool,
    sign: bool,
    certificate: Path | None,
) -> None:
    """Skriv tjänsteskrivelse om besök, eller sammanställ en hel säsong.

    Med besöksfiler: en tjänsteskrivelse (huvud med kommun, förvaltning, datum,
    diarienummer, handläggare och nämnd; Förslag till beslut, Ärende, Uppföljning,
    handläggarens namn och titel, Beslutsunderlag). Med --period: en sammanställning av
    alla besök med besöksdatum under perioden (2024 är kalenderåret, 2018/19 är 1
    juli–30 juni); med --protokoll: alla besök enligt protokollet. Alla siffror räknas
    fram ur besöksfilerna.

    Bara fastställda besök tas med (nbesok godkänn, nbesok fastställ); med --utkast
    tas utkast med och tjänsteskrivelsen märks UTKAST. Med --publik skrivs också den
    publika kopian, där maskerade uppgifter är borttagna.

    \b
    Exempel:
      nbesok report visits/2023-06-07-arbetslik-aktivitet.yaml --per 2023-12-31
      nbesok report --period 2018/19 --per 2019-06-30 --diarienummer "BIN 2019-12"
      nbesok report visits/2023-06-07-arbetslik-aktivitet.yaml \\
             --rubrik "Information om nämndbesök hos Arbetslik aktivitet" \\
             --bilaga out/2023-06-07-arbetslik-aktivitet.pdf --format md,docx,pdf
    """
    from nbesok.archive.root import archive_of
    from nbesok.commands.report import Options, write_report
    from nbesok.documents.appendix import read_appendices
    from nbesok.documents.publish import parse_formats

    archive = archive_of(visits)
    chosen = parse_formats(formats)
    options = Options(
        proposals=proposals,
        title=title,
        case_number=case_number,
        official=official,
        appendices=read_appendices(appendices),
        documents=documents,
    )
    outcome = write_report(
        archive,
        visits,
        protocol_id=protocol_id,
        period=period,
        per=per or date.today(),
        options=options,
        formats=chosen,
        out_dir=out_dir if out_dir is not None else archive.root / "out",
        today=date.today(),
        day=document_date,
        allow_personnummer=allow_personnummer,
        libreoffice=libreoffice,
        draft=draft,
        signer=_signer(sign, certificate, chosen),
        public=public or archive.settings.public,
        waiting=_tell_waiting,
    )
    _report_outcome(outcome)


@cli.command(options_metavar="[FLAGGOR]")
@click.argument("paths", nargs=-1, type=PATH, metavar="[SÖKVÄGAR]...")
def granska(paths: tuple[Path, ...]) -> None:
    """Granska tillgängligheten i renderade Word-dokument (.docx).

    Kontrollerar dokumentspråk, titel, rubriknivåer, tabellrubriker, alternativtext
    och att färg aldrig ensam bär betydelse. Utan sökvägar granskas out/ i arkivet.
    Slutkod 1 om något fel hittas.

    \b
    Exempel:
      nbesok granska
      nbesok granska out/2023-06-07-arbetslik-aktivitet.docx
    """
    from nbesok.archive.root import open_archive
    from nbesok.commands.granska import docx_files, review_paths, summary_line

    files = docx_files(list(paths) or [open_archive().root / "out"])
    findings = review_paths(files)
    for found in findings:
        click.echo(found.format())
    click.echo(summary_line(len(files), findings))
    if any(found.is_error for found in findings):
        sys.exit(1)


OVERDUE_EXIT = 3  # followup --strict: overdue items exist (1 is bad input, 2 bad usage)


@cli.command(options_metavar="[FLAGGOR]")
@click.option(
    "--per", type=ISO_DATE, help="Datum som försenade punkter räknas mot (standard: i dag)."
)
@click.option("--verksamhet", "operation", metavar="TEXT", help="Bara verksamheter med texten.")
@click.option("--ansvarig", "responsible", metavar="TEXT", help="Bara ansvariga med texten.")
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(["ej påbörjad", "påbörjad", "klar"]),
    help="Bara punkter med denna status (kan upprepas; standard: de som inte är klara).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "csv"]),
    default="table",
    show_default=True,
    help="table för terminalen, csv (semikolon, UTF-8) för kalkylblad.",
)
@click.option(
    "--strict",
    is_flag=True,
    help=f"Slutkod {OVERDUE_EXIT} om någon punkt är försenad, för schemalagda körningar.",
)
@click.option(
    "--visa-maskerat",
    "reveal",
    is_flag=True,
    help="Visa maskerade uppgifter; annars står ”[Uppgift borttagen …]” i deras ställe.",
)
def followup(
    per: date | None,
    operation: str | None,
    responsible: str | None,
    statuses: tuple[str, ...],
    output_format: str,
    strict: bool,
    reveal: bool,
) -> None:
    """Lista uppföljningspunkter som inte är klara, i hela arkivet, försenade först.

    En punkt som förts över till ett senare besök visas en gång, som den står där.
    Maskerade uppgifter visas som ”[Uppgift borttagen …]” om inte --visa-maskerat anges.
    Slutkod 0; med --strict 3 om någon punkt har passerat sitt slutdatum. En besöksfil
    som inte går att läsa, eller en rad som skulle visa ett personnummer, sägs på
    stderr och saknas i listan (slutkod 1 om inget är försenat).

    \b
    Exempel:
      nbesok followup
      nbesok followup --per 2025-11-30 --ansvarig Arbetsmarknadsnämnden
      nbesok followup --format csv > punkter.csv
    """
    from nbesok.archive.models import Status
    from nbesok.archive.root import open_archive
    from nbesok.commands.followup import OPEN, Filters, csv_text, open_items, summary, table_lines

    day = per or date.today()
    chosen = frozenset(Status(value) for value in statuses) or OPEN
    listing = open_items(
        open_archive(), day, Filters(operation, responsible, chosen), reveal=reveal
    )
    items = listing.items
    _report_problems(listing.problems)
    if output_format == "csv":
        click.echo(csv_text(items, day, reveal=reveal), nl=False)
    else:
        if items:
            for line in table_lines(items, day, reveal=reveal):
                click.echo(line)
            click.echo()
        click.echo(summary(items, day))
    # Overdue items are what a scheduled run watches for: an unrelated broken file must
    # not hide them behind exit code 1.
    if strict and any(item.overdue(day) for item in items):
        sys.exit(OVERDUE_EXIT)
    if listing.problems:
        sys.exit(1)


def _report_problems(problems: Sequence[Finding]) -> None:
    """Findings that kept something out of a listing, on stderr, and what that means."""
    for found in problems:
        click.echo(found.format(), err=True)
    if problems:
        click.echo(
            "nbesok: det som felen gäller saknas i listan; rätta filerna och kör igen.",
            err=True,
        )


@cli.command(options_metavar="[FLAGGOR]")
@click.argument("operation", metavar="VERKSAMHET")
@click.option(
    "--per", type=ISO_DATE, help="Datum som försenade punkter räknas mot (standard: i dag)."
)
@click.option(
    "--visa-maskerat",
    "reveal",
    is_flag=True,
    help="Visa maskerade uppgifter; annars står ”[Uppgift borttagen …]” i deras ställe.",
)
def history(operation: str, per: date | None, reveal: bool) -> None:
    """Visa besöken hos en verksamhet över tid, med deras uppföljningspunkter.

    Maskerade uppgifter visas som ”[Uppgift borttagen …]” om inte --visa-maskerat anges.

    \b
    Exempel:
      nbesok history "Arbetslik aktivitet"
    """
    from nbesok.archive.root import open_archive
    from nbesok.commands.followup import history_lines

    lines, problems = history_lines(open_archive(), operation, per or date.today(), reveal=reveal)
    _report_problems(problems)
    for line in lines:
        click.echo(line)
    if problems:
        sys.exit(1)


@cli.command(options_metavar="[FLAGGOR]")
@click.argument("paths", nargs=-1, type=PATH, metavar="[SÖKVÄGAR]...")
@click.option(
    "--period", metavar="PERIOD", help="Bara besök under perioden, t.ex. 2024 eller 2018/19."
)
@click.option(
    "--visa-maskerat",
    "reveal",
    is_flag=True,
    help="Visa maskerade uppgifter; annars står ”[Uppgift borttagen …]” i deras ställe.",
)
def status(paths: tuple[Path, ...], period: str | None, reveal: bool) -> None:
    """Visa var besöken står i granskningen: utkast, godkända och fastställda.

    Utan sökvägar visas alla besök i visits/. Besök som behöver något visas först:
    utkast, fastställda besök som ändrats sedan, godkända som väntar på att fastställas.
    ”Godkänt” är hur många av besökets ledamöter som har godkänt innehållet som det är
    nu. Slutkod 1 om någon besöksfil inte kan läsas.

    \b
    Exempel:
      nbesok status
      nbesok status --period 2018/19
    """
    from nbesok.archive.root import archive_of
    from nbesok.commands.status import status_lines, summary, visit_reviews

    reviews, errors = visit_reviews(archive_of(paths), paths, period)
    for found in errors:
        click.echo(found.format(), err=True)
    if reviews:
        for line in status_lines(reviews, reveal=reveal):
            click.echo(line)
        click.echo()
    click.echo(summary(reviews, period))
    if errors:
        sys.exit(1)


def _report_signoff(outcome: Any) -> None:
    from nbesok.core.paths import display_path

    for line in outcome.unchanged:
        click.echo(line)
    if outcome.written:
        click.echo(f"Skrev status i {display_path(outcome.path)}:")
        for line in outcome.done:
            click.echo(f"  {line}")
    for line in outcome.notes:
        click.echo(line)


@cli.command("godkänn", options_metavar="[FLAGGOR]")
@click.argument("visit", type=PATH, metavar="BESÖK")
@click.option(
    "--av",
    "names",
    multiple=True,
    required=True,
    metavar="NAMN",
    help="Ledamoten som har läst och godkänt anteckningarna (kan upprepas).",
)
@click.option("--datum", "day", type=ISO_DATE, help="Dagen för godkännandet (standard: i dag).")
def godkann(visit: Path, names: tuple[str, ...], day: date | None) -> None:
    """Anteckna att ledamöter som deltog i besöket har läst och godkänt anteckningarna.

    Ändrar bara status-blocket i besöksfilen; allt annat i filen, kommentarer också,
    lämnas som det var. Godkännandet gäller innehållet som det är nu: ändras det
    efteråt behöver ledamoten godkänna igen. NAMN är ledamotens namn, med eller utan
    parti.

    \b
    Exempel:
      nbesok godkänn visits/2023-06-07-arbetslik-aktivitet.yaml --av "Isa Fredriksson"
      nbesok godkänn visits/2018-10-17-idrott-och-service.yaml \\
                     --av "Roger Bandick" --av "Madelaine Erlandsson" --datum 2018-10-24
    """
    from nbesok.archive.root import archive_of
    from nbesok.commands.signoff import approve

    today = date.today()
    _report_signoff(approve(archive_of([visit]), visit, names, day or today, today))


@cli.command("fastställ", options_metavar="[FLAGGOR]")
@click.argument("visit", type=PATH, metavar="BESÖK")
@click.option(
    "--av", "by", required=True, metavar="NAMN", help="Den som fastställer, t.ex. handläggaren."
)
@click.option("--datum", "day", type=ISO_DATE, help="Dagen för fastställandet (standard: i dag).")
def faststall(visit: Path, by: str, day: date | None) -> None:
    """Fastställ anteckningarna som redovisas för nämnden, när ledamöterna har godkänt dem.

    Minst en av besökets ledamöter ska ha godkänt innehållet som det är nu (nbesok
    godkänn). Besöksfilen får en kontrollsumma för innehållet; ändras innehållet
    efteråt säger nbesok validate vad som ändrats, tills besöket fastställts igen.
    Ändrar bara status-blocket i filen.

    \b
    Exempel:
      nbesok fastställ visits/2023-06-07-arbetslik-aktivitet.yaml --av "Robert Obing"
    """
    from nbesok.archive.root import archive_of
    from nbesok.commands.signoff import adopt

    today = date.today()
    _report_signoff(adopt(archive_of([visit]), visit, by, day or today, today))


@cli.command(options_metavar="[FLAGGOR]")
@click.argument("visits", nargs=-1, type=PATH, metavar="[BESÖK]...")
@click.option(
    "--period", metavar="PERIOD", help="Alla besök under perioden, t.ex. 2023 eller 2018/19."
)
@click.option(
    "--out",
    "out_dir",
    type=PATH,
    metavar="MAPP",
    help="Mapp för paketet (standard: out/ i arkivet).",
)
@click.option(
    "--format",
    "container",
    type=click.Choice(["zip", "tar"]),
    default="zip",
    show_default=True,
    help="Paketet som en fil, utöver mappen: zip eller tar.",
)
@click.option(
    "--datum",
    "day",
    type=ISO_DATE,
    help="Paketets datum (standard: dagen då det senaste besöket fastställdes).",
)
@click.option(
    "--libreoffice",
    type=PATH,
    metavar="SÖKVÄG",
    help="LibreOffice-programmet för PDF/A (standard: NBESOK_LIBREOFFICE eller soffice).",
)
@click.option(
    "--kontrollera",
    "check",
    type=PATH,
    metavar="PAKET",
    help="Kontrollera ett levererat paket (mapp, ZIP eller TAR) mot dess kontrollsummor.",
)
def arkivera(
    visits: tuple[Path, ...],
    period: str | None,
    out_dir: Path | None,
    container: str,
    day: date | None,
    libreoffice: Path | None,
    check: Path | None,
) -> None:
    """Lämna en säsong till e-arkivet som ett informationspaket (FGS Paketstruktur 2.0).

    Paketet följer E-ARK CSIP 2.1.0 och SIP 2.1.0: de fastställda protokollen som
    PDF/A, källfilerna (YAML och Markdown), bevarandemetadata (PREMIS), en beskrivning
    av säsongen (EAD), XML-scheman och en läs mig-fil. Det skrivs som en mapp och som
    en ZIP- eller TAR-fil, med samma byte varje gång för samma arkiv. Varje besök ska
    vara fastställt och utan fel; annars skrivs ingenting. Kräver LibreOffice.

    \b
    Exempel:
      nbesok arkivera --period 2023
      nbesok arkivera --period 2018/19 --format tar --out leverans/
      nbesok arkivera visits/2023-06-07-arbetslik-aktivitet.yaml
      nbesok arkivera --kontrollera out/nbesok-arbetsmarknadsnamnden-2023-1a2b3c4d.zip
    """
    from nbesok.core.paths import display_path

    if check is not None:
        from nbesok.commands.arkivera.fixity import check_package
        from nbesok.core.errors import UsageError

        if visits or period or out_dir or day:
            raise UsageError.at("--kontrollera", "kontrollerar ett färdigt paket; ange bara det")

        checked = check_package(check)
        for found in checked.findings:
            click.echo(found.format())
        if checked.findings:
            click.echo(f"{len(checked.findings)} fel i {display_path(check)}.")
            sys.exit(1)
        click.echo(
            f"Alla {checked.files} filer i {display_path(check)} stämmer med METS och PREMIS."
        )
        return
    from nbesok.archive.root import archive_of
    from nbesok.commands.arkivera.delivery import deliver

    archive = archive_of(visits)
    delivery = deliver(
        archive,
        visits,
        period=period,
        out_dir=out_dir if out_dir is not None else archive.root / "out",
        container=container,
        today=date.today(),
        day=day,
        libreoffice=libreoffice,
    )
    package = delivery.package
    for found in package.warnings:
        click.echo(found.format(), err=True)
    for path in delivery.written.written:
        click.echo(f"Skrev {display_path(path)}")
    for path in delivery.written.unchanged:
        click.echo(f"{display_path(path)} fanns redan, byte för byte; skrevs inte om.")
    click.echo(
        f"Paketet {package.objid}: {package.visits} besök under {delivery.season}, "
        f"{len(package.files)} filer, representationerna {', '.join(package.representations)}."
    )


def main() -> None:
    """The console script.

    It ends the process with os._exit once output is flushed: every file was written
    and closed by then, and tearing down the interpreter's modules (pydantic, lxml,
    jinja2 …) took about a sixth of a one-document render.
    """
    try:
        cli(prog_name="nbesok")
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, OSError):  # e.g. `nbesok validate | head`
            code = code or 1
    os._exit(code)
