"""The app as gunicorn serves it in production (wsgi.py), plus one bare Flask route as a reference.

`GET /bench/bare` touches neither the database nor a template: it measures what Flask, the app's
request hooks and gunicorn cost on their own, on the very same server as the survey pages.
Served by every benchmark (benchmarks/harness/server.py); never in production.
"""

from __future__ import annotations

from participation import create_app

app = create_app()


@app.get("/bench/bare")
def bare() -> str:
    return "ok"
