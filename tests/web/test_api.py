"""The JSON API: the same engine as the CLI, and schemathesis finds no server errors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from starlette.testclient import TestClient

from ally.knowledge.answers import normalise_answers
from ally.knowledge.interview import Interview
from ally.knowledge.loader import load_pack
from ally.web import create_app
from tests.web.conftest import make_config


@pytest.fixture(scope="module")
def api_app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    return create_app(make_config(tmp_path_factory.mktemp("api") / "web.sqlite3"))


@pytest.fixture
def client(api_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(api_app) as client:
        yield client


def test_packs_are_listed(client: TestClient) -> None:
    packs = client.get("/api/packs").json()
    assert {"us", "generic"} <= {pack["id"] for pack in packs}


def test_questions_of_a_pack(client: TestClient) -> None:
    questions = client.get("/api/packs/us/questions").json()
    assert "federal_employee" in {question["id"] for question in questions}
    assert client.get("/api/packs/nowhere/questions").status_code == 404


def test_the_plan_is_the_engines_plan(client: TestClient) -> None:
    answers = {"in_danger_now": "no", "context": ["work"]}
    response = client.post(
        "/api/plan", json={"pack": "us", "answers": answers, "today": "2026-11-25"}
    )
    assert response.status_code == 200
    pack = load_pack("us")
    expected = Interview(pack, normalise_answers(pack, answers)).plan(dt.date(2026, 11, 25))
    assert response.json() == expected.model_dump(mode="json")


def test_bad_answers_are_a_clear_422(client: TestClient) -> None:
    response = client.post("/api/plan", json={"pack": "us", "answers": {"nonsense": 1}})
    assert response.status_code == 422
    assert "is not a question" in response.json()["detail"]


def test_the_api_sets_no_cookie(client: TestClient) -> None:
    assert "set-cookie" not in client.post("/api/plan", json={"pack": "us"}).headers


def test_the_openapi_document_is_served_without_third_party_docs(client: TestClient) -> None:
    assert client.get("/api/openapi.json").json()["info"]["title"] == "Ally"
    assert client.get("/docs").status_code == 404
    assert client.get("/redoc").status_code == 404


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_server_errors_anywhere_in_the_api(api_app: FastAPI, mode: GenerationMode) -> None:
    """Schemathesis generates requests from the OpenAPI document; every check must pass.

    (Driven through Hypothesis directly: schemathesis' pytest plugin does not load on pytest 9.)
    """
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", api_app)
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) == 4
    for operation in operations:
        raw = operation.definition.raw
        if mode is GenerationMode.NEGATIVE and not (
            raw.get("parameters") or raw.get("requestBody")
        ):
            continue  # nothing to get wrong in a request without inputs

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
        def check(case: schemathesis.Case) -> None:  # type: ignore[type-arg]
            case.call_and_validate()

        check()


def test_today_far_in_the_future_is_not_a_server_error(client: TestClient) -> None:
    body = {"pack": "us", "answers": {"last_incident": "9999-12"}, "today": "9999-12-31"}
    assert client.post("/api/plan", json=body).status_code in (200, 422)
