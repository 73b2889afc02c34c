"""Benchmarks, run by hand (not part of the test suite); each module's docstring says how."""
