"""``python -m allocations_local.workload_stub``: the stub as a process of its own, until SIGINT or SIGTERM."""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from allocations_local.environment import LOCAL_CLIENT_ID, LOCAL_CLIENT_SECRET
from allocations_local.workload_stub import DEFAULT_TOKEN_TTL, WorkloadStub


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, serve, and stop cleanly on a signal."""
    parser = argparse.ArgumentParser(prog="python -m allocations_local.workload_stub", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument("--client-id", default=LOCAL_CLIENT_ID)
    parser.add_argument("--client-secret", default=LOCAL_CLIENT_SECRET)
    parser.add_argument("--token-ttl", type=int, default=DEFAULT_TOKEN_TTL, help="token lifetime in seconds")
    args = parser.parse_args(argv)
    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    with WorkloadStub(args.host, args.port, args.client_id, args.client_secret, args.token_ttl) as stub:
        sys.stdout.write(f"Workload stub listening on {stub.base_url} (token URL {stub.token_url})\n")
        sys.stdout.flush()
        stopping.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
