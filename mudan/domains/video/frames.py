"""Frame checks on a snapshot with numpy and Pillow: black, frozen since the last probe (a
64-bit difference hash, dHash), blurred (variance of the Laplacian).

Thresholds are for the probe's grey working copy (at most 320 px wide): a frame is *black*
when its mean brightness is under :data:`BLACK_MEAN` and it is nearly uniform (standard
deviation under :data:`BLACK_STD`); *frozen* when its dHash equals the last probe's (Hamming
distance ≤ :data:`FROZEN_BITS`; live cameras change at least a few bits between probes: time
overlay, traffic, light, sensor noise); *blurred* when the variance of the 4-neighbour
Laplacian is under :data:`BLUR_VAR`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from PIL import Image, UnidentifiedImageError

from mudan.domains.video.enums import ProbeResult

BLACK_MEAN = 20.0
BLACK_STD = 8.0
FROZEN_BITS = 0
BLUR_VAR = 40.0
WORK_SIZE = (320, 240)
THUMB_WIDTH = 160
KEEP_AS_IS = 64 * 1024  # snapshots up to this size are kept as fetched, bigger ones shrunk


class BadImage(ValueError):
    """The bytes are not a decodable image."""


@dataclass(frozen=True)
class FrameCheck:
    result: ProbeResult
    brightness: float
    sharpness: float
    phash: str
    distance: int | None
    snapshot: bytes  # the frame as fetched, or a small JPEG of it when it is large
    content_type: str


def dhash(grey: Image.Image) -> str:
    """64-bit difference hash as 16 hex digits: is each pixel brighter than its left neighbour
    on a 9×8 box-filtered copy."""
    small = np.asarray(grey.resize((9, 8), Image.Resampling.BOX), dtype=np.int16)
    bits = (small[:, 1:] > small[:, :-1]).ravel()
    return f"{int(np.packbits(bits).view('>u8')[0]):016x}"


def hamming(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def laplacian_variance(pixels: np.ndarray) -> float:
    p = pixels.astype(np.float32)
    lap = p[1:-1, :-2] + p[1:-1, 2:] + p[:-2, 1:-1] + p[2:, 1:-1] - 4 * p[1:-1, 1:-1]
    return float(lap.var())


def load(data: bytes) -> tuple[Image.Image, str]:
    """The frame as a grey working copy, and its MIME type."""
    try:
        src = Image.open(io.BytesIO(data))
        mime = Image.MIME.get(src.format or "", "application/octet-stream")
        src.draft("L", WORK_SIZE)  # JPEG: decode grey at a reduced DCT scale (much faster)
        img: Image.Image = src.convert("L")
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise BadImage(str(exc)[:200]) from exc
    if img.width > WORK_SIZE[0]:
        img = img.resize((WORK_SIZE[0], max(1, img.height * WORK_SIZE[0] // img.width)))
    return img, mime


def keepable(data: bytes, grey: Image.Image, mime: str) -> tuple[bytes, str]:
    if len(data) <= KEEP_AS_IS and mime in ("image/jpeg", "image/png"):
        return data, mime
    h = max(1, grey.height * THUMB_WIDTH // max(1, grey.width))
    out = io.BytesIO()
    grey.resize((THUMB_WIDTH, h)).save(out, "JPEG", quality=70)
    return out.getvalue(), "image/jpeg"


def check_frame(data: bytes, *, last_phash: str | None) -> FrameCheck:
    """Classify one snapshot; raises :class:`BadImage` when it cannot be decoded."""
    grey, mime = load(data)
    pixels = np.asarray(grey)
    mean, std = float(pixels.mean()), float(pixels.std())
    sharp = laplacian_variance(pixels) if min(pixels.shape) >= 3 else 0.0
    phash = dhash(grey)
    distance = hamming(phash, last_phash) if last_phash else None
    if mean < BLACK_MEAN and std < BLACK_STD:
        result = ProbeResult.BLACK
    elif distance is not None and distance <= FROZEN_BITS:
        result = ProbeResult.FROZEN
    elif sharp < BLUR_VAR:
        result = ProbeResult.BLURRED
    else:
        result = ProbeResult.OK
    snap, kind = keepable(data, grey, mime)
    return FrameCheck(result, round(mean, 2), round(sharp, 2), phash, distance, snap, kind)
