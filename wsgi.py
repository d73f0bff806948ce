"""WSGI entry point: ``gunicorn wsgi:app``, or PythonAnywhere's ``application``.

Uses the production settings unless ``HELPDESK_CONFIG`` names others.
"""

import os

from app import create_app

app = create_app(os.environ.get("HELPDESK_CONFIG") or "production")
application = app
