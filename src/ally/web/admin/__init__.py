"""The organisation's admin pages (hosted mode): staff, invitations, counts, settings and
the audit log. A thin shell over :mod:`ally.hosted.admin`; :mod:`.gate` lets in only a
signed-in admin who gave a TOTP code, and every query is limited to their organisation.
An admin sees numbers, never a person's answers, journal or what they shared.
"""
