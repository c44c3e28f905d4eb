"""Load test: the real site under many keep-alive clients answers every request (issue #15).

The site runs as in production and is served by gunicorn exactly as ``safecity serve``
configures it (``safecity.cli.serve.gunicorn_command``), with the demo assessment and an
annual statement published. Clients (``tests/support/web_load.py``) mix observatory pages
and downloads, API calls, the API docs and the statement page and PDF on keep-alive
connections, and now and then sit idle longer than gunicorn's default keep-alive (2 s) with
their connection open, then reuse it. Every request must be answered 200: no reset, no
connection closed under a client, no 5xx or 429. Timings are printed, never asserted (they
depend on the machine); ``bench/bench_web.py`` measures them against the targets.

The default run has 20 clients for a few seconds; the 200-client run is a stress test
(``bash scripts/stress``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from web_load import STATIC_BASELINE, Endpoint, Idle, drive, endpoints, milliseconds, warm_up
from web_load import publish_statement as publish_statement_on
from web_server import running_site

from safecity.cli.serve import DEFAULT_THREADS, DEFAULT_WORKERS, gunicorn_command

IDLE = Idle(every=6, seconds=2.5)
"""Longer than gunicorn's default keep-alive of 2 s, which closed such connections."""


def _load(*, artefact: Path, clients: int, seconds: float) -> None:
    with running_site(
        assessment=artefact,
        server_command=lambda port: gunicorn_command(
            host="127.0.0.1", port=port, workers=DEFAULT_WORKERS, threads=DEFAULT_THREADS
        ),
    ) as site:
        assert publish_statement_on(site) > 1000  # a real PDF was rendered and stored
        mix = endpoints(artefact)
        warm_up(site, [Endpoint(STATIC_BASELINE, STATIC_BASELINE), *mix])
        baseline, _ = drive(
            site=site,
            mix=[Endpoint(STATIC_BASELINE, STATIC_BASELINE)],
            clients=clients,
            seconds=2.0,
        )
        samples, wall = drive(site=site, mix=mix, clients=clients, seconds=seconds, idle=IDLE)
        every = samples.every_latency()
        static = baseline.latencies[STATIC_BASELINE]
        print(
            f"{clients} clients, {len(every)} requests in {wall:.1f} s: p50 "
            f"{milliseconds(every, 50):.0f} ms, p95 {milliseconds(every, 95):.0f} ms; static "
            f"file p95 {milliseconds(static, 95):.0f} ms; errors {dict(samples.failures)}"
        )
        assert baseline.error_count() == 0, dict(baseline.failures)
        assert samples.error_count() == 0, (
            dict(samples.failures),
            "\n".join(
                line
                for line in site.server_log().splitlines()
                if '"GET ' not in line and '"HEAD ' not in line
            )[-3000:],
        )
        answered = {name: len(values) for name, values in samples.latencies.items()}
        assert set(answered) == {endpoint.name for endpoint in mix}
        assert all(count > 0 for count in answered.values()), answered


def test_twenty_keep_alive_clients_get_every_answer(demo_artefact: Path) -> None:
    _load(artefact=demo_artefact, clients=20, seconds=6.0)


@pytest.mark.stress
def test_two_hundred_keep_alive_clients_get_every_answer(demo_artefact: Path) -> None:
    _load(artefact=demo_artefact, clients=200, seconds=30.0)
