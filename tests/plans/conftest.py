from tests.staff.conftest import people  # noqa: F401  (the back office's people, one per role)
