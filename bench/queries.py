"""Latency of the documented example queries on the built warehouse.

The queries are the ones in ``docs/queries/*.sql`` (the analyst-facing
examples); when that folder is empty a few representative queries stand in.
Each query runs once to warm up (first-touch I/O, plan) and then ``repeats``
times on a read-only connection to the published ``warehouse.duckdb``; its
latency is the median of the timed runs (five by default: single runs of the same query
vary by tens of milliseconds on a shared machine). The cold first run is kept too.
"""

from __future__ import annotations

import statistics
import threading
import time
from pathlib import Path

import duckdb

FALLBACK = {
    "grade_share_by_agency_year": """
        SELECT agency, fiscal_year, grade, count(*) AS n,
               count(*) * 1.0 / sum(count(*)) OVER (PARTITION BY agency, fiscal_year) AS share
        FROM projects GROUP BY ALL ORDER BY agency, fiscal_year, grade""",
    "execution_under_90": """
        SELECT p.project_name, f.execution_rate_pct FROM funds f JOIN projects p USING (project_id)
        WHERE f.fund_source = 'total' AND f.execution_rate_pct < 90 ORDER BY f.execution_rate_pct""",
    "indicators_not_achieved": """
        SELECT i.level1, i.level2, count(*) FROM indicators i
        WHERE i.achievement IN ('partially_achieved', 'not_achieved') GROUP BY ALL ORDER BY 3 DESC""",
}


def load_queries(folder: Path) -> dict[str, str]:
    found = {p.stem: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.sql"))} if folder.exists() else {}
    return found or dict(FALLBACK)


def _run(con: duckdb.DuckDBPyConnection, sql: str, timeout: float) -> tuple[int, float]:
    """Rows and milliseconds of one execution, the full result fetched as an Arrow table
    (what a notebook, BI driver or export receives); interrupted after ``timeout`` seconds."""
    timer = threading.Timer(timeout, con.interrupt)
    timer.start()
    try:
        started = time.perf_counter()
        rows = con.sql(sql).to_arrow_table().num_rows
        return rows, (time.perf_counter() - started) * 1000
    finally:
        timer.cancel()


def time_queries(db_path: Path, queries: dict[str, str], repeats: int = 5, timeout: float = 120.0) -> dict[str, dict]:
    """Per query: rows returned, cold ms, median warm ms (or the error / the timeout)."""
    out: dict[str, dict] = {}
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        for name, sql in queries.items():
            try:
                rows, cold = _run(con, sql, timeout)
                runs = repeats if cold < 10_000 else 1  # a query that takes seconds is timed once more, not five times
                warm = [_run(con, sql, timeout)[1] for _ in range(runs)]
                out[name] = {"rows": rows, "cold_ms": round(cold, 2), "ms": round(statistics.median(warm), 2)}
            except duckdb.InterruptException:
                out[name] = {"error": f"timed out after {timeout:.0f} s", "ms": round(timeout * 1000, 2)}
            except duckdb.Error as exc:
                out[name] = {"error": str(exc).splitlines()[0][:200]}
    finally:
        con.close()
    return out
