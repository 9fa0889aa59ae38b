"""Accounts for a hosted Ally: sign-up, sign-in with a second factor for staff, sign-out,
and the account page with its sessions. Served only with ``ally serve --hosted``.

The rules live in :mod:`ally.hosted`; these pages are a thin shell over them, with the same
conventions as the person pages (CSRF token on every form, no caching, no data in URLs).
:mod:`.gate` decides who reaches the person pages.
"""
