"""The peers' TLS certificates: one of five kinds, all from a test CA that can persist between runs.

``trusted`` is signed by the test CA (the CA a device under test must trust: generated once into
a CA directory and kept, or brought as a certificate and key); ``untrusted`` by a second CA made
per run; ``self-signed`` signs itself (made with ``cryptography`` directly, as trustme only makes
CA-issued leaves); ``wrong-host`` is signed by the test CA for a name the peer does not have;
``expired`` is signed by the test CA with a validity window that ended yesterday. Every key is
ECDSA P-256, so swapping the certificate of a running context replaces it instead of adding a
second one beside it.
"""

from __future__ import annotations

import datetime
import ipaddress
import ssl
import tempfile
from pathlib import Path
from typing import Literal, get_args

import trustme
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from paircert.tlsfiles import write_private

__all__ = ["CERT_KINDS", "WRONG_HOST", "CertKind", "PeerCertificates", "load_test_ca"]

CertKind = Literal["trusted", "untrusted", "self-signed", "wrong-host", "expired"]
CERT_KINDS: tuple[str, ...] = get_args(CertKind)
WRONG_HOST = "wrong-host.paircert.invalid"
CA_CERT_NAME, CA_KEY_NAME = "paircert-test-ca.pem", "paircert-test-ca.key"
_ORGANIZATION = "paircert test CA"


def load_test_ca(ca_dir: Path | None = None, *, ca_cert: Path | None = None, ca_key: Path | None = None) -> trustme.CA:
    """The CA that signs ``trusted`` certificates.

    ``ca_cert`` and ``ca_key`` bring your own; else ``ca_dir`` holds one, created on first use
    and reused afterwards (the key owner-only); with neither, a fresh CA lives for this run.
    """
    if (ca_cert is None) != (ca_key is None):
        raise ValueError("a CA certificate and its key go together")
    if ca_cert is not None and ca_key is not None:
        return trustme.CA.from_pem(Path(ca_cert).read_bytes(), Path(ca_key).read_bytes())
    if ca_dir is None:
        return trustme.CA(organization_name=_ORGANIZATION)
    directory = Path(ca_dir)
    cert_path, key_path = directory / CA_CERT_NAME, directory / CA_KEY_NAME
    if cert_path.exists() and key_path.exists():
        return trustme.CA.from_pem(cert_path.read_bytes(), key_path.read_bytes())
    directory.mkdir(parents=True, exist_ok=True)
    ca = trustme.CA(organization_name=_ORGANIZATION)
    write_private(key_path, ca.private_key_pem.bytes())
    cert_path.write_bytes(ca.cert_pem.bytes())
    return ca


def _self_signed(identities: list[str]) -> bytes:
    """Certificate and key (PEM) of a leaf that is its own issuer."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, identities[0])])
    now = datetime.datetime.now(datetime.UTC)
    alt_names: list[x509.GeneralName] = []
    for identity in identities:
        try:
            alt_names.append(x509.IPAddress(ipaddress.ip_address(identity)))
        except ValueError:
            alt_names.append(x509.DNSName(identity))
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return key_pem + cert.public_bytes(serialization.Encoding.PEM)


class PeerCertificates:
    """Certificates of every kind for one peer's ``identities`` (addresses and DNS names)."""

    def __init__(self, ca: trustme.CA, identities: list[str]) -> None:
        if not identities:
            raise ValueError("a peer certificate needs at least one identity")
        self.ca = ca
        self.identities = list(dict.fromkeys(identities))
        self._untrusted_ca: trustme.CA | None = None
        self._pems: dict[str, bytes] = {}

    @property
    def ca_pem(self) -> bytes:
        """The test CA certificate: what a client (or a device) trusts to accept ``trusted``."""
        return self.ca.cert_pem.bytes()

    def write_ca(self, path: Path) -> Path:
        Path(path).write_bytes(self.ca_pem)
        return Path(path)

    def pem(self, kind: str) -> bytes:
        """Private key, certificate and chain (PEM) of one kind; made once per instance."""
        if kind not in CERT_KINDS:
            raise ValueError(f"unknown certificate kind {kind!r}; choose from {', '.join(CERT_KINDS)}")
        if kind not in self._pems:
            self._pems[kind] = self._make(kind)
        return self._pems[kind]

    def _make(self, kind: str) -> bytes:
        names, common = self.identities, self.identities[0]
        if kind == "self-signed":
            return _self_signed(names)
        if kind == "untrusted":
            self._untrusted_ca = self._untrusted_ca or trustme.CA(organization_name="paircert untrusted CA")
            leaf = self._untrusted_ca.issue_cert(*names, common_name=common)
        elif kind == "wrong-host":
            leaf = self.ca.issue_cert(WRONG_HOST, common_name=WRONG_HOST)
        elif kind == "expired":
            now = datetime.datetime.now(datetime.UTC)
            leaf = self.ca.issue_cert(
                *names,
                common_name=common,
                not_before=now - datetime.timedelta(days=30),
                not_after=now - datetime.timedelta(days=1),
            )
        else:
            leaf = self.ca.issue_cert(*names, common_name=common)
        return leaf.private_key_and_cert_chain_pem.bytes()

    def load_into(self, context: ssl.SSLContext, kind: str) -> None:
        """Make ``context`` present a certificate of ``kind`` from its next handshake on."""
        data = self.pem(kind)
        with tempfile.NamedTemporaryFile(suffix=".pem") as handle:  # load_cert_chain reads files only
            handle.write(data)
            handle.flush()
            context.load_cert_chain(handle.name)

    def server_context(self, kind: str) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.load_into(context, kind)
        return context
