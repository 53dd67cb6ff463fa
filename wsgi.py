"""WSGI entry point: `gunicorn wsgi:app` (settings in gunicorn.conf.py)."""
import gc

from app import create_app

app = create_app()
# Everything built at start-up (modules, the app, templates) lives as long as the worker: moved
# out of the cyclic collector's reach, so its full collections stop walking ~160,000 objects
# in the middle of requests.
gc.freeze()
