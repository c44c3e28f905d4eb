"""Benchmark: the web site under 20 concurrent clients on loopback (issue #6).

The real site is started as in production (``tests/support/web_server.py``): gunicorn
(2 workers x 4 threads), the production settings (DEBUG off, WhiteNoise manifest static files),
PostgreSQL in a throwaway cluster, with the demo city's Assessment artefact published. Then
``--clients`` threads, each with its own keep-alive ``http.client`` connection, request a mix of
observatory pages and API calls round-robin for ``--seconds`` seconds, after a warm-up pass
that is not counted.

Baseline, measured in the same run through the same server and clients: a trivial static file
(``/static/safecity/site.css``, served by WhiteNoise from memory-mapped files without touching
Django's views or the database) under the same concurrency. Each endpoint's p95 is printed as
a ratio to the static file's p95: how much slower a real page is than the cheapest request the
stack can answer.

Target (issue #6): p95 over the whole mix under 300 ms and no errors (every answer 200); the
script exits with status 1 otherwise.

Usage::

    python bench/bench_web.py                       # builds the demo assessment first (~15 s)
    python bench/bench_web.py --seconds 60 --assessment demo/assessment
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "support"))
from shared_demo import build_demo_assessment
from web_server import RunningSite, running_site

P95_TARGET_MS = 300.0
STATIC_BASELINE = "/static/safecity/site.css"
WARM_UP_ROUNDS = 3


@dataclass(frozen=True)
class Endpoint:
    """One URL of the mix, with a short name for the table."""

    name: str
    path: str


@dataclass
class Samples:
    """Latencies (seconds) and failures per endpoint name, merged from every client."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    failures: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def merge(self, other: Samples) -> None:
        with self.lock:
            for name, values in other.latencies.items():
                self.latencies[name].extend(values)
            for name, counter in other.failures.items():
                self.failures[name].update(counter)


def _indicator_and_ward(assessment: Path) -> tuple[str, str, str]:
    """An indicator id, the CSP code and a ward code from the artefact's public indicators."""
    table = pd.read_csv(assessment / "public" / "indicators.csv", dtype=str)
    csp = table.loc[table["area_level"] == "csp"]
    indicator = "all_crime" if "all_crime" in set(csp["indicator_id"]) else csp["indicator_id"][0]
    wards = table.loc[(table["area_level"] == "ward") & (table["indicator_id"] == indicator)]
    return indicator, str(csp["area_code"].iloc[0]), str(wards["area_code"].sort_values().iloc[0])


def endpoints(assessment: Path) -> list[Endpoint]:
    """The mix: the observatory's public pages and the API's main calls."""
    indicator, csp, ward = _indicator_and_ward(assessment)
    return [
        Endpoint("home", "/"),
        Endpoint("indicator list", "/indicators/"),
        Endpoint("indicator page", f"/indicators/{indicator}/"),
        Endpoint("area page (CSP)", f"/areas/{csp}/"),
        Endpoint("area page (ward)", f"/areas/{ward}/"),
        Endpoint("hotspot maps", "/hotspots/"),
        Endpoint("archive", "/assessments/"),
        Endpoint("indicator CSV", f"/indicators/{indicator}/data.csv"),
        Endpoint("API indicators", "/api/v1/indicators"),
        Endpoint("API values", f"/api/v1/values?indicator={indicator}&area_level=ward"),
        Endpoint("API area", f"/api/v1/areas/{ward}"),
        Endpoint("API findings", "/api/v1/findings?significant=true"),
    ]


def _request(connection: http.client.HTTPConnection, path: str) -> tuple[int, float]:
    started = time.perf_counter()
    connection.request("GET", path, headers={"Accept-Encoding": "identity"})
    response = connection.getresponse()
    response.read()
    elapsed = time.perf_counter() - started
    if response.getheader("Connection", "").lower() == "close":
        connection.close()
    return response.status, elapsed


def _client(
    *,
    port: int,
    mix: list[Endpoint],
    deadline: list[float],
    start: threading.Barrier,
    seed: int,
    samples: Samples,
) -> None:
    """Request the mix round-robin (in a shuffled order) until ``deadline[0]``; keep-alive.

    The deadline is read only after every client has passed the ``start`` barrier.
    """
    mine = Samples()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    order = list(mix)
    random.Random(seed).shuffle(order)
    start.wait()
    index = 0
    while time.perf_counter() < deadline[0]:
        endpoint = order[index % len(order)]
        index += 1
        try:
            status, elapsed = _request(connection, endpoint.path)
        except (OSError, http.client.HTTPException) as error:
            mine.failures[endpoint.name][type(error).__name__] += 1
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        mine.latencies[endpoint.name].append(elapsed)
        if status != 200:
            mine.failures[endpoint.name][f"HTTP {status}"] += 1
    connection.close()
    samples.merge(mine)


def drive(
    *, site: RunningSite, mix: list[Endpoint], clients: int, seconds: float
) -> tuple[Samples, float]:
    """Run ``clients`` threads over ``mix`` for ``seconds``; return the samples and wall time."""
    samples = Samples()
    start = threading.Barrier(clients + 1)
    deadline_holder: list[float] = []
    threads = []
    for number in range(clients):
        thread = threading.Thread(
            target=lambda number=number: _client(
                port=site.port,
                mix=mix,
                deadline=deadline_holder,
                start=start,
                seed=number,
                samples=samples,
            ),
            daemon=True,
        )
        threads.append(thread)
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    deadline_holder.append(began + seconds)
    start.wait()
    for thread in threads:
        thread.join()
    return samples, time.perf_counter() - began


def warm_up(site: RunningSite, mix: list[Endpoint]) -> None:
    """Open every endpoint a few times (caches, database connections); fail on a non-200."""
    connection = http.client.HTTPConnection("127.0.0.1", site.port, timeout=30)
    for _ in range(WARM_UP_ROUNDS):
        for endpoint in mix:
            status, _elapsed = _request(connection, endpoint.path)
            if status != 200:
                raise SystemExit(
                    f"warm-up: {endpoint.name} GET {endpoint.path} answered {status}\n"
                    + site.server_log()[-3000:]
                )
    connection.close()


def _milliseconds(values: list[float], quantile: float) -> float:
    return float(np.percentile(np.asarray(values) * 1000.0, quantile))


def report(
    *, mix: list[Endpoint], samples: Samples, wall: float, baseline: Samples, baseline_wall: float
) -> bool:
    """Print the per-endpoint and overall figures; return whether the target is met."""
    static = baseline.latencies[STATIC_BASELINE]
    static_p95 = _milliseconds(static, 95)
    static_errors = sum(baseline.failures[STATIC_BASELINE].values())
    print(
        f"baseline: static file {STATIC_BASELINE}: {len(static):,} requests in "
        f"{baseline_wall:.1f} s ({len(static) / baseline_wall:,.0f} req/s), p50 "
        f"{_milliseconds(static, 50):.1f} ms, p95 {static_p95:.1f} ms, p99 "
        f"{_milliseconds(static, 99):.1f} ms, errors {static_errors}"
    )
    header = (
        f"{'endpoint':<20} {'requests':>8} {'req/s':>7} {'errors':>6} {'p50 ms':>7} "
        f"{'p95 ms':>7} {'p99 ms':>7} {'p95 / static':>12}"
    )
    print(header)
    print("-" * len(header))
    every: list[float] = []
    errors = 0
    for endpoint in mix:
        values = samples.latencies.get(endpoint.name, [])
        failed = sum(samples.failures.get(endpoint.name, Counter()).values())
        errors += failed
        every.extend(values)
        if not values:
            print(f"{endpoint.name:<20} {0:>8} {'':>7} {failed:>6}")
            continue
        p95 = _milliseconds(values, 95)
        print(
            f"{endpoint.name:<20} {len(values):>8,} {len(values) / wall:>7.1f} {failed:>6} "
            f"{_milliseconds(values, 50):>7.1f} {p95:>7.1f} {_milliseconds(values, 99):>7.1f} "
            f"{p95 / static_p95:>11.1f}x"
        )
    for name, counter in samples.failures.items():
        for kind, count in counter.items():
            print(f"    errors: {name}: {kind} x {count}")
    if not every:
        print("no request completed")
        return False
    overall_p95 = _milliseconds(every, 95)
    print("-" * len(header))
    print(
        f"{'overall':<20} {len(every):>8,} {len(every) / wall:>7.1f} {errors:>6} "
        f"{_milliseconds(every, 50):>7.1f} {overall_p95:>7.1f} {_milliseconds(every, 99):>7.1f} "
        f"{overall_p95 / static_p95:>11.1f}x"
    )
    met = overall_p95 < P95_TARGET_MS and errors == 0
    print(
        f"target: p95 < {P95_TARGET_MS:.0f} ms and no errors: p95 {overall_p95:.1f} ms, "
        f"{errors} errors, {len(every) / wall:,.1f} requests/s: {'MET' if met else 'MISSED'}"
    )
    return met


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="measured seconds (20)")
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients (20)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (4)")
    parser.add_argument(
        "--assessment", type=Path, help="an Assessment artefact folder (default: build the demo)"
    )
    arguments = parser.parse_args()
    if arguments.seconds <= 0 or arguments.clients <= 0:
        parser.error("--seconds and --clients must be positive")
    with tempfile.TemporaryDirectory(prefix="safecity-bench-web-") as scratch:
        assessment = arguments.assessment
        if assessment is None:
            started = time.perf_counter()
            assessment = build_demo_assessment(Path(scratch))
            print(f"built the demo assessment in {time.perf_counter() - started:.1f} s")
        manifest = json.loads((assessment / "manifest.json").read_text(encoding="utf-8"))
        mix = endpoints(assessment)
        started = time.perf_counter()
        with running_site(
            assessment=assessment, workers=arguments.workers, threads=arguments.threads
        ) as site:
            print(
                f"site up in {time.perf_counter() - started:.1f} s at {site.base_url}: gunicorn "
                f"{arguments.workers} workers x {arguments.threads} threads, production settings,"
                f" PostgreSQL; published {manifest['area']['name']} "
                f"{manifest['parameters']['period']}"
            )
            print(
                "    start-up steps (some at the same time): "
                + ", ".join(f"{step} {seconds:.1f} s" for step, seconds in site.timings.items())
            )
            load = os.getloadavg()
            print(
                f"load average before measuring: {load[0]:.2f} (1 min), {load[1]:.2f} (5 min) on "
                f"{os.cpu_count()} CPUs; clients, server and PostgreSQL share them"
            )
            baseline_mix = [Endpoint(STATIC_BASELINE, STATIC_BASELINE)]
            warm_up(site, [*baseline_mix, *mix])
            baseline, baseline_wall = drive(
                site=site,
                mix=baseline_mix,
                clients=arguments.clients,
                seconds=max(3.0, arguments.seconds / 4),
            )
            samples, wall = drive(
                site=site, mix=mix, clients=arguments.clients, seconds=arguments.seconds
            )
            print(
                f"{arguments.clients} concurrent keep-alive clients on loopback, "
                f"{arguments.seconds:g} s over {len(mix)} endpoints (round-robin)"
            )
            met = report(
                mix=mix,
                samples=samples,
                wall=wall,
                baseline=baseline,
                baseline_wall=baseline_wall,
            )
            log = site.server_log().strip()
            if log:
                print("server log (last lines):\n" + "\n".join(log.splitlines()[-20:]))
    if not met:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
