"""The public read-only JSON API (``/api/v1/``).

This package holds the shared machinery only: the registry of resources,
cursor pagination, the JSON envelope, problem details (RFC 9457), ETag and
CORS, and the OpenAPI document built from the resources' schemas. Each
domain declares what it publishes in its own ``participation/<domain>/api.py``
(see ``registry.py``).
"""
