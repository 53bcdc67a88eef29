"""The outbox folder the app writes mail to when SMTP_URL is unset, watched for new mail so the
console can show each recovery-email code as it arrives."""

from __future__ import annotations

import email
import threading
from email.message import Message
from pathlib import Path


class OutboxWatch:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._lock = threading.Lock()
        self._seen = set(self._names())  # mail from earlier runs is not news

    def new_mail(self) -> list[tuple[Path, str]]:
        """Each mail written since last asked: its file, and how it reads."""
        with self._lock:
            fresh = sorted(set(self._names()) - self._seen)
            self._seen.update(fresh)
        found = []
        for name in fresh:
            path = (self.folder / name).resolve()
            try:
                message = email.message_from_bytes(path.read_bytes())
            except OSError:
                continue
            found.append((path, readable(message)))
        return found

    def _names(self) -> list[str]:
        try:
            return [path.name for path in self.folder.glob("*.eml")]
        except OSError:
            return []


def readable(message: Message) -> str:
    body = message.get_payload(decode=True)
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
    head = [f"{name}: {message[name]}" for name in ("From", "To", "Subject") if message[name]]
    return "\n".join([*head, "", text.strip()])
