"""A local SMTP server for the benchmarks, in a process of its own, that keeps only the Message-IDs.

    python bench/smtp_sink.py PORT

It takes every mail (aiosmtpd, its logging off) and answers on standard input:
``count`` prints ``{"received": n, "unique": m}``, ``clear`` forgets what came,
``stop`` ends it. Run apart from the process that sends, it does not share its
interpreter lock nor its time: what is measured is the sender.
"""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

MESSAGE_ID = re.compile(rb"^message-id:[ \t]*(\S+)", re.IGNORECASE | re.MULTILINE)


class _Handler:
    def __init__(self):
        self.ids: list[bytes] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        content = envelope.original_content or envelope.content
        headers = content.split(b"\r\n\r\n", 1)[0]
        found = MESSAGE_ID.search(headers)
        with self.lock:
            self.ids.append(found.group(1) if found else b"")
        return "250 Message accepted for delivery"


def serve(port: int) -> None:
    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)
    handler = _Handler()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    for line in sys.stdin:
        command = line.strip()
        if command == "count":
            with handler.lock:
                ids = list(handler.ids)
            print(json.dumps({"received": len(ids), "unique": len(set(ids)), "missing_id": ids.count(b"")}), flush=True)
        elif command == "clear":
            with handler.lock:
                handler.ids.clear()
            print("ok", flush=True)
        elif command == "stop":
            break
    controller.stop()


class SMTPSink:
    """The sink seen from the benchmark: started, asked, stopped."""

    def __init__(self, port: int):
        self.port = port
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), str(self.port)],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        if self.process.stdout.readline().strip() != "ready":
            raise RuntimeError("le serveur SMTP du banc n'a pas démarré")

    def _ask(self, command: str) -> str:
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return self.process.stdout.readline().strip()

    def count(self) -> dict:
        # The last mails may still be in the server's hands for a moment after the sender's QUIT.
        time.sleep(0.2)
        return json.loads(self._ask("count"))

    def clear(self) -> None:
        self._ask("clear")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.stdin.write("stop\n")
            self.process.stdin.close()
            self.process.wait(10)
        self.process = None


if __name__ == "__main__":
    serve(int(sys.argv[1]))
