"""Where alerts go: a webhook (a JSON POST) and email over SMTP."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

import httpx

from telekpi import mail
from telekpi.alerts.evaluate import Alert
from telekpi.alerts.rules import Rules
from telekpi.i18n import _


def send_webhook(config: dict, alert: Alert) -> str:
    r = httpx.post(config["url"], json={"source": "telekpi", **alert.to_json()},
                   headers=config.get("headers") or {}, timeout=float(config.get("timeout", 10)))
    r.raise_for_status()
    return f"HTTP {r.status_code}"


def send_email(config: dict, alert: Alert) -> str:
    msg = EmailMessage()
    msg["Subject"] = f"[telekpi] {alert.message}"[:200]
    msg["From"] = config["from"]
    to = config["to"] if isinstance(config["to"], list) else [config["to"]]
    msg["To"] = ", ".join(to)
    lines = [alert.message, "", _("Rule: {rule}").format(rule=alert.rule),
             _("Scope: {scope}").format(scope=alert.scope or _("whole centre")),
             _("Window: {window} ({start} – {end})").format(window=alert.window, start=alert.start,
                                                             end=alert.end)]
    msg.set_content("\n".join(lines) + "\n")
    mail.send({"timeout": 10, **config}, msg)
    return _("mailed {n}").format(n=len(to))


SENDERS = {"webhook": send_webhook, "email": send_email}


def deliver(rules: Rules, state, firing: list[Alert]) -> list[tuple[Alert, str, bool, str]]:
    """Send each active alert to the channels it has not reached yet; failures are retried
    at the next check. Returns (alert, channel, ok, detail) per attempt."""
    report = []
    for alert, todo in state.unsent(firing):
        for channel in todo:
            config = getattr(rules, channel)
            if not config:
                continue
            try:
                detail, ok = SENDERS[channel](config, alert), True
            except (httpx.HTTPError, OSError, smtplib.SMTPException) as e:
                detail, ok = f"{type(e).__name__}: {e}", False
            state.mark_sent(alert, channel, ok, detail)
            report.append((alert, channel, ok, detail))
    return report
