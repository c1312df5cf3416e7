"""What the benchmarks write into docs/performance.md: a table between two markers."""

from __future__ import annotations

from pathlib import Path

PAGE = Path(__file__).resolve().parents[1] / "docs" / "performance.md"


def put_table(table: str, start: str, end: str, page: Path = PAGE) -> None:
    """Replace what stands between the markers ``start`` and ``end`` of ``page`` with
    ``table`` (the markers stay)."""
    text = page.read_text(encoding="utf-8")
    head, _, rest = text.partition(start)
    _, _, tail = rest.partition(end)
    page.write_text(f"{head}{start}\n{table}\n{end}{tail}", encoding="utf-8")
