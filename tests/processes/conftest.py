from tests.staff.conftest import demo_mode, people  # noqa: F401  (the back office's people, one per role)
