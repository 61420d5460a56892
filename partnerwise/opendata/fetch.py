"""Download open data from its public source, resumably, into `var/data/`.

`download(url, target, check)` fetches one file over HTTP(S) with the standard library
(certificates verified against the system's trust store):

* **Resumable.** Bytes arrive in `<name>.part`; the server's validator (ETag, else
  Last-Modified) is written to `<name>.meta.json` before the body, so a run that is cut off
  resumes with `Range` + `If-Range`: the server sends the rest only if the file is still the
  same, else the whole new file, and a resumed file is never half old, half new.
* **Fresh.** A complete file is asked for again with `If-None-Match` / `If-Modified-Since`;
  304 means unchanged, and the caller need not import it again.
* **Checked.** A complete download must have the length the server announced and pass
  `check` (is it the zip, JSON package or sheet it claims to be?) before it replaces the
  file in place; otherwise it is removed and the error names the URL.

Every failure raises `FetchError` with a one-line message: HTTP errors (404), TLS failures,
unreachable hosts, downloads cut off, and content that is not what the URL promised.
"""

from __future__ import annotations

import http.client
import json
import os
import ssl
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

USER_AGENT = "partnerwise-fetch (+https://github.com/partnerwise)"
TIMEOUT = 60  # seconds without a byte before a download counts as stalled
CHUNK = 1 << 20


class FetchError(Exception):
    """A download failed; the message says which URL and why, in one line."""


@dataclass(frozen=True)
class Downloaded:
    path: Path
    changed: bool  # False when the server said the stored copy is current (304)
    resumed: bool = False


# Hidden, with endings no importer reads, so a directory of downloads imports as it is.
def _meta_path(target: Path) -> Path:
    return target.with_name(f".{target.name}.meta")


def _part_path(target: Path) -> Path:
    return target.with_name(f".{target.name}.part")


def _read_meta(target: Path) -> dict[str, Any]:
    try:
        meta: dict[str, Any] = json.loads(_meta_path(target).read_text(encoding="utf-8"))
        return meta
    except (OSError, ValueError):
        return {}


def _write_meta(target: Path, meta: dict[str, Any]) -> None:
    path = _meta_path(target)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(meta, indent=1), encoding="utf-8")
    os.replace(temporary, path)


def _validator(headers: Any) -> str | None:
    value = headers.get("ETag") or headers.get("Last-Modified")
    return str(value) if value else None


def _open(url: str, headers: dict[str, str]) -> http.client.HTTPResponse | None:
    """The response, or None for 304 Not Modified."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, **headers})
    context = ssl.create_default_context()
    try:
        response: http.client.HTTPResponse = urllib.request.urlopen(
            request, timeout=TIMEOUT, context=context
        )
        return response
    except urllib.error.HTTPError as error:
        if error.code == 304:
            return None
        if error.code == 416:  # the range asked for is past the end: start again
            raise _RangeRefused from None
        raise FetchError(f"{url}: HTTP {error.code} {error.reason}") from None
    except urllib.error.URLError as error:
        reason = error.reason
        host = urlsplit(url).hostname or url
        if isinstance(reason, ssl.SSLCertVerificationError):
            raise FetchError(
                f"{url}: the TLS certificate of {host} is not trusted "
                f"({reason.verify_message}); nothing was downloaded"
            ) from None
        if isinstance(reason, ssl.SSLError):
            raise FetchError(
                f"{url}: TLS failed with {host} ({reason}); nothing was downloaded"
            ) from None
        raise FetchError(f"{url}: cannot reach {host} ({reason})") from None
    except (TimeoutError, OSError, http.client.HTTPException) as error:
        raise FetchError(f"{url}: no answer ({error or type(error).__name__})") from None


class _RangeRefused(Exception):
    pass


def download(url: str, target: Path, check: Callable[[Path], None]) -> Downloaded:
    """Fetch `url` into `target` (see the module docstring); `check` raises `FetchError`
    for content that is not what the caller expects."""
    target.parent.mkdir(parents=True, exist_ok=True)
    part = _part_path(target)
    meta = _read_meta(target)
    if meta.get("url") != url:
        meta = {"url": url}
        part.unlink(missing_ok=True)
    headers: dict[str, str] = {}
    offset = part.stat().st_size if part.exists() else 0
    if offset and meta.get("part_validator"):
        headers["Range"] = f"bytes={offset}-"
        headers["If-Range"] = meta["part_validator"]
    elif target.exists() and meta.get("validator"):
        validator = meta["validator"]
        key = "If-Modified-Since" if validator[-4:] == " GMT" else "If-None-Match"
        headers[key] = validator
        offset = 0
    else:
        offset = 0
    try:
        response = _open(url, headers)
    except _RangeRefused:
        part.unlink(missing_ok=True)
        return download(url, target, check)
    if response is None:
        return Downloaded(target, changed=False)
    with response:
        resumed = response.status == 206 and offset > 0
        if response.status == 206 and not _range_starts_at(response, offset):
            raise FetchError(f"{url}: the server sent a part that does not follow ours")
        if not resumed:
            offset = 0
        total = _total_length(response, offset)
        meta["part_validator"] = _validator(response.headers)
        _write_meta(target, meta)
        received = offset
        with part.open("ab" if resumed else "wb") as out:
            try:
                while chunk := response.read(CHUNK):
                    out.write(chunk)
                    received += len(chunk)
            except (http.client.IncompleteRead, OSError, TimeoutError) as error:
                out.flush()
                received = part.stat().st_size if out.tell() else received
                raise _cut_off(url, received, total, error) from None
    if total is not None and received < total:
        raise _cut_off(url, received, total, None)
    try:
        check(part)
    except FetchError:
        part.unlink(missing_ok=True)
        raise
    os.replace(part, target)
    meta["validator"] = meta.pop("part_validator", None)
    _write_meta(target, meta)
    return Downloaded(target, changed=True, resumed=resumed)


def _range_starts_at(response: http.client.HTTPResponse, offset: int) -> bool:
    content_range = response.headers.get("Content-Range", "")
    return content_range.startswith(f"bytes {offset}-")


def _total_length(response: http.client.HTTPResponse, offset: int) -> int | None:
    length = response.headers.get("Content-Length")
    if length is None or not length.isdigit():
        return None
    return int(length) + (offset if response.status == 206 else 0)


def _cut_off(url: str, received: int, total: int | None, error: Exception | None) -> FetchError:
    of = f" of {total:,}" if total else ""
    why = f" ({type(error).__name__})" if error else ""
    return FetchError(
        f"{url}: download cut off after {received:,}{of} bytes{why}; run the same command "
        "again to resume"
    )


# ------------------------------------------------------------------ what a file must be


def _head(path: Path, size: int = 512) -> bytes:
    with path.open("rb") as raw:
        return raw.read(size)


def _looks_like(head: bytes) -> str:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:64].lower()
    if text.startswith((b"<!doctype html", b"<html", b"<?xml", b"<")):
        return "an HTML or XML page"
    if head.startswith(b"PK"):
        return "a zip file"
    if text.startswith((b"{", b"[")):
        return "JSON"
    return f"something else (starts {head[:16]!r})"


def check_register_zip(path: Path, url: str) -> None:
    """A Charity Commission extract: a zip holding publicextract.<table>.json or .txt."""
    from partnerwise.opendata.readers import SourceError
    from partnerwise.opendata.readers.ccew import open_extract

    if not _head(path, 4).startswith(b"PK"):
        raise FetchError(f"{url}: expected a register extract zip, got {_looks_like(_head(path))}")
    try:
        open_extract(path)
    except SourceError as error:
        raise FetchError(f"{url}: {str(error).split(': ', 1)[-1]}") from None


def check_json_object(path: Path, url: str, what: str, keys: tuple[str, ...]) -> None:
    """A JSON object whose first key among `keys` shows it is `what`."""
    import ijson

    head = _head(path)
    if _looks_like(head) != "JSON":
        raise FetchError(f"{url}: expected {what}, got {_looks_like(head)}")
    with path.open("rb") as raw:
        try:
            for prefix, event, value in ijson.parse(raw):
                if prefix == "" and event == "map_key" and value in keys:
                    return
                if prefix == "" and event in ("start_array", "end_map"):
                    break
        except ijson.JSONError:
            raise FetchError(f"{url}: expected {what}, got broken JSON") from None
    raise FetchError(f"{url}: expected {what}, but it has none of {', '.join(keys)}")


def check_grants_file(path: Path, url: str, suffix: str) -> None:
    """A 360Giving file (`suffix`: its ending once in place): a JSON package with `grants`,
    an XLSX workbook, or a CSV sheet."""
    head = _head(path)
    if suffix == ".json":
        check_json_object(path, url, "a 360Giving JSON package", ("grants",))
    elif suffix in (".xlsx", ".xlsm"):
        if not head.startswith(b"PK"):
            raise FetchError(f"{url}: expected an XLSX workbook, got {_looks_like(head)}")
    elif _looks_like(head) in ("an HTML or XML page", "a zip file"):
        raise FetchError(f"{url}: expected a CSV sheet, got {_looks_like(head)}")
