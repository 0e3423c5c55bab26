"""Contract tests generated from /api/v1/openapi.json (schemathesis) against the WSGI app: no 5xx, no response
that breaks the schema (status codes, content types, headers, bodies)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from portal.app import create_app

APP = create_app()
# The API needs no Dash callbacks: skip Dash's first-request setup so the globally declared page callbacks stay
# for the app that serves pages (tests that post to /_dash-update-component build their own).
APP._got_first_request["setup_server"] = True
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", APP.server)

# Two checks judge leniency, not correctness, and are left out on purpose:
# - positive_data_acceptance: a schema-valid year without data, or a well-formed TERYT code of no unit, is a
#   400/404 that names the parameter; the schema cannot list which years and codes exist.
# - negative_data_rejection: an empty parameter (`?parent=`) means "not given", as in the portal's URLs.
EXCLUDED = [positive_data_acceptance, negative_data_rejection]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_contract(case):
    # Dynamic gzip (portal/web.py) is not undone by the WSGI client: ask for the identity encoding.
    case.call_and_validate(headers={"Accept-Encoding": "identity"}, excluded_checks=EXCLUDED)
