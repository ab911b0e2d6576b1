"""A real SMTP server for tests, on a local port (aiosmtpd).

It takes every address, except those a test asks it to refuse (``refuse()``):
a permanent refusal (550 « user unknown ») or a temporary one (451)."""

from __future__ import annotations

import email
import email.policy
import threading
from dataclasses import dataclass

from aiosmtpd.controller import Controller


@dataclass
class ReceivedMail:
    sender: str
    recipients: list[str]
    message: email.message.EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part else ""

    @property
    def html(self) -> str:
        part = self.message.get_body(preferencelist=("html",))
        return part.get_content() if part else ""


class _Handler:
    def __init__(self, server: SMTPServer):
        self.server = server

    async def handle_RCPT(self, smtp_server, session, envelope, address, rcpt_options):
        """Refuse the addresses the test asked to refuse, with the reply it chose; take the others."""
        with self.server.lock:
            reply = self.server.replies.get(address.lower())
        if reply is not None:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_EHLO(self, smtp_server, session, envelope, hostname, responses):
        """Count the SMTP sessions (one EHLO each): a sender that opens one connection per mail shows here."""
        session.host_name = hostname
        with self.server.lock:
            self.server.sessions += 1
        return responses

    async def handle_DATA(self, smtp_server, session, envelope):
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        with self.server.lock:
            self.server.messages.append(ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


class SMTPServer:
    def __init__(self, port: int):
        self.port = port
        self.messages: list[ReceivedMail] = []
        # Address -> the reply to its RCPT TO, for the addresses to refuse.
        self.replies: dict[str, str] = {}
        # SMTP sessions opened (EHLO received) since the start, or since a test reset it.
        self.sessions = 0
        self.lock = threading.Lock()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def running(self) -> bool:
        return self.controller is not None

    def refuse(self, address: str, reply: str) -> None:
        """Answer ``reply`` (« 550 5.1.1 … », « 451 4.3.0 … ») to RCPT TO ``address`` until ``forget_refusals()``."""
        with self.lock:
            self.replies[address.lower()] = reply

    def forget_refusals(self) -> None:
        with self.lock:
            self.replies.clear()

    def to(self, address: str) -> list[ReceivedMail]:
        with self.lock:
            return [m for m in self.messages if address in m.recipients]
