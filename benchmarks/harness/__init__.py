"""What every benchmark shares: the server, the database, the HTTP client, the forms and the report.

Each benchmark script (benchmarks/submit.py, forum.py, needs_map.py) sets up its run from these: a
temporary instance and database, the app migrated, gunicorn serving it, clients reading its pages as a
browser does, and a report that begins with the same lines about the machine.
"""
