#!/usr/bin/env python3
"""Serves www/ on localhost with the page's Content-Security-Policy as a header (so it also
governs the worker) and no caching. Usage: serve.py [PORT] (0 picks a free port)."""
import http.server
import os
import socketserver
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "www")
CSP = ("default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; "
       "style-src 'self'; img-src 'self'; font-src 'self'; connect-src 'none'; "
       "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")

SW_CSP = "default-src 'none'; connect-src 'self'"


class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".js": "text/javascript", ".mjs": "text/javascript",
                      ".wasm": "application/wasm", ".ts": "text/plain"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, directory=ROOT, **kwargs)

    def end_headers(self):
        # The service worker fetches the page's own files to keep them offline: its policy (a
        # worker's comes with its script) allows that and nothing else.
        policy = SW_CSP if self.path.split("?")[0].endswith("/sw.js") else CSP
        self.send_header("Content-Security-Policy", policy)
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()

    def log_message(self, fmt, *args):
        if os.environ.get("HEADROOM_SERVE_QUIET") != "1":
            super().log_message(fmt, *args)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else int(os.environ.get("PORT", "8000"))
    try:
        httpd = Server(("127.0.0.1", port), Handler)
    except OSError as error:
        print(f"port {port} is busy ({error.strerror}); using a free one", file=sys.stderr)
        httpd = Server(("127.0.0.1", 0), Handler)
    with httpd:
        print(f"Headroom is at http://127.0.0.1:{httpd.server_address[1]}/", flush=True)
        try:
            httpd.serve_forever()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
