"""HTTP/1.1 to the benchmark's own server on 127.0.0.1, as a browser tab makes it."""

from __future__ import annotations

import http.client
import time

REQUEST_TIMEOUT = 30.0


class ClientError(Exception):
    """A request that did not give the expected answer; str() is the error category."""


class Client:
    """One simulated browser tab's connection to the server (HTTP/1.1, keep-alive unless told not to)."""

    def __init__(self, port: int, keep_alive: bool) -> None:
        self.port = port
        self.keep_alive = keep_alive
        self.connection: http.client.HTTPConnection | None = None

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[http.client.HTTPResponse, bytes, float]:
        headers = dict(headers or {})
        if not self.keep_alive:
            headers["Connection"] = "close"
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            data = response.read()
        except TimeoutError:
            self.close()
            raise ClientError("timeout") from None
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            raise ClientError(type(exc).__name__) from None
        elapsed = time.perf_counter() - started
        if response.will_close:
            self.close()
        return response, data, elapsed


def cookies_from(response: http.client.HTTPResponse) -> dict[str, str]:
    jar: dict[str, str] = {}
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, value = header.split(";", 1)[0].partition("=")
        jar[name.strip()] = value.strip()
    return jar


def form_headers(port: int, path: str, jar: dict[str, str]) -> dict[str, str]:
    """Headers of a form POST from the page at `path`: urlencoded, with the cookies and this origin
    (the CSRF checks look at Origin and Referer)."""
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": "; ".join(f"{name}={value}" for name, value in jar.items()),
        "Origin": f"http://127.0.0.1:{port}",
        "Referer": f"http://127.0.0.1:{port}{path}",
    }
