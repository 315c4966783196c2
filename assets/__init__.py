"""The Dagster layer: wires the pure functions of ``pipeline`` into assets,
asset checks, schedules and sensors. No parsing or business logic lives here."""

import pipeline  # noqa: F401,E402 - chooses Arrow's memory pool before pyarrow is imported
