"""`kg serve`'s WSGI app (kg.server.app: checks, fast path, Flask) for other servers (bench only).

gunicorn -k gthread -w 2 --threads 16 bench.wsgi:app
"""

from __future__ import annotations

from kg.config import Config
from kg.server.app import create

app = create(Config.load())
