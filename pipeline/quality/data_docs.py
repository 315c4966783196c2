"""Great Expectations Data Docs for the latest validation of every suite.

The validation results of a run (``TableValidation.result``) are stored in a
throw-away file-backed GX context whose Data Docs site writes into
``out_dir``; GX then renders its usual site: ``index.html`` listing every
suite and its latest validation, one page per suite and one per validation
result. GX pages load their CSS/JS from CDNs, so ``out_dir/summary.html`` is
also written: a self-contained page with the same outcome (suite, pass/fail,
failed expectations with counts and sample rows) that reads fine offline.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import shutil
import tempfile
from pathlib import Path

from pipeline.quality import gx_runtime
from pipeline.quality.integrity import TableValidation

SITE = "warehouse"
_GENERATED = ("index.html", "summary.html", "expectations", "validations")


def _clear(out_dir: Path) -> None:
    """Remove pages of an earlier build so only the latest validation is shown."""
    for name in _GENERATED:
        path = out_dir / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def build_data_docs(validations: dict[str, TableValidation], out_dir: Path, run_name: str | None = None) -> Path:
    """Render the Data Docs of ``validations`` into ``out_dir``; returns ``out_dir/index.html``."""
    gx = gx_runtime.gx()
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    _clear(out_dir)
    now = dt.datetime.now(dt.timezone.utc)
    run_id = RunIdentifier(run_name=run_name or f"run-{now:%Y%m%dT%H%M%SZ}", run_time=now)
    with tempfile.TemporaryDirectory(prefix="gx-docs-") as root:
        context = gx_runtime.quiet(gx.get_context(mode="file", project_root_dir=root))
        context.add_data_docs_site(
            SITE,
            {
                "class_name": "SiteBuilder",
                "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(out_dir)},
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            },
        )
        for name in sorted(validations):
            context.suites.add(gx.ExpectationSuite(**gx_runtime.suite_json(name)))
            result = validations[name].result
            if result is None:
                continue
            key = ValidationResultIdentifier(
                expectation_suite_identifier=ExpectationSuiteIdentifier(name=name),
                run_id=run_id,
                batch_identifier=name,
            )
            context.validation_results_store.set(key, result)
        context.build_data_docs(site_names=[SITE])
    write_summary(validations, out_dir / "summary.html", run_id.run_name)
    return out_dir / "index.html"


def write_summary(validations: dict[str, TableValidation], path: Path, run_name: str) -> Path:
    """A self-contained HTML page: every suite's latest outcome and its failures."""
    rows, details = [], []
    for name in sorted(validations):
        v = validations[name]
        stats = v.statistics or {}
        status = "passed" if v.success else "FAILED"
        rows.append(
            f"<tr class={'ok' if v.success else 'bad'}><td><a href='#{name}'>{html.escape(name)}</a></td>"
            f"<td>{status}</td><td>{v.row_count}</td><td>{stats.get('evaluated_expectations', '')}</td>"
            f"<td>{stats.get('unsuccessful_expectations', '')}</td><td>{v.seconds:.2f}</td></tr>"
        )
        items = "".join(
            f"<li><b>{html.escape(f.expectation)}</b> on <code>{html.escape(str(f.column))}</code>: "
            f"{f.unexpected_count} unexpected. {html.escape(f.notes)}"
            f"<pre>{html.escape(json.dumps(f.sample, ensure_ascii=False, indent=1, default=str))}</pre></li>"
            for f in v.failures
        )
        details.append(f"<h2 id='{name}'>{html.escape(name)}: {status}</h2><ul>{items or '<li>all expectations met</li>'}</ul>")
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>Integrity checks: {html.escape(run_name)}</title>
<style>body{{font-family:sans-serif;margin:2em}}td,th{{padding:4px 10px;border-bottom:1px solid #ddd}}
tr.bad td{{background:#fde2e2}}tr.ok td{{background:#e6f6e6}}pre{{background:#f6f6f6;padding:6px}}</style></head>
<body><h1>Integrity checks (Great Expectations) — {html.escape(run_name)}</h1>
<p>Full Great Expectations Data Docs: <a href="index.html">index.html</a>.</p>
<table><tr><th>suite</th><th>result</th><th>rows</th><th>expectations</th><th>failed</th><th>seconds</th></tr>
{''.join(rows)}</table>{''.join(details)}</body></html>"""
    path.write_text(page, encoding="utf-8")
    return path
