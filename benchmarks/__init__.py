"""Benchmarks of issue 7: a generator of labelled-synthetic figures and the measurements in docs/benchmarks.md."""
