"""The run-dependent columns the integrity suites check, computed with Arrow before
validation (see ``pipeline.quality.integrity``): ``project_exists``, ``category_path``
and ``duplicate_has_original``. The suites stay static JSON; what depends on the run
(its projects and their templates) enters here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.quality.frames import frame
from pipeline.vocabulary import TREES, level2_paths

#: Tables whose rows must name a project of the run (their ``project_exists`` column).
NEEDS_PROJECTS = ("funds", "indicators", "scores", "parse_notes", "quality_findings")
#: The columns of the run's projects these columns read (``context["projects"]``).
PROJECT_CONTEXT_COLUMNS = ["project_id", "template"]


def _strings(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    """One column as a plain Arrow string array (chunks combined, dictionaries decoded)."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    return column if column.type == pa.string() else pc.cast(column, pa.string())


def arrow_table(data: pa.Table | pd.DataFrame, table_name: str | None = None) -> pa.Table:
    """Warehouse data as Arrow; a DataFrame first gets float decimals and plain categories."""
    if isinstance(data, pa.Table):
        return data
    return pa.Table.from_pandas(frame(data, table_name), preserve_index=False)


def _projects(context: dict | None) -> pa.Table | None:
    projects = (context or {}).get("projects")
    if projects is None:
        return None
    if isinstance(projects, pd.DataFrame):
        projects = projects[PROJECT_CONTEXT_COLUMNS]
    return arrow_table(projects).select(PROJECT_CONTEXT_COLUMNS)


def _project_ids(context: dict | None) -> pa.Array | None:
    projects = _projects(context)
    if projects is not None:
        return pc.drop_null(_strings(projects["project_id"]))
    ids = (context or {}).get("project_ids")
    return pa.array(list(ids), pa.string()) if ids is not None else None


def _last_wins(keys: pa.Array, values: pa.Array) -> tuple[pa.Array, pa.Array]:
    """Both arrays reversed: a lookup of a repeated key then finds its last value, as in a dict."""
    order = pa.array(np.arange(len(keys) - 1, -1, -1, dtype=np.int64))
    return keys.take(order), values.take(order)


def _templates(context: dict | None) -> tuple[pa.Array, pa.Array] | None:
    """(project ids, their templates) as a lookup, or None when the run's templates are unknown."""
    projects = _projects(context)
    if projects is not None:
        return _last_wins(_strings(projects["project_id"]), _strings(projects["template"]))
    templates = (context or {}).get("project_templates")
    if templates is None:
        return None
    return pa.array(list(templates), pa.string()), pa.array(list(templates.values()), pa.string())


def project_exists(project_id: pa.Array, ids: pa.Array) -> pa.Array:
    """True / False per row; null where the project_id is null (GX skips nulls: not_null reports them)."""
    exists = pc.is_in(project_id, value_set=ids, skip_nulls=True)
    if project_id.null_count:
        exists = pc.if_else(pc.is_null(project_id), pa.scalar(None, pa.bool_()), exists)
    return exists


def with_derived_columns(table_name: str, table: pa.Table, context: dict | None) -> pa.Table:
    """The table plus the run-dependent columns its suite checks."""
    if table_name in NEEDS_PROJECTS:
        ids = _project_ids(context)
        if ids is None:
            raise ValueError(f"validate_table({table_name!r}) needs context['projects'] or context['project_ids']")
        table = table.append_column("project_exists", project_exists(_strings(table["project_id"]), ids))
    if table_name == "indicators":
        table = table.append_column("category_path", category_paths(table, _templates(context)))
    if table_name == "source_files":
        table = table.append_column("duplicate_has_original", duplicate_has_original(table))
    return table


def duplicate_has_original(table: pa.Table) -> pa.Array:
    """A row that is not a duplicate, or a duplicate naming its original."""
    not_duplicate = pc.fill_null(pc.not_equal(_strings(table["status"]), "duplicate"), True)
    return pc.or_(not_duplicate, pc.is_valid(_strings(table["duplicate_of"])))


def _admitting_template() -> dict[str, str]:
    """``level1|level2`` -> a template whose vocabulary admits it (for runs without templates)."""
    admits: dict[str, str] = {}
    for template in TREES:
        for pair in level2_paths(template):
            admits.setdefault(pair, template)
    return admits


def category_paths(table: pa.Table, templates: tuple[pa.Array, pa.Array] | None) -> pa.DictionaryArray:
    """``template|level1|level2`` per indicator (dictionary-encoded).

    With the projects' templates known (``context["projects"]``) the pair is
    checked against its own template's vocabulary. Without them, the pair is
    checked against the union of the templates' vocabularies (a weaker check).
    The few distinct (template, level1, level2) triples are spelled out once
    each, not once per indicator.
    """
    parts = [_codes(table["level1"]), _codes(table["level2"])]
    if templates is not None:
        parts.insert(0, _template_codes(_strings(table["project_id"]), templates))
    triples, row_triple = _distinct_rows(parts)
    admits = _admitting_template() if templates is None else {}
    paths: dict[str, int] = {}  # distinct triples may still spell the same path (null and "" levels)
    path_of_triple = []
    for values in triples:
        pair = "|".join("" if v is None else v for v in values[-2:])
        template = values[0] if templates is not None else admits.get(pair)
        path = f"{'?' if template is None else template}|{pair}"
        path_of_triple.append(paths.setdefault(path, len(paths)))
    indices = pa.array(path_of_triple, pa.int32()).take(row_triple)
    return pa.DictionaryArray.from_arrays(indices, pa.array(list(paths), pa.string()))


def _codes(column: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, list[str | None]]:
    """Integer codes of a string column and the value of each code (code 0 is null)."""
    if isinstance(column, pa.ChunkedArray):
        column = (column.unify_dictionaries() if pa.types.is_dictionary(column.type) else column).combine_chunks()
    encoded = column if pa.types.is_dictionary(column.type) else pc.dictionary_encode(_strings(column))
    codes = pc.fill_null(pc.add(pc.cast(encoded.indices, pa.int64()), 1), 0)
    return codes.to_numpy(), [None, *_strings(encoded.dictionary).to_pylist()]


def _template_codes(project_id: pa.Array, templates: tuple[pa.Array, pa.Array]) -> tuple[np.ndarray, list]:
    """The codes of each row's project template (0: unknown project or no template)."""
    known, template = templates
    codes, values = _codes(template)
    row_codes = pa.array(codes).take(pc.index_in(project_id, value_set=known, skip_nulls=True))
    return pc.fill_null(row_codes, 0).to_numpy(), values


def _distinct_rows(parts: list[tuple[np.ndarray, list]]) -> tuple[list[tuple], pa.Array]:
    """The distinct rows of several coded columns (as value tuples) and each row's index among them.

    Columns are folded in one at a time, renumbering the distinct rows after
    each, so the combined numbers stay below rows x values (no overflow).
    """
    rows: list[tuple] = [()]
    index = pa.array(np.zeros(len(parts[0][0]), dtype=np.int32))
    for codes, values in parts:
        combined = index.to_numpy().astype(np.int64) * len(values) + codes
        encoded = pc.dictionary_encode(pa.array(combined))
        rows = [(*rows[number // len(values)], values[number % len(values)])
                for number in encoded.dictionary.to_pylist()]
        index = encoded.indices
    return rows, index
