"""The terminal's consoles: everything Ally prints is shown exactly as it is.

Journal entries, imported messages, file names, letters and directory records are text the
person (or the person harassing them) wrote. Rich would read ``[bold]``, ``[link=...]`` or
``:emoji:`` in them as markup and change what is shown: a harasser's message could hide a
link, and a file called ``photo[1].jpg`` would lose part of its name. So these consoles never
interpret markup, emoji codes or patterns; where Ally itself wants a style, it says so with
:func:`styled`, which keeps every piece of text literal.
"""

from __future__ import annotations

from rich.console import Console
from rich.text import Text


def literal_console(stderr: bool = False) -> Console:
    """A console that prints strings literally (no markup, no emoji codes, no highlighting)."""
    return Console(stderr=stderr, markup=False, emoji=False, highlight=False)


def styled(*parts: str | tuple[str, str]) -> Text:
    """Text made of pieces, each literal text or (literal text, Rich style)."""
    return Text.assemble(*parts)
