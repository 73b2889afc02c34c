"""The parts of benchmarks/needs_map.py, by what they do.

data: the generated responses and answers; load: writing them (and the follow-up survey, the forum
session) into the database; floor: the hand-written SQL the page is measured against; pages: the staff
pages over HTTP; inprocess: the page's work and the tally timed inside this process.
"""
