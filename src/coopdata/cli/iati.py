"""The IATI commands: import-iati and export-iati."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from coopdata.cli.options import examples, handle_errors, records_option

if TYPE_CHECKING:
    pass


@click.command("import-iati", short_help="Import IATI 2.03 activity files as records.",
              epilog=examples(
    "coopdata import-iati activities.xml --out records",
    "coopdata import-iati iati-files/ --country MA --sector 151 --out records",
    "coopdata import-iati activities.xml --out records --format json"))
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(path_type=Path, exists=True))
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), required=True,
              help="Records folder to write into (curated records in it are never replaced).")
@click.option("--country", "countries", multiple=True, metavar="CODE",
              help="Keep only activities with this recipient country (repeatable).")
@click.option("--sector", "sectors", multiple=True, metavar="CODE",
              help="Keep only activities with this sector, at activity or transaction level "
                   "(repeatable; a 3-digit DAC code keeps its 5-digit codes).")
@click.option("--publisher", "publishers", multiple=True, metavar="REF",
              help="Keep only activities reported by this organisation (repeatable).")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="How to print the account of what was carried.")
@handle_errors
def import_iati_command(paths: tuple[Path, ...], out: Path, countries: tuple[str, ...],
                        sectors: tuple[str, ...], publishers: tuple[str, ...],
                        output_format: str) -> None:
    """Import IATI 2.03 activity files (PATHS: files, or folders of *.xml) as records.

    One project record per activity, one organisation record per organisation and one
    source record per file, with ids from the IATI identifiers: importing again updates
    them. Prints, for each activity and in total, every element path carried and every
    one dropped. Nothing is written when a file cannot be read; see docs/iati.md.
    """
    # a command's modules load when it runs: --help stays fast
    from coopdata.errors import RecordsInvalid
    from coopdata.iati.reading.importer import import_iati as run
    from coopdata.iati.reading.summary import json_chunks, text_lines

    result = run(paths, out, countries=countries, sectors=sectors, publishers=publishers)
    try:
        if not result.report.valid:
            raise RecordsInvalid(result.report)
        if output_format == "json":
            for chunk in json_chunks(result):
                click.echo(chunk, nl=False)
            return
        if result.report.findings:
            click.echo(result.report.to_text(), nl=False, err=True)
        for line in text_lines(result):
            click.echo(line)
    finally:
        result.close()


@click.command("export-iati", short_help="Write the projects as an IATI activity file.",
              epilog=examples(
    "coopdata export-iati --out iati-activities.xml",
    "coopdata export-iati --records records --out iati-activities.xml"))
@records_option
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="The IATI activity file to write (iati-activities.xml).")
@handle_errors
def export_iati_command(records: Path | None, out: Path) -> None:
    """Write the projects as IATI 2.03 activities, as a release does, without a release.

    The file is checked against the official IATI 2.03 schema and the IATI rules; when
    it fails, nothing is written and each finding names its record and field. Projects
    IATI cannot hold are listed as infos (see docs/iati.md).
    """
    # a command's modules load when it runs: --help stays fast
    from coopdata.iati.writing.export import export_file

    exported = export_file(records, out)
    for finding in sorted(exported.findings, key=lambda f: f.sort_key()):
        click.echo(str(finding), err=True)
    click.echo(f"wrote {len(exported.written.activities)} IATI activities into {out}")
