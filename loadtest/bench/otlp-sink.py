#!/usr/bin/env python3
"""A minimal OTLP/HTTP trace receiver for benchmarks: accepts POST /v1/traces, answers an empty
ExportTraceServiceResponse (zero protobuf bytes), and counts requests and bytes (printed on SIGTERM/SIGINT).
Loopback only. Usage: otlp-sink.py [PORT]   (default 4318)"""
import signal
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STATS = {"requests": 0, "bytes": 0}


class Sink(BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(length)
        STATS["requests"] += 1
        STATS["bytes"] += length
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 4318
    server = ThreadingHTTPServer(("127.0.0.1", port), Sink)

    def stop(*_):
        print(f"otlp-sink: {STATS['requests']} exports, {STATS['bytes']} bytes", flush=True)
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    server.serve_forever()


if __name__ == "__main__":
    main()
