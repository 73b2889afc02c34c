"""Benchmarks, run by hand (not part of the test suite). See benchmarks/submit.py."""
