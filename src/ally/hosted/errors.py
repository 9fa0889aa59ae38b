"""Errors of hosted mode. Messages say what to do and never name an account or its data."""

from __future__ import annotations

import math

from ally.errors import AllyError


class HostedError(AllyError):
    """Something about accounts or organisations needs attention."""


class SignInError(HostedError):
    """The sign-in was refused. One message for every cause, so it reveals nothing."""

    def __init__(self) -> None:
        super().__init__(
            "That name, password or code is not right. Nothing was changed. Check for typos "
            "and Caps Lock; codes change every 30 seconds."
        )


class SignInThrottledError(HostedError):
    """Too many failed sign-ins from here or for this name: wait ``retry_after`` seconds."""

    def __init__(self, retry_after: float) -> None:
        self.retry_after = max(1, math.ceil(retry_after))
        super().__init__(
            "Too many sign-ins failed. Nothing was tried. Wait a few minutes and try again."
        )


class SignUpClosedError(HostedError):
    """The organisation does not let people create their own accounts."""

    def __init__(self) -> None:
        super().__init__(
            "This organisation does not let people create their own accounts. Ask an "
            "advocate there to invite you."
        )


class NameTakenError(HostedError):
    """The sign-in name is already used in this organisation."""

    def __init__(self) -> None:
        super().__init__("That sign-in name is taken. Choose another one.")


class WeakPasswordError(HostedError):
    """The password is too short (or too long to be a password)."""


class OrganisationExistsError(HostedError):
    """An organisation with this name or short name already exists."""


class NoSuchOrganisationError(HostedError):
    """No organisation has this short name."""

    def __init__(self) -> None:
        super().__init__("There is no organisation with that short name. Check the address.")


class HostedDatabaseError(HostedError):
    """Hosted mode needs PostgreSQL (SQLite serves tests and one person only)."""


class InvitationError(HostedError):
    """The invitation link was used already, withdrawn, has expired, or never existed."""

    def __init__(self) -> None:
        super().__init__(
            "This invitation link does not work any more: it was used already, withdrawn, or "
            "it expired. Ask the person who invited you for a new link."
        )


class NotAllowedError(HostedError):
    """This account may not do that (wrong role, or another organisation's account)."""

    def __init__(self) -> None:
        super().__init__("Your account cannot do that. Nothing was changed.")


class CodeNotRightError(HostedError):
    """The code from the authenticator app did not match the secret being set up."""

    def __init__(self) -> None:
        super().__init__(
            "That code is not right. Check that the app shows Ally's code and type the six "
            "digits it shows now; codes change every 30 seconds."
        )
