"""Many keep-alive HTTP clients against the real site: the load test and ``bench/bench_web.py``.

Each client is a thread with its own keep-alive ``http.client`` connection that requests a mix
of URLs round-robin (in an order of its own) until a deadline, after a barrier so that all
start together. A connection the server closes (``Connection: close``) is opened again; a
request that fails on the wire (reset, closed under the client, timeout) or answers anything
but 200 is an error. The static-file baseline is the same clients on one WhiteNoise file.
"""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from web_server import RunningSite, manage

STATIC_BASELINE = "/static/safecity/site.css"
WARM_UP_ROUNDS = 2
REQUEST_TIMEOUT_SECONDS = 60.0


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
        """Add another client's samples."""
        with self.lock:
            for name, values in other.latencies.items():
                self.latencies[name].extend(values)
            for name, counter in other.failures.items():
                self.failures[name].update(counter)

    def every_latency(self) -> list[float]:
        """All latencies of every endpoint."""
        return [value for values in self.latencies.values() for value in values]

    def error_count(self) -> int:
        """Failed requests of every endpoint."""
        return sum(sum(counter.values()) for counter in self.failures.values())


def _indicator_and_ward(assessment: Path) -> tuple[str, str, str]:
    """An indicator id, the CSP code and a ward code from the artefact's public indicators."""
    table = pd.read_csv(assessment / "public" / "indicators.csv", dtype=str)
    csp = table.loc[table["area_level"] == "csp"]
    indicator = "all_crime" if "all_crime" in set(csp["indicator_id"]) else csp["indicator_id"][0]
    wards = table.loc[(table["area_level"] == "ward") & (table["indicator_id"] == indicator)]
    return indicator, str(csp["area_code"].iloc[0]), str(wards["area_code"].sort_values().iloc[0])


def endpoints(assessment: Path) -> list[Endpoint]:
    """The mix: the observatory's public pages and downloads, the API and the statement."""
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
        Endpoint("indicator JSON", f"/indicators/{indicator}/data.json"),
        Endpoint("API indicators", "/api/v1/indicators"),
        Endpoint("API values", f"/api/v1/values?indicator={indicator}&area_level=ward"),
        Endpoint("API area", f"/api/v1/areas/{ward}"),
        Endpoint("API findings", "/api/v1/findings?significant=true"),
        Endpoint("API OpenAPI", "/api/v1/openapi.json"),
        Endpoint("API docs", "/api/v1/docs/"),
        Endpoint("statement page", "/statement/"),
        Endpoint("statement PDF", "/statement/statement.pdf"),
    ]


_PUBLISH_STATEMENT = """
import datetime
from safecity_web.accounts.models import Role, User
from safecity_web.strategy.statement import assemble_statement
from safecity_web.strategy.statement_pdf import publish_with_pdf
analyst = User.objects.filter(role=Role.ANALYST).order_by("pk").first()
version = assemble_statement(
    period_start=datetime.date(2024, 4, 1), period_end=datetime.date(2025, 3, 31), author=analyst
)
stored = publish_with_pdf(version=version, publisher=analyst, site_url="http://127.0.0.1/")
print(len(stored.content))
"""


def publish_statement(site: RunningSite) -> int:
    """Assemble and publish the annual statement as the portal's publish step does.

    Returns the size of its stored PDF in bytes.
    """
    output = manage(
        "shell", "-c", _PUBLISH_STATEMENT, environment=site.environment, folder=site.folder
    )
    return int(output.strip().splitlines()[-1])


def client_address(number: int) -> str:
    """A private address of its own for client ``number`` (as a reverse proxy would forward)."""
    return f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256 + 1}"


def _request(
    connection: http.client.HTTPConnection, path: str, *, forwarded_for: str | None = None
) -> tuple[int, float]:
    headers = {"Accept-Encoding": "identity"}
    if forwarded_for is not None:
        headers["X-Forwarded-For"] = forwarded_for
    started = time.perf_counter()
    connection.request("GET", path, headers=headers)
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
    idle: Idle | None,
    forwarded_for: str | None,
) -> None:
    """Request the mix round-robin (in a shuffled order) until ``deadline[0]``; keep-alive.

    The deadline is read only after every client has passed the ``start`` barrier. With
    ``idle``, the client pauses now and then with its connection open, as a reader does.
    """
    mine = Samples()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_SECONDS)
    order = list(mix)
    random.Random(seed).shuffle(order)
    start.wait()
    index = 0
    while time.perf_counter() < deadline[0]:
        endpoint = order[index % len(order)]
        index += 1
        try:
            status, elapsed = _request(connection, endpoint.path, forwarded_for=forwarded_for)
        except (OSError, http.client.HTTPException) as error:
            mine.failures[endpoint.name][type(error).__name__] += 1
            connection.close()
            connection = http.client.HTTPConnection(
                "127.0.0.1", port, timeout=REQUEST_TIMEOUT_SECONDS
            )
            continue
        mine.latencies[endpoint.name].append(elapsed)
        if status != 200:
            mine.failures[endpoint.name][f"HTTP {status}"] += 1
        if idle is not None and index % idle.every == 0:
            time.sleep(min(idle.seconds, max(0.0, deadline[0] - time.perf_counter())))
    connection.close()
    samples.merge(mine)


@dataclass(frozen=True)
class Idle:
    """A pause with the connection open after every ``every`` requests of a client.

    Longer than a server's keep-alive timeout, it makes the server close idle connections that
    the client then reuses: gunicorn's default of 2 s failed such requests (issue #15).
    """

    every: int
    seconds: float


def drive(
    *,
    site: RunningSite,
    mix: list[Endpoint],
    clients: int,
    seconds: float,
    idle: Idle | None = None,
    behind_proxy: bool = False,
) -> tuple[Samples, float]:
    """Run ``clients`` threads over ``mix`` for ``seconds``; return the samples and wall time.

    ``behind_proxy``: each client sends ``X-Forwarded-For`` with an address of its own, as a
    reverse proxy in front of the site would (the site must trust one proxy,
    ``SAFECITY_TRUSTED_PROXIES=1``, to tell the clients apart); otherwise all clients are
    127.0.0.1.
    """
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
                idle=idle,
                forwarded_for=client_address(number) if behind_proxy else None,
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
    connection = http.client.HTTPConnection("127.0.0.1", site.port, timeout=60)
    for _ in range(WARM_UP_ROUNDS):
        for endpoint in mix:
            status, _elapsed = _request(connection, endpoint.path)
            if status != 200:
                raise RuntimeError(
                    f"warm-up: {endpoint.name} GET {endpoint.path} answered {status}\n"
                    + site.server_log()[-3000:]
                )
    connection.close()


def milliseconds(values: list[float], quantile: float) -> float:
    """The ``quantile`` (0-100) of ``values`` (seconds), in milliseconds."""
    return float(np.percentile(np.asarray(values) * 1000.0, quantile))


# --- Reporters submitting through Open311 while the mix is served (issue 13) -------------------

SUBMISSIONS = "Open311 submission"
"""The name the reporters' samples are kept under."""
OPEN311_SUBMIT_PATH = "/open311/v2/requests.json"

_OPEN311_SETUP = """
import json
from safecity_web import core_gateway
from safecity_web.open311.keys import register_application
from safecity_web.reporting.submission import current_boundaries
key, boundaries = current_boundaries()
places = core_gateway.named_places(boundaries_key=key, boundaries=boundaries)
points = [[p["latitude"], p["longitude"]] for p in places if p["area_level"] == "lsoa"]
services = [
    [s.service_code, s.kind, s.category]
    for s in core_gateway.community_reports_config().services
]
api_key = register_application(name="Benchmark reporting app").api_key
print(json.dumps({"api_key": api_key, "points": points, "services": services}))
"""


@dataclass(frozen=True)
class Open311Setup:
    """What the reporters need: a registered app's key, points inside the area, the services."""

    api_key: str
    points: list[tuple[float, float]]
    services: list[tuple[str, str, str | None]]


def open311_setup(site: RunningSite) -> Open311Setup:
    """Register the demo app (its key), and read the published LSOAs' points and the services."""
    output = manage("shell", "-c", _OPEN311_SETUP, environment=site.environment, folder=site.folder)
    found = json.loads(output.strip().splitlines()[-1])
    return Open311Setup(
        api_key=found["api_key"],
        points=[(float(lat), float(lon)) for lat, lon in found["points"]],
        services=[(code, kind, category) for code, kind, category in found["services"]],
    )


def submission_body(setup: Open311Setup, *, reporter: int, number: int) -> bytes:
    """A GeoReport v2 form: a service, a point and a description of this reporter's own."""
    code, kind, category = setup.services[(reporter + number) % len(setup.services)]
    latitude, longitude = setup.points[(reporter * 7 + number) % len(setup.points)]
    fields: list[tuple[str, str]] = [
        ("api_key", setup.api_key),
        ("service_code", code),
        ("lat", f"{latitude:.6f}"),
        ("long", f"{longitude:.6f}"),
        ("description", f"Benchmark report {reporter}-{number}: noise and shouting late at night"),
    ]
    if kind == "hate":
        fields += [("attribute[strands][]", "race"), ("attribute[strands][]", "religion")]
    if category is None:
        fields.append(("attribute[category]", "verbal_abuse" if kind == "hate" else "asb"))
    return urllib.parse.urlencode(fields).encode("utf-8")


def _post(
    connection: http.client.HTTPConnection, path: str, body: bytes, *, forwarded_for: str
) -> tuple[int, float]:
    headers = {
        "Accept-Encoding": "identity",
        "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
        "X-Forwarded-For": forwarded_for,
    }
    started = time.perf_counter()
    connection.request("POST", path, body=body, headers=headers)
    response = connection.getresponse()
    response.read()
    elapsed = time.perf_counter() - started
    if response.getheader("Connection", "").lower() == "close":
        connection.close()
    return response.status, elapsed


def reporter_address(number: int) -> str:
    """A private address for reporter ``number``, apart from the readers' (``client_address``)."""
    return f"10.250.{number // 256 % 256}.{number % 256 + 1}"


def _reporter(
    *,
    port: int,
    setup: Open311Setup,
    number: int,
    deadline: list[float],
    start: threading.Barrier,
    samples: Samples,
    pause: float,
) -> None:
    """Submit reports until ``deadline[0]``, ``pause`` seconds apart; keep-alive, own address."""
    mine = Samples()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_SECONDS)
    start.wait()
    sent = 0
    while time.perf_counter() < deadline[0]:
        body = submission_body(setup, reporter=number, number=sent)
        sent += 1
        try:
            status, elapsed = _post(
                connection, OPEN311_SUBMIT_PATH, body, forwarded_for=reporter_address(number)
            )
        except (OSError, http.client.HTTPException) as error:
            mine.failures[SUBMISSIONS][type(error).__name__] += 1
            connection.close()
            connection = http.client.HTTPConnection(
                "127.0.0.1", port, timeout=REQUEST_TIMEOUT_SECONDS
            )
            continue
        mine.latencies[SUBMISSIONS].append(elapsed)
        if status != 200:
            mine.failures[SUBMISSIONS][f"HTTP {status}"] += 1
        if pause > 0:
            time.sleep(min(pause, max(0.0, deadline[0] - time.perf_counter())))
    connection.close()
    samples.merge(mine)


def drive_reporters(
    *, site: RunningSite, setup: Open311Setup, reporters: int, seconds: float, pause: float = 0.0
) -> tuple[Samples, float]:
    """Run ``reporters`` threads submitting through Open311 for ``seconds``.

    Each submits its next report as soon as the last is answered, or ``pause`` seconds later.

    Meant to run (in a thread of its own) while :func:`drive` serves the mix, so submissions
    are measured under the site's usual load.
    """
    samples = Samples()
    start = threading.Barrier(reporters + 1)
    deadline_holder: list[float] = []
    threads = [
        threading.Thread(
            target=lambda number=number: _reporter(
                port=site.port,
                setup=setup,
                number=number,
                deadline=deadline_holder,
                start=start,
                samples=samples,
                pause=pause,
            ),
            daemon=True,
        )
        for number in range(reporters)
    ]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    deadline_holder.append(began + seconds)
    start.wait()
    for thread in threads:
        thread.join()
    return samples, time.perf_counter() - began


def warm_up_submissions(site: RunningSite, setup: Open311Setup) -> None:
    """Submit a few reports before measuring; fail on anything but 200."""
    connection = http.client.HTTPConnection("127.0.0.1", site.port, timeout=60)
    for number in range(WARM_UP_ROUNDS * 2):
        body = submission_body(setup, reporter=10_000, number=number)
        status, _elapsed = _post(
            connection, OPEN311_SUBMIT_PATH, body, forwarded_for=reporter_address(9_999)
        )
        if status != 200:
            raise RuntimeError(
                f"warm-up: POST {OPEN311_SUBMIT_PATH} answered {status}\n"
                + site.server_log()[-3000:]
            )
    connection.close()
