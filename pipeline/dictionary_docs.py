"""``docs/data-dictionary.md``, generated from the data dictionary and the views.

Nothing here is written twice: tables and columns come from ``pipeline/schema.py``,
views from ``pipeline/views.sql``. Both are loaded into an empty in-memory DuckDB
exactly as the warehouse is built (same tables, same ``COMMENT ON`` statements,
same views), and the document describes what that catalog holds, with DuckDB's
own type names.

A view column is documented by its own ``COMMENT ON COLUMN`` in views.sql, else
it inherits the meaning of the column of the same name in the first table (or
earlier view) named in the view's FROM / JOIN clauses.

Run ``python -m pipeline.dictionary_docs`` (or ``perfwh docs``) after changing
the dictionary or the views; ``--check`` exits 1 when the committed file is stale.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from pipeline import schema
from pipeline.schema import TABLES
from pipeline.database import VIEWS_SQL, comment_statements

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DOCS_PATH = PROJECT_ROOT / "docs" / "data-dictionary.md"
QUERIES_DIR = PROJECT_ROOT / "docs" / "queries"

#: The value types every column is built from, with what an analyst needs to know.
TYPE_CONVENTIONS = (
    (schema.MONEY, "money, exact, in 元 (amounts printed in 万元 are multiplied by 10,000); the printed text "
                   "stays in the matching `*_raw` column"),
    (schema.PERCENT, "a percentage as printed: 99.84 means 99.84 %"),
    (schema.RATE, "a computed percentage, rounded half-even to 8 decimals"),
    (schema.POINTS, "weights and scores (points)"),
    (schema.VALUE, "indicator target and actual numbers, in the unit of `target_unit` / `actual_unit`"),
    (schema.CATEGORY, "text with few distinct values; dictionary-encoded in the Parquet files"),
    (pa.int16(), "fiscal years and positions"),
    (pa.date32(), "dates"),
    (schema.LINE, "line numbers in the raw file (1-based)"),
)

_SOURCE = re.compile(r"\b(?:FROM|JOIN)\s+([A-Za-z_][A-Za-z0-9_]*)", re.IGNORECASE)
_VIEW = re.compile(r"CREATE\s+(?:OR\s+REPLACE\s+)?VIEW\s+([A-Za-z_][A-Za-z0-9_]*)\s+AS\b", re.IGNORECASE)


@dataclass(frozen=True)
class ColumnDoc:
    name: str
    type: str
    label_zh: str
    meaning: str
    unit: str = ""
    origin: str = ""  # for view columns: "table.column" it inherits from, or "" when commented in views.sql


@dataclass(frozen=True)
class ViewDoc:
    name: str
    label_zh: str
    meaning: str
    sources: tuple[str, ...]
    columns: tuple[ColumnDoc, ...]


def split_comment(comment: str | None) -> tuple[str, str]:
    """``'项目 | one row per ...'`` -> (label, meaning); the unit suffix ``[元]`` stays in the meaning."""
    if not comment:
        return "", ""
    label, sep, meaning = comment.partition(" | ")
    return (label.strip(), meaning.strip()) if sep else ("", comment.strip())


def catalog() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with every dictionary table (empty), its comments and the views."""
    con = duckdb.connect()
    for name, table in TABLES.items():
        con.register("_empty", table.schema.empty_table())
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM _empty")
        con.unregister("_empty")
        for statement in comment_statements(name):
            con.execute(statement)
    con.execute(VIEWS_SQL.read_text(encoding="utf-8"))
    return con


def view_sources(sql: str) -> dict[str, tuple[str, ...]]:
    """Each view in ``sql`` -> the tables and earlier views its FROM / JOIN clauses name, in order."""
    matches = list(_VIEW.finditer(sql))
    known: list[str] = list(TABLES)
    out: dict[str, tuple[str, ...]] = {}
    for i, match in enumerate(matches):
        body = sql[match.end(): matches[i + 1].start() if i + 1 < len(matches) else len(sql)]
        named = [n for n in _SOURCE.findall(body) if n in known]
        out[match.group(1)] = tuple(dict.fromkeys(named))
        known.append(match.group(1))
    return out


def _type_name(con: duckdb.DuckDBPyConnection, relation: str, column: str, data_type: str) -> str:
    if relation in TABLES:
        col = next(c for c in TABLES[relation].columns if c.name == column)
        if pa.types.is_dictionary(col.type):
            data_type += " (category)"
        if not col.nullable:
            data_type += ", not null"
    return data_type


def table_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[ColumnDoc]:
    rows = con.execute(
        "SELECT column_name, data_type, comment FROM duckdb_columns() WHERE table_name = ? ORDER BY column_index",
        [table],
    ).fetchall()
    units = {c.name: c.unit for c in TABLES[table].columns}
    out = []
    for name, data_type, comment in rows:
        label, meaning = split_comment(comment)
        unit = units[name]
        meaning = meaning.removesuffix(f" [{unit}]") if unit else meaning
        out.append(ColumnDoc(name, _type_name(con, table, name, data_type), label, meaning, unit))
    return out


def view_docs(con: duckdb.DuckDBPyConnection | None = None) -> list[ViewDoc]:
    """Every view with its columns, each column's meaning own or inherited."""
    con = con or catalog()
    sources = view_sources(VIEWS_SQL.read_text(encoding="utf-8"))
    documented: dict[str, dict[str, ColumnDoc]] = {t: {c.name: c for c in table_columns(con, t)} for t in TABLES}
    views = []
    for name, srcs in sources.items():
        (comment,) = con.execute("SELECT comment FROM duckdb_views() WHERE view_name = ?", [name]).fetchall()[0]
        label, meaning = split_comment(comment)
        cols = []
        rows = con.execute(
            "SELECT column_name, data_type, comment FROM duckdb_columns() WHERE table_name = ? ORDER BY column_index",
            [name],
        ).fetchall()
        for col, data_type, col_comment in rows:
            if col_comment:
                col_label, col_meaning = split_comment(col_comment)
                cols.append(ColumnDoc(col, data_type, col_label, col_meaning))
                continue
            origin = next((s for s in srcs if col in documented.get(s, {})), None)
            if origin is None:
                cols.append(ColumnDoc(col, data_type, "", ""))
                continue
            inherited = documented[origin][col]
            cols.append(ColumnDoc(col, data_type, inherited.label_zh, inherited.meaning, inherited.unit,
                                  f"{origin}.{col}"))
        documented[name] = {c.name: c for c in cols}
        views.append(ViewDoc(name, label, meaning, srcs, tuple(cols)))
    return views


def undocumented_view_columns(views: list[ViewDoc] | None = None) -> list[str]:
    """``view.column`` for every view column without a meaning (should be none)."""
    return [f"{v.name}.{c.name}" for v in views or view_docs() for c in v.columns if not c.meaning]


def view_column_comment_statements(con: duckdb.DuckDBPyConnection) -> list[str]:
    """``COMMENT ON COLUMN`` for the inherited view columns, to document them inside a warehouse too."""
    out = []
    for view in view_docs(con):
        for col in view.columns:
            if col.origin and col.meaning:
                unit = f" [{col.unit}]" if col.unit else ""
                text = f"{col.label_zh} | {col.meaning}{unit}".replace("'", "''")
                out.append(f"COMMENT ON COLUMN {view.name}.{col.name} IS '{text}'")
    return out


# --- rendering -------------------------------------------------------------------


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ") if text else ""


def _row(*cells: str) -> str:
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def _duckdb_type(con: duckdb.DuckDBPyConnection, typ: pa.DataType) -> str:
    con.register("_t", pa.table({"x": pa.array([], type=typ)}))
    described = con.execute("DESCRIBE SELECT x FROM _t").fetchall()[0]
    con.unregister("_t")
    return described[1]


def _conventions(con: duckdb.DuckDBPyConnection) -> list[str]:
    lines = ["## Types", "", _row("DuckDB type", "Parquet / Arrow type", "used for"), "|---|---|---|"]
    lines += [_row(f"`{_duckdb_type(con, typ)}`", f"`{typ}`", text) for typ, text in TYPE_CONVENTIONS]
    lines += [
        "",
        "Every row carries `source_file` (path under `data/raw/`) and `source_line` (1-based line where it "
        "starts), so any value can be checked against the report it came from. Column order is fixed by the "
        "dictionary; Parquet files are zstd-compressed and carry `label_zh`, `meaning` and `unit` as field "
        "metadata; `warehouse.duckdb` carries the same text as `COMMENT ON TABLE / COLUMN`.",
        "",
    ]
    return lines


def _table_section(con: duckdb.DuckDBPyConnection, name: str) -> list[str]:
    spec = TABLES[name]
    lines = [f"### `{name}` · {spec.label_zh}", "", f"{spec.meaning[:1].upper()}{spec.meaning[1:]}.", "",
             "Key: " + ", ".join(f"`{k}`" for k in spec.key), "",
             _row("#", "column", "type", "unit", "中文", "meaning"), "|---:|---|---|---|---|---|"]
    for i, col in enumerate(table_columns(con, name), start=1):
        lines.append(_row(str(i), f"`{col.name}`", col.type, col.unit, col.label_zh, col.meaning))
    return [*lines, ""]


def _view_section(view: ViewDoc) -> list[str]:
    built = ", ".join(f"`{s}`" for s in view.sources)
    lines = [f"### `{view.name}` · {view.label_zh}", "", f"{view.meaning[:1].upper()}{view.meaning[1:]}.", "",
             f"Built from: {built}.", "",
             _row("#", "column", "type", "unit", "中文", "meaning", "from"), "|---:|---|---|---|---|---|---|"]
    for i, col in enumerate(view.columns, start=1):
        origin = f"`{col.origin}`" if col.origin else "this view"
        lines.append(_row(str(i), f"`{col.name}`", col.type, col.unit, col.label_zh, col.meaning, origin))
    return [*lines, ""]


def _questions() -> list[str]:
    """The example questions of docs/queries/, from each file's header."""
    lines = ["## Example questions", "", "Standalone SQL files in `docs/queries/`, each checked on the seed reports "
             "by `tests/test_queries.py`; run one with `perfwh query docs/queries/<file>.sql` or paste it into "
             "any DuckDB client.", "", _row("file", "question", "问题"), "|---|---|---|"]
    for path in sorted(QUERIES_DIR.glob("*.sql")):
        text = path.read_text(encoding="utf-8")
        english = re.search(r"^-- Question: (.+)$", text, re.MULTILINE)
        chinese = re.search(r"^-- 问题：(.+)$", text, re.MULTILINE)
        lines.append(_row(f"[`{path.name}`](queries/{path.name})", english.group(1) if english else "",
                          chinese.group(1) if chinese else ""))
    return [*lines, ""]


def render_data_dictionary() -> str:
    """The whole of docs/data-dictionary.md."""
    con = catalog()
    try:
        views = view_docs(con)
        lines = [
            "# Data dictionary · 数据字典",
            "",
            "<!-- Generated by `python -m pipeline.dictionary_docs` (or `perfwh docs`) from pipeline/schema.py "
            "and pipeline/views.sql. Do not edit by hand. -->",
            "",
            "What every table, view and column of the warehouse means, with the Chinese label used in the "
            "reports, the unit and the type. Open `data/warehouse/warehouse.duckdb` (read-only) or the Parquet "
            "files `data/warehouse/<table>.parquet`; example questions are in `docs/queries/`.",
            "",
            *_conventions(con),
            "## Tables",
            "",
            _row("table", "中文", "one row per", "key"),
            "|---|---|---|---|",
            *[_row(f"[`{t.name}`](#{t.name}--{t.label_zh})", t.label_zh, t.meaning, ", ".join(t.key))
              for t in TABLES.values()],
            "",
        ]
        for name in TABLES:
            lines += _table_section(con, name)
        lines += ["## Views", "",
                  "Views live inside `warehouse.duckdb` only (the Parquet files hold the tables). A view column "
                  "without a description of its own means what the column of the same name means in the table "
                  "shown under *from*.", ""]
        for view in views:
            lines += _view_section(view)
        lines += _questions()
    finally:
        con.close()
    return "\n".join(lines).rstrip() + "\n"


def write_data_dictionary(path: Path = DOCS_PATH) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_data_dictionary(), encoding="utf-8")
    return path


def main(argv: list[str]) -> int:
    if "--check" in argv:
        current = DOCS_PATH.read_text(encoding="utf-8") if DOCS_PATH.exists() else ""
        if current != render_data_dictionary():
            print(f"{DOCS_PATH} is out of date: run python -m pipeline.dictionary_docs", file=sys.stderr)
            return 1
        return 0
    print(write_data_dictionary())
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
