"""Documents made from plans and journals: Markdown, plain text and, later, PDF, DOCX and iCalendar."""
