"""The CPU time of the IATI export (``iati-activities.xml`` and its checks) of a record set,
as a release runs it (:func:`coopdata.iati.writing.write.export`):

    python benchmarks/iati_export.py RECORDS [--runs 3] [--before /path/to/older/src] [--steps]

Each run is a process of its own that loads the records, then exports them once and prints
the export's CPU (``process_time``) and wall clock. With ``--before``, an older checkout's
package (its ``src`` folder) runs too, alternating with this one, run for run, and the
files and findings of both are compared (they must be the same): a ratio measured in the
same run, on the same machine load. ``--steps`` prints, from one more process each, where
the CPU goes: building the elements, writing their text, the schema, the rules.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
OURS = HERE.parent / "src"
TODAY = "2026-12-06"

_EXPORT = """
import hashlib, json, sys, time, datetime as dt
from pathlib import Path
from coopdata.records.load import load
from coopdata.iati.writing.write import export
dataset, _ = load(sys.argv[1])
out = Path(sys.argv[2])
wall, cpu = time.perf_counter(), time.process_time()
exported = export(dataset, out / "a.xml", out / "o.xml", today=dt.date.fromisoformat(sys.argv[3]))
cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
files = [hashlib.sha256((out / n).read_bytes()).hexdigest() if (out / n).exists() else None
         for n in ("a.xml", "o.xml")]
findings = [[f.code, f.severity, f.message.replace(str(out), ""), f.line, f.record, f.field]
            for f in exported.findings]
print(json.dumps({"cpu": cpu, "wall": wall, "files": files,
                  "findings": hashlib.sha256(json.dumps(findings).encode()).hexdigest(),
                  "count": len(findings)}))
"""

_STEPS = """
import sys, time, datetime as dt
from pathlib import Path
from lxml import etree
from coopdata.records.load import load
from coopdata.iati.writing import rules, xsd
from coopdata.iati.writing.checks import _Lines
from coopdata.iati.writing.values import VERSION
from coopdata.iati.writing.write import Written, activity_elements
from coopdata.model.config import ReleaseConfig
from coopdata.model.uris import Uris
dataset, _ = load(sys.argv[1])
today = dt.date.fromisoformat(sys.argv[3])
config = ReleaseConfig()
cpu = time.process_time
t0 = cpu()
elements = list(activity_elements(dataset, config, Uris(config.base_uri), today, Written(Path())))
t1 = cpu()
texts = [etree.tostring(e, encoding="utf-8", pretty_print=True) for e in elements]
t2 = cpu()
schema = xsd.schema(xsd.ACTIVITY_SCHEMA)
for element in elements:
    document = etree.Element("iati-activities", version=VERSION)
    document.append(element)
    schema.validate(document)
t3 = cpu()
found = sum(1 for n, (e, text) in enumerate(zip(elements, texts), start=1)
            for _ in rules.activity_errors(e, n, today, _Lines(e, text, 1)))
t4 = cpu()
print(f"build {t1 - t0:.2f} s, text {t2 - t1:.2f} s, schema {t3 - t2:.2f} s, "
      f"rules {t4 - t3:.2f} s ({found} found)")
"""


def run(code: str, src: Path, records: str) -> str:
    with tempfile.TemporaryDirectory() as out:
        env = {**os.environ, "PYTHONPATH": str(src)}
        done = subprocess.run([sys.executable, "-c", code, records, out, TODAY], env=env,
                              capture_output=True, text=True, check=True)
    return done.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("records")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--before", type=Path, help="an older checkout's src folder")
    parser.add_argument("--steps", action="store_true")
    args = parser.parse_args()
    packages = [("before", args.before)] if args.before else []
    packages.append(("now", OURS))
    results: dict[str, list[dict[str, object]]] = {name: [] for name, _ in packages}
    for number in range(1, args.runs + 1):
        for name, src in packages:
            result = json.loads(run(_EXPORT, src, args.records))
            results[name].append(result)
            print(f"run {number}, {name}: CPU {result['cpu']:.2f} s, wall {result['wall']:.2f} s, "
                  f"{result['count']} findings", flush=True)
    for name, src in packages:
        cpu = statistics.median(float(r["cpu"]) for r in results[name])  # type: ignore[arg-type]
        wall = statistics.median(float(r["wall"]) for r in results[name])  # type: ignore[arg-type]
        print(f"{name}: median CPU {cpu:.2f} s, wall {wall:.2f} s")
        if args.steps:
            print(f"  {name}: {run(_STEPS, src, args.records)}")
    if args.before:
        before = statistics.median(float(r["cpu"]) for r in results["before"])  # type: ignore[arg-type]
        now = statistics.median(float(r["cpu"]) for r in results["now"])  # type: ignore[arg-type]
        same = {(json.dumps(r["files"]), r["findings"]) for rs in results.values() for r in rs}
        print(f"CPU now/before {now / before:.3f}; files and findings "
              f"{'the same' if len(same) == 1 else 'DIFFERENT'}")
        if len(same) != 1:
            sys.exit(1)


if __name__ == "__main__":
    main()
