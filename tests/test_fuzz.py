"""Schemathesis fuzzes the running API from its own OpenAPI document.

It must find no server error and no answer that breaks the document, on any
operation, with a valid admin token.
"""

import re
import subprocess

import pytest

from tests.live import BIN, LiveServer, seed_with_token

pytestmark = pytest.mark.fuzz

CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
    ]
)


def test_schemathesis_finds_nothing(tmp_path):
    database_url = f"sqlite:///{tmp_path / 'fuzz.sqlite'}"
    token = seed_with_token(database_url)

    with LiveServer(database_url, workers=2, token=token) as server:
        result = subprocess.run(
            [
                BIN / "st",
                "run",
                f"{server.url}/api/openapi.json",
                "--header",
                f"Authorization: Bearer {token}",
                "--checks",
                CHECKS,
                "--max-examples",
                "20",
                "--max-time",
                "45",
                "--seed",
                "20261204",
                "--request-timeout",
                "10",
            ],
            capture_output=True,
            text=True,
            timeout=300,
            cwd=tmp_path,
        )

    (tmp_path / "schemathesis.txt").write_text(result.stdout)
    summary = result.stdout[-4000:]
    cases = re.search(r"(\d+) generated", result.stdout)
    assert cases and int(cases.group(1)) > 0, summary
    assert result.returncode == 0, summary
    print(f"schemathesis ran {cases.group(1)} cases")
