"""Independent clients play the peer camera: PyAV (FFmpeg 8.1, GnuTLS) always; ffmpeg/gst CLIs when installed.

PROTOCOL-NOTES §4: FFmpeg ignores unknown option names, so a misspelt ``tls_verify`` would turn
verification off without a word. The refusal test is what proves the options took effect.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import av
import pytest

from paircert.peers.config import PeerConfig
from paircert.peers.embedded import EmbeddedPeers, PeerHandle

USER, PASSWORD = "interop", "interop-secret"


@pytest.fixture(scope="module")
def camera() -> Iterator[PeerHandle]:
    config = PeerConfig(
        kind="camera",
        address="127.0.0.2",
        user=USER,
        password=PASSWORD,
        rtsp_port=0,
        rtsps_port=0,
        http_port=None,
        https_port=None,
    )
    with EmbeddedPeers([config]) as peers:
        yield peers.camera


@pytest.fixture
def ca_file(camera: PeerHandle, tmp_path: Path) -> Path:
    camera.set_certificate("trusted")
    return camera.write_ca(tmp_path / "ca.pem")


def with_credentials(url: str | None) -> str:
    assert url is not None
    return url.replace("://", f"://{USER}:{PASSWORD}@", 1)


def decode(url: str, options: dict[str, str], frames: int = 5) -> list[tuple[int, int]]:
    sizes: list[tuple[int, int]] = []
    with av.open(url, options={"rtsp_transport": "tcp", **options}, timeout=(5.0, 5.0)) as container:
        for picture in container.decode(video=0):
            sizes.append((picture.width, picture.height))
            if len(sizes) == frames:
                break
    return sizes


def test_pyav_decodes_the_peer_camera_over_rtsp_with_digest(camera: PeerHandle) -> None:
    assert decode(with_credentials(camera.urls.rtsp), {}) == [(640, 360)] * 5
    record = camera.records().rtsp[-1]
    assert record.auth_scheme == "digest" and record.authenticated
    assert record.user_agent and record.user_agent.startswith("Lavf")


def test_pyav_decodes_over_rtsps_with_verification_on(camera: PeerHandle, ca_file: Path) -> None:
    options = {"tls_verify": "1", "ca_file": str(ca_file)}
    assert decode(with_credentials(camera.urls.rtsps), options) == [(640, 360)] * 5
    record = camera.records().rtsps[-1]
    assert record.tls_version in ("TLSv1.2", "TLSv1.3") and record.authenticated


@pytest.mark.parametrize("kind", ["untrusted", "self-signed", "wrong-host", "expired"])
def test_pyav_with_verification_on_refuses_a_bad_certificate(camera: PeerHandle, ca_file: Path, kind: str) -> None:
    camera.set_certificate(kind)
    try:
        with pytest.raises(OSError):
            decode(with_credentials(camera.urls.rtsps), {"tls_verify": "1", "ca_file": str(ca_file)}, frames=1)
    finally:
        camera.set_certificate("trusted")
    assert not any(r.methods for r in camera.records().rtsps[-1:])  # not one RTSP request got through


def test_pyav_without_verification_accepts_the_untrusted_certificate(camera: PeerHandle, ca_file: Path) -> None:
    """The control case: the refusal above is verification's doing, not a broken server."""
    camera.set_certificate("untrusted")
    try:
        assert decode(with_credentials(camera.urls.rtsps), {}, frames=1) == [(640, 360)]
    finally:
        camera.set_certificate("trusted")


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="the ffmpeg command-line tool is not installed")
def test_ffmpeg_cli_reads_frames_over_rtsp(camera: PeerHandle, tmp_path: Path) -> None:
    out = tmp_path / "frames.h264"
    command = [
        "ffmpeg",
        "-nostdin",
        "-loglevel",
        "error",
        "-rtsp_transport",
        "tcp",
        "-i",
        with_credentials(camera.urls.rtsp),
        "-frames:v",
        "5",
        "-c",
        "copy",
        "-y",
        str(out),
    ]
    result = subprocess.run(command, capture_output=True, timeout=20, check=False)
    assert result.returncode == 0, result.stderr.decode(errors="replace")[-500:]
    assert out.stat().st_size > 0


@pytest.mark.skipif(shutil.which("gst-launch-1.0") is None, reason="GStreamer's gst-launch-1.0 is not installed")
def test_gstreamer_rtspsrc_reads_frames_over_rtsp(camera: PeerHandle) -> None:
    url = camera.urls.rtsp
    assert url is not None
    pipeline = (
        f"rtspsrc location={url} user-id={USER} user-pw={PASSWORD} protocols=tcp num-buffers=5 "
        "! rtph264depay ! h264parse ! fakesink"
    )
    result = subprocess.run(["gst-launch-1.0", "-q", *pipeline.split()], capture_output=True, timeout=20, check=False)
    assert result.returncode == 0, result.stderr.decode(errors="replace")[-500:]
