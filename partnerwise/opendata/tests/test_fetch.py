"""`partnerwise fetch`: downloads from a local HTTP server on 127.0.0.1 serving the samples.

No test reaches the internet: every URL is the local server's. The server speaks enough
HTTP for the fetcher's promises: ETag, Range with If-Range, 304, a 404, a connection cut off
mid-body, and (with a self-signed certificate) TLS the client must refuse.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from partnerwise.opendata.models import Award, Grant, RegisterCharity
from partnerwise.opendata.readers.ccew import TABLES
from partnerwise.opendata.tests.conftest import GRANTS, OCDS, SAMPLE

COVID = GRANTS / "covid19-tracker-grants-2020-04-16.json"
SEARCH = OCDS / "contracts-finder-search-2025-01-23.json"


@dataclass
class Site:
    """What the server serves: path -> bytes; `cut` paths stop halfway through the body."""

    files: dict[str, bytes] = field(default_factory=dict)
    cut: set[str] = field(default_factory=set)
    requests: list[tuple[str, str | None]] = field(default_factory=list)  # (path, Range)
    url: str = ""


class _Handler(BaseHTTPRequestHandler):
    site: Site

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        site = self.server.site  # type: ignore[attr-defined]
        # A file is served at its path with this exact query, or else at its path alone.
        path = self.path if self.path in site.files else self.path.split("?")[0]
        site.requests.append((self.path, self.headers.get("Range")))
        body = site.files.get(path)
        if body is None:
            self.send_error(404, "Not Found")
            return
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.end_headers()
            return
        start = 0
        wanted = self.headers.get("Range")
        if wanted and self.headers.get("If-Range") == etag:
            start = int(wanted.removeprefix("bytes=").rstrip("-"))
        self.send_response(206 if start else 200)
        self.send_header("ETag", etag)
        self.send_header("Content-Length", str(len(body) - start))
        if start:
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        self.end_headers()
        if path in site.cut:
            site.cut.discard(path)  # cut once: the next request gets the rest
            self.wfile.write(body[start : start + (len(body) - start) // 2])
            self.wfile.flush()
            self.connection.shutdown(2)
            return
        self.wfile.write(body[start:])


def _serve(site: Site, context: ssl.SSLContext | None = None) -> Iterator[Site]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.site = site  # type: ignore[attr-defined]
    scheme = "http"
    if context is not None:
        server.socket = context.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    site.url = f"{scheme}://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def site() -> Iterator[Site]:
    yield from _serve(Site())


@pytest.fixture(autouse=True)
def var_dir(tmp_path: Path, settings: object) -> Path:
    settings.VAR_DIR = tmp_path / "var"  # type: ignore[attr-defined]
    return tmp_path / "var"


def fetch(*args: str) -> str:
    out = io.StringIO()
    call_command("fetch", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def _register(site: Site) -> None:
    for table in TABLES:
        name = f"publicextract.{table}.zip"
        site.files[f"/extract/{name}"] = (SAMPLE / name).read_bytes()


def test_register_is_fetched_then_imported_and_not_again_when_unchanged(
    db: None, site: Site, var_dir: Path
) -> None:
    _register(site)
    output = fetch("ccew", "--from", f"{site.url}/extract")
    assert "publicextract.charity.zip: downloaded" in output
    assert "Imported ccew:" in output
    assert RegisterCharity.objects.exists()
    assert (var_dir / "data" / "ccew" / "publicextract.charity.zip").read_bytes() == (
        SAMPLE / "publicextract.charity.zip"
    ).read_bytes()
    output = fetch("ccew", "--from", f"{site.url}/extract")
    assert "publicextract.charity.zip: unchanged" in output
    assert "Nothing new to import." in output


def test_an_interrupted_download_resumes_where_it_stopped(
    db: None, site: Site, var_dir: Path
) -> None:
    site.files["/grants.json"] = COVID.read_bytes()
    site.cut.add("/grants.json")
    with pytest.raises(CommandError, match=r"grants.json: download cut off after [\d,]+ of"):
        fetch("360giving", f"{site.url}/grants.json")
    assert not Grant.objects.exists()
    output = fetch("360giving", f"{site.url}/grants.json")
    assert "downloaded (resumed" in output
    assert site.requests[-1][1] is not None  # asked for the rest only
    stored = var_dir / "data" / "360giving" / "127-0-0-1-grants.json"
    assert stored.read_bytes() == COVID.read_bytes()
    assert Grant.objects.exists()


def test_a_file_changed_since_the_interruption_is_fetched_whole(
    db: None, site: Site, var_dir: Path
) -> None:
    old = json.loads(COVID.read_text(encoding="utf-8"))
    site.files["/grants.json"] = json.dumps(old).encode()
    site.cut.add("/grants.json")
    with pytest.raises(CommandError, match="cut off"):
        fetch("360giving", f"{site.url}/grants.json")
    new = {"grants": old["grants"][:3]}
    site.files["/grants.json"] = json.dumps(new).encode()
    output = fetch("360giving", f"{site.url}/grants.json")
    assert "resumed" not in output  # If-Range failed: the whole new file, not old + new
    stored = var_dir / "data" / "360giving" / "127-0-0-1-grants.json"
    assert json.loads(stored.read_bytes()) == new
    assert Grant.objects.count() == 3


def test_missing_file_fails_cleanly_and_the_rest_go_on(db: None, site: Site) -> None:
    site.files["/grants.json"] = COVID.read_bytes()
    with pytest.raises(CommandError, match=r"1 download\(s\) failed:\n.*/gone.json: HTTP 404"):
        fetch("360giving", f"{site.url}/gone.json", f"{site.url}/grants.json")
    assert Grant.objects.exists()  # the good file was still imported


def test_a_page_that_is_not_what_it_claims_is_refused(db: None, site: Site, var_dir: Path) -> None:
    site.files["/extract/publicextract.charity.zip"] = b"<!DOCTYPE html><p>Maintenance</p>"
    with pytest.raises(CommandError, match=r"expected a register extract zip, got an HTML"):
        fetch("ccew", "--from", f"{site.url}/extract")
    assert not RegisterCharity.objects.exists()
    assert not (var_dir / "data" / "ccew" / "publicextract.charity.zip").exists()
    site.files["/grants.json"] = json.dumps({"releases": []}).encode()
    with pytest.raises(CommandError, match=r"expected a 360Giving JSON package, but it has none"):
        fetch("360giving", f"{site.url}/grants.json")


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl to make a cert")
def test_an_untrusted_certificate_is_refused(db: None, tmp_path: Path) -> None:
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    for secure in _serve(Site(files={"/grants.json": COVID.read_bytes()}), context):
        with pytest.raises(CommandError, match=r"TLS certificate of 127.0.0.1 is not trusted"):
            fetch("360giving", f"{secure.url}/grants.json")
    assert not Grant.objects.exists()


def test_contracts_finder_pages_are_followed_and_imported(db: None, site: Site) -> None:
    first = json.loads(SEARCH.read_text(encoding="utf-8"))
    first["links"] = {"next": f"{site.url}/Published/Notices/OCDS/Search?cursor=2"}
    second = {"version": "1.1", "releases": first["releases"][:0], "links": {}}
    raw = sorted((OCDS / "bluetail-2017-2020" / "json_1_1_raw").glob("*.json"))[0]
    second["releases"] = json.loads(raw.read_text(encoding="utf-8"))["releases"]
    site.files["/Published/Notices/OCDS/Search"] = json.dumps(first).encode()
    site.files["/Published/Notices/OCDS/Search?cursor=2"] = json.dumps(second).encode()
    output = fetch("contracts-finder", "--from", site.url, "--since", "2025-01-20")
    assert "page-0001.json: downloaded" in output and "page-0002.json: downloaded" in output
    assert "publishedFrom=2025-01-20T00:00:00" in site.requests[0][0]
    assert Award.objects.filter(ocid=second["releases"][0]["ocid"]).exists()
    assert Award.objects.filter(ocid__startswith="ocds-b5fd17-").count() > 1


def test_a_bad_since_date_is_refused(db: None) -> None:
    with pytest.raises(CommandError, match=r"--since '2025-02-30': expected a date"):
        fetch("contracts-finder", "--since", "2025-02-30")


def test_registry_files_of_one_publisher_since_a_date(db: None, site: Site) -> None:
    site.files["/grants.json"] = COVID.read_bytes()
    site.files["/old.json"] = COVID.read_bytes()
    site.files["/data.json"] = json.dumps(
        [
            {"publisher": {"name": "Covid Tracker", "prefix": "360G-covid"},
             "modified": "2020-04-16T10:00:00", "distribution": [
                 {"downloadURL": f"{site.url}/grants.json"}]},
            {"publisher": {"name": "Covid Tracker", "prefix": "360G-covid"},
             "modified": "2019-01-01T10:00:00", "distribution": [
                 {"downloadURL": f"{site.url}/old.json"}]},
            {"publisher": {"name": "Someone Else", "prefix": "360G-else"},
             "modified": "2020-04-16T10:00:00", "distribution": [
                 {"downloadURL": f"{site.url}/missing.json"}]},
        ]
    ).encode()  # fmt: skip
    output = fetch(
        "360giving", "--registry", f"{site.url}/data.json", "--publisher", "covid",
        "--since", "2020-01-01",
    )  # fmt: skip
    assert "Registry: 1 file(s) to fetch." in output
    assert [path for path, _ in site.requests] == ["/data.json", "/grants.json"]
    assert Grant.objects.exists()
