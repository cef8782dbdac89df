"""SMTP delivery shared by alerts and scheduled reports: host, port, ssl or starttls,
user with the password read from an environment variable (never from a file)."""

from __future__ import annotations

import os
import smtplib
from email.message import EmailMessage


def send(config: dict, msg: EmailMessage) -> None:
    port = int(config.get("port", 465 if config.get("ssl") else 25))
    timeout = float(config.get("timeout", 30))
    cls = smtplib.SMTP_SSL if config.get("ssl") else smtplib.SMTP
    with cls(config["host"], port, timeout=timeout) as smtp:
        if config.get("starttls"):
            smtp.starttls()
        if config.get("user"):
            smtp.login(config["user"], os.environ.get(config.get("password_env", ""), ""))
        smtp.send_message(msg)
