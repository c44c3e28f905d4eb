"""Benchmark: the web site under 200 concurrent keep-alive clients on loopback (issue #15).

The real site is started as in production (``tests/support/web_server.py``) and served by
gunicorn exactly as ``safecity serve`` configures it (``safecity.cli.serve.gunicorn_command``:
gthread workers, keep-alive, backlog; access log on), with the production settings (DEBUG off,
WhiteNoise manifest static files), PostgreSQL in a throwaway cluster, the demo city's
Assessment artefact published and an annual statement published (its PDF rendered once, as
the portal's publish step does). Then ``--clients`` threads, each with its own keep-alive
``http.client`` connection (``tests/support/web_load.py``) and its own ``X-Forwarded-For``
address (200 people behind the site's reverse proxy: the site trusts one proxy, so its
per-client rate limits tell them apart), request a mix of observatory pages
and downloads, API calls, the API documentation and the statement page and PDF, round-robin
for ``--seconds`` seconds, after a warm-up pass that is not counted.

Baseline, measured in the same run through the same server and clients: a trivial static file
(``/static/safecity/site.css``, served by WhiteNoise without touching Django's views or the
database) under the same concurrency. Each endpoint's p95 is printed as a ratio to the static
file's p95: how much slower a real page is than the cheapest request the stack can answer.

Target (issue #15, on 2 cores): 200 clients, p95 over the whole mix under 1 s and no errors
(every answer 200, no connection failed); the script exits with status 1 otherwise.

Reporting (issue 13): while the mix is measured, ``--reporters`` more clients (20) submit
community reports through Open311 (``POST /open311/v2/requests.json``, form-encoded, with the
key of an app registered for the run, each reporter with its own ``X-Forwarded-For``, a point
inside the published area and a description of its own), one after another (or
``--reporter-pause`` seconds apart). Their p50/p95 and
the p95's ratio to the static file's are printed; the target is p95 under 300 ms with no
errors (exit status 1 otherwise). The site runs with ``SAFECITY_OPEN311_ADDRESS_RATE`` and
``SAFECITY_OPEN311_KEY_RATE`` raised (``BENCH_SUBMISSION_RATE``) so that the per-address and
per-app limits, which would refuse a real client after 10 reports an hour, do not refuse the
benchmark's reporters. ``--reporters 0`` leaves them out.

Usage::

    python bench/bench_web.py                       # builds the demo assessment first (~15 s)
    python bench/bench_web.py --seconds 60 --assessment demo/assessment
    python bench/bench_web.py --clients 20 --workers 2 --threads 4
    python bench/bench_web.py --reporters 20 --seconds 20
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "support"))
from shared_demo import build_demo_assessment
from web_load import (
    STATIC_BASELINE,
    SUBMISSIONS,
    Endpoint,
    Idle,
    Samples,
    drive,
    drive_reporters,
    endpoints,
    milliseconds,
    open311_setup,
    publish_statement,
    warm_up,
    warm_up_submissions,
)
from web_server import running_site

from safecity.cli.serve import DEFAULT_THREADS, DEFAULT_WORKERS, gunicorn_command

P95_TARGET_MS = 1000.0
SUBMISSION_P95_TARGET_MS = 300.0
BENCH_SUBMISSION_RATE = "1000000/h"
"""The per-address and per-app Open311 limits during the run (far above what it sends)."""


def report(
    *, mix: list[Endpoint], samples: Samples, wall: float, baseline: Samples, baseline_wall: float
) -> bool:
    """Print the per-endpoint and overall figures; return whether the target is met."""
    static = baseline.latencies[STATIC_BASELINE]
    static_p95 = milliseconds(static, 95)
    static_errors = baseline.error_count()
    print(
        f"baseline: static file {STATIC_BASELINE}: {len(static):,} requests in "
        f"{baseline_wall:.1f} s ({len(static) / baseline_wall:,.0f} req/s), p50 "
        f"{milliseconds(static, 50):.1f} ms, p95 {static_p95:.1f} ms, p99 "
        f"{milliseconds(static, 99):.1f} ms, errors {static_errors}"
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
        p95 = milliseconds(values, 95)
        print(
            f"{endpoint.name:<20} {len(values):>8,} {len(values) / wall:>7.1f} {failed:>6} "
            f"{milliseconds(values, 50):>7.1f} {p95:>7.1f} {milliseconds(values, 99):>7.1f} "
            f"{p95 / static_p95:>11.1f}x"
        )
    for name, counter in samples.failures.items():
        for kind, count in counter.items():
            print(f"    errors: {name}: {kind} x {count}")
    if not every:
        print("no request completed")
        return False
    overall_p95 = milliseconds(every, 95)
    print("-" * len(header))
    print(
        f"{'overall':<20} {len(every):>8,} {len(every) / wall:>7.1f} {errors:>6} "
        f"{milliseconds(every, 50):>7.1f} {overall_p95:>7.1f} {milliseconds(every, 99):>7.1f} "
        f"{overall_p95 / static_p95:>11.1f}x"
    )
    met = overall_p95 < P95_TARGET_MS and errors == 0 and static_errors == 0
    print(
        f"target: p95 < {P95_TARGET_MS:.0f} ms and no errors: p95 {overall_p95:.1f} ms, "
        f"{errors + static_errors} errors, {len(every) / wall:,.1f} requests/s: "
        f"{'MET' if met else 'MISSED'}"
    )
    return met


def report_submissions(*, samples: Samples, wall: float, baseline: Samples) -> bool:
    """Print the reporters' figures beside the static-file baseline; return whether met."""
    values = samples.latencies.get(SUBMISSIONS, [])
    failed = samples.error_count()
    for name, counter in samples.failures.items():
        for kind, count in counter.items():
            print(f"    errors: {name}: {kind} x {count}")
    if not values:
        print("reporters: no submission completed")
        return False
    static_p95 = milliseconds(baseline.latencies[STATIC_BASELINE], 95)
    p95 = milliseconds(values, 95)
    met = p95 < SUBMISSION_P95_TARGET_MS and failed == 0
    print(
        f"{SUBMISSIONS}: {len(values):,} reports in {wall:.1f} s ({len(values) / wall:.1f}/s), "
        f"p50 {milliseconds(values, 50):.1f} ms, p95 {p95:.1f} ms, p99 "
        f"{milliseconds(values, 99):.1f} ms, errors {failed}, p95 / static p95 "
        f"{p95 / static_p95:.1f}x"
    )
    print(
        f"target: submissions p95 < {SUBMISSION_P95_TARGET_MS:.0f} ms and no errors: "
        f"{'MET' if met else 'MISSED'}"
    )
    return met


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="measured seconds (20)")
    parser.add_argument("--clients", type=int, default=200, help="concurrent clients (200)")
    parser.add_argument(
        "--workers",
        type=int,
        default=DEFAULT_WORKERS,
        help=f"gunicorn workers ({DEFAULT_WORKERS}, as `safecity serve`)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=DEFAULT_THREADS,
        help=f"threads per worker ({DEFAULT_THREADS}, as `safecity serve`)",
    )
    parser.add_argument(
        "--assessment", type=Path, help="an Assessment artefact folder (default: build the demo)"
    )
    parser.add_argument(
        "--page-cache-seconds",
        type=int,
        help="the site's SAFECITY_PAGE_CACHE_SECONDS (default: the site's own, 60; 0: every"
        " request runs its view, the worst case)",
    )
    parser.add_argument(
        "--idle-every",
        type=int,
        default=0,
        help="each client pauses, its connection open, after every N requests (0: never)",
    )
    parser.add_argument(
        "--idle-seconds", type=float, default=3.0, help="length of that pause (3 s)"
    )
    parser.add_argument(
        "--reporters",
        type=int,
        default=20,
        help="clients submitting reports through Open311 while the mix is served (20; 0: none)",
    )
    parser.add_argument(
        "--reporter-pause",
        type=float,
        default=0.0,
        help="seconds each reporter waits between its reports (0: the next at once)",
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
        # The clients stand for 200 people behind the site's reverse proxy: each sends its
        # own X-Forwarded-For address, and the site trusts one proxy (per-client rate limits).
        extra_environment = {
            "SAFECITY_TRUSTED_PROXIES": "1",
            "SAFECITY_OPEN311_ADDRESS_RATE": BENCH_SUBMISSION_RATE,
            "SAFECITY_OPEN311_KEY_RATE": BENCH_SUBMISSION_RATE,
        }
        if arguments.page_cache_seconds is not None:
            extra_environment["SAFECITY_PAGE_CACHE_SECONDS"] = str(arguments.page_cache_seconds)
        idle = (
            Idle(every=arguments.idle_every, seconds=arguments.idle_seconds)
            if arguments.idle_every > 0
            else None
        )
        with running_site(
            assessment=assessment,
            extra_environment=extra_environment,
            server_command=lambda port: gunicorn_command(
                host="127.0.0.1", port=port, workers=arguments.workers, threads=arguments.threads
            ),
        ) as site:
            pdf_bytes = publish_statement(site)
            print(
                f"site up in {time.perf_counter() - started:.1f} s at {site.base_url}: gunicorn "
                f"as `safecity serve` runs it, {arguments.workers} workers x {arguments.threads}"
                f" threads, production settings, PostgreSQL; published "
                f"{manifest['area']['name']} {manifest['parameters']['period']} and a statement"
                f" (PDF {pdf_bytes:,} bytes)"
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
            setup = open311_setup(site) if arguments.reporters > 0 else None
            if setup is not None:
                warm_up_submissions(site, setup)
            baseline, baseline_wall = drive(
                site=site,
                mix=baseline_mix,
                clients=arguments.clients,
                seconds=max(3.0, arguments.seconds / 4),
                behind_proxy=True,
            )
            reporting: dict[str, tuple[Samples, float]] = {}
            reporters = None
            if setup is not None:
                reporters = threading.Thread(
                    target=lambda: reporting.update(
                        result=drive_reporters(
                            site=site,
                            setup=setup,
                            reporters=arguments.reporters,
                            seconds=arguments.seconds,
                            pause=arguments.reporter_pause,
                        )
                    ),
                    daemon=True,
                )
                reporters.start()
            samples, wall = drive(
                site=site,
                mix=mix,
                clients=arguments.clients,
                seconds=arguments.seconds,
                idle=idle,
                behind_proxy=True,
            )
            if reporters is not None:
                reporters.join()
            print(
                f"{arguments.clients} concurrent keep-alive clients on loopback, each with its"
                " own X-Forwarded-For address (the site trusts one proxy), "
                f"{arguments.seconds:g} s over {len(mix)} endpoints (round-robin)"
                + (
                    f", each idle {idle.seconds:g} s (connection open) after every {idle.every}"
                    " requests"
                    if idle
                    else ""
                )
                + (
                    f"; page cache {arguments.page_cache_seconds} s"
                    if arguments.page_cache_seconds is not None
                    else "; page cache as the site's default"
                )
            )
            met = report(
                mix=mix,
                samples=samples,
                wall=wall,
                baseline=baseline,
                baseline_wall=baseline_wall,
            )
            if "result" in reporting:
                submitted, submitted_wall = reporting["result"]
                print(
                    f"meanwhile {arguments.reporters} reporters, each with its own "
                    "X-Forwarded-For address, submitted reports through "
                    "POST /open311/v2/requests.json (form-encoded, a registered app's key), "
                    + (
                        f"{arguments.reporter_pause:g} s apart"
                        if arguments.reporter_pause > 0
                        else "each as soon as the last was answered"
                    )
                )
                met = (
                    report_submissions(samples=submitted, wall=submitted_wall, baseline=baseline)
                    and met
                )
            problems = [
                line
                for line in site.server_log().splitlines()
                if line.strip()
                and '"GET ' not in line
                and '"HEAD ' not in line
                and '"POST /open311/' not in line
            ]
            if problems:
                print("server log, other than the access log (last lines):")
                print("\n".join(problems[-20:]))
    if not met:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
