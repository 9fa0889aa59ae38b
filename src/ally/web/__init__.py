"""Ally's web app: server-rendered pages for the person, a JSON API, nothing from other sites.

Layout: ``app`` builds the app; ``person/`` holds the person-facing pages (one module per
topic); ``api/`` the JSON API; ``sessions``/``sealing`` keep answers server-side and sealed;
``security`` sets the headers every response gets; ``i18n`` and ``translations/`` the
languages; ``templates/`` and ``static/`` what the browser sees.
"""

from __future__ import annotations

from ally.web.app import create_app
from ally.web.config import WebConfig

__all__ = ["WebConfig", "create_app"]
