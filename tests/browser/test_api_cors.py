"""A site on another origin reads the public API from the browser: a cross-origin ``fetch`` in Chromium,
from a page served by a second little server (``localhost`` is another origin than ``127.0.0.1``)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

pytestmark = pytest.mark.browser

PAGE = """<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Site d'une commune</title></head>
<body><h1>Les prochains rendez-vous de l'agglomération</h1><ul id="liste"></ul></body></html>""".encode()


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, *args):
        pass


@pytest.fixture
def other_site():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://localhost:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_another_origin_reads_the_api(page, live_server, other_site):
    page.goto(other_site)
    api = live_server.url
    assert page.evaluate("location.origin") != api
    result = page.evaluate(
        """async (api) => {
            const response = await fetch(api + "/api/v1/events?limit=3");
            const body = await response.json();
            const again = await fetch(api + "/api/v1/events?limit=3", {headers: {"If-None-Match": response.headers.get("ETag")}});
            const missing = await fetch(api + "/api/v1/events/999999");
            const problem = await missing.json();
            for (const event of body.data) {
                const item = document.createElement("li");
                item.textContent = event.title;
                document.getElementById("liste").append(item);
            }
            return {status: response.status, count: body.data.length, next: body.links.next, etag: response.headers.get("ETag"),
                    again: again.status, missing: missing.status, title: problem.title, type: missing.headers.get("Content-Type")};
        }""",
        api,
    )
    assert result["status"] == 200 and result["count"] == 3 and result["next"].startswith(api + "/api/v1/events?")
    assert result["etag"], "l'ETag doit être lisible d'une autre origine"
    assert result["again"] == 304
    assert result["missing"] == 404 and result["title"] == "Ressource introuvable" and result["type"] == "application/problem+json"
    assert page.locator("#liste li").count() == 3
