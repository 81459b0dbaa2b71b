"""Root conftest: shared personas and factories for every test (see kefu/tests/fixtures.py)."""

pytest_plugins = ["kefu.tests.fixtures"]
