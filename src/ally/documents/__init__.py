"""Documents made from plans and journals: Markdown and plain text (PDF, DOCX, iCalendar later)."""
