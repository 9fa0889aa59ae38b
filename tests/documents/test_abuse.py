"""Finding the abuse contact: RDAP against a stub server on 127.0.0.1 (no network in tests),
the manual route when offline, and XARF v4 reports checked against the core schema's rules."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from ally.documents import abuse
from ally.documents.casefile import build_casefile
from ally.documents.evidence import MemoryEvidence
from ally.documents.xarf import MAX_EVIDENCE_BYTES, NoXarfTypeError, build_xarf
from ally.errors import UsageError


def vcard(email: str, name: str) -> list[Any]:
    return [
        "vcard",
        [["version", {}, "text", "4.0"], ["fn", {}, "text", name], ["email", {}, "text", email]],
    ]


ROUTES: dict[str, Any] = {
    "/dns.json": {
        "services": [[["com", "net"], ["http://HOST/rdap/"]], [["org"], ["http://HOST/other/"]]]
    },
    "/ipv4.json": {"services": [[["192.0.2.0/24"], ["http://HOST/rdap/"]]]},
    "/ipv6.json": {"services": []},
    "/rdap/domain/bad.example.com": {
        "objectClassName": "domain",
        "entities": [
            {
                "roles": ["registrar"],
                "vcardArray": vcard("info@registrar.test", "Example Registrar"),
                "entities": [
                    {
                        "roles": ["abuse"],
                        "vcardArray": vcard("abuse@registrar.test", "Registrar Abuse"),
                    }
                ],
            }
        ],
    },
    "/rdap/ip/192.0.2.10": {
        "objectClassName": "ip network",
        "entities": [
            {"roles": ["abuse", "technical"], "vcardArray": vcard("abuse@host.test", "Host Ltd")}
        ],
    },
}


class Stub(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        host = f"127.0.0.1:{self.server.server_address[1]}"
        body = ROUTES.get(self.path)
        if body is None:
            self.send_response(404)
            self.end_headers()
            return
        data = json.dumps(body).replace("HOST", host).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/rdap+json")
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Stub)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_domain_lookup_finds_registrar_and_host(server: str) -> None:
    result = abuse.lookup(
        "https://bad.example.com/post/1", bootstrap=server, resolve=lambda name: ["192.0.2.10"]
    )
    assert result.kind == "domain" and result.target == "bad.example.com"
    assert [(c.email, c.role) for c in result.contacts] == [
        ("abuse@registrar.test", "registrar"),
        ("abuse@host.test", "network"),
    ]
    assert result.contacts[0].organisation == "Registrar Abuse"


def test_ip_lookup_with_a_given_server(server: str) -> None:
    result = abuse.lookup("192.0.2.10", server=server + "/rdap/")
    assert [c.email for c in result.contacts] == ["abuse@host.test"]


def test_unlisted_address_is_a_problem_not_a_crash(server: str) -> None:
    result = abuse.lookup("198.51.100.7", bootstrap=server)
    assert not result.contacts and result.problems


def test_offline_gives_the_manual_route() -> None:
    with pytest.raises(abuse.AbuseLookupError) as caught:
        abuse.lookup("bad.example.com", bootstrap="http://127.0.0.1:9/", resolve=lambda n: [])
    assert "RFC 2142" in str(caught.value) and "RIPEstat" in str(caught.value)


def test_only_https_except_on_this_computer() -> None:
    with pytest.raises(abuse.AbuseLookupError, match="HTTPS"):
        abuse.http_fetch("http://rdap.example.com/domain/x.com")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("Example.COM.", ("domain", "example.com")),
        ("https://user@bücher.example/path?q=1", ("domain", "xn--bcher-kva.example")),
        ("[2001:db8::1]", ("ip", "2001:db8::1")),
        ("192.0.2.1", ("ip", "192.0.2.1")),
    ],
)
def test_classify(given: str, expected: tuple[str, str]) -> None:
    assert abuse.classify(given) == expected


@pytest.mark.parametrize("bad", ["", "localhost", "not a domain", "a..b", "http://"])
def test_classify_rejects(bad: str) -> None:
    with pytest.raises(UsageError):
        abuse.classify(bad)


def test_bootstrap_prefers_the_longest_match() -> None:
    data = {"services": [[["uk"], ["https://a/"]], [["co.uk"], ["https://b/"]]]}
    assert abuse.bootstrap_base(data, "dns", "x.co.uk") == "https://b/"
    assert abuse.bootstrap_base({"junk": 1}, "dns", "x.uk") is None


# --- XARF -------------------------------------------------------------------------------------

SCHEMAS = Path(__file__).resolve().parents[1] / "fixtures" / "xarf" / "v4"
"""The published X-ARF v4 schemas (MIT, see tests/fixtures/xarf/LICENSE and SOURCE.md)."""


def master_validator() -> jsonschema.Draft202012Validator:
    """The X-ARF v4 master schema, which admits only the category/type pairs it defines."""
    from referencing import Registry, Resource

    documents = [
        json.loads(p.read_text()) for p in [*SCHEMAS.glob("*.json"), *SCHEMAS.glob("types/*.json")]
    ]
    registry: Registry = Registry().with_resources(
        (doc["$id"], Resource.from_contents(doc)) for doc in documents
    )
    master = json.loads((SCHEMAS / "xarf-v4-master.json").read_text())
    return jsonschema.Draft202012Validator(
        master, registry=registry, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def test_the_master_schema_rejects_a_made_up_type(journal: MemoryEvidence) -> None:
    """The check can fail: the type Ally used before ("harassment") is not an allowed pair."""
    case = build_casefile(journal, zone=dt.UTC)
    report = build_xarf(
        case, source_identifier="x.test", links=["https://x.test/1"], reporter_email="a@b.test"
    )
    master_validator().validate(report)
    report["type"] = "harassment"
    assert not master_validator().is_valid(report)


def test_harassment_that_exposes_nothing_gets_no_xarf_file() -> None:
    journal = MemoryEvidence()
    journal.add(
        "incident",
        {"when": {"start": "2026-03-02T14:30:00+00:00"}, "what": "A post calls me a liar."},
    )
    case = build_casefile(journal, zone=dt.UTC)
    with pytest.raises(NoXarfTypeError, match="no type for harassment"):
        build_xarf(
            case, source_identifier="x.test", links=["https://x.test/1"], reporter_email="a@b.test"
        )


def test_xarf_report_validates_against_the_master_schema(journal: MemoryEvidence) -> None:
    case = build_casefile(journal, zone=dt.UTC)
    report = build_xarf(
        case,
        source_identifier="bad.example.com",
        links=["https://bad.example.com/post/1"],
        reporter_email="alex@example.org",
        source=journal,
        include_images=True,
    )
    master_validator().validate(report)
    assert (report["category"], report["type"]) == ("content", "exposed_data")
    assert report["data_types"] == ["personal_information"]
    assert report["url"] == "https://bad.example.com/post/1"
    assert report["reporter"]["domain"] == "example.org"
    assert report["timestamp"] == "2026-03-02T14:30:00Z"
    for item in report["evidence"]:
        data = base64.b64decode(item["payload"])
        assert item["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
        assert item["size"] == len(data) <= MAX_EVIDENCE_BYTES
    assert [item["content_type"] for item in report["evidence"]] == [
        "text/plain",
        "image/jpeg",
        "image/jpeg",
    ]
    for item in report["evidence"][1:]:
        data = base64.b64decode(item["payload"])
        assert b"SecretCam" not in data and b"Exif" not in data, "no camera or GPS metadata"
        assert "original's SHA-256 is" in item["description"]
    assert "bad.example.com/post/1" in base64.b64decode(report["evidence"][0]["payload"]).decode()
    json.dumps(report)


def test_xarf_has_no_images_unless_asked(journal: MemoryEvidence) -> None:
    case = build_casefile(journal, zone=dt.UTC)
    report = build_xarf(
        case,
        source_identifier="192.0.2.10",
        links=["https://x.test/"],
        reporter_email="a@b.test",
        source=journal,
    )
    assert [item["content_type"] for item in report["evidence"]] == ["text/plain"]
    assert "domain" not in report and report["reporter"]["org"] == "Private individual"


@pytest.mark.parametrize(
    ("email", "links"),
    [(None, ["https://x.test/"]), ("not-an-email", ["https://x.test/"]), ("a@b.test", [])],
)
def test_xarf_needs_a_reply_address_and_a_link(
    journal: MemoryEvidence, email: str | None, links: list[str]
) -> None:
    case = build_casefile(journal, zone=dt.UTC)
    with pytest.raises(UsageError) as caught:
        build_xarf(case, source_identifier="x.test", links=links, reporter_email=email)
    assert re.search(r"details file", str(caught.value))
