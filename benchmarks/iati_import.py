"""Measure ``coopdata import-iati`` on a synthetic IATI file: activities per second and
peak memory (the import's own process, as the kernel counts it).

    python benchmarks/iati_import.py --activities 100000 [--work /tmp/iati-bench]

The file is generated first (benchmarks/iati_synthetic.py, not timed), then imported into
an empty records folder in a child process; its wall-clock and CPU time and its peak
resident memory are printed as one JSON object.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from iati_synthetic import write  # noqa: E402


def measure(activities: int, work: Path) -> dict[str, float | int]:
    work.mkdir(parents=True, exist_ok=True)
    source = work / f"synthetic-{activities}.xml"
    if not source.is_file():
        write(source, activities)
    out = work / "records"
    shutil.rmtree(out, ignore_errors=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "coopdata", "import-iati", str(source), "--out",
                    str(out)], check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"activities": activities, "file_mb": round(source.stat().st_size / 1e6, 1),
            "seconds": round(seconds, 1), "cpu_seconds": round(cpu, 1),
            "activities_per_second": round(activities / seconds),
            "peak_mb": round(after.ru_maxrss / 1024)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--activities", type=int, default=10_000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/iati-bench"))
    args = parser.parse_args()
    print(json.dumps(measure(args.activities, args.work)))


if __name__ == "__main__":
    main()
