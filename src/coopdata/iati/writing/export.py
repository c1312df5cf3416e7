"""``coopdata export-iati``: the release's IATI activity file, without a release."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

from coopdata.errors import OutputError, RecordsInvalid
from coopdata.iati.writing.write import Exported, export
from coopdata.model.config import ReleaseConfig, check_config
from coopdata.records.load import load


def export_file(records: Path | str | None, out: Path | str, *,
                config: ReleaseConfig | None = None, today: dt.date | None = None) -> Exported:
    """Check the records, then write their IATI activities to ``out``, completely or not
    at all: RecordsInvalid when the records or the written file fail their checks,
    OutputError when no project can be an IATI activity or ``out`` cannot be written."""

    target = Path(out)
    config = None if config is None else check_config(config)
    dataset, report = load(records)
    if not report.valid:
        raise RecordsInvalid(report)
    try:
        handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial",
                                        dir=target.parent if str(target.parent) else ".")
    except OSError as exc:
        raise OutputError(f"cannot write into {target.parent}: {exc.strerror}") from None
    os.close(handle)
    partial = Path(name)
    try:
        exported = export(dataset, partial, config=config, today=today)
        report.extend(exported.findings)
        if not exported.valid:
            raise RecordsInvalid(report)
        if not exported.written.activities:
            raise OutputError(f"no project holds what an IATI activity requires, so {target} "
                              "was not written: " + "; ".join(
                                  str(f) for f in exported.findings[:3]))
        os.replace(partial, target)
    finally:
        if partial.exists():
            partial.unlink()
    return Exported(target, None, exported.findings, exported.written)
