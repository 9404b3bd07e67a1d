"""The asyncio network backend under httpx and httpx2, against real sockets: reuse, timeouts, a
server closing idle connections, refused connections, flow control both ways, and TLS."""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import httpx2
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ai_agents.net.asyncio_backend import _PAUSE_READING_AT, AsyncioStream
from ai_agents.net.transports import httpx2_transport, httpx_transport

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
LIBRARIES = {"httpx": (httpx, httpx_transport), "httpx2": (httpx2, httpx2_transport)}


@asynccontextmanager
async def raw_server(handler: Handler, ssl_context: ssl.SSLContext | None = None) -> AsyncIterator[str]:
    """An HTTP server written by hand on asyncio streams, so a test decides what each connection sees."""
    connections: list[asyncio.StreamWriter] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(writer)
        try:
            await handler(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0, ssl=ssl_context)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"{'https' if ssl_context else 'http'}://127.0.0.1:{port}", connections
    finally:
        server.close()
        for writer in connections:
            writer.close()


async def read_request(reader: asyncio.StreamReader) -> bytes:
    """One request's head and body (Content-Length bodies only); b'' when the client hung up."""
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    return head + await reader.readexactly(length)


def response(body: bytes, *, close: bool = False) -> bytes:
    connection = b"close" if close else b"keep-alive"
    return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: %s\r\n\r\n%s" % (len(body), connection, body)


BIG = bytes(range(256)) * 8192  # 2 MiB, far past the buffer's pause mark


async def answer_each(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """'got N bytes' for each request, or BIG for a request to /big."""
    while True:
        request = await read_request(reader)
        writer.write(response(BIG if request.startswith(b"GET /big ") else b"got %d bytes" % len(request)))
        await writer.drain()


def streams_of(transport) -> list:
    return [connection._connection._network_stream for connection in transport._pool.connections]


@pytest.mark.parametrize("library", LIBRARIES)
async def test_requests_go_over_asyncio_streams_and_reuse_the_connection(library: str) -> None:
    module, make = LIBRARIES[library]
    async with raw_server(answer_each) as (url, connections):
        transport = make()
        async with module.AsyncClient(transport=transport) as client:
            bodies = [(await client.post(url, content=b"x" * n)).text for n in (10, 20, 30)]
            assert all(isinstance(stream, AsyncioStream) for stream in streams_of(transport))
    assert bodies[1].startswith("got ") and bodies[0] != bodies[1] != bodies[2]
    assert len(connections) == 1  # kept alive and reused


@pytest.mark.parametrize("library", LIBRARIES)
async def test_a_server_that_does_not_answer_is_a_read_timeout(library: str) -> None:
    module, make = LIBRARIES[library]

    async def never_answer(reader, writer) -> None:
        await read_request(reader)
        await asyncio.sleep(30)

    async with raw_server(never_answer) as (url, _):
        async with module.AsyncClient(transport=make(), timeout=module.Timeout(5, read=0.2)) as client:
            started = asyncio.get_running_loop().time()
            with pytest.raises(module.ReadTimeout):
                await client.get(url)
            assert asyncio.get_running_loop().time() - started < 2


@pytest.mark.parametrize("library", LIBRARIES)
async def test_an_idle_connection_the_server_closed_is_replaced_not_used(library: str) -> None:
    module, make = LIBRARIES[library]

    async def answer_once_then_close_later(reader, writer) -> None:
        await read_request(reader)
        writer.write(response(b"first"))  # says keep-alive, then closes while idle
        await writer.drain()
        await asyncio.sleep(0.05)

    async with raw_server(answer_once_then_close_later) as (url, connections):
        async with module.AsyncClient(transport=make()) as client:
            assert (await client.get(url)).text == "first"
            await asyncio.sleep(0.2)
            assert (await client.get(url)).text == "first"
    assert len(connections) == 2


@pytest.mark.parametrize("library", LIBRARIES)
async def test_a_refused_connection_is_a_connect_error(library: str, unused_tcp_port: int) -> None:
    module, make = LIBRARIES[library]
    async with module.AsyncClient(transport=make()) as client:
        with pytest.raises(module.ConnectError):
            await client.get(f"http://127.0.0.1:{unused_tcp_port}/")


@pytest.mark.parametrize("library", LIBRARIES)
async def test_a_connection_reset_mid_response_is_an_error_not_a_short_body(library: str) -> None:
    module, make = LIBRARIES[library]

    async def cut_short(reader, writer) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nonly part")
        await writer.drain()
        writer.transport.abort()

    async with raw_server(cut_short) as (url, _):
        async with module.AsyncClient(transport=make()) as client:
            with pytest.raises((module.ReadError, module.RemoteProtocolError)):
                await client.get(url)


@pytest.mark.parametrize("library", LIBRARIES)
async def test_large_bodies_both_ways_arrive_whole(library: str) -> None:
    """Bodies well past the buffer's pause mark (reading pauses and resumes) and past the socket's
    send buffer (writing waits for it to drain, with a server that reads slowly)."""
    module, make = LIBRARIES[library]
    download = BIG
    upload = b"u" * (4 * 1024 * 1024)

    async def echo_sizes(reader, writer) -> None:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length:"))
            received = 0
            while received < length:
                received += len(await reader.read(65536))
                await asyncio.sleep(0.001)  # a slow reader: the client's writes must wait
            writer.write(response(b"%d" % received if received != len(download) else download))
            await writer.drain()

    async with raw_server(echo_sizes) as (url, _):
        async with module.AsyncClient(transport=make(), timeout=30) as client:
            assert (await client.post(url, content=upload)).text == str(len(upload))
            assert (await client.post(url, content=download)).content == download


def self_signed(directory: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """(server context, client context trusting only that server's certificate) for 127.0.0.1."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert_file, key_file)
    client = ssl.create_default_context(cafile=str(cert_file))
    return server, client


@pytest.mark.parametrize("library", LIBRARIES)
async def test_https_verifies_the_certificate_and_works(library: str, tmp_path: Path) -> None:
    module, make = LIBRARIES[library]
    server_context, client_context = self_signed(tmp_path)
    async with raw_server(answer_each, server_context) as (url, _):
        transport = make(verify=client_context)
        async with module.AsyncClient(transport=transport) as client:
            assert (await client.post(url, content=b"secret")).text.startswith("got ")
            assert (await client.post(url, content=b"again")).text.startswith("got ")
            big = (await client.get(f"{url}/big")).content  # reading paused and resumed through TLS
            assert big == BIG
            stream = streams_of(transport)[0]
            assert stream.get_extra_info("ssl_object") is not None
        async with module.AsyncClient(transport=make()) as untrusting:  # the system's CAs only
            with pytest.raises(module.ConnectError):
                await untrusting.get(url)


@pytest.mark.parametrize("tls", [False, True], ids=["plain", "tls"])
async def test_a_response_not_read_yet_stops_the_socket_being_read(tls: bool, tmp_path: Path) -> None:
    """Flow control: 8 MiB sent, none of it read by the caller: only about the pause mark is held
    in memory (through the TLS layer too), and all of it comes once the caller reads."""
    huge = b"h" * (8 * 1024 * 1024)

    async def send_huge(reader, writer) -> None:
        await read_request(reader)
        writer.write(response(huge))
        await writer.drain()
        await asyncio.sleep(30)

    server_context, client_context = self_signed(tmp_path) if tls else (None, None)
    async with raw_server(send_huge, server_context) as (url, _):
        transport = httpx_transport(verify=client_context) if tls else httpx_transport()
        async with httpx.AsyncClient(transport=transport, timeout=30) as client:
            async with client.stream("GET", url) as streamed:
                await asyncio.sleep(0.3)
                held = len(streams_of(transport)[0]._protocol.buffer)
                assert held <= _PAUSE_READING_AT + 256 * 1024  # a read of the socket past the mark, at most
                assert len(b"".join([chunk async for chunk in streamed.aiter_bytes()])) == len(huge)
