"""moto's SQS endpoint served with HTTP keep-alive, as AWS serves SQS: ``python -m allocations_local.sqs_server``.

moto's own server (werkzeug's development server) answers every request with ``Connection: close``, so each SQS
call opened a TCP connection (a DNS lookup and a connect in the client) and the server a thread. Against AWS, the
client keeps its connections. Here the same moto application is served by Tornado (already installed for Flower),
each request run in a thread of a pool so that long polls wait without holding up other calls. Only SQS is served:
moto's multi-service dispatcher listed its service modules on disk for every request (an eighth of its CPU). The
benchmark's SQS endpoint is this one: it measures the service, not a reconnect and a module scan per call.
"""

from __future__ import annotations

import argparse
import sys
from concurrent.futures import ThreadPoolExecutor

from moto.moto_server.werkzeug_app import create_backend_app
from tornado.httpserver import HTTPServer
from tornado.ioloop import IOLoop
from tornado.wsgi import WSGIContainer


def main(argv: list[str] | None = None) -> int:
    """Serve moto on ``--host``:``--port`` until stopped."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--threads", type=int, default=16, help="requests served at once (long polls included)")
    args = parser.parse_args(argv)
    application = create_backend_app("sqs")  # SQS alone: moto's dispatcher looked up its service on disk per call
    server = HTTPServer(
        WSGIContainer(application, executor=ThreadPoolExecutor(args.threads)), idle_connection_timeout=60
    )
    server.listen(args.port, args.host)
    sys.stdout.write(f"listening on http://{args.host}:{args.port}\n")
    sys.stdout.flush()
    IOLoop.current().start()
    return 0


if __name__ == "__main__":
    sys.exit(main())
