"""Every mail leaves through the notifications' one mechanism: ``tell()`` for a person, ``mail_address()``
for an address no preference governs (one's own case without an account, a department's shared mailbox)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import participation
from participation.notifications.services import mail_address

ROOT = Path(participation.__file__).parent
# The outbox itself, and the notifications' own mechanism (tell, send_mail, mail_address, the digests).
ALLOWED = {"core/outbox.py", "notifications/services.py", "notifications/jobs.py"}


def test_no_domain_queues_a_mail_by_itself():
    offenders = [str(path.relative_to(ROOT)) for path in ROOT.rglob("*.py")
                 if str(path.relative_to(ROOT)) not in ALLOWED and re.search(r"\bqueue_mail\b", path.read_text(encoding="utf-8"))]
    assert offenders == [], f"Passez par tell() ou mail_address() : {offenders}"


def test_a_mail_to_an_address_says_why(app):
    with pytest.raises(ValueError, match="unknown reason"):
        mail_address(to="service@collectivite.example", subject="Objet", template="referrals/answer_overdue", dedup_key="k", reason="parce que")
