"""The referral setup, for the deliberations dataset."""

from tests.referrals.conftest import setup  # noqa: F401
