"""Pages that need the journal open: say why, and lead to it and back again.

The evidence and document pages read the person's journal. When it is locked (or not started
yet) they show the same short explanation, with a link that opens the journal and returns
to the page the person wanted (``journal.RETURN_TO`` lists the pages allowed back).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ally.web.pages import Visit, render
from ally.web.person.journal import keeper


def journal_needed(request: Request, visit: Visit, back: str, title: str) -> Response:
    """The page explaining that ``title`` needs the journal, for a locked or missing journal."""
    reason = "unlock" if keeper(request).exists(visit.session.row) else "create"
    return render(request, visit, "journal/needed.html", reason=reason, back=back, title=title)
