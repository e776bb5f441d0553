"""The app as a WSGI callable for running it under other servers (bench only): `bench.wsgi:app`."""

from __future__ import annotations

from kg.config import Config
from kg.web import create_app

app = create_app(Config.load())
