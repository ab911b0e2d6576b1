"""A platform thing made public enters the register at once (the worker's hourly run refreshes figures)."""

from __future__ import annotations

from participation.core.eventlog import subscribe


@subscribe("consultation.published", "consultation.closed", "consultation.synthesis_published")
def _consultation_changed(event) -> None:
    from participation.processes.services import sync

    sync("consultation", [event.subject_id])


@subscribe("referral.received", "referral.accepted", "referral.transmitted", "referral.answered", "referral.closed")
def _referral_changed(event) -> None:
    from participation.processes.services import sync

    sync("referral", [event.subject_id])
