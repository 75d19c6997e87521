"""Reading inputs: bad files and dead URLs become one-line ReadErrors, other encodings decode, hashing comes first."""

from __future__ import annotations

import base64
import hashlib
import http.server
import os
import random
import time
from pathlib import Path

import pytest

from ingest import read
from ingest.fetch import read_url
from ingest.read import ReadError, Source, iter_sources, read_file

from conftest import local_server

SMART = "We said \u201cthe cache\u201d didn\u2019t fail \u2013 it did\u2026 at 10:00 UTC."


def problem(path: Path, **kwargs) -> str:
    """The one-line problem reading ``path`` (and decoding it) reports."""
    with pytest.raises(ReadError) as info:
        read_file(path, **kwargs).text
    line = str(info.value)
    assert "\n" not in line and line.startswith(str(path))
    return info.value.reason


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --- bad files ----------------------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"  \n\t\n"])
def test_empty_file(tmp_path, data):
    assert problem(write(tmp_path, "empty.md", data)) == "empty file"


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_bytes_are_not_text(tmp_path, seed):
    rnd = random.Random(seed)
    assert "not a text document" in problem(write(tmp_path, "noise.txt", rnd.randbytes(4000)))
    no_nul = bytes(rnd.randrange(1, 256) for _ in range(4000))
    assert "not a text document" in problem(write(tmp_path, "noise2.txt", no_nul))


@pytest.mark.parametrize(
    "name, data, what",
    [
        ("report.txt", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        ("report.pdf", b"%PDF-1.4\n1 0 obj", "PDF"),
        ("diagram.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
        ("photo.html", b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG"),
        ("export.json", b"PK\x03\x04\x14\x00\x06\x00", "ZIP"),
    ],
)
def test_binary_files_named_by_kind(tmp_path, name, data, what):
    assert what in problem(write(tmp_path, name, data))


def test_size_limit_is_checked_before_reading(tmp_path):
    big = tmp_path / "big.txt"
    with open(big, "wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: 50 MB on paper, nothing on disk
    reason = problem(big)
    assert reason.startswith("too large: 52,428,800 bytes") and "--max-bytes" in reason
    small = write(tmp_path, "small.txt", b"Outage at 10:00 UTC. " * 10)
    assert "too large" in problem(small, max_bytes=100)
    assert read_file(small, max_bytes=1000).text.startswith("Outage")


def test_size_limit_from_environment(monkeypatch):
    monkeypatch.setenv("PMKB_MAX_BYTES", "1234")
    assert read.max_bytes_from_env() == 1234
    monkeypatch.setenv("PMKB_MAX_BYTES", "lots")
    assert read.max_bytes_from_env() == read.DEFAULT_MAX_BYTES


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file_real_permissions(tmp_path):
    path = write(tmp_path, "secret.md", b"# Outage")
    path.chmod(0)
    assert problem(path) == "cannot read: permission denied"


def test_unreadable_file(tmp_path, monkeypatch):
    path = write(tmp_path, "secret.md", b"# Outage")
    real_open = os.open

    def deny(target, *args, **kwargs):
        if str(target) == str(path):
            raise PermissionError(13, "Permission denied", str(target))
        return real_open(target, *args, **kwargs)

    monkeypatch.setattr(read.os, "open", deny)
    assert problem(path) == "cannot read: permission denied"


def test_missing_file_and_folder_given_as_file(tmp_path):
    assert problem(tmp_path / "nope.md") == "no such file"
    assert problem(tmp_path) == "is a folder"


def test_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    assert "not a regular file" in problem(fifo)


def test_folder_walk_names_loops_links_and_strays(tmp_path):
    (tmp_path / "good.md").write_text("# Outage\n\nDown at 10:00 UTC.\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "back").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "self.md").symlink_to(tmp_path / "self.md")
    (tmp_path / "dangling.md").symlink_to(tmp_path / "missing.md")
    write(tmp_path, "logo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    write(tmp_path, "data.csv", b"a,b\n1,2\n")
    (tmp_path / ".hidden.md").write_text("not walked")
    items = list(iter_sources([str(tmp_path)]))
    sources = [i for i in items if isinstance(i, Source)]
    errors = {Path(e.source).name: e.reason for e in items if isinstance(e, ReadError)}
    assert [Path(s.name).name for s in sources] == ["good.md"]
    assert errors["back"].startswith("symlink loop")
    assert errors["self.md"].startswith("symlink loop")
    assert errors["dangling.md"].startswith("broken symlink")
    assert "PNG" in errors["logo.png"]
    assert errors["data.csv"].startswith("unsupported file type .csv")
    assert len(errors) == 5


def test_same_folder_through_two_links_is_read_once(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.md").write_text("# A\n")
    (tmp_path / "alias").symlink_to(tmp_path / "docs", target_is_directory=True)
    items = list(iter_sources([str(tmp_path)]))
    assert len(items) == 1 and isinstance(items[0], Source)


# --- encodings ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, encoding",
    [
        ("Outage in Z\u00fcrich: the caf\u00e9 \u00e0 la carte API failed at 10:00 UTC. R\u00e9sum\u00e9 below.", "latin-1"),
        (SMART, "cp1252"),
        ("Der Dienst fiel um 10:00 UTC aus, weil die Datenbank \u00fcberlastet war. Gr\u00f6\u00dfe.", "latin-1"),
    ],
)
def test_single_byte_encodings(tmp_path, text, encoding):
    source = read_file(write(tmp_path, "doc.txt", text.encode(encoding)))
    assert source.text == text


@pytest.mark.parametrize("codec, bom", [("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"), ("utf-8", b"\xef\xbb\xbf")])
def test_byte_order_marks(tmp_path, codec, bom):
    source = read_file(write(tmp_path, "doc.md", bom + ("# Outage\n\n" + SMART).encode(codec)))
    assert source.text == "# Outage\n\n" + SMART


def test_hash_comes_before_decoding(tmp_path, monkeypatch):
    data = b"\x89PNG\r\n\x1a\n\x00\x00"
    calls = []
    monkeypatch.setattr(read, "decode", lambda data, name: calls.append(name) or ("x", "utf-8"))
    source = read_file(write(tmp_path, "pic.md", data))
    assert source.sha256 == hashlib.sha256(data).hexdigest() and calls == []
    source.text
    source.text
    assert len(calls) == 1


def test_source_from_text_keeps_working():
    source = Source("notes.md", text="# Outage\n", format_hint="markdown")
    assert source.text == "# Outage\n" and source.sha256 == hashlib.sha256(b"# Outage\n").hexdigest()


def test_a_file_whose_name_looks_like_a_url_is_read_as_a_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("notes:v2.md").write_text("# Outage\n")
    [item] = iter_sources(["notes:v2.md"])
    assert isinstance(item, Source) and item.text == "# Outage\n"


# --- URLs --------------------------------------------------------------------------------


class _Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep test output quiet
        pass

    def do_GET(self):  # noqa: N802 - http.server's name
        if self.path == "/ok.md":
            self._send(200, b"# Outage\n\nDown from 10:00 to 11:00 UTC.\n", "text/markdown")
        elif self.path == "/page":
            self._send(200, b"<html><body><h1>Outage</h1><p>Down.</p></body></html>", "text/html; charset=utf-8")
        elif self.path == "/slow":
            time.sleep(2)
            self._send(200, b"late", "text/plain")
        elif self.path == "/big":
            self._send(200, b"x" * 5000, "text/plain")
        elif self.path == "/to-file":
            self._redirect("file:///etc/passwd")
        elif self.path == "/to-ftp":
            self._redirect("ftp://127.0.0.1/x")
        elif self.path == "/to-ok":
            self._redirect("/ok.md")
        elif self.path == "/loop":
            self._redirect("/loop")
        elif self.path == "/drip":  # one byte every 0.1 s: each read is quick, the whole fetch is not
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", "100")
            self.end_headers()
            try:
                for _ in range(100):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.1)
            except (BrokenPipeError, ConnectionResetError):
                pass
        elif self.path == "/private.md":
            expected = "Basic " + base64.b64encode(b"ops:s3cr\xc3\xa9t").decode()
            if self.headers.get("Authorization") == expected:
                self._send(200, b"# Private outage\n", "text/markdown")
            else:
                self._send(401, b"who?", "text/plain")
        else:
            self._send(404, b"missing", "text/plain")

    def _send(self, code, body, content_type):
        try:
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (the timeout test)
            pass

    def _redirect(self, location):
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture(scope="module")
def server():
    with local_server(_Handler) as url:
        yield url


def url_problem(url: str, **kwargs) -> str:
    with pytest.raises(ReadError) as info:
        read_url(url, **kwargs)
    assert info.value.source == url and "\n" not in str(info.value)
    return info.value.reason


def test_url_fetched_with_format_from_suffix_or_content_type(server):
    assert read_url(server + "/ok.md").text.startswith("# Outage")
    page = read_url(server + "/page")
    assert page.format_hint == "html" and "<h1>Outage</h1>" in page.text
    assert read_url(server + "/to-ok").text.startswith("# Outage")


def test_url_404(server):
    assert url_problem(server + "/gone") == "HTTP 404 Not Found"


def test_url_timeout(server):
    # /slow answers after 2 s: a timed-out reason (not the page) shows the read gave up first
    assert url_problem(server + "/slow", timeout=0.3) == "timed out after 0.3 s"


@pytest.mark.parametrize("path, scheme", [("/to-file", "file"), ("/to-ftp", "ftp")])
def test_url_redirect_off_http_is_refused(server, path, scheme):
    assert url_problem(server + path) == f"cannot fetch: redirect to a {scheme}: URL refused"


def test_url_size_limit(server):
    assert url_problem(server + "/big", max_bytes=1000).startswith("too large: 5,000 bytes")


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/x", "javascript:alert(1)", "data:text/plain,hi"])
def test_only_http_and_https_are_fetched(url):
    assert url_problem(url).startswith("only http and https URLs are fetched")


def test_url_errors_flow_through_iter_sources(server):
    items = list(iter_sources([server + "/gone", server + "/ok.md"], url_timeout=2))
    assert isinstance(items[0], ReadError) and isinstance(items[1], Source)


def test_a_slow_drip_is_cut_at_the_deadline_for_the_whole_fetch(server):
    # each read of the drip is quick, so per-read timeouts alone would return the whole body after 10 s
    assert url_problem(server + "/drip", timeout=0.5) == "timed out after 0.5 s"


def test_a_redirect_loop_is_one_line(server):
    assert url_problem(server + "/loop").startswith("redirect loop: HTTP 302")


def test_user_and_password_in_a_url_are_sent_as_basic_auth(server):
    host = server.removeprefix("http://")
    source = read_url(f"http://ops:s3cr%C3%A9t@{host}/private.md")
    assert source.text == "# Private outage\n" and source.name == f"http://ops:***@{host}/private.md"
    with pytest.raises(ReadError) as info:
        read_url(f"http://ops:wrong@{host}/private.md")
    assert str(info.value) == f"http://ops:***@{host}/private.md: HTTP 401 Unauthorized"


@pytest.mark.parametrize("url", ["http://[::1", "http://[::1]:port/x", "https://[not-ipv6]/"])
def test_an_unparsable_url_is_one_problem_and_the_run_goes_on(tmp_path, url):
    ok = write(tmp_path, "ok.md", b"# Outage\n")
    items = list(iter_sources([str(ok), url, str(ok)]))
    assert [type(i) for i in items] == [Source, ReadError, Source]
    assert items[1].reason.startswith("not a valid URL")


@pytest.mark.parametrize("codec", ["utf-32-le", "utf-32-be"])
def test_utf32_with_a_byte_order_mark_is_read_as_utf32(tmp_path, codec):
    bom = b"\xff\xfe\x00\x00" if codec.endswith("le") else b"\x00\x00\xfe\xff"
    source = read_file(write(tmp_path, "a.txt", bom + SMART.encode(codec)))
    assert source.text == SMART and "\x00" not in source.text


@pytest.mark.parametrize("bom", [b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xff\xfe\x00\x00", b"\xef\xbb\xbf \n"])
def test_a_file_of_only_a_byte_order_mark_is_empty(tmp_path, bom):
    assert problem(write(tmp_path, "a.md", bom)).startswith("empty file")


def test_nul_characters_in_utf16_text_are_refused(tmp_path):
    assert "NUL characters" in problem(write(tmp_path, "a.txt", b"\xff\xfe" + "ab\x00cd".encode("utf-16-le")))


def test_a_latin1_file_name_is_read_under_a_storable_name(tmp_path):
    raw = os.fsencode(tmp_path) + b"/caf\xe9.md"
    with open(raw, "wb") as handle:
        handle.write(b"# Outage\n")
    [source] = list(iter_sources([str(tmp_path)]))
    assert source.name.endswith("caf\\xe9.md")
    source.name.encode("utf-8")  # storable: no surrogates left


@pytest.mark.parametrize("name, shown", [("a\x1b[2Jb.md", "a\\x1b[2Jb.md"), ("two\nlines.md", "two\\nlines.md"), ("rtl\u202egpj.md", "rtl\\u202egpj.md")])
def test_names_are_escaped_in_messages(tmp_path, name, shown):
    path = write(tmp_path, name, b"")
    with pytest.raises(ReadError) as info:
        read_file(path).text
    line = str(info.value)
    assert line == f"{tmp_path}/{shown}: empty file"
    assert line.isprintable()


def test_a_folder_named_like_a_document_is_named_when_it_holds_nothing(tmp_path):
    (tmp_path / "x.txt").mkdir()
    [item] = list(iter_sources([str(tmp_path / "x.txt")]))
    assert isinstance(item, ReadError) and item.reason == "a folder with no postmortems in it"
    (tmp_path / "ok.md").write_text("# Outage\n")
    items = list(iter_sources([str(tmp_path)]))
    assert [getattr(i, "reason", None) for i in items] == [None, "a folder named like a document, with nothing in it"]
