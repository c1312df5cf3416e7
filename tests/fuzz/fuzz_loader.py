"""libFuzzer harness (atheris) for the record loader and the CSV reader.

    python tests/fuzz/fuzz_loader.py -runs=100000 [CORPUS_DIR]

The first byte chooses the target: a record file (read_record, then check_records) or a
CSV table (read_tables). Any exception is a crash: both must only ever return findings.
tests/reliability/test_reliability.py runs it for a bounded number of runs. COOPDATA_FUZZ_DIR is the
scratch folder for the files it writes (a new temporary folder if unset).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["coopdata"]):
    from coopdata.records.dataset import check_records
    from coopdata.records.read import read_record
    from coopdata.tables.layout import tables
    from coopdata.tables.read import read_tables

WORK = Path(os.environ.get("COOPDATA_FUZZ_DIR") or tempfile.mkdtemp(prefix="coopdata-fuzz-"))
TABLES = [t.name for t in tables()]
KINDS = ["project", "person", "event", "organisation"]


def one_input(data: bytes) -> None:
    provider = atheris.FuzzedDataProvider(data)
    target = provider.ConsumeIntInRange(0, 3)
    if target < 2:  # a record file
        kind = KINDS[provider.ConsumeIntInRange(0, len(KINDS) - 1)]
        path = WORK / "p.yaml"
        path.write_bytes(provider.ConsumeBytes(provider.remaining_bytes()))
        record, _findings = read_record(path, kind)
        if record is not None:
            check_records([record])
        return
    folder = WORK / "tables"  # a CSV table, alone or with a header it knows
    folder.mkdir(exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    name = TABLES[provider.ConsumeIntInRange(0, len(TABLES) - 1)]
    body = provider.ConsumeBytes(provider.remaining_bytes())
    if target == 3:
        header = next(t for t in tables() if t.name == name).header
        body = ",".join(header).encode() + b"\n" + body
    (folder / f"{name}.csv").write_bytes(body)
    read_tables(folder)


def main() -> None:
    WORK.mkdir(parents=True, exist_ok=True)
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
