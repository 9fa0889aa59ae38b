"""The evidence report as PDF.

``render_pdf`` typesets with Typst (``report_typst``): about fifty times faster than laying out
the HTML version, with a fraction of the memory (issue 17 item 11). ``render_pdf_weasyprint``
lays out the report's HTML with WeasyPrint as before; it stays for comparison
(``benchmarks/report.py``) and for anyone who wants the HTML look on paper.

WeasyPrint is given a URL fetcher that answers only ``exhibit:`` addresses, from the reduced
copies already in memory; every other address (http, file, anything a crafted entry might
smuggle in) is refused, so making a report can never touch the network or read local files.
"""

from __future__ import annotations

import logging
from typing import Any

from ally.documents.casefile import CaseFile
from ally.documents.report_html import render_html
from ally.documents.report_typst import render_pdf_typst


def _fetcher(case: CaseFile) -> Any:
    """A WeasyPrint URL fetcher that serves exhibit images from memory and refuses the rest."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    images = {exhibit.label: exhibit.display for exhibit in case.exhibits if exhibit.display}

    class ExhibitFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            display = (
                images.get(url.removeprefix("exhibit:")) if url.startswith("exhibit:") else None
            )
            if display is None:
                raise ValueError("only exhibits are served")
            return URLFetcherResponse(url, display.data, {"Content-Type": display.media_type})

    return ExhibitFetcher()


def render_pdf(case: CaseFile, paper: str = "A4") -> bytes:
    """The report as PDF bytes (typeset by Typst)."""
    return render_pdf_typst(case, paper)


def render_pdf_weasyprint(case: CaseFile, paper: str = "A4") -> bytes:
    """The report's HTML laid out by WeasyPrint: the former PDF, kept for comparison."""
    import weasyprint  # imported here: it loads Pango, which only report-making needs

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    html = weasyprint.HTML(string=render_html(case, paper), url_fetcher=_fetcher(case))
    data = html.write_pdf()
    assert isinstance(data, bytes)
    return data
