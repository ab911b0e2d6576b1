"""The register's scheduled work: platform processes registered and their figures refreshed."""

from __future__ import annotations

from participation.core.scheduler import register_job


@register_job("processes.sync", seconds=3600, description="Registre des démarches : démarches de la plateforme et leurs chiffres")
def sync_platform_processes() -> dict[str, int]:
    from participation.processes.services import sync

    return sync()
