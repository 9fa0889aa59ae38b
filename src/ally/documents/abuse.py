"""Finding the abuse desk of a website's host, registrar or internet provider.

Nothing here touches the network unless the person asks for a lookup. Without one, Ally
explains the manual route (abuse@ per RFC 2142, the registrar's published abuse address, an
abuse-contact finder). With one, it asks RDAP, the structured successor of WHOIS: IANA's
bootstrap files say which registry serves a domain or address, and the registry's answer names
entities with the role "abuse". A domain gives the registrar's abuse desk; its address (looked
up in DNS only during the same request) gives the hosting network's.

The lookup sends the domain or address to IANA, the registry, and the DNS resolver. It never
sends anything about the person.
"""

from __future__ import annotations

import ipaddress
import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ally.errors import AllyError, UsageError

IANA_BOOTSTRAP = "https://data.iana.org/rdap/"
"""RFC 9224 bootstrap files: dns.json, ipv4.json, ipv6.json."""

MAX_RESPONSE = 2 * 1024 * 1024
TIMEOUT = 10.0

MANUAL_ROUTE = (
    "Most providers read abuse@ followed by their own domain (RFC 2142 asks organisations to "
    "keep that mailbox), for example abuse@example.com.",
    "For a domain name, the registrar must publish an abuse email address on its website "
    "(ICANN's registrar agreement, section 3.18); the registrar is shown by any WHOIS or RDAP "
    "lookup of the domain.",
    "For the company hosting a site or sending an email, look up its IP address with an "
    "abuse-contact finder such as RIPEstat's (stat.ripe.net/specials/abuse). The regional "
    "registries only hand out addresses: complain to the network's holder, not to them.",
    "For email, the sending server is in the full headers: the lowest 'Received:' line with "
    "a public address.",
)

FORWARD_WARNING = (
    "Hosts and providers often forward abuse reports to their customer: the person or company "
    "running the site. Anything you write, and any file you attach, may reach the person "
    "harassing you, with your name and email address. Send only what is needed, and consider "
    "using an email address that does not reveal more about you."
)


class AbuseLookupError(AllyError):
    """The lookup could not be done; the message includes the manual route."""


@dataclass(frozen=True)
class AbuseContact:
    email: str
    role: str
    """Who it is: 'registrar' for a domain, 'network' for an IP address."""
    organisation: str | None
    source: str
    """The RDAP address that gave the answer."""


@dataclass
class Lookup:
    target: str
    kind: str
    contacts: list[AbuseContact] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


Fetch = Callable[[str], Any]
Resolve = Callable[[str], list[str]]


def classify(target: str) -> tuple[str, str]:
    """('ip', '192.0.2.1') or ('domain', 'example.com') from what the person typed (a URL,
    an address or a domain); UsageError for anything else."""
    text = target.strip()
    if "://" in text:
        text = urllib.parse.urlsplit(text).hostname or ""
    text = text.strip("[]").rstrip(".").lower()
    try:
        return "ip", str(ipaddress.ip_address(text))
    except ValueError:
        pass
    try:
        name = text.encode("idna").decode("ascii")
    except UnicodeError:
        name = ""
    labels = name.split(".")
    if len(labels) < 2 or not all(
        label and len(label) < 64 and all(c.isalnum() or c == "-" for c in label)
        for label in labels
    ):
        raise UsageError(
            "That is not a domain name or IP address. Give the website's address, e.g. example.com."
        )
    return "domain", name


def manual_route() -> list[str]:
    return list(MANUAL_ROUTE)


def http_fetch(url: str, timeout: float = TIMEOUT) -> Any:
    """GET a JSON document over HTTPS (plain HTTP only to this computer, for tests)."""
    parts = urllib.parse.urlsplit(url)
    local = parts.hostname in ("127.0.0.1", "::1", "localhost")
    if parts.scheme != "https" and not (parts.scheme == "http" and local):
        raise AbuseLookupError("Ally only asks RDAP servers over HTTPS.")
    request = urllib.request.Request(
        url, headers={"Accept": "application/rdap+json, application/json", "User-Agent": "ally"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data = response.read(MAX_RESPONSE + 1)
    except urllib.error.HTTPError as error:
        raise AbuseLookupError(f"The server answered {error.code}.") from error
    except (urllib.error.URLError, OSError, TimeoutError) as error:
        raise AbuseLookupError("The lookup could not reach the server (offline?).") from error
    if len(data) > MAX_RESPONSE:
        raise AbuseLookupError("The server's answer was too large.")
    try:
        return json.loads(data)
    except ValueError as error:
        raise AbuseLookupError("The server's answer was not RDAP.") from error


def dns_resolve(name: str) -> list[str]:
    try:
        infos = socket.getaddrinfo(name, None, proto=socket.IPPROTO_TCP)
    except OSError:
        return []
    return sorted({str(info[4][0]) for info in infos})


def lookup(
    target: str,
    *,
    fetch: Fetch = http_fetch,
    resolve: Resolve = dns_resolve,
    bootstrap: str = IANA_BOOTSTRAP,
    server: str | None = None,
) -> Lookup:
    """Ask RDAP for the abuse contacts of a domain (registrar, and its addresses' networks) or
    an IP address (network). ``server`` skips the bootstrap and asks that RDAP base directly."""
    kind, name = classify(target)
    result = Lookup(target=name, kind=kind)
    if kind == "domain":
        _ask(
            result,
            fetch,
            _base(fetch, bootstrap, server, "dns", name),
            f"domain/{name}",
            "registrar",
        )
        result.addresses = resolve(name)[:4]
        addresses = result.addresses
    else:
        addresses = [name]
    for address in addresses:
        family = "ipv6" if ":" in address else "ipv4"
        _ask(
            result,
            fetch,
            _base(fetch, bootstrap, server, family, address),
            f"ip/{address}",
            "network",
        )
    if not result.contacts and not result.problems:
        result.problems.append("The registry's answer named no abuse contact.")
    return result


def _ask(result: Lookup, fetch: Fetch, base: str | None, path: str, role: str) -> None:
    if base is None:
        what = "that domain" if path.startswith("domain/") else "that address"
        result.problems.append(f"No RDAP server is listed for {what}.")
        return
    url = base.rstrip("/") + "/" + path
    try:
        answer = fetch(url)
    except AbuseLookupError as error:
        result.problems.append(str(error))
        return
    for email, organisation in abuse_entities(answer):
        contact = AbuseContact(email, role, organisation, url)
        if contact.email not in {c.email for c in result.contacts}:
            result.contacts.append(contact)


def _base(fetch: Fetch, bootstrap: str, server: str | None, registry: str, key: str) -> str | None:
    if server:
        return server
    try:
        data = fetch(bootstrap.rstrip("/") + f"/{registry}.json")
    except AbuseLookupError as error:
        raise AbuseLookupError(
            "Ally could not reach IANA's RDAP directory, so nothing was looked up. "
            + " ".join(MANUAL_ROUTE)
        ) from error
    return bootstrap_base(data, registry, key)


def bootstrap_base(data: Any, registry: str, key: str) -> str | None:
    """The RDAP base URL for a domain (longest matching TLD label) or address (its block)."""
    services = data.get("services") if isinstance(data, dict) else None
    if not isinstance(services, list):
        return None
    best: tuple[int, str] | None = None
    for service in services:
        if not (isinstance(service, list) and len(service) == 2):
            continue
        entries, urls = service
        texts = [u for u in urls if isinstance(u, str)] if isinstance(urls, list) else []
        https = [u for u in texts if u.startswith("https://")]
        if not (https or texts):
            continue
        url = (https or texts)[0]
        for entry in entries:
            score = _match(registry, str(entry), key)
            if score is not None and (best is None or score > best[0]):
                best = (score, url)
    return best[1] if best else None


def _match(registry: str, entry: str, key: str) -> int | None:
    if registry == "dns":
        entry = entry.lower().strip(".")
        if key == entry or key.endswith("." + entry):
            return entry.count(".") + 1
        return None
    try:
        network = ipaddress.ip_network(entry, strict=False)
        address = ipaddress.ip_address(key)
    except ValueError:
        return None
    if address.version == network.version and address in network:
        return network.prefixlen
    return None


def abuse_entities(answer: Any) -> list[tuple[str, str | None]]:
    """(email, organisation) of every entity with the 'abuse' role, however deeply nested."""
    found: list[tuple[str, str | None]] = []
    stack = [answer]
    while stack:
        node = stack.pop()
        if not isinstance(node, dict):
            continue
        roles = node.get("roles")
        if isinstance(roles, list) and "abuse" in roles:
            email, organisation = _vcard(node.get("vcardArray"))
            if email:
                found.append((email, organisation))
        entities = node.get("entities")
        if isinstance(entities, list):
            stack.extend(reversed(entities))
    return found


def _vcard(vcard: Any) -> tuple[str | None, str | None]:
    if not (isinstance(vcard, list) and len(vcard) == 2 and isinstance(vcard[1], list)):
        return None, None
    email = organisation = None
    for prop in vcard[1]:
        if not (isinstance(prop, list) and len(prop) >= 4 and isinstance(prop[3], str)):
            continue
        if prop[0] == "email" and email is None and "@" in prop[3]:
            email = prop[3].strip()
        elif prop[0] in ("fn", "org") and organisation is None:
            organisation = prop[3].strip() or None
    return email, organisation


def rfc2142_guess(kind: str, name: str) -> str | None:
    """abuse@ the registered domain, as a last resort (RFC 2142); None for an IP address."""
    if kind != "domain":
        return None
    return "abuse@" + ".".join(name.split(".")[-2:])
