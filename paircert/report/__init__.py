"""Turns a suite run into artifacts: pytest-html columns and summary, per-test extras, results.json."""
