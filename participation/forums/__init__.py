"""Consultations (concertations): topics, contributions, reactions, follows, reports, moderation, synthesis."""
