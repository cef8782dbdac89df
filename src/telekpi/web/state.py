"""What the web app keeps between requests besides the workspace: its users and sessions,
the failed sign-ins it is counting, whether cookies need HTTPS, and whether the first
overview has been answered."""

from __future__ import annotations

import threading
from pathlib import Path

from telekpi.web.auth import Users
from telekpi.web.throttle import SignInThrottle
from telekpi.workspace import SharedWorkspace


class WebState:
    def __init__(self, db: Path, users: Users | None = None, secure_cookies: bool = False):
        self.workspace = SharedWorkspace(db)
        self.users = users or Users.beside(db)
        self.throttle = SignInThrottle.from_settings(self.workspace.settings)
        self.secure_cookies = secure_cookies
        self.warmed = threading.Event()

    def close(self) -> None:
        self.workspace.close()
        self.users.close()
