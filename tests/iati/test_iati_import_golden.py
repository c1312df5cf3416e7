"""import-iati gives, byte for byte, what it gave before it was made faster.

``tests/golden/iati-import.json`` holds the SHA-256 of everything an import gives (each
file written, the text and JSON accounts, the findings) for a set of imports: the shared
IATI files, synthetic activities (one and two workers, with filters), the shared
activities mutated at random (attributes and elements removed, values spoilt: the
mapping's rarer branches and warnings) and a broken file. The digests were made by the
code before the speed work (commit 945c9a5) with ``python tests/iati/test_iati_import_golden.py
--write``; when the mapping is changed on purpose, make them again and say why.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "iati"
ACTIVITIES = SHARED / "activities"
SMALL = ROOT / "tests" / "fixtures" / "iati" / "small.xml"
GOLDEN = ROOT / "tests" / "golden" / "iati-import.json"


def _schema() -> Path | None:
    from coopdata.iati.reading.read import schema_folder

    found = schema_folder()
    if found is None and (SHARED / "schemas" / "2.03").is_dir():
        return SHARED / "schemas" / "2.03"
    return found


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _snapshot(out: Path, result: Any) -> dict[str, str]:
    """The digest of each thing an import gives."""
    from coopdata.iati.reading.summary import json_chunks, text_lines

    found = {f"file {p.relative_to(out).as_posix()}": _digest(p.read_bytes())
             for p in sorted(out.rglob("*")) if p.is_file()} if out.is_dir() else {}
    found["text account"] = _digest("\n".join(text_lines(result)).encode())
    found["json account"] = _digest("".join(json_chunks(result)).encode())
    found["findings"] = _digest(result.report.to_text().encode())
    return found


def _mutate(source: Path, target: Path, seed: int) -> None:
    """``source`` with, in each activity, some attributes and elements removed and some
    values spoilt (``seed`` decides which)."""
    rng = random.Random(seed)
    tree = etree.parse(str(source), etree.XMLParser(resolve_entities=False, no_network=True))
    spoilt = ["", " ", "x", "-1", "99999", "2020-13-45", "1e999", "ZZ", "http//bad",
              "0.5 0.5", "abc def"]
    for element in list(tree.getroot().iter()):
        if not isinstance(element.tag, str) or element is tree.getroot():
            continue
        parent = element.getparent()
        if element.tag != "iati-activity" and parent is not None and rng.random() < 0.04:
            parent.remove(element)
            continue
        for name in list(element.attrib):
            roll = rng.random()
            if roll < 0.08:
                del element.attrib[name]
            elif roll < 0.16:
                element.set(name, rng.choice(spoilt))
        if element.text and element.text.strip() and rng.random() < 0.08:
            element.text = rng.choice(spoilt)
    tree.write(str(target), encoding="UTF-8", xml_declaration=True)


def _cases(folder: Path) -> dict[str, Callable[[Path], Any]]:
    """Each import to compare: its name and how to run it into a records folder."""
    from benchmarks.iati_synthetic import write

    from coopdata.iati.reading.importer import import_iati

    schema = _schema()
    synthetic = folder / "synthetic"
    synthetic.mkdir()
    write(synthetic / "a-synthetic.xml", 120)
    shutil.copy(SMALL, synthetic / "b-small.xml")
    cases: dict[str, Callable[[Path], Any]] = {
        "synthetic, 1 worker": lambda out: import_iati([synthetic], out, schema=schema,
                                                       workers=1),
        "synthetic, 2 workers": lambda out: import_iati([synthetic], out, schema=schema,
                                                        workers=2),
        "synthetic, filters": lambda out: import_iati(
            [synthetic], out, schema=schema, workers=1, countries=["ma", "SN"],
            sectors=["151"], publishers=["DE-1", "XM-DAC-41114", "GB-GOV-1"]),
    }
    broken = folder / "broken"
    broken.mkdir()
    text = (synthetic / "a-synthetic.xml").read_text("utf-8")
    (broken / "cut.xml").write_text(text[:len(text) // 2], "utf-8")
    cases["broken file"] = lambda out: import_iati([broken], out, schema=schema, workers=1)
    if ACTIVITIES.is_dir():
        shared = folder / "shared"
        shutil.copytree(ACTIVITIES, shared)
        cases["shared files, 1 worker"] = lambda out: import_iati([shared], out, schema=schema,
                                                                  workers=1)
        cases["shared files, 2 workers"] = lambda out: import_iati([shared], out,
                                                                   schema=schema, workers=2)
        for name in sorted(p.name for p in ACTIVITIES.glob("*.xml")):
            cases[f"shared {name}"] = lambda out, name=name: import_iati(
                [shared / name], out, schema=schema, workers=1)
        mutated = folder / "mutated"
        mutated.mkdir()
        for seed in range(4):
            for path in sorted(ACTIVITIES.glob("*.xml")):
                _mutate(path, mutated / f"{seed}-{path.name}", seed)
        for path in sorted(mutated.iterdir()):
            cases[f"mutated {path.name}"] = lambda out, path=path: import_iati(
                [path], out, schema=schema, workers=1)
    return cases


def snapshots(folder: Path) -> dict[str, dict[str, str]]:
    """Run every case in ``folder`` (the working directory: paths in the accounts are
    relative to it) and return each case's digests."""
    found: dict[str, dict[str, str]] = {}
    for number, (name, run) in enumerate(_cases(folder).items()):
        out = Path(f"records-{number}")
        result = run(out)
        try:
            found[name] = _snapshot(out, result)
        finally:
            result.close()
        shutil.rmtree(out, ignore_errors=True)
    return found


@pytest.mark.needs_shared("iati", "activities")  # most of the digests are of the shared files
@pytest.mark.skipif(not GOLDEN.is_file(), reason="no golden digests")
def test_the_import_gives_what_it_gave_before(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    golden = json.loads(GOLDEN.read_text("utf-8"))
    found = snapshots(Path("."))
    if not ACTIVITIES.is_dir():
        golden = {k: v for k, v in golden.items() if k in found}
    assert sorted(found) == sorted(golden)
    differ = {case: sorted(k for k in set(found[case]) | set(golden[case])
                           if found[case].get(k) != golden[case].get(k))
              for case in golden if found[case] != golden[case]}
    assert not differ, differ
    assert len(golden) > 50 and all(len(digests) >= 3 for digests in golden.values())


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        raise SystemExit(f"usage: python {sys.argv[0]} --write")
    import tempfile

    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory() as temporary:
        os.chdir(temporary)
        GOLDEN.write_text(json.dumps(snapshots(Path(".")), indent=1, sort_keys=True)
                          + "\n", "utf-8")
