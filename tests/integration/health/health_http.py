"""Talking to a worker's health port, and starting a worker process with extra options."""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
from typing import Any

from support.polling import wait_until

from allocations_local.processes import ServiceProcess


def get(port: int, path: str) -> tuple[int, Any]:
    """GET ``path`` from the worker's health port: the status and the decoded JSON (or text) body."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read()
    text = body.decode()
    return status, json.loads(text) if text.startswith("{") else text


def wait_for_status(port: int, path: str, status: int, timeout: float = 30.0) -> dict[str, Any]:
    """The body of the first answer with ``status``."""

    def answered() -> dict[str, Any] | None:
        code, body = get(port, path)
        return body if code == status else None

    return wait_until(answered, timeout, 0.2, f"{path} answering {status}")


def start_worker_process(env: dict[str, str], name: str, *extra: str) -> ServiceProcess:
    argv = [sys.executable, "-m", "celery", "-A", "tasks", "worker", "--loglevel=INFO", f"--hostname={name}@%h",
            "--without-mingle", "--without-gossip", *extra]  # fmt: skip
    process = ServiceProcess(name, argv, env)
    process.wait_for("ready.")
    return process
