"""Files in the stand-in, as Slack keeps them (docs.slack.dev/reference/objects/file-object):
files people share (`add_file`), and files Rekan uploads with `files.getUploadURLExternal`, a
POST of the bytes and `files.completeUploadExternal`. Their bytes are served at `url_private`
and `url_private_download` (`/files-pri/T…-F…/…`) to the bot token only."""

from __future__ import annotations

import mimetypes
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

# extension -> (filetype, pretty_type) as Slack names them
KINDS = {
    "png": ("png", "PNG"),
    "jpg": ("jpg", "JPEG"),
    "jpeg": ("jpg", "JPEG"),
    "gif": ("gif", "GIF"),
    "pdf": ("pdf", "PDF"),
    "txt": ("text", "Plain Text"),
    "csv": ("csv", "CSV"),
    "zip": ("zip", "Zip"),
}
PATH = re.compile(r"^/files-pri/(?P<team>[^/-]+)-(?P<file>F[^/]+)/(?P<rest>.+)$")


@dataclass
class StoredFile:
    id: str
    name: str
    title: str
    mimetype: str
    user: str
    created: int
    content: bytes | None = None  # None until the bytes are posted to the upload URL
    length: int | None = None  # announced to files.getUploadURLExternal
    complete: bool = False
    shares: dict[str, list[dict[str, str]]] = field(default_factory=dict)  # channel -> shares


def kind(name: str) -> tuple[str, str]:
    """Slack's `filetype` and `pretty_type` for a file name."""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return KINDS.get(ext, (ext or "binary", ext.upper() or "Binary"))


class FileStore:
    """Every file the stand-in knows, by id; thread-safe."""

    def __init__(self, base: str, team: str, new_id: Callable[[], str]) -> None:
        self.base = base
        self.team = team
        self._new_id = new_id
        self._lock = threading.Lock()
        self._files: dict[str, StoredFile] = {}

    def add(
        self,
        user: str,
        name: str,
        content: bytes,
        *,
        mimetype: str | None = None,
        title: str | None = None,
    ) -> StoredFile:
        """A file a person has uploaded to Slack, ready to share."""
        found = self._new(user, name, mimetype, title)
        found.content, found.complete = content, True
        return found

    def reserve(self, user: str, name: str, length: int | None) -> StoredFile:
        """files.getUploadURLExternal: an id and an upload URL, no bytes yet."""
        found = self._new(user, name, None, None)
        found.length = length
        return found

    def receive(self, file_id: str, data: bytes) -> bool:
        """The POST of the bytes to the upload URL."""
        with self._lock:
            found = self._files.get(file_id)
            if found is None:
                return False
            found.content = data
            return True

    def complete(self, file_id: str, title: str | None) -> StoredFile | None:
        """files.completeUploadExternal for one file: None if its bytes never arrived."""
        with self._lock:
            found = self._files.get(file_id)
            if found is None or found.content is None:
                return None
            found.complete = True
            found.title = title or found.title
            return found

    def share(self, file_id: str, channel: str, ts: str, thread_ts: str | None) -> None:
        share = {"ts": ts, **({"thread_ts": thread_ts} if thread_ts else {})}
        with self._lock:
            found = self._files.get(file_id)
            if found is not None:
                found.shares.setdefault(channel, []).append(share)

    def get(self, file_id: str) -> StoredFile | None:
        with self._lock:
            found = self._files.get(file_id)
            return found if found is not None and found.complete else None

    def content(self, file_id: str) -> bytes:
        """The bytes of a file (uploaded by Rekan or added for a person)."""
        with self._lock:
            found = self._files.get(file_id)
        if found is None or found.content is None:
            raise KeyError(file_id)
        return found.content

    def at(self, path: str) -> StoredFile | None:
        """The file a `/files-pri/…` path names, if any."""
        match = PATH.match(path)
        if match is None or match["team"] != self.team:
            return None
        return self.get(match["file"])

    def as_object(self, found: StoredFile, *, with_shares: bool = False) -> dict[str, Any]:
        """The file object as Slack returns it (`shares` and the like only from files.info)."""
        filetype, pretty = kind(found.name)
        where = f"{self.base}files-pri/{self.team}-{found.id}/"
        item: dict[str, Any] = {
            "id": found.id,
            "created": found.created,
            "timestamp": found.created,
            "name": found.name,
            "title": found.title,
            "mimetype": found.mimetype,
            "filetype": filetype,
            "pretty_type": pretty,
            "user": found.user,
            "user_team": self.team,
            "editable": False,
            "size": len(found.content or b""),
            "mode": "hosted",
            "is_external": False,
            "external_type": "",
            "is_public": False,
            "public_url_shared": False,
            "display_as_bot": False,
            "username": "",
            "url_private": where + quote(found.name),
            "url_private_download": where + "download/" + quote(found.name),
            "media_display_type": "unknown",
            "permalink": f"{self.base}files/{found.user}/{found.id}/{quote(found.name)}",
            "is_starred": False,
            "has_rich_preview": False,
            "file_access": "visible",
        }
        if with_shares:
            item.update(self._shares(found))
        return item

    @staticmethod
    def stub(file_id: str) -> dict[str, Any]:
        """The file as a Slack Connect message carries it: call files.info for the rest."""
        return {
            "id": file_id,
            "mode": "file_access",
            "file_access": "check_file_info",
            "created": 0,
            "timestamp": 0,
            "user": "",
        }

    def _shares(self, found: StoredFile) -> dict[str, Any]:
        with self._lock:
            shares = {c: list(s) for c, s in found.shares.items()}
        public = {c: s for c, s in shares.items() if c.startswith("C")}
        private = {c: s for c, s in shares.items() if not c.startswith("C")}
        return {
            "shares": {
                **({"public": public} if public else {}),
                **({"private": private} if private else {}),
            },
            "channels": sorted(c for c in shares if c.startswith("C")),
            "groups": sorted(c for c in shares if c.startswith("G")),
            "ims": sorted(c for c in shares if c.startswith("D")),
        }

    def _new(self, user: str, name: str, mimetype: str | None, title: str | None) -> StoredFile:
        guessed = mimetypes.guess_type(name)[0] or "application/octet-stream"
        found = StoredFile(
            id=self._new_id(),
            name=name,
            title=title or name,
            mimetype=mimetype or guessed,
            user=user,
            created=int(time.time()),
        )
        with self._lock:
            self._files[found.id] = found
        return found
