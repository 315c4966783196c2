"""Great Expectations in a process of its own, for a patched build.

A one-changed-file rebuild validates a few hundred rows, yet Great Expectations costs it
seconds of Python that hold the GIL: its import and context (about 2.5 CPU-seconds),
the suites (about 2.3 s, mostly per-expectation overhead) and the Data Docs (about 1 s).
In the build's own process the import competed with reading, patching and the findings,
and the rest came after them. ``ValidationProcess`` starts a process as soon as a patch is
likely (``WarehouseRun.read``): it imports GX on another core while the build works, then
validates the rows it is sent and, while the build writes its files, renders their Data
Docs. Only plain results come back (``TableValidation`` without the GX result object),
so the build's process never imports GX at all.

A full build validates every row in its own process instead: sending 1.9 million rows
to another process would cost more memory than the overlap saves, and GX's import there
overlaps the long parse anyway. The process is started with ``spawn``: it shares no
locks or threads with the build, whose parse may fork worker processes after it.

The Dagster graph validates a patched build's rows twice: each table's blocking asset
check, then the ``warehouse`` step right before it publishes. ``Validator`` (a Dagster
resource holds one per run) sends both to one process, which remembers what it validated
by the content of the rows and their projects: the second time costs nothing but the Data
Docs, rendered while the step writes its files.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import sys
import threading
import traceback
import warnings
from dataclasses import replace
from multiprocessing.connection import Connection
from pathlib import Path

import pyarrow as pa

from pipeline.quality.derived_columns import NEEDS_PROJECTS, PROJECT_CONTEXT_COLUMNS
from pipeline.quality.gx_runtime import suite_names
from pipeline.quality.integrity import TableValidation, validate_tables


class ValidationProcessFailed(RuntimeError):
    """The validation process raised (its traceback is the message) or ended (``ended``)."""

    def __init__(self, message: str, ended: bool = False):
        super().__init__(message)
        self.ended = ended


def separate_process_pays() -> bool:
    """Whether a patched build gains from the validation process: a second core can run it
    beside the build, and this process has not imported GX yet (a process that has, such
    as a test session or a long-lived caller, would only make the new one import it again)."""
    return (os.cpu_count() or 1) > 1 and "great_expectations" not in sys.modules


def _serve(conn: Connection) -> None:
    """The process: set GX up, then for each job received (until ``None``) send back the
    validations and, when the job names a folder, render their Data Docs into it and say
    when they are written. A job to ``PREPARE`` only validates (nothing is sent back: the
    validations are remembered for the job that asks for them)."""
    setup_error = None
    try:
        from tqdm import tqdm

        # GX's progress bars (disabled) take tqdm's lock, by default also a semaphore, which in a
        # spawned process is a named one that only a normal exit unregisters (not os._exit below)
        tqdm.set_lock(threading.RLock())

        from pipeline.quality.data_docs import build_data_docs
        from pipeline.quality.gx_runtime import validator

        validator()  # the import and the context: what the build's process no longer waits for
    except Exception:  # noqa: BLE001 - reported with the first job
        setup_error = traceback.format_exc()
    seen: dict[tuple[str, str, str], TableValidation] = {}
    try:
        while (job := conn.recv()) is not None:
            if job[0] == PREPARE:
                try:
                    _validated(*job[1:], seen)
                except Exception:  # noqa: BLE001 - raised again by the job that asks for them
                    pass
                continue
            if setup_error is not None:
                conn.send(("error", setup_error))
                continue
            try:
                tables, projects, docs_dir = job
                validations = _validated(tables, projects, seen)
                # without the GX result objects: they would import GX where they are unpickled
                conn.send(("ok", {name: replace(v, result=None) for name, v in validations.items()}))
                if docs_dir is not None:
                    build_data_docs(validations, docs_dir)  # while the build writes its files
                    conn.send(("ok", None))
            except Exception:  # noqa: BLE001 - the build raises it
                conn.send(("error", traceback.format_exc()))
    except EOFError:
        pass  # the build ended
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)  # files are written and closed: the interpreter's teardown would only cost time


def _validated(tables: dict[str, pa.Table], projects: pa.Table | None,
               seen: dict[tuple[str, str, str], TableValidation]) -> dict[str, TableValidation]:
    """``validate_tables(tables, projects=projects)``, each table's validation taken from
    ``seen`` when the same rows were validated with the same projects before (and added to it)."""
    projects = projects if projects is not None else tables.get("projects")
    context = "" if projects is None else content_digest(projects.select(PROJECT_CONTEXT_COLUMNS))
    validations = {}
    for name in (n for n in suite_names() if n in tables):  # in validate_tables' order
        # only the tables of NEEDS_PROJECTS read the projects (their derived columns)
        key = (name, content_digest(tables[name]), context if name in NEEDS_PROJECTS else "")
        if key not in seen:
            seen[key] = validate_tables({name: tables[name]}, projects)[name]
        validations[name] = seen[key]
    return validations


def content_digest(table: pa.Table) -> str:
    """SHA-256 of a table's column names and types and its rows, however they are chunked or
    dictionary-encoded (a table read back from an Arrow file comes in batches, each with its
    own dictionaries)."""
    plain = pa.table({name: column.cast(column.type.value_type) if pa.types.is_dictionary(column.type) else column
                      for name, column in zip(table.column_names, table.columns)}).combine_chunks()
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, plain.schema) as writer:
        writer.write_table(plain)
    return hashlib.sha256(sink.getvalue()).hexdigest()


#: The first item of a job that only validates (see ``_serve``).
PREPARE = "prepare"


def _context_of(projects: pa.Table | None) -> pa.Table | None:
    """Of the run's projects, what the suites read (all the process is sent)."""
    return projects.select(PROJECT_CONTEXT_COLUMNS) if projects is not None else None


class ValidationProcess:
    """A process that imports GX now and validates later (see the module docstring)."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child_end = context.Pipe()
        self._process = context.Process(target=_serve, args=(child_end,), name="validation", daemon=True)
        self._process.start()
        child_end.close()
        self._served = False  # an answer came: the process is past GX's import and ends when told

    def validate(self, tables: dict[str, pa.Table], projects: pa.Table | None,
                 docs_dir: Path | None = None) -> dict[str, TableValidation]:
        """``validate_tables(tables, projects=projects)`` in the process (of the projects only
        the columns the suites read are sent); with ``docs_dir`` it then renders their Data
        Docs there (``wait_for_docs``). Raises ValidationProcessFailed if it raised or ended."""
        self._send((tables, _context_of(projects), docs_dir))
        return self._receive()

    def prepare(self, tables: dict[str, pa.Table], projects: pa.Table | None) -> None:
        """Have the process validate ``tables`` now, without waiting: a later ``validate`` of
        the same rows with the same projects gets what it found (an error is raised then)."""
        self._send((PREPARE, tables, _context_of(projects)))

    def wait_for_docs(self) -> None:
        """Until the Data Docs of the last validation are written (see ``validate``)."""
        self._receive()

    def _send(self, job: tuple) -> None:
        try:
            self._conn.send(job)
        except OSError as exc:
            raise self._ended() from exc

    def _receive(self):
        try:
            status, payload = self._conn.recv()
        except (EOFError, OSError) as exc:
            raise self._ended() from exc
        self._served = True
        if status != "ok":
            raise ValidationProcessFailed(payload)
        return payload

    def _ended(self) -> ValidationProcessFailed:
        self._process.join(timeout=1)
        return ValidationProcessFailed(f"the validation process ended (exit code {self._process.exitcode})", ended=True)

    def close(self) -> None:
        """End the process: told to once it has served, else (still importing GX) stopped."""
        if self._served:
            try:
                self._conn.send(None)
            except OSError:
                pass
            self._process.join(timeout=2)
        self._conn.close()
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()


class Validator:
    """Runs a run's integrity suites: in this process, or, when ``apart``, the rows of a
    patched build in a ``ValidationProcess`` started at once (GX is imported there while the
    run works; every row of a full build is still validated here: see the module docstring)."""

    def __init__(self, apart: bool = False) -> None:
        self._process = ValidationProcess() if apart else None
        self._docs_pending = False

    @property
    def apart(self) -> bool:
        return self._process is not None

    def validate(self, tables: dict[str, pa.Table], projects: pa.Table | None, docs_dir: Path | None = None,
                 patched: bool = False) -> dict[str, TableValidation]:
        """``validate_tables(tables, projects=projects)``, with ``docs_dir`` their Data Docs
        rendered there too (``docs_written`` says when); in the process if the rows are a
        ``patched`` build's and there is one."""
        if self._process is not None and patched:
            try:
                validations = self._process.validate(tables, projects, docs_dir)
            except ValidationProcessFailed as failed:
                if not failed.ended:
                    raise
                # (killed, out of memory, or never started: e.g. spawned from a script that
                # runs itself again when imported) the rows are validated here instead
                warnings.warn(f"{failed}: validating in this process", RuntimeWarning, stacklevel=2)
                self.close()
            else:
                self._docs_pending = docs_dir is not None
                return validations
        validations = validate_tables(tables, projects=projects)
        if docs_dir is not None:
            from pipeline.quality.data_docs import build_data_docs  # (imports GX)

            build_data_docs(validations, docs_dir)
        return validations

    def prepare(self, tables: dict[str, pa.Table], projects: pa.Table | None, patched: bool = False) -> None:
        """Start validating a ``patched`` build's rows in the process, if there is one, while
        the caller goes on; ``validate`` of the same rows gets the result (see ``ValidationProcess.prepare``)."""
        if self._process is not None and patched:
            try:
                self._process.prepare(tables, projects)
            except ValidationProcessFailed:
                pass  # (validate says so, and validates here)

    def docs_written(self) -> None:
        """Until the Data Docs of the last ``validate`` are written."""
        if self._docs_pending:
            self._docs_pending = False
            self._process.wait_for_docs()

    def close(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            process.close()
