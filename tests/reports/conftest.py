"""The fixtures of the dashboard's tests: the small world of dashboard_data.py and the
fixtures it stands on (an accepted A1, the 2026 plan and payments)."""

from ..funding.conftest import paid, plan, policies  # noqa: F401 (fixtures)
from ..rectification.conftest import a1, accepted_a1, campaign, small_set  # noqa: F401 (fixtures)
from .dashboard_data import world  # noqa: F401 (fixture)
