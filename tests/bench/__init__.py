"""Tandem's benchmarks: figures against targets, printed as a table.

Run them all with `.venv/bin/python -m tests.bench` (see the README); one with
`--only start`. They are not tests: pytest does not collect them, and a missed
target is reported, not failed.
"""
