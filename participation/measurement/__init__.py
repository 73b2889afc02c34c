"""Shared measurement: indicators per vision goal, their values per term and the turn-the-curve chart."""
