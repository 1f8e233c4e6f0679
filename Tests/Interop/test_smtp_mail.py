# SPDX-License-Identifier: Apache-2.0
"""Password-reset mail over SMTP: the real `authd serve` talks to an aiosmtpd sink on 127.0.0.1 (plain, AUTH, STARTTLS)."""
import datetime
import email
import email.policy
import ipaddress
import re
import ssl
import threading
import time

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from test_http_api import PASSWORD, free_port, register, server_factory  # noqa: F401 (fixture)

NEW_PASSWORD = "an entirely new passphrase"
SMTP_USER = "mailer"
SMTP_PASSWORD = "smtp-secret-7f3a9c"


class Sink:
    """An aiosmtpd handler that keeps every message it receives, and the AUTH logins it saw."""

    def __init__(self):
        self.messages = []
        self.logins = []
        self.received = threading.Condition()

    async def handle_DATA(self, server, session, envelope):
        with self.received:
            self.messages.append(
                {"from": envelope.mail_from, "to": envelope.rcpt_tos, "content": envelope.content, "tls": session.ssl is not None}
            )
            self.received.notify_all()
        return "250 Message accepted for delivery"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        self.logins.append((mechanism, auth_data.login.decode(), auth_data.password.decode()))
        ok = auth_data.login.decode() == SMTP_USER and auth_data.password.decode() == SMTP_PASSWORD
        return AuthResult(success=ok)

    def wait_for(self, count: int, timeout: float = 15):
        deadline = time.monotonic() + timeout
        with self.received:
            while len(self.messages) < count and time.monotonic() < deadline:
                self.received.wait(timeout=deadline - time.monotonic())
        return self.messages


@pytest.fixture
def smtp_sink():
    """Starts an SMTP sink: `start(**controller_kwargs)` returns (sink, port); stopped after the test."""
    controllers = []

    def start(**kwargs):
        sink = Sink()
        port = free_port()
        controller = Controller(sink, hostname="127.0.0.1", port=port, authenticator=sink.authenticate, **kwargs)
        controller.start()
        controllers.append(controller)
        return sink, port

    yield start
    for controller in controllers:
        controller.stop()


def self_signed_tls(tmp_path):
    """A certificate for localhost and 127.0.0.1: (server SSLContext, CA file path for authd)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path = tmp_path / "smtp-cert.pem"
    key_path = tmp_path / "smtp-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)
    return context, cert_path


def reset_through_mail(server, sink):
    """Registers ada, asks for a reset, reads the link from the received mail, resets, and logs in with the new password."""
    register(server)
    response = server.post("/api/password/forgot", {"username": "ada"})
    assert response.status_code == 202, response.text
    messages = sink.wait_for(1)
    assert len(messages) == 1, server.logs()
    received = messages[0]
    assert received["from"] == "no-reply@localhost"
    assert received["to"] == ["ada@example.com"]
    assert b"\r\n" in received["content"] or b"\n" in received["content"]
    parsed = email.message_from_bytes(received["content"], policy=email.policy.default)
    assert parsed["Subject"] == "Reset your authd password"
    assert parsed["To"] == "ada@example.com"
    text = parsed.get_content()
    link = re.search(r"(http://\S+/reset-password/(adpr_[A-Za-z0-9_-]+))", text)
    assert link, text
    assert link.group(1).startswith(server.url)
    token = link.group(2)

    assert server.post("/api/password/reset", {"token": token, "password": NEW_PASSWORD}).status_code == 204
    assert server.post("/api/login", {"username": "ada", "password": PASSWORD}).status_code == 401
    assert server.post("/api/login", {"username": "ada", "password": NEW_PASSWORD}).status_code == 200
    # The token never reaches the log, and neither does an SMTP password.
    assert token not in server.logs()
    assert SMTP_PASSWORD not in server.logs()
    return received


def test_reset_mail_over_plain_smtp_on_loopback(server_factory, smtp_sink, tmp_path):
    sink, port = smtp_sink()
    server = server_factory("--smtp-host", "127.0.0.1", "--smtp-port", str(port))
    received = reset_through_mail(server, sink)
    assert not received["tls"]
    assert not sink.logins
    assert not (tmp_path / "data" / "outbox").exists(), "SMTP configured: nothing goes to the outbox"


def test_reset_mail_with_auth_over_loopback_when_explicitly_allowed(server_factory, smtp_sink):
    sink, port = smtp_sink(auth_require_tls=False)
    server = server_factory(
        "--smtp-host",
        "127.0.0.1",
        "--smtp-port",
        str(port),
        "--smtp-username",
        SMTP_USER,
        "--smtp-allow-insecure-auth",
        "true",
        env={"AUTHD_SMTP_PASSWORD": SMTP_PASSWORD},
    )
    reset_through_mail(server, sink)
    # The reset mail, and the notice after the reset (when it has gone out already): each with the right AUTH.
    assert sink.logins and {(login, password) for _, login, password in sink.logins} == {(SMTP_USER, SMTP_PASSWORD)}


def test_reset_mail_over_starttls_with_auth(server_factory, smtp_sink, tmp_path):
    context, ca_file = self_signed_tls(tmp_path)
    sink, port = smtp_sink(tls_context=context, require_starttls=True)
    config = tmp_path / "authd.json"
    config.write_text(
        '{"smtp-host": "localhost", "smtp-port": %d, "smtp-username": "%s", "smtp-password": "%s", "smtp-starttls": "required", "smtp-ca-file": "%s"}'
        % (port, SMTP_USER, SMTP_PASSWORD, ca_file)
    )
    server = server_factory("--config", str(config))
    received = reset_through_mail(server, sink)
    assert received["tls"]
    # The reset mail, and the notice after the reset (when it has gone out already): each with the right AUTH.
    assert sink.logins and {(login, password) for _, login, password in sink.logins} == {(SMTP_USER, SMTP_PASSWORD)}


def test_credentials_never_cross_plain_text_without_permission(server_factory, smtp_sink):
    sink, port = smtp_sink(auth_require_tls=False)
    server = server_factory(
        "--smtp-host", "127.0.0.1", "--smtp-port", str(port), "--smtp-username", SMTP_USER, env={"AUTHD_SMTP_PASSWORD": SMTP_PASSWORD}
    )
    register(server)
    response = server.post("/api/password/forgot", {"username": "ada"})
    assert response.status_code == 202
    deadline = time.monotonic() + 10
    while "SMTP delivery failed" not in server.logs() and time.monotonic() < deadline:
        time.sleep(0.05)
    logs = server.logs()
    assert "insecure_authentication" in logs, logs
    assert not sink.messages and not sink.logins
    assert SMTP_PASSWORD not in logs


def test_unreachable_smtp_server_still_answers_202(server_factory):
    port = free_port()  # nothing listens there
    server = server_factory("--smtp-host", "127.0.0.1", "--smtp-port", str(port), "--smtp-timeout", "2")
    register(server)
    started = time.monotonic()
    response = server.post("/api/password/forgot", {"username": "ada"})
    assert response.status_code == 202
    assert time.monotonic() - started < 2
    deadline = time.monotonic() + 10
    while "SMTP delivery failed" not in server.logs() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "connection_failed" in server.logs()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--smtp-host", "smtp.example.com", "--smtp-starttls", "never"], "smtp-starttls"),
        (["--smtp-host", "smtp.example.com", "--smtp-allow-insecure-auth", "true"], "smtp-allow-insecure-auth"),
        (["--smtp-port", "25"], "smtp-host"),
        (["--smtp-host", "127.0.0.1", "--smtp-starttls", "sometimes"], "smtp-starttls"),
    ],
)
def test_invalid_smtp_settings_exit_2(authd, tmp_path, args, message):
    result = authd("serve", "--data-dir", str(tmp_path / "data"), "--port", "0", *args, timeout=30)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr.decode()


def test_help_documents_smtp_options(authd):
    text = authd("serve", "--help").stdout.decode()
    for option in ["--smtp-host", "--smtp-port", "--smtp-username", "--smtp-password-file", "--smtp-starttls", "AUTHD_SMTP_PASSWORD"]:
        assert option in text
    assert "--smtp-password " not in text and "--smtp-password <" not in text  # the secret itself has no flag (#17 item 9)
