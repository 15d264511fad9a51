"""The clients of bench/load.py, for locust: readers of a release page and slow downloaders.

Started by bench/load.py, which passes what to fetch in the environment:

    LOAD_PAGE, LOAD_ORIGINAL, LOAD_ZIP    paths on the --host
    LOAD_READERS, LOAD_DOWNLOADS, LOAD_ZIPS   how many users of each kind
    LOAD_RATE                             bytes a second each downloader reads
    LOAD_REPORT                           where the figures are written, as JSON

Readers ask for the page once a second each. Downloaders fetch their file over and
over at LOAD_RATE, through a small receive window, so the server has to keep each
download going for as long as a journalist on a bad connection would make it.
"""

import json
import os
import random
import socket
import time

from locust import HttpUser, between, constant, events, task
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection

RATE = int(os.environ.get("LOAD_RATE", "4096"))
CHUNK = 4096
# Downloaders begin at random moments over this many seconds, as journalists would, not
# all in the same second (and so not all over again in step when their files end).
SPREAD = 30
# A slow client's kernel takes little at a time: the server's send buffer fills and the
# download stays open for as long as the client is slow, as it would over a real network.
RECEIVE_WINDOW = 8192
PAGE_TIMEOUT = 10
DOWNLOAD_TIMEOUT = 60

figures = {
    "page": {"latencies": [], "failures": []},
    "original": {"started": 0, "completed": 0, "failures": [], "seconds": []},
    "zip": {"started": 0, "completed": 0, "failures": [], "seconds": []},
}


class SmallWindow(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs):
        kwargs["socket_options"] = [
            *HTTPConnection.default_socket_options,
            (socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_WINDOW),
        ]
        super().init_poolmanager(*args, **kwargs)


class Reader(HttpUser):
    """A journalist reading the release page, about once a second."""

    fixed_count = int(os.environ.get("LOAD_READERS", "10"))
    # Spread out: readers in step would queue behind each other and inflate the idle p99.
    wait_time = between(0.5, 1.5)

    @task
    def read(self):
        began = time.perf_counter()
        try:
            with self.client.get(
                os.environ["LOAD_PAGE"],
                name="release page",
                timeout=PAGE_TIMEOUT,
                catch_response=True,
            ) as response:
                if response.status_code != 200:
                    problem = answer_problem(response)
                    note(figures["page"], problem)
                    response.failure(problem)
                    return
        except OSError as error:
            note(figures["page"], type(error).__name__)
            return
        figures["page"]["latencies"].append(time.perf_counter() - began)


class SlowDownload(HttpUser):
    abstract = True
    wait_time = constant(0)
    kind = ""

    def on_start(self):
        self.client.mount("http://", SmallWindow())
        time.sleep(random.uniform(0, SPREAD))

    @task
    def download(self):
        kind = figures[self.kind]
        kind["started"] += 1
        received, began = 0, time.perf_counter()
        try:
            with self.client.get(
                os.environ[f"LOAD_{self.kind.upper()}"],
                name=self.kind,
                stream=True,
                timeout=DOWNLOAD_TIMEOUT,
                catch_response=True,
            ) as response:
                if response.status_code == 0:
                    problem = answer_problem(response)
                    note(kind, problem)
                    response.failure(problem)
                    return
                length = int(response.headers.get("Content-Length", -1))
                for chunk in response.iter_content(CHUNK):
                    received += len(chunk)
                    time.sleep(len(chunk) / RATE)
                if response.status_code != 200 or received != length:
                    problem = f"{answer_problem(response)}, {received} of {length} bytes"
                    note(kind, problem)
                    response.failure(problem)
                    return
                response.success()
        except Exception as error:  # every way a download breaks is counted
            note(kind, f"{type(error).__name__} after {received} bytes")
            return
        kind["completed"] += 1
        kind["seconds"].append(time.perf_counter() - began)


class OriginalDownload(SlowDownload):
    fixed_count = int(os.environ.get("LOAD_DOWNLOADS", "200"))
    kind = "original"


class ZipDownload(SlowDownload):
    fixed_count = int(os.environ.get("LOAD_ZIPS", "20"))
    kind = "zip"


def answer_problem(response):
    # Locust gives a request that raised (no answer in time, connection reset) status 0.
    if response.status_code == 0:
        return type(response.error).__name__ if response.error else "no answer"
    return f"HTTP {response.status_code}"


def note(kind, problem):
    kind["failures"].append(problem)


@events.quitting.add_listener
def write_report(environment, **_kwargs):
    with open(os.environ["LOAD_REPORT"], "w") as report:
        json.dump(figures, report)
