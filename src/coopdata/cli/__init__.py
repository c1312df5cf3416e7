"""The ``coopdata`` command: a thin layer over the library, one module a group of
commands (:mod:`~coopdata.cli.records`, :mod:`~coopdata.cli.iati`,
:mod:`~coopdata.cli.release`, :mod:`~coopdata.cli.sparql`); each loads the library's
modules it needs when it runs, so that ``--help`` and shell completion stay fast.

Exit codes: 0 success, 1 invalid records or failed output, 2 usage errors.
"""

from __future__ import annotations

import click

from coopdata.cli import iati, records, release, sparql
from coopdata.cli.options import examples


@click.group(context_settings={"help_option_names": ["-h", "--help"]},
             epilog=examples("coopdata validate", "coopdata build --out out",
                             "coopdata release --out releases",
                             "coopdata query docs/queries/budget-per-funder.rq")
             + "\n\nShell completion: see docs/index.md (eval \"$(_COOPDATA_COMPLETE="
             "bash_source coopdata)\" in ~/.bashrc).")
@click.version_option(package_name="coopdata", prog_name="coopdata")
def main() -> None:
    """Publish open data about international cooperation on migration as linked data.

    Curated records (YAML, one entity a file) are checked and turned into an RDF graph
    and a Frictionless data package.
    """
    import signal  # a command's modules load when it runs: --help stays fast

    def terminate(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)  # unwinds like Ctrl-C: temporary files are removed

    signal.signal(signal.SIGTERM, terminate)



for command in (records.validate_command, records.build_command, records.import_command,
                records.export_tables_command, iati.import_iati_command,
                iati.export_iati_command, release.release_command, release.diff_command,
                release.push_command, release.site_command, sparql.query_command,
                sparql.serve_command):
    main.add_command(command)
