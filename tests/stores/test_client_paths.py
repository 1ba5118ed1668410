"""Issue 13, through the command line: every command that talks to an endpoint the user names
(query --endpoint, validate --endpoint, push --gsp, links check, links suggest) takes http(s)
URLs only, stops at its --timeout however slowly the server trickles its answer, and follows no
redirect to another origin or from POST to GET. Each failure is one line and exit code 2.
"""

from __future__ import annotations

import time

import pytest
from click.testing import CliRunner
from local_http import answers, local_servers, redirects, trickle

from imet_kg.cli import cli

COMMANDS = {
    "query": ["query", "purposes", "--endpoint"],
    "validate": ["validate", "--endpoint"],
    "push": ["push", "--gsp"],
    "links check": ["links", "check", "--endpoint"],
    "links suggest": ["links", "suggest", "--endpoint"],
}


@pytest.fixture
def start():
    with local_servers() as start:
        yield start


def run(name: str, url: str, *options: str, out=None) -> tuple[str, object]:
    """Run a command against ``url``; return its one error line (checked) and the result."""
    args = [*COMMANDS[name], url, *options]
    if name == "links suggest":
        args += ["--out", str(out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("imet-kg: error: ")]
    assert len(errors) == 1 and "Traceback" not in result.output, result.output
    return errors[0], result


# The shortest timeout each command takes (links asks for at least a second of Wikidata).
SHORTEST_TIMEOUT = {"query": "0.5", "validate": "0.5", "push": "0.5"}


@pytest.mark.parametrize("name", list(COMMANDS))
def test_a_trickling_server_is_cut_off_at_the_timeout(start, name, tmp_path):
    requested: list[float] = []
    slow = trickle(every=0.25)

    def respond(handler):
        requested.append(time.monotonic())
        return slow(handler)

    server = start(respond)  # ~30 s at one byte per 0.25 s if each read had its own timeout
    timeout = SHORTEST_TIMEOUT.get(name, "1")
    error, _ = run(name, server.url(), "--timeout", timeout, out=tmp_path / "review.ttl")
    assert time.monotonic() - requested[0] < 3  # from the request, not counting the graph's load
    assert error.endswith(f"no answer within {timeout} s (timed out)"), error
    assert not (tmp_path / "review.ttl").exists()


@pytest.mark.parametrize("name", list(COMMANDS))
@pytest.mark.parametrize("url", ["file:///etc/passwd", "data:,x", "ftp://127.0.0.1/sparql"])
def test_only_http_urls(name, url, tmp_path):
    error, _ = run(name, url, out=tmp_path / "review.ttl")
    assert error == f"imet-kg: error: {url}: not an http:// or https:// URL"


def test_credentials_never_follow_a_redirect_to_another_origin(start):
    elsewhere = start(answers())
    endpoint = start(redirects(elsewhere.url(), 302))
    for name in ("query", "validate"):
        error, _ = run(name, endpoint.url(), "--user", "u", "--password", "p")
        assert f"redirected to {elsewhere.url()} (HTTP 302): another origin" in error
    error, _ = run("push", endpoint.url(), "--user", "u", "--password", "p")
    assert "HTTP 302" in error and "not followed" in error
    assert elsewhere.seen == []


def test_links_check_does_not_turn_its_post_into_a_get(start):
    server = start(redirects("/moved", 302))
    error, _ = run("links check", server.url())
    assert "would turn the POST into a GET: not followed" in error
    assert [r["method"] for r in server.seen] == ["POST"]
