"""Hosted mode: organisations, their staff and the people they help, each with a journal.

The core of the hosted web app and of ``ally admin``, with no web code: accounts and
organisations (:mod:`.accounts`), password hashing (:mod:`.passwords`), the second factor
(:mod:`.totp`), sessions kept in the database (:mod:`.sessions`) and sign-in throttling.
See "Hosted mode" in ``docs/architecture.md`` and ``docs/threat-model.md``.
"""
