"""Receive one digest delivery on 127.0.0.1:PORT, verify its signature, print it, exit.

Usage: WEBHOOK_SECRET=whsec_... webhook_receiver.py PORT (exit 1 when none verified in 2 min)
"""

import os
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

webhook = Webhook(os.environ["WEBHOOK_SECRET"])  # the secret PUT /api/v1/webhook returned
verified: list[dict] = []


class Receive(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["content-length"]))
        try:  # checks webhook-id, webhook-timestamp (within 5 min) and webhook-signature
            verified.append(webhook.verify(body, dict(self.headers)))
            self.send_response(204)  # any 2xx: delivered; otherwise the hub retries later
        except WebhookVerificationError:
            self.send_response(400)
        self.end_headers()


server = HTTPServer(("127.0.0.1", int(sys.argv[1])), Receive)
server.timeout = 120
print("waiting for a delivery on", server.server_address[1], flush=True)
server.handle_request()
for message in verified:
    data = message["data"]
    print(message["type"], data["agency"], data["digest_date"], "disclosures", data["disclosures"])
sys.exit(0 if verified else 1)
