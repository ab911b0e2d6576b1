import pytest


@pytest.fixture(autouse=True)
def _no_minimum_fill_time(app):
    """Tests post forms at once; the test of the minimum time sets it back."""
    previous = app.config["FORUMS_MIN_FILL_SECONDS"]
    app.config["FORUMS_MIN_FILL_SECONDS"] = 0
    yield
    app.config["FORUMS_MIN_FILL_SECONDS"] = previous
