"""Records → YAML files → records: the writer and the loader agree (property test)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings

from coopdata.model.dataset import Dataset
from coopdata.records.dataset import check_records
from coopdata.records.read import read_record
from coopdata.records.write import record_yaml
from tests.strategies import datasets


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(datasets())
def test_yaml_round_trip(dataset: Dataset) -> None:
    with tempfile.TemporaryDirectory() as directory:
        records = []
        for record in dataset:
            path = Path(directory) / f"{record.id}.yaml"
            path.write_text(record_yaml(record.kind, record.id, record.data), encoding="utf-8")
            loaded, findings = read_record(path, record.kind)
            assert findings == [] and loaded is not None
            records.append(loaded)
        back, problems = check_records(records)
    assert [f for f in problems if f.code != "missing-reference"] == []
    assert {(r.kind, r.id): r.data for r in back} == {(r.kind, r.id): r.data for r in dataset}
