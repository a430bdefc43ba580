"""Reads: querysets with their joins applied, already scoped to the user.

Split by page: home figures, organization pages, user management.
"""

from .home import *  # noqa: F401,F403
from .pages import *  # noqa: F401,F403
from .users import *  # noqa: F401,F403
