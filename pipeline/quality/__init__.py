"""Data quality: two kinds of check, kept apart on purpose.

* ``integrity``: the pipeline's contract (keys, vocabularies, ranges, every row
  has its project), as Great Expectations suites in ``expectations/*.json``.
  Blocking: a failure means the warehouse is not published.
* ``findings``: the reports' own arithmetic (execution rates, sums, grades, ...),
  recorded row by row in the ``quality_findings`` table. Never blocking.

``data_docs`` renders the latest validation of every suite as HTML. Nothing
here imports Great Expectations at module level (it takes seconds).
"""
