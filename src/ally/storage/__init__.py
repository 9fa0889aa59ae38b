"""Databases: SQLite on a person's own computer, PostgreSQL for hosted use, one interface."""
