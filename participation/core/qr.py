"""QR codes for posters, stickers and the forum projector: vector SVG for print, PNG for screens and chat apps."""

from __future__ import annotations

import io
from typing import Any

import qrcode
import qrcode.image.svg
from qrcode.constants import ERROR_CORRECT_H

# High error correction keeps a scratched or half-covered poster readable; four modules of quiet zone
# is what the QR standard asks for around the code.
QUIET_ZONE = 4


def _code(data: str, **options: Any) -> qrcode.QRCode[Any]:
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_H, border=QUIET_ZONE, **options)
    qr.add_data(data)
    qr.make(fit=True)
    return qr


def qr_svg(data: str) -> str:
    """A standalone SVG document that scales to any size without blurring."""
    image = _code(data, image_factory=qrcode.image.svg.SvgPathFillImage).make_image()
    return str(image.to_string(encoding="unicode"))


def qr_png(data: str, box_size: int = 16) -> bytes:
    image = _code(data, box_size=box_size).make_image(fill_color="black", back_color="white")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
