import pytest


@pytest.fixture(autouse=True)
def _no_minimum_fill_time(app):
    """Tests post the answering pages at once; the spam test sets the delay back."""
    previous = app.config["FORUMS_MIN_FILL_SECONDS"]
    app.config["FORUMS_MIN_FILL_SECONDS"] = 0
    yield
    app.config["FORUMS_MIN_FILL_SECONDS"] = previous
