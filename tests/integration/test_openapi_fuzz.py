"""Every operation of the OpenAPI document, fuzzed by schemathesis: no input gives a 5xx.

The document is the one the app serves at ``/schema/openapi.json``; the requests go to the
same app over the real embedded store, with the API token, so generated values reach the
validators and the queries behind them (a missing token would stop them all at 401).
Hypothesis draws a bounded number of examples per operation so the test stays short.

Not ``schemathesis.openapi.from_asgi``: schemathesis 4 keeps an ASGI app's lifespan
running until the process exits, which would leave this test's embedded store open for
the rest of the suite. The document is fetched and the cases are sent through a Litestar
test client whose lifespan ends with the module.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from litestar.testing import TestClient
from schemathesis.generation.case import Case

from rum_server.app import create_app
from tests.conftest import make_settings

API_TOKEN = "fuzz-test-token"


@pytest.fixture(scope="module")
def app_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient[Any]]:
    """The whole app on an empty embedded store; its lifespan runs once for every case."""
    data_dir = tmp_path_factory.mktemp("openapi-fuzz") / "data"
    app = create_app(make_settings(data_dir, api_token=API_TOKEN))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture(scope="module")
def served_schema(app_client: TestClient[Any]) -> Any:
    response = app_client.get("/schema/openapi.json")
    assert response.status_code == 200
    return schemathesis.openapi.from_dict(response.json())


schema = schemathesis.pytest.from_fixture("served_schema")


def send(client: TestClient[Any], case: Case) -> int:
    """The case's request through the app's own test client; its status code."""
    request = case.as_transport_kwargs(
        base_url=str(client.base_url), headers={"Authorization": f"Bearer {API_TOKEN}"}
    )
    body = request.pop("data", None)
    assert not request.pop("cookies", None), "the API takes no cookies"
    response = client.request(
        request.pop("method"),
        request.pop("url"),
        headers=request.pop("headers", None),
        params=request.pop("params", None),
        json=request.pop("json", None),
        content=body.encode() if isinstance(body, str) else body,
    )
    assert not request, f"request fields not sent: {sorted(request)}"
    return response.status_code


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_generated_request_gets_a_server_error(case: Case, app_client: TestClient[Any]) -> None:
    status = send(app_client, case)
    assert status < 500, f"{status} for {case.as_curl_command()}"
