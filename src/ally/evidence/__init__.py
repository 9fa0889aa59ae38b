"""Evidence from exports: importers for chat, SMS and email exports, and abuse detection."""
