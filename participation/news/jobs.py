"""Scheduled work on news: publishing scheduled articles, sending newsletters, forgetting unconfirmed addresses."""

from __future__ import annotations

from participation.core.scheduler import register_job


@register_job("news.publish_scheduled", seconds=60, description="Publication des actualités programmées")
def publish_scheduled(now=None) -> int:
    from participation.news.services import publish_due

    return publish_due(now)


@register_job("news.send_newsletters", seconds=30, description="Envoi des lettres d'information programmées, par lots")
def send_newsletters(now=None) -> int:
    from participation.news.newsletter import send_due

    return send_due(now)


@register_job("news.purge_unconfirmed", seconds=3600, description="Effacement des abonnements non confirmés après 7 jours")
def purge_unconfirmed(now=None) -> int:
    from participation.news.newsletter import purge_unconfirmed as purge

    return purge(now)
