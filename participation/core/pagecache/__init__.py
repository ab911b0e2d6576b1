"""Public pages served to anonymous visitors from a cache that domain events invalidate.

A view opts in with ``@cached_page`` (in the domain that owns the page). For
an anonymous ``GET`` of such a page, the response is looked up under a key
made of the path, the sorted query string, the locale, the host and the
*generation*; on a miss the page is rendered and, when it is fit to share,
kept in a bounded in-process LRU and in Redis when ``PAGE_CACHE_REDIS_URL`` is
set. A hit is served without opening the database (one query without Redis:
the generation).

Generations are kept per *tag*. An event's tag is the table of its subject
(``DomainEvent.subject_type``: "contributions", "events", "registrations"…;
"platform" for an event about no row). A page declares the tags it shows
(``@cached_page(tags=("forums", "users"))``): a domain's name stands for every
table of that domain, a table's name for itself, a callable returns tags at
request time (the agenda asks its sources). ``SITE_TAGS`` (the territory, its
communes and themes, the platform) are added to every declared list. A view
that declares no tags depends on every event, as before.

The generations change when a transaction that recorded a domain event commits
(``record()`` marks the session with the subject's tag; the session's
``after_commit`` bumps those tags; a rollback forgets the marks). With Redis
each tag is a counter in Redis shared by every worker (plus ``*``, bumped by
every event, last, for views without tags; a worker reads a page's tags again
only when ``*`` has moved since it last read them: one short GET per hit while
nothing changes, instead of an MGET of 80 keys for the home page); without Redis it is the latest id of the
tags' events (``DomainEvent.cache_tag``: one query of one indexed probe per
tag, index ``ix_domain_events_cache_tag``, so another process's commit is seen
at once) plus counters of this process's commits. Every state change records an
event, so a page rendered before a change is never served after it. Events
that change nothing a public page shows (a log-in, a password reset…) are
declared with ``private_events()`` by their domain and bump nothing.

Never cached: a page rendered for a logged-in person (a session with a user,
or a remember-me cookie; a view declared ``everyone=True``, whose answer never
depends on who asks, is the same for them: the public API; and the copy of a
page shared by every signed-in person is rendered for no one, see "Pages
shared by every signed-in person" below), a page while a flashed message waits, a response that
sets a cookie other than the session's (which carries nothing but a CSRF
token the page does not show) or a page that shows a CSRF token (a form: its
token belongs to one session), anything but a 200, anything
but ``GET``/``HEAD``, a view that did not opt in (staff pages never do).
Time changes state too (a consultation closes at midnight, an event starts):
an entry lives ``PAGE_CACHE_SECONDS`` (60 s) at most, or less if the view
says so (``@cached_page(max_age=…)``).

The key holds the scheme, the host, the path, the query string as sent (a
page may show its own address: the API's ``self`` link) and the language the
page speaks. Rate limits count every request, served or not: Flask-Limiter's
check runs before the cache, and an entry keeps none of the ``X-RateLimit-*``
or ``Retry-After`` headers of the request that stored it (each answer gets its
own). An entry answers ``If-None-Match`` and ``If-Modified-Since`` as the view
did (``etag_only()``: a view whose ``Last-Modified`` is not a validator).

The package's modules, each importing those before it (this file only gathers the public names):
``generations`` (tags, the generations and the journal's, Redis, the in-process LRU), ``people`` (the
signed-in person's generation and card, the rows that name people), ``entries`` (an entry's key, lookup,
keeping and conditional answers), ``fragments``, ``shared`` (pages shared by every signed-in person),
``serving`` (``cached_page`` and the request hooks that serve and store) and ``hooks`` (``init_app``,
the session listeners, installed once when it is imported, and ``clear``).
"""

from __future__ import annotations

from participation.core.pagecache.generations import (
    ALL,
    SITE_TAGS,
    bump,
    event_tag,
    expand_tags,
    generation,
    journal_generation,
    local_pages,
    mark_changed,
    private_events,
)
from participation.core.pagecache.people import (
    impersonal_rows,
    people_are,
    person_attributes,
    person_card,
    person_changed,
    person_generation,
)
from participation.core.pagecache.entries import etag_only
from participation.core.pagecache.fragments import fragment
from participation.core.pagecache.shared import SIGNED_IN, shared_page_key
from participation.core.pagecache.serving import cached_page
from participation.core.pagecache.hooks import clear, init_app

__all__ = [
    "ALL",
    "SIGNED_IN",
    "SITE_TAGS",
    "bump",
    "cached_page",
    "clear",
    "etag_only",
    "event_tag",
    "expand_tags",
    "fragment",
    "generation",
    "impersonal_rows",
    "init_app",
    "journal_generation",
    "local_pages",
    "mark_changed",
    "people_are",
    "person_attributes",
    "person_card",
    "person_changed",
    "person_generation",
    "private_events",
    "shared_page_key",
]
