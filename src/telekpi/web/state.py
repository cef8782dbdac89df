"""What the web app keeps between requests besides the workspace: its users and sessions,
the failed sign-ins it is counting, whether cookies need HTTPS, whether the first
overview has been answered, and its clock (what "now" is: a test or a demo pins it so the
wallboard's "refreshed at" and "last data … ago" do not move)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from telekpi.web.auth import Users
from telekpi.web.throttle import SignInThrottle
from telekpi.workspace import SharedWorkspace


class WebState:
    def __init__(self, db: Path, users: Users | None = None, secure_cookies: bool = False,
                 clock: Callable[[], datetime] | None = None):
        self.workspace = SharedWorkspace(db)
        self.users = users or Users.beside(db)
        self.throttle = SignInThrottle.from_settings(self.workspace.settings)
        self.secure_cookies = secure_cookies
        self.warmed = threading.Event()
        self.clock = clock or (lambda: datetime.now(UTC))

    def close(self) -> None:
        self.workspace.close()
        self.users.close()
