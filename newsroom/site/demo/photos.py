"""Synthetic, photo-like images for the newsroom demo content and benchmarks.

The demo tells the story of a touring-car driver and his team at an endurance
race, so this module paints a few racing scenes (car on track, podium, pit
lane, driver portrait, night running) and team wordmarks.

The photos are meant to behave like real camera files rather than like flat
test images: they have camera-sized dimensions, soft gradients, depth blur,
a vignette and full-resolution sensor grain, so a 4000x2667 JPEG weighs a few
megabytes and exercises upload, storage and thumbnailing realistically.

Everything is drawn with Pillow alone.  Big shapes are painted on a reduced
"work" canvas and upscaled, because that is much cheaper than painting at full
size and the upscale softness reads as lens softness; only the grain is made
at full resolution.  All randomness comes from ``random.Random`` instances
seeded from the arguments, so the output bytes are reproducible.
"""

from __future__ import annotations

import io
import math
import random
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from statistics import NormalDist

from PIL import ExifTags, Image, ImageChops, ImageDraw, ImageFilter, ImageFont, ImageOps
from PIL.TiffImagePlugin import IFDRational

RGB = tuple[int, int, int]
Point = tuple[float, float]

SCENES: tuple[str, ...] = ("track", "podium", "pitlane", "portrait", "night")
RACE_NUMBER = "120"
CAMERA_MAKE = "Demo Camera Co."
CAMERA_MODEL = "Demo Camera DC-1"
LENS_MODEL = "Demo Zoom 24-400mm"
SOFTWARE = "newsroom demo photo generator"
JPEG_QUALITY = 90
# Used for EXIF dates when the caller gives no taken_at: the demo race weekend.
DEMO_RACE_START = datetime(2025, 6, 14, 15, 0, 0)

# Shapes are painted with the long edge at most this big; larger photos are
# upscaled.  2000 px keeps a full-size photo well under the time budget.
_MAX_WORK_EDGE = 2000
_RESAMPLE = Image.Resampling.BICUBIC

_LIVERIES: tuple[tuple[RGB, RGB], ...] = (
    ((18, 52, 128), (250, 196, 20)),
    ((196, 24, 32), (245, 245, 245)),
    ((238, 238, 240), (18, 110, 200)),
    ((26, 26, 30), (0, 196, 168)),
    ((236, 112, 16), (32, 34, 44)),
)
_SKIN_TONES: tuple[RGB, ...] = ((234, 192, 164), (214, 164, 128), (170, 118, 86), (112, 76, 56))
_HAIR_COLOURS: tuple[RGB, ...] = (
    (40, 30, 24),
    (92, 62, 36),
    (180, 140, 90),
    (28, 28, 30),
    (120, 116, 112),
)
_CROWD_COLOURS: tuple[RGB, ...] = (
    (210, 40, 40),
    (240, 240, 240),
    (30, 60, 150),
    (250, 200, 40),
    (40, 40, 44),
    (90, 150, 60),
    (230, 120, 30),
    (160, 160, 170),
)
_CONFETTI_COLOURS: tuple[RGB, ...] = (
    (232, 190, 64),
    (224, 224, 232),
    (210, 36, 44),
    (30, 90, 200),
    (255, 255, 255),
    (250, 150, 30),
)


# --------------------------------------------------------------------------
# Small colour and geometry helpers


def _clamp(value: float) -> int:
    return max(0, min(255, round(value)))


def _scale(colour: RGB, factor: float) -> RGB:
    return (_clamp(colour[0] * factor), _clamp(colour[1] * factor), _clamp(colour[2] * factor))


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    return (
        _clamp(a[0] + (b[0] - a[0]) * t),
        _clamp(a[1] + (b[1] - a[1]) * t),
        _clamp(a[2] + (b[2] - a[2]) * t),
    )


def _quad(cx: float, cy: float, width: float, height: float, angle: float) -> list[Point]:
    cos_a, sin_a = math.cos(angle), math.sin(angle)
    corners = (
        (-width / 2, -height / 2),
        (width / 2, -height / 2),
        (width / 2, height / 2),
        (-width / 2, height / 2),
    )
    return [(cx + x * cos_a - y * sin_a, cy + x * sin_a + y * cos_a) for x, y in corners]


@lru_cache(maxsize=64)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=max(4, size))


def _fit_font(
    text: str, max_width: float, max_height: float
) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    probe = 100
    left, top, right, bottom = _font(probe).getbbox(text)
    scale = min(max_width / max(1, right - left), max_height / max(1, bottom - top))
    return _font(max(4, int(probe * scale)))


# Letters the built-in font lacks that Unicode decomposition cannot simplify.
_ASCII_FALLBACKS = {
    "ß": "ss",
    "ø": "o",
    "Ø": "O",
    "æ": "ae",
    "Æ": "AE",
    "ł": "l",
    "Ł": "L",
    "\u2013": "-",
    "\u2014": "-",
    "\u20ac": "EUR",
}


def _glyph_image(text: str) -> bytes:
    image = Image.new("L", (64, 64), 0)
    ImageDraw.Draw(image).text((8, 8), text, font=_font(32), fill=255)
    return image.tobytes()


@lru_cache(maxsize=512)
def _has_glyph(char: str) -> bool:
    # Missing characters render as the font's ".notdef" box.
    return char.isspace() or _glyph_image(char) != _glyph_image("\uffff")


def _renderable(text: str) -> str:
    """Fold characters the built-in font cannot draw, e.g. "Bäckman" -> "Backman".

    ``ImageFont.load_default`` ships a reduced Aileron without accented
    letters; boxes in a wordmark would look broken, a plain letter does not.
    """
    out: list[str] = []
    for char in text:
        if _has_glyph(char):
            out.append(char)
        elif char in _ASCII_FALLBACKS:
            out.append(_ASCII_FALLBACKS[char])
        else:
            base = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
            out.append("".join(c for c in base if _has_glyph(c)))
    return "".join(out)


# --------------------------------------------------------------------------
# Noise and image-wide operations


def _uniform_noise(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    # randbytes is seedable and far faster than Image.effect_noise.
    return Image.frombytes("L", size, rng.randbytes(size[0] * size[1]))


@lru_cache(maxsize=16)
def _gaussian_lut(sigma: float) -> tuple[int, ...]:
    # Inverse-CDF lookup turns uniform bytes into Gaussian grain around 128.
    dist = NormalDist(128.0, max(sigma, 1e-6))
    return tuple(_clamp(dist.inv_cdf((i + 0.5) / 256)) for i in range(256))


def _gaussian_noise(rng: random.Random, size: tuple[int, int], sigma: float) -> Image.Image:
    return _uniform_noise(rng, size).point(list(_gaussian_lut(sigma)))


def _value_noise(
    rng: random.Random, size: tuple[int, int], cell: tuple[float, float]
) -> Image.Image:
    columns = max(2, math.ceil(size[0] / max(cell[0], 1.5)) + 1)
    rows = max(2, math.ceil(size[1] / max(cell[1], 1.5)) + 1)
    return _uniform_noise(rng, (columns, rows)).resize(size, _RESAMPLE)


def _fractal_noise(
    rng: random.Random, size: tuple[int, int], cell: tuple[float, float], octaves: int = 4
) -> Image.Image:
    """Smooth multi-scale noise, stretched to the full 0..255 range."""
    result = _value_noise(rng, size, cell)
    total = weight = 1.0
    for octave in range(1, octaves):
        weight *= 0.5
        total += weight
        finer = (cell[0] / 2**octave, cell[1] / 2**octave)
        result = Image.blend(result, _value_noise(rng, size, finer), weight / total)
    return ImageOps.autocontrast(result, cutoff=0.5)


def _textured(base: Image.Image, texture: Image.Image, amount: float) -> Image.Image:
    """Add a grey-level texture to ``base`` with a swing of about +-amount levels."""
    lut = [_clamp(128 + (v - 128) * amount / 128) for v in range(256)]
    shade = texture.point(lut)
    return ImageChops.add(base, Image.merge("RGB", (shade, shade, shade)), 1.0, -128)


def _gradient(size: tuple[int, int], top: RGB, bottom: RGB, mid: RGB | None = None) -> Image.Image:
    ramp = Image.linear_gradient("L").resize(size, Image.Resampling.BILINEAR)
    return ImageOps.colorize(ramp, top, bottom, mid)


def _blur(image: Image.Image, radius: float) -> Image.Image:
    """Gaussian blur that works on a reduced copy for big radii (much cheaper)."""
    if radius <= 0:
        return image
    factor = max(1, min(8, int(radius // 3)))
    if factor == 1:
        return image.filter(ImageFilter.GaussianBlur(radius))
    small = image.reduce(factor).filter(ImageFilter.GaussianBlur(radius / factor))
    return small.resize(image.size, _RESAMPLE)


def _blur_layer(layer: Image.Image, radius: float) -> Image.Image:
    # Premultiplied alpha keeps transparent black from bleeding into edges.
    return _blur(layer.convert("RGBa"), radius).convert("RGBA")


def _motion_blur(image: Image.Image, radius: float) -> Image.Image:
    return image.filter(ImageFilter.BoxBlur((max(radius, 0.0), 0)))


def _vignette(image: Image.Image, strength: float) -> Image.Image:
    ramp = Image.radial_gradient("L").resize(image.size, Image.Resampling.BILINEAR)
    shade = ramp.point([_clamp(255 * (1 - strength * (v / 255) ** 2.4)) for v in range(256)])
    return ImageChops.multiply(image, Image.merge("RGB", (shade, shade, shade)))


def _grade(image: Image.Image, tint: tuple[float, float, float], contrast: float) -> Image.Image:
    """Gentle S-curve plus white balance, like a camera's picture style."""
    lut: list[int] = []
    for gain in tint:
        for v in range(256):
            x = v / 255
            curved = x + contrast * (x * x * (3 - 2 * x) - x)
            lut.append(_clamp(255 * curved * gain))
    return image.point(lut)


def _add_grain(photo: Image.Image, rng: random.Random, sigma: float) -> Image.Image:
    """Full-resolution luminance grain plus softer, blotchier colour noise."""
    width, height = photo.size
    luma = _gaussian_noise(rng, (width, height), sigma)
    chroma_size = (max(1, width // 2), max(1, height // 2))
    chroma = Image.merge("RGB", [_gaussian_noise(rng, chroma_size, sigma * 0.9) for _ in range(3)])
    noise = ImageChops.add(
        Image.merge("RGB", (luma, luma, luma)),
        chroma.resize(photo.size, Image.Resampling.BILINEAR),
        1.0,
        -128,
    )
    return ImageChops.add(photo, noise, 1.0, -128)


def _glow_sprite(radius: int, colour: RGB, falloff: float) -> Image.Image:
    ramp = ImageOps.invert(Image.radial_gradient("L"))
    # Values past the inscribed circle would make square corners: cut them.
    ramp = ramp.point([_clamp(255 * max(0.0, (v - 75) / 180) ** falloff) for v in range(256)])
    ramp = ramp.resize((max(2, 2 * radius), max(2, 2 * radius)), Image.Resampling.BILINEAR)
    return ImageOps.colorize(ramp, (0, 0, 0), colour)


def _add_glow(
    layer: Image.Image, centre: Point, radius: float, colour: RGB, falloff: float = 2.0
) -> None:
    r = max(1, round(radius))
    box = (round(centre[0]) - r, round(centre[1]) - r, round(centre[0]) + r, round(centre[1]) + r)
    sprite = _glow_sprite(r, colour, falloff)
    layer.paste(ImageChops.add(layer.crop(box), sprite), box[:2])


# --------------------------------------------------------------------------
# Canvas and scene specifications


@dataclass
class _Canvas:
    image: Image.Image
    layout: random.Random  # composition choices; independent of output size
    noise: random.Random  # pixel textures; consumption depends on size

    @property
    def w(self) -> int:
        return self.image.width

    @property
    def h(self) -> int:
        return self.image.height

    def draw(self) -> ImageDraw.ImageDraw:
        return ImageDraw.Draw(self.image)

    def paste_band(self, band: Image.Image, top: float, mask: Image.Image | None = None) -> None:
        self.image.paste(band, (0, round(top)), mask)


@dataclass(frozen=True)
class _SceneSpec:
    paint: Callable[[_Canvas], None]
    grain: float  # luminance grain sigma in 8-bit levels
    tint: tuple[float, float, float]
    vignette: float
    exposure: tuple[int, int]  # seconds as numerator/denominator
    f_number: float
    iso: int
    focal_mm: int
    default_offset: timedelta  # from DEMO_RACE_START, when taken_at is omitted


# --------------------------------------------------------------------------
# Race car


_CAR_BODY: tuple[Point, ...] = (
    (0.000, 0.075),
    (0.000, 0.200),
    (0.030, 0.245),
    (0.200, 0.256),
    (0.318, 0.362),
    (0.360, 0.374),
    (0.560, 0.374),
    (0.700, 0.272),
    (0.930, 0.238),
    (0.994, 0.192),
    (1.000, 0.100),
    (0.985, 0.048),
    (0.020, 0.048),
)
_CAR_GLASS: tuple[Point, ...] = ((0.236, 0.262), (0.330, 0.352), (0.556, 0.352), (0.668, 0.270))
_CAR_WHEEL_X: tuple[float, float] = (0.180, 0.805)
_CAR_WHEEL_R = 0.088


@dataclass(frozen=True)
class _CarLights:
    headlight: Point
    taillight: Point


def _car_mapper(length: int, pad: int, ground: int) -> Callable[[float, float], Point]:
    return lambda u, v: (pad + u * length, ground - v * length)


def _car_paintwork(size: tuple[int, int], body: RGB, body_mask: Image.Image) -> Image.Image:
    paint = _gradient(size, _mix(body, (255, 255, 255), 0.35), _scale(body, 0.45), body).convert(
        "RGBA"
    )
    paint.putalpha(body_mask)
    return paint


def _car_livery(
    layer: Image.Image, p: Callable[[float, float], Point], body_mask: Image.Image, accent: RGB
) -> None:
    stripes = Image.new("L", layer.size, 0)
    draw = ImageDraw.Draw(stripes)
    draw.polygon([p(0.0, 0.128), p(1.02, 0.112), p(1.02, 0.152), p(0.0, 0.170)], fill=255)
    draw.polygon([p(0.60, 0.04), p(0.70, 0.04), p(0.86, 0.25), p(0.76, 0.25)], fill=255)
    layer.paste((*accent, 255), (0, 0), ImageChops.multiply(stripes, body_mask))


def _car_number(
    draw: ImageDraw.ImageDraw, p: Callable[[float, float], Point], length: int, number: str
) -> None:
    left, top = p(0.405, 0.222)
    right, bottom = p(0.545, 0.110)
    draw.rounded_rectangle([left, top, right, bottom], radius=0.015 * length, fill=(250, 250, 250))
    draw.text(
        p(0.475, 0.166), number, font=_font(round(0.082 * length)), fill=(16, 16, 18), anchor="mm"
    )


def _car_details(
    draw: ImageDraw.ImageDraw, p: Callable[[float, float], Point], length: int, body: RGB
) -> None:
    line = max(1, round(0.003 * length))
    draw.polygon([p(*pt) for pt in _CAR_GLASS], fill=(26, 30, 38))
    draw.polygon(
        [p(0.30, 0.300), p(0.34, 0.345), p(0.40, 0.345), p(0.34, 0.280)], fill=(70, 78, 92)
    )
    draw.line([p(0.455, 0.352), p(0.455, 0.262)], fill=_scale(body, 0.8), width=3 * line)
    draw.line(
        [p(0.035, 0.238), p(0.925, 0.229)], fill=_mix(body, (255, 255, 255), 0.55), width=line
    )
    for x in (0.36, 0.56):
        draw.line([p(x, 0.07), p(x, 0.255)], fill=_scale(body, 0.55), width=line)
    draw.polygon(
        [p(0.655, 0.262), p(0.700, 0.262), p(0.695, 0.290), p(0.660, 0.286)], fill=(20, 20, 24)
    )
    draw.rectangle([p(0.215, 0.074), p(0.705, 0.046)], fill=(30, 30, 34))
    draw.polygon(
        [p(0.90, 0.048), p(1.015, 0.048), p(1.015, 0.036), p(0.90, 0.040)], fill=(14, 14, 16)
    )
    draw.polygon([p(0.0, 0.075), p(0.07, 0.048), p(0.0, 0.048)], fill=(20, 20, 22))
    draw.text(
        p(0.16, 0.205),
        "RACING",
        font=_font(round(0.028 * length)),
        fill=(245, 245, 245),
        anchor="mm",
    )


def _car_wing(draw: ImageDraw.ImageDraw, p: Callable[[float, float], Point]) -> None:
    dark = (22, 22, 26)
    for x in (0.045, 0.085):
        draw.rectangle([p(x, 0.305), p(x + 0.008, 0.250)], fill=dark)
    draw.polygon([p(-0.005, 0.300), p(0.115, 0.303), p(0.115, 0.318), p(-0.005, 0.322)], fill=dark)
    draw.rectangle([p(-0.006, 0.335), p(0.006, 0.285)], fill=dark)


def _car_wheels(
    draw: ImageDraw.ImageDraw, p: Callable[[float, float], Point], length: int, accent: RGB
) -> None:
    r = _CAR_WHEEL_R * length
    for u in _CAR_WHEEL_X:
        cx, cy = p(u, _CAR_WHEEL_R)
        arch = r * 1.13
        draw.pieslice([cx - arch, cy - arch, cx + arch, cy + arch], 180, 360, fill=(12, 12, 14))
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=(20, 20, 22))
        # Concentric rings instead of spokes: at racing speed spokes blur out.
        for ratio, colour in (
            (0.68, (150, 152, 158)),
            (0.58, (108, 110, 116)),
            (0.40, (168, 170, 176)),
            (0.16, (50, 50, 54)),
        ):
            rr = r * ratio
            draw.ellipse([cx - rr, cy - rr, cx + rr, cy + rr], fill=colour)
        caliper = r * 0.5
        draw.pieslice(
            [cx - caliper, cy - caliper, cx + caliper, cy + caliper], 200, 250, fill=accent
        )


def _car_lamps(
    draw: ImageDraw.ImageDraw, p: Callable[[float, float], Point], lit: bool
) -> _CarLights:
    head = (255, 252, 235) if lit else (214, 218, 224)
    tail = (255, 60, 48) if lit else (170, 20, 24)
    draw.polygon([p(0.925, 0.222), p(0.988, 0.196), p(0.994, 0.176), p(0.930, 0.196)], fill=head)
    draw.polygon([p(0.0, 0.192), p(0.028, 0.236), p(0.050, 0.238), p(0.016, 0.192)], fill=tail)
    return _CarLights(headlight=p(0.965, 0.198), taillight=p(0.02, 0.215))


def _darken_layer(layer: Image.Image, factor: float) -> Image.Image:
    *channels, alpha = layer.split()
    lut = [_clamp(v * factor) for v in range(256)]
    return Image.merge("RGBA", [c.point(lut) for c in channels] + [alpha])


def _car_layer(
    length: int, body: RGB, accent: RGB, brightness: float, lit: bool
) -> tuple[Image.Image, _CarLights]:
    """A side view of a touring car facing right, on a transparent layer."""
    pad = round(0.03 * length)
    size = (length + 2 * pad, round(0.36 * length) + 2 * pad)
    p = _car_mapper(length, pad, size[1] - pad)
    body_mask = Image.new("L", size, 0)
    ImageDraw.Draw(body_mask).polygon([p(*pt) for pt in _CAR_BODY], fill=255)
    layer = _car_paintwork(size, body, body_mask)
    _car_livery(layer, p, body_mask, accent)
    draw = ImageDraw.Draw(layer)
    _car_details(draw, p, length, body)
    _car_number(draw, p, length, RACE_NUMBER)
    _car_wing(draw, p)
    _car_wheels(draw, p, length, accent)
    if brightness != 1.0:
        layer = _darken_layer(layer, brightness)
    lights = _car_lamps(ImageDraw.Draw(layer), p, lit)
    return _blur_layer(layer, 0.6), lights


def _paint_car_shadow(c: _Canvas, left: float, ground: float, length: float, opacity: int) -> None:
    mask = Image.new("L", c.image.size, 0)
    ImageDraw.Draw(mask).ellipse(
        [
            left - 0.02 * length,
            ground - 0.035 * length,
            left + 1.04 * length,
            ground + 0.03 * length,
        ],
        fill=opacity,
    )
    c.image.paste((8, 8, 10), (0, 0), _blur(mask, 0.02 * length))


def _paint_car(
    c: _Canvas,
    left: float,
    ground: float,
    length: float,
    livery: tuple[RGB, RGB],
    brightness: float = 1.0,
    lit: bool = False,
) -> _CarLights:
    """Paint the car with its left end at ``left`` and tyres on ``ground``."""
    px = max(40, round(length))
    _paint_car_shadow(c, left, ground, px, 200)
    layer, lights = _car_layer(px, livery[0], livery[1], brightness, lit)
    pad = round(0.03 * px)
    origin = (round(left) - pad, round(ground) - layer.height + pad)
    c.image.paste(layer, origin, layer)
    ox, oy = origin
    return _CarLights(
        headlight=(lights.headlight[0] + ox, lights.headlight[1] + oy),
        taillight=(lights.taillight[0] + ox, lights.taillight[1] + oy),
    )


# --------------------------------------------------------------------------
# People


def _draw_person(
    draw: ImageDraw.ImageDraw,
    cx: float,
    feet: float,
    height: float,
    suit: RGB,
    skin: RGB,
    pose: str = "stand",
    helmet: RGB | None = None,
    facing: int = 1,
) -> tuple[Point, Point]:
    """A simple standing/crouching figure in overalls; returns hand positions.

    ``facing`` (1 = right, -1 = left) only matters for the crouching pose.
    """
    crouch = pose == "crouch"
    hip = feet - (0.30 if crouch else 0.47) * height
    shoulder = feet - (0.60 if crouch else 0.80) * height
    limb = max(2, round(0.07 * height))
    dark = _scale(suit, 0.7)
    if crouch:
        f = facing * height
        draw.line(
            [(cx, hip), (cx + 0.16 * f, feet - 0.26 * height), (cx + 0.14 * f, feet)],
            fill=dark,
            width=limb,
            joint="curve",
        )
        draw.line(
            [(cx, hip), (cx + 0.02 * f, feet - 0.02 * height), (cx - 0.16 * f, feet)],
            fill=dark,
            width=limb,
            joint="curve",
        )
    else:
        for side in (-1, 1):
            draw.line(
                [
                    (cx + side * 0.05 * height, hip),
                    (cx + side * 0.065 * height, feet - 0.24 * height),
                    (cx + side * 0.07 * height, feet),
                ],
                fill=dark,
                width=limb,
                joint="curve",
            )
    draw.rounded_rectangle(
        [cx - 0.105 * height, shoulder, cx + 0.105 * height, hip + 0.04 * height],
        radius=0.05 * height,
        fill=suit,
    )
    hands = _draw_arms(draw, cx, shoulder, height, suit, pose, limb, facing)
    _draw_head(draw, cx, shoulder, height, skin, helmet, facing)
    return hands


def _draw_arms(
    draw: ImageDraw.ImageDraw,
    cx: float,
    shoulder: float,
    height: float,
    suit: RGB,
    pose: str,
    limb: int,
    facing: int,
) -> tuple[Point, Point]:
    hands: list[Point] = []
    for side in (-1, 1):
        start = (cx + side * 0.09 * height, shoulder + 0.04 * height)
        if pose == "arms_up" or (pose == "wave" and side == 1):
            elbow = (cx + side * 0.19 * height, shoulder - 0.10 * height)
            hand = (cx + side * 0.17 * height, shoulder - 0.27 * height)
        elif pose == "crouch":
            elbow = (cx + (side * 0.05 + 0.14 * facing) * height, shoulder + 0.14 * height)
            hand = (cx + 0.28 * facing * height, shoulder + 0.20 * height)
        else:
            elbow = (cx + side * 0.13 * height, shoulder + 0.19 * height)
            hand = (cx + side * 0.125 * height, shoulder + 0.36 * height)
        # Slightly darker sleeves keep the arms readable against the torso.
        draw.line([start, elbow, hand], fill=_scale(suit, 0.85), width=limb, joint="curve")
        hands.append(hand)
    return hands[0], hands[1]


def _draw_head(
    draw: ImageDraw.ImageDraw,
    cx: float,
    shoulder: float,
    height: float,
    skin: RGB,
    helmet: RGB | None,
    facing: int,
) -> None:
    neck = 0.035 * height
    draw.rectangle(
        [cx - neck, shoulder - 0.06 * height, cx + neck, shoulder + 0.01 * height],
        fill=_scale(skin, 0.85),
    )
    if helmet is None:
        r = 0.062 * height
        cy = shoulder - 0.095 * height
        draw.ellipse([cx - r, cy - r * 1.15, cx + r, cy + r * 1.15], fill=skin)
        draw.chord(
            [cx - r * 1.05, cy - r * 1.25, cx + r * 1.05, cy + r * 0.6],
            180,
            360,
            fill=(46, 34, 26),
        )
    else:
        r = 0.078 * height
        cy = shoulder - 0.10 * height
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=helmet)
        # A dark visor band, turned a little towards where the figure faces.
        vx = cx + 0.2 * r * facing
        draw.rounded_rectangle(
            [vx - 0.75 * r, cy - 0.4 * r, vx + 0.75 * r, cy + 0.15 * r],
            radius=0.25 * r,
            fill=(20, 24, 32),
        )


def _draw_trophy(draw: ImageDraw.ImageDraw, hands: tuple[Point, Point], height: float) -> None:
    cx = (hands[0][0] + hands[1][0]) / 2
    top = min(hands[0][1], hands[1][1]) - 0.14 * height
    gold, shade = (222, 180, 62), (170, 128, 36)
    cup = 0.075 * height
    draw.line(
        [hands[0], (cx, top + 0.16 * height), hands[1]],
        fill=gold,
        width=max(1, round(0.012 * height)),
    )
    draw.polygon(
        [
            (cx - 0.025 * height, top + 0.16 * height),
            (cx + 0.025 * height, top + 0.16 * height),
            (cx + 0.01 * height, top + 0.09 * height),
            (cx - 0.01 * height, top + 0.09 * height),
        ],
        fill=shade,
    )
    draw.chord([cx - cup, top - 0.02 * height, cx + cup, top + 0.11 * height], 0, 180, fill=gold)
    draw.rectangle(
        [cx - cup, top + 0.035 * height, cx + cup, top + 0.045 * height], fill=(250, 226, 140)
    )


# --------------------------------------------------------------------------
# Circuit scenes ("track" and "night")


@dataclass(frozen=True)
class _Circuit:
    horizon: float  # y of the tree line, px
    verge: float  # y where barrier/grass start
    track_top: float  # far edge of the asphalt
    ground: float  # where the car's tyres touch
    car_left: float
    car_length: float
    livery: tuple[RGB, RGB]
    grandstand: tuple[float, float] | None
    near_kerb: bool


def _plan_circuit(c: _Canvas) -> _Circuit:
    lay, w, h = c.layout, c.w, c.h
    horizon = lay.uniform(0.27, 0.33) * h
    verge = horizon + lay.uniform(0.12, 0.15) * h
    track_top = verge + lay.uniform(0.045, 0.065) * h
    length_frac = lay.uniform(0.56, 0.66)
    left_frac = lay.uniform(0.06, 0.94 - length_frac)
    ground = lay.uniform(0.80, 0.86) * h
    livery = lay.choice(_LIVERIES)
    stand_left = lay.uniform(-0.1, 0.5)
    grandstand = (
        (stand_left * w, (stand_left + lay.uniform(0.35, 0.6)) * w)
        if lay.random() < 0.75
        else None
    )
    near_kerb = lay.random() < 0.6
    # Keep the car inside the frame when a caller asks for a portrait crop.
    length = min(length_frac * w, 0.9 * w, (ground - 0.12 * h) / 0.4)
    return _Circuit(
        horizon, verge, track_top, ground, left_frac * w, length, livery, grandstand, near_kerb
    )


def _paint_sky(c: _Canvas, bottom: float, night: bool) -> None:
    size = (c.w, max(2, round(bottom) + 2))
    if night:
        sky = _gradient(size, (6, 9, 22), (58, 48, 52), (16, 20, 42))
        cloud, amount = (52, 46, 58), 0.35
    else:
        sky = _gradient(size, (62, 112, 184), (206, 220, 234), (128, 168, 214))
        cloud, amount = (246, 247, 250), 0.85
    noise = _fractal_noise(c.noise, size, (c.w / 3, size[1] / 2.2), 5)
    threshold = c.layout.randint(120, 165)
    sky.paste(
        cloud,
        (0, 0, *size),
        noise.point([_clamp((v - threshold) * 2.4 * amount) for v in range(256)]),
    )
    c.paste_band(sky, 0)


def _paint_treeline(c: _Canvas, plan: _Circuit, night: bool) -> None:
    lay = c.layout
    top = plan.horizon - 0.08 * c.h
    size = (c.w, round(plan.verge - top) + 1)
    mask = Image.new("L", size, 0)
    draw = ImageDraw.Draw(mask)
    for _ in range(80):
        x = lay.uniform(-0.05, 1.05) * c.w
        r = lay.uniform(0.018, 0.055) * c.w
        cy = plan.horizon - top + lay.uniform(-0.4, 1.2) * r
        draw.ellipse([x - r, cy - r, x + r * 1.1, cy + r * 1.3], fill=255)
    draw.rectangle([0, (plan.horizon - top) + 0.05 * c.h, c.w, size[1]], fill=255)
    base = (
        _gradient(size, (8, 12, 10), (4, 6, 6))
        if night
        else _gradient(size, (58, 92, 52), (24, 44, 28))
    )
    leaves = _fractal_noise(c.noise, size, (c.w / 60, c.w / 70), 4)
    c.paste_band(_textured(base, leaves, 10 if night else 46), top, mask)


def _paint_grandstand(c: _Canvas, plan: _Circuit, night: bool) -> None:
    if plan.grandstand is None:
        return
    lay, draw = c.layout, c.draw()
    x0, x1 = plan.grandstand
    roof = plan.horizon - 0.04 * c.h
    seats_top, seats_bottom = roof + 0.025 * c.h, plan.verge - 0.02 * c.h
    light = 0.22 if night else 1.0
    draw.rectangle([x0, seats_top, x1, seats_bottom], fill=_scale((96, 100, 110), light))
    for _ in range(1800):
        x = lay.uniform(x0, x1)
        y = lay.uniform(seats_top + 0.01 * c.h, seats_bottom)
        s = 0.0035 * c.w
        draw.rectangle([x, y, x + s, y + s * 1.4], fill=_scale(lay.choice(_CROWD_COLOURS), light))
    draw.polygon(
        [(x0 - 0.01 * c.w, roof), (x1 + 0.01 * c.w, roof), (x1, seats_top), (x0, seats_top)],
        fill=_scale((70, 72, 80), light),
    )
    if night:
        draw.rectangle([x0, seats_top, x1, seats_top + 0.004 * c.h], fill=(255, 244, 210))
    for x in range(round(x0), round(x1), max(1, round(0.08 * c.w))):
        draw.rectangle([x, roof, x + 0.004 * c.w, seats_bottom], fill=_scale((60, 62, 70), light))


def _paint_barrier(c: _Canvas, plan: _Circuit, night: bool) -> None:
    """Advertising boards on the barrier, then the grass verge down to the kerb."""
    draw = c.draw()
    light = 0.4 if night else 1.0
    top, bottom = plan.verge - 0.035 * c.h, plan.verge
    board = 0.16 * c.w
    colours = ((24, 70, 160), (240, 240, 240), (200, 30, 36), (250, 200, 30))
    for i in range(int(c.w // board) + 2):
        colour = _scale(colours[i % len(colours)], light)
        x = i * board - c.layout.uniform(0, 0.02) * c.w
        draw.rectangle([x, top, x + board, bottom], fill=colour)
        ink = (30, 30, 34) if sum(colour) > 450 else _scale((250, 250, 250), light)
        draw.text(
            (x + board / 2, (top + bottom) / 2),
            ("ENDURANCE", "24H", "RACE", "DEMO")[i % 4],
            font=_font(round(0.022 * c.h)),
            fill=ink,
            anchor="mm",
        )
    grass_size = (c.w, max(2, round(plan.track_top - bottom) + 2))
    grass = (
        _gradient(grass_size, (78, 122, 56), (96, 140, 62))
        if not night
        else _gradient(grass_size, (12, 20, 12), (18, 28, 16))
    )
    blades = _fractal_noise(c.noise, grass_size, (c.w / 90, c.w / 300), 3)
    c.paste_band(_textured(grass, blades, 8 if night else 26), bottom)


def _paint_asphalt(c: _Canvas, plan: _Circuit, night: bool) -> None:
    size = (c.w, c.h - round(plan.track_top))
    far, near = ((44, 44, 50), (22, 22, 26)) if night else ((132, 132, 136), (84, 84, 88))
    asphalt = _gradient(size, far, near)
    coarse = _fractal_noise(c.noise, size, (c.w / 12, c.w / 40), 3)
    fine = _uniform_noise(c.noise, size)
    asphalt = _textured(_textured(asphalt, coarse, 8 if night else 14), fine, 8 if night else 16)
    rubber = Image.new("L", size, 0)
    line_y = plan.ground - plan.track_top
    ImageDraw.Draw(rubber).rectangle([0, line_y - 0.10 * c.h, c.w, line_y + 0.02 * c.h], fill=70)
    asphalt.paste((20, 20, 22), (0, 0, *size), _blur(rubber, 0.04 * c.h))
    c.paste_band(asphalt, plan.track_top)


def _paint_kerb_band(
    draw: ImageDraw.ImageDraw,
    width: int,
    top: float,
    bottom: float,
    block: float,
    skew: float,
    light: float,
) -> None:
    colours = (_scale((204, 32, 36), light), _scale((240, 240, 240), light))
    for i in range(-2, int(width / block) + 3):
        x = i * block
        draw.polygon(
            [(x + skew, top), (x + block + skew, top), (x + block, bottom), (x, bottom)],
            fill=colours[i % 2],
        )


def _paint_kerbs(c: _Canvas, plan: _Circuit, night: bool) -> None:
    draw = c.draw()
    light = 0.35 if night else 1.0
    line = 0.006 * c.h
    _paint_kerb_band(
        draw, c.w, plan.track_top, plan.track_top + 0.018 * c.h, 0.035 * c.w, 0.008 * c.w, light
    )
    draw.rectangle(
        [0, plan.track_top + 0.018 * c.h, c.w, plan.track_top + 0.018 * c.h + line],
        fill=_scale((236, 236, 236), light),
    )
    if plan.near_kerb:
        top = c.h - 0.045 * c.h
        draw.rectangle(
            [0, top - 1.6 * line, c.w, top - 0.2 * line], fill=_scale((236, 236, 236), light)
        )
        _paint_kerb_band(draw, c.w, top, c.h + 2, 0.11 * c.w, 0.03 * c.w, light)


def _paint_floodlights(c: _Canvas, plan: _Circuit, glow: Image.Image) -> None:
    draw = c.draw()
    for _ in range(c.layout.randint(3, 5)):
        x = c.layout.uniform(0.02, 0.98) * c.w
        top = plan.horizon - c.layout.uniform(0.10, 0.2) * c.h
        draw.rectangle([x - 0.0025 * c.w, top, x + 0.0025 * c.w, plan.verge], fill=(18, 18, 22))
        draw.rectangle(
            [x - 0.018 * c.w, top - 0.012 * c.h, x + 0.018 * c.w, top], fill=(250, 246, 226)
        )
        _add_glow(glow, (x, top), 0.10 * c.w, (150, 140, 110), 2.2)
        _add_glow(glow, (x, top), 0.025 * c.w, (255, 250, 230), 1.5)


def _light_trails(c: _Canvas, plan: _Circuit) -> Image.Image:
    """Streaks left by other cars' lamps during the slow night exposure."""
    trails = Image.new("RGB", c.image.size)
    draw = ImageDraw.Draw(trails)
    for _ in range(c.layout.randint(3, 6)):
        y = c.layout.uniform(plan.track_top + 0.03 * c.h, plan.ground - 0.18 * c.h)
        x0 = c.layout.uniform(-0.2, 0.4) * c.w
        x1 = x0 + c.layout.uniform(0.5, 1.0) * c.w
        red = c.layout.random() < 0.6
        colour = (255, 40, 30) if red else (255, 236, 200)
        draw.line([(x0, y), (x1, y - 0.004 * c.h)], fill=colour, width=max(1, round(0.004 * c.h)))
    return _blur(trails, 0.004 * c.h)


def _headlight_beam(c: _Canvas, lights: _CarLights, plan: _Circuit) -> Image.Image:
    mask = Image.new("L", c.image.size, 0)
    hx, hy = lights.headlight
    reach = 0.5 * plan.car_length
    ImageDraw.Draw(mask).polygon(
        [(hx, hy), (hx + reach, plan.ground - 0.02 * c.h), (hx + reach, plan.ground + 0.06 * c.h)],
        fill=150,
    )
    beam = _blur(mask, 0.03 * c.w)
    return ImageOps.colorize(beam, (0, 0, 0), (255, 236, 190))


def _paint_circuit(c: _Canvas, night: bool) -> None:
    plan = _plan_circuit(c)
    glow = Image.new("RGB", c.image.size)
    _paint_sky(c, plan.horizon + 0.02 * c.h, night)
    if night:
        _paint_floodlights(c, plan, glow)
    _paint_treeline(c, plan, night)
    _paint_grandstand(c, plan, night)
    _paint_barrier(c, plan, night)
    _paint_asphalt(c, plan, night)
    _paint_kerbs(c, plan, night)
    c.image = _blur(c.image, 0.0015 * c.w)
    # A panning shot: everything but the car streaks horizontally.
    c.image = _motion_blur(c.image, (0.006 if night else 0.012) * c.w)
    if night:
        c.image = ImageChops.add(c.image, _light_trails(c, plan))
    lights = _paint_car(
        c, plan.car_left, plan.ground, plan.car_length, plan.livery, 0.32 if night else 1.0, night
    )
    if night:
        glow = ImageChops.add(glow, _headlight_beam(c, lights, plan))
        _add_glow(glow, lights.headlight, 0.09 * plan.car_length, (255, 246, 220), 1.6)
        _add_glow(glow, lights.headlight, 0.30 * plan.car_length, (110, 100, 80), 2.0)
        _add_glow(glow, lights.taillight, 0.06 * plan.car_length, (255, 50, 36), 1.8)
        c.image = ImageChops.add(c.image, glow)


def _paint_track(c: _Canvas) -> None:
    _paint_circuit(c, night=False)


def _paint_night(c: _Canvas) -> None:
    _paint_circuit(c, night=True)


# --------------------------------------------------------------------------
# Podium


def _paint_podium_backdrop(
    c: _Canvas, top: float, bottom: float, colours: tuple[RGB, RGB]
) -> None:
    draw = c.draw()
    sky = _gradient((c.w, round(top) + 2), (150, 178, 212), (214, 224, 236))
    c.paste_band(sky, 0)
    columns, rows = 6, 3
    cell_w, cell_h = c.w / columns, (bottom - top) / rows
    words = ("ENDURANCE", "24 HOURS", "DEMO", "RACE")
    for row in range(rows):
        for col in range(columns):
            x, y = col * cell_w, top + row * cell_h
            fill = colours[(row + col) % 2]
            draw.rectangle([x, y, x + cell_w, y + cell_h], fill=fill)
            ink = colours[(row + col + 1) % 2]
            word = words[(row * columns + col) % len(words)]
            draw.text(
                (x + cell_w / 2, y + cell_h / 2),
                word,
                font=_fit_font(word, 0.85 * cell_w, 0.3 * cell_h),
                fill=ink,
                anchor="mm",
            )
    draw.rectangle([0, bottom - 0.012 * c.h, c.w, bottom], fill=(30, 30, 34))


def _paint_podium_floor(c: _Canvas, top: float) -> None:
    size = (c.w, c.h - round(top))
    floor = _gradient(size, (70, 70, 76), (40, 40, 46))
    c.paste_band(_textured(floor, _fractal_noise(c.noise, size, (c.w / 25, c.w / 60), 4), 10), top)


def _paint_podium_step(
    draw: ImageDraw.ImageDraw,
    x0: float,
    x1: float,
    top: float,
    bottom: float,
    rank: int,
    accent: RGB,
    h: int,
) -> float:
    """Paint one step; returns the y the driver stands on."""
    lip = 0.03 * h
    draw.polygon(
        [(x0 + lip * 0.6, top - lip), (x1 - lip * 0.6, top - lip), (x1, top), (x0, top)],
        fill=(250, 250, 252),
    )
    draw.rectangle([x0, top, x1, bottom], fill=(226, 228, 234))
    draw.rectangle([x0, top, x1, top + 0.02 * h], fill=accent)
    draw.text(
        ((x0 + x1) / 2, (top + bottom) / 2 + 0.01 * h),
        str(rank),
        font=_font(round(0.13 * h)),
        fill=(40, 40, 48),
        anchor="mm",
    )
    return top - lip / 2


def _paint_confetti(
    c: _Canvas, count: int, size: float, top: float, bottom: float, draw: ImageDraw.ImageDraw
) -> None:
    lay = c.layout
    for _ in range(count):
        cx, cy = lay.uniform(0, 1) * c.w, lay.uniform(top, bottom)
        s = lay.uniform(0.5, 1.3) * size
        colour = lay.choice(_CONFETTI_COLOURS)
        draw.polygon(
            _quad(cx, cy, s, s * lay.uniform(0.3, 0.7), lay.uniform(0, math.pi)), fill=colour
        )


def _paint_podium(c: _Canvas) -> None:
    lay, w, h = c.layout, c.w, c.h
    banner_top, banner_bottom = lay.uniform(0.04, 0.10) * h, lay.uniform(0.52, 0.58) * h
    series = lay.choice(((20, 34, 80), (150, 18, 26), (22, 22, 26)))
    livery = lay.choice(_LIVERIES)
    _paint_podium_backdrop(
        c, banner_top, banner_bottom, (series, _mix(series, (255, 255, 255), 0.85))
    )
    c.image = _blur(c.image, 0.004 * w)
    _paint_podium_floor(c, banner_bottom)
    draw = c.draw()
    bottom = 0.93 * h
    steps = ((0.36, 0.64, 0.60, 1), (0.10, 0.36, 0.69, 2), (0.64, 0.90, 0.74, 3))
    others = [lay.choice(_LIVERIES) for _ in range(2)]
    for (x0, x1, top, rank), suit in zip(steps, (livery, *others), strict=True):
        feet = _paint_podium_step(draw, x0 * w, x1 * w, top * h, bottom, rank, livery[1], h)
        pose = "arms_up" if rank == 1 else lay.choice(("stand", "wave"))
        hands = _draw_person(
            draw, (x0 + x1) / 2 * w, feet, 0.38 * h, suit[0], lay.choice(_SKIN_TONES), pose
        )
        if rank == 1:
            _draw_trophy(draw, hands, 0.38 * h)
    _paint_confetti(c, 420, 0.009 * w, 0.0, 0.85 * h, draw)
    foreground = Image.new("RGBA", c.image.size, (0, 0, 0, 0))
    _paint_confetti(c, 24, 0.035 * w, 0.0, h, ImageDraw.Draw(foreground))
    # Out-of-focus confetti close to the lens sells the depth of field.
    foreground = _blur_layer(foreground, 0.008 * w)
    c.image.paste(foreground, (0, 0), foreground)


# --------------------------------------------------------------------------
# Pit lane


def _paint_garage(c: _Canvas, floor_y: float, team: tuple[RGB, RGB]) -> None:
    draw, w, h = c.draw(), c.w, c.h
    wall_size = (w, round(floor_y) + 1)
    wall = _textured(
        _gradient(wall_size, (168, 170, 176), (196, 198, 204)),
        _fractal_noise(c.noise, wall_size, (w / 30, w / 30), 3),
        10,
    )
    c.paste_band(wall, 0)
    draw.rectangle([0, 0, w, 0.07 * h], fill=(46, 48, 56))
    draw.rectangle([0, 0.07 * h, w, 0.15 * h], fill=team[0])
    draw.text(
        (0.5 * w, 0.11 * h),
        f"#{RACE_NUMBER}  ENDURANCE RACING TEAM",
        font=_font(round(0.05 * h)),
        fill=team[1],
        anchor="mm",
    )
    for x0, x1 in ((0.04, 0.47), (0.53, 0.96)):
        _paint_garage_bay(c, x0 * w, x1 * w, 0.21 * h, floor_y, team)


def _paint_garage_bay(
    c: _Canvas, x0: float, x1: float, top: float, bottom: float, team: tuple[RGB, RGB]
) -> None:
    size = (round(x1 - x0), round(bottom - top))
    bay = _gradient(size, (34, 36, 42), (14, 14, 18))
    draw = ImageDraw.Draw(bay)
    for i in range(3):
        y = size[1] * (0.06 + 0.05 * i)
        draw.rectangle(
            [size[0] * 0.1, y, size[0] * 0.9, y + 0.012 * size[1]], fill=(236, 240, 246)
        )
    for i in range(6):
        cx0 = size[0] * (0.04 + i * 0.16)
        draw.rectangle(
            [cx0, size[1] * 0.55, cx0 + size[0] * 0.14, size[1] * 0.92],
            fill=_scale(team[0], 0.55 + 0.05 * (i % 2)),
        )
        draw.rectangle(
            [cx0, size[1] * 0.55, cx0 + size[0] * 0.14, size[1] * 0.58], fill=_scale(team[1], 0.6)
        )
    c.image.paste(_blur(bay, 0.006 * c.w), (round(x0), round(top)))


def _paint_pit_floor(c: _Canvas, top: float) -> None:
    size = (c.w, c.h - round(top))
    floor = _gradient(size, (132, 132, 136), (104, 104, 108))
    stains = _fractal_noise(c.noise, size, (c.w / 10, c.w / 25), 4)
    floor = _textured(_textured(floor, stains, 16), _uniform_noise(c.noise, size), 12)
    draw = ImageDraw.Draw(floor)
    draw.rectangle([0, 0.12 * c.h, c.w, 0.13 * c.h], fill=(226, 226, 222))
    draw.rectangle([0, 0.30 * c.h, c.w, 0.312 * c.h], fill=(232, 196, 40))
    c.paste_band(floor, top)


def _paint_tyre_stack(
    draw: ImageDraw.ImageDraw, x: float, floor: float, width: float, count: int, cover: RGB | None
) -> None:
    tread = width * 0.38
    for i in range(count):
        bottom = floor - i * tread
        fill = cover if cover else (22, 22, 24)
        draw.rounded_rectangle(
            [x, bottom - tread * 0.97, x + width, bottom], radius=tread * 0.35, fill=fill
        )
        draw.line(
            [(x + 0.08 * width, bottom - tread / 2), (x + 0.92 * width, bottom - tread / 2)],
            fill=_scale(fill, 1.8) if cover is None else _scale(fill, 0.7),
            width=max(1, round(tread * 0.06)),
        )
    top = floor - count * tread
    draw.ellipse([x, top - tread * 0.55, x + width, top + tread * 0.55], fill=(36, 36, 38))
    draw.ellipse(
        [x + 0.24 * width, top - tread * 0.28, x + 0.76 * width, top + tread * 0.28],
        fill=(10, 10, 10),
    )


def _paint_pitlane(c: _Canvas) -> None:
    lay, w, h = c.layout, c.w, c.h
    team = lay.choice(_LIVERIES)
    floor_y = lay.uniform(0.60, 0.65) * h
    _paint_garage(c, floor_y, team)
    _paint_pit_floor(c, floor_y)
    c.image = _blur(c.image, 0.002 * w)
    draw = c.draw()
    for i in range(lay.randint(2, 3)):
        x = (0.76 + 0.075 * i) * w
        # Some stacks wear tyre blankets in the team's accent colour.
        cover = team[1] if lay.random() < 0.35 else None
        _paint_tyre_stack(
            draw, x, floor_y + lay.uniform(0.06, 0.09) * h, 0.07 * w, lay.randint(3, 5), cover
        )
    mechanic = 0.40 * h
    for x in (lay.uniform(0.60, 0.66), lay.uniform(0.70, 0.74)):
        _draw_person(
            draw,
            x * w,
            floor_y + lay.uniform(0.16, 0.22) * h,
            mechanic,
            team[0],
            lay.choice(_SKIN_TONES),
            "stand",
            team[1],
        )
    ground = lay.uniform(0.88, 0.92) * h
    length = 0.80 * w
    _paint_car(c, lay.uniform(0.52, 0.58) * w - 0.9 * length, ground, length, team)
    _draw_person(
        c.draw(),
        0.52 * w,
        ground + 0.04 * h,
        mechanic,
        team[0],
        lay.choice(_SKIN_TONES),
        "crouch",
        team[1],
        -1,
    )


# --------------------------------------------------------------------------
# Portrait


def _paint_portrait_background(c: _Canvas) -> None:
    lay, w, h = c.layout, c.w, c.h
    c.image.paste(_gradient(c.image.size, (150, 176, 206), (96, 98, 104), (170, 172, 176)), (0, 0))
    draw = c.draw()
    palette = (
        *(_LIVERIES[i][j] for i in range(len(_LIVERIES)) for j in range(2)),
        (236, 236, 238),
        (120, 124, 130),
    )
    for _ in range(16):
        x, y = lay.uniform(-0.1, 1.0) * w, lay.uniform(0.2, 0.8) * h
        draw.rectangle(
            [x, y, x + lay.uniform(0.1, 0.45) * w, y + lay.uniform(0.1, 0.4) * h],
            fill=lay.choice(palette),
        )
    c.image = _blur(c.image, 0.045 * min(w, h))
    # Out-of-focus highlights: soft discs added on top of the blurred paddock.
    bokeh = Image.new("RGB", c.image.size)
    bdraw = ImageDraw.Draw(bokeh)
    for _ in range(28):
        x, y = lay.uniform(0, 1) * w, lay.uniform(0, 0.7) * h
        r = lay.uniform(0.01, 0.035) * min(w, h)
        light = lay.choice(((255, 240, 200), (220, 230, 255), (255, 255, 255)))
        bdraw.ellipse([x - r, y - r, x + r, y + r], fill=_scale(light, lay.uniform(0.15, 0.35)))
    c.image = ImageChops.add(c.image, _blur(bokeh, 0.004 * min(w, h)))


def _portrait_subject_mask(
    size: tuple[int, int],
    head: tuple[float, float, float, float],
    shoulders: tuple[float, float, float, float],
) -> Image.Image:
    mask = Image.new("L", size, 0)
    draw = ImageDraw.Draw(mask)
    draw.ellipse(shoulders, fill=255)
    draw.rectangle(
        [shoulders[0], (shoulders[1] + shoulders[3]) / 2, shoulders[2], size[1]], fill=255
    )
    draw.ellipse(head, fill=255)
    return mask


def _paint_portrait(c: _Canvas) -> None:
    lay, w, h = c.layout, c.w, c.h
    _paint_portrait_background(c)
    suit, accent = lay.choice(_LIVERIES)
    skin, hair = lay.choice(_SKIN_TONES), lay.choice(_HAIR_COLOURS)
    cx = lay.uniform(0.46, 0.54) * w
    head_h = 0.34 * h if h >= w else 0.40 * h
    head_w = 0.76 * head_h
    head_top = lay.uniform(0.11, 0.15) * h
    chin = head_top + head_h
    shoulder_w = min(1.1 * w, 2.9 * head_w)
    shoulder_top = chin + 0.12 * head_h
    head = (cx - head_w / 2, head_top, cx + head_w / 2, chin)
    shoulders = (
        cx - shoulder_w / 2,
        shoulder_top,
        cx + shoulder_w / 2,
        shoulder_top + 0.9 * shoulder_w,
    )
    draw = c.draw()
    draw.ellipse(shoulders, fill=accent)
    # The suit drawn slightly lower leaves a contrasting yoke over the shoulders.
    yoke = 0.06 * shoulder_w
    draw.ellipse((shoulders[0], shoulders[1] + yoke, shoulders[2], shoulders[3] + yoke), fill=suit)
    body_top = (shoulders[1] + shoulders[3]) / 2 + yoke
    draw.rectangle([shoulders[0], body_top, shoulders[2], h], fill=suit)
    _paint_suit_details(draw, cx, shoulder_top, head_w, h, suit)
    neck = 0.22 * head_w
    draw.rectangle(
        [cx - neck, chin - 0.2 * head_h, cx + neck, shoulder_top + 0.04 * head_h],
        fill=_scale(skin, 0.82),
    )
    draw.rounded_rectangle(
        [
            cx - 1.5 * neck,
            shoulder_top - 0.02 * head_h,
            cx + 1.5 * neck,
            shoulder_top + 0.09 * head_h,
        ],
        radius=0.04 * head_h,
        fill=_scale(suit, 0.6),
    )
    _paint_portrait_head(draw, head, skin, hair)
    _light_subject(c, _portrait_subject_mask(c.image.size, head, shoulders))


def _paint_portrait_head(
    draw: ImageDraw.ImageDraw, head: tuple[float, float, float, float], skin: RGB, hair: RGB
) -> None:
    left, head_top, right, chin = head
    cx, head_w, head_h = (left + right) / 2, right - left, chin - head_top
    for side in (-1, 1):
        ex = cx + side * head_w * 0.49
        draw.ellipse(
            [
                ex - 0.06 * head_w,
                head_top + 0.42 * head_h,
                ex + 0.06 * head_w,
                head_top + 0.60 * head_h,
            ],
            fill=_scale(skin, 0.92),
        )
    draw.ellipse(
        [
            left - 0.03 * head_w,
            head_top - 0.04 * head_h,
            right + 0.03 * head_w,
            chin - 0.25 * head_h,
        ],
        fill=hair,
    )
    draw.ellipse(
        [left + 0.02 * head_w, head_top + 0.17 * head_h, right - 0.02 * head_w, chin],
        fill=skin,
    )


def _paint_suit_details(
    draw: ImageDraw.ImageDraw, cx: float, top: float, head_w: float, h: int, suit: RGB
) -> None:
    draw.line(
        [(cx, top + 0.08 * head_w), (cx, h)],
        fill=_scale(suit, 0.6),
        width=max(1, round(0.012 * head_w)),
    )
    patch_w, patch_h = 0.22 * head_w, 0.11 * head_w
    for side, label in ((-1, "DEMO"), (1, RACE_NUMBER)):
        px = cx + side * 0.55 * head_w
        py = top + 0.42 * head_w
        draw.rectangle(
            [px - patch_w, py - patch_h, px + patch_w, py + patch_h], fill=(245, 245, 245)
        )
        draw.text(
            (px, py), label, font=_font(round(patch_h * 1.2)), fill=(30, 30, 34), anchor="mm"
        )


def _light_subject(c: _Canvas, mask: Image.Image) -> None:
    """Key light from the left: darken the subject's right side softly."""
    ramp = Image.linear_gradient("L").rotate(90).resize(c.image.size, Image.Resampling.BILINEAR)
    shade = ramp.point([_clamp(255 - 0.45 * v) for v in range(256)])
    lit = ImageChops.multiply(c.image, Image.merge("RGB", (shade, shade, shade)))
    c.image.paste(lit, (0, 0), _blur(mask, 0.004 * c.w))


# --------------------------------------------------------------------------
# Scene table, EXIF and encoding


_SCENE_SPECS: dict[str, _SceneSpec] = {
    "track": _SceneSpec(
        paint=_paint_track,
        grain=5.0,
        tint=(1.02, 1.0, 0.97),
        vignette=0.30,
        exposure=(1, 160),  # a slow-ish shutter for the panning blur
        f_number=8.0,
        iso=200,
        focal_mm=300,
        default_offset=timedelta(hours=2),
    ),
    "podium": _SceneSpec(
        paint=_paint_podium,
        grain=5.0,
        tint=(1.03, 1.0, 0.96),
        vignette=0.28,
        exposure=(1, 500),
        f_number=4.0,
        iso=400,
        focal_mm=70,
        default_offset=timedelta(hours=24, minutes=20),
    ),
    "pitlane": _SceneSpec(
        paint=_paint_pitlane,
        grain=5.5,
        tint=(1.0, 1.0, 1.02),
        vignette=0.32,
        exposure=(1, 250),
        f_number=2.8,
        iso=800,
        focal_mm=35,
        default_offset=timedelta(hours=5),
    ),
    "portrait": _SceneSpec(
        paint=_paint_portrait,
        grain=4.2,
        tint=(1.04, 1.0, 0.96),
        vignette=0.26,
        exposure=(1, 320),
        f_number=2.0,
        iso=200,
        focal_mm=85,
        default_offset=timedelta(hours=-3),
    ),
    "night": _SceneSpec(
        paint=_paint_night,
        grain=7.0,  # high ISO
        tint=(0.97, 0.99, 1.04),
        vignette=0.38,
        exposure=(1, 60),
        f_number=2.8,
        iso=6400,
        focal_mm=300,
        default_offset=timedelta(hours=10, minutes=30),
    ),
}


def _spec_for(scene: str) -> _SceneSpec:
    try:
        return _SCENE_SPECS[scene]
    except KeyError:
        raise ValueError(f"Unknown scene {scene!r}; allowed scenes: {', '.join(SCENES)}") from None


def _checked_size(size: tuple[int, int]) -> tuple[int, int]:
    width, height = int(size[0]), int(size[1])
    if width < 16 or height < 16:
        raise ValueError(f"Photo size must be at least 16x16, got {width}x{height}")
    return width, height


def _work_size(size: tuple[int, int]) -> tuple[int, int]:
    factor = min(1.0, _MAX_WORK_EDGE / max(size))
    return max(16, round(size[0] * factor)), max(16, round(size[1] * factor))


def _exif_text(value: str) -> str | bytes:
    # EXIF "ASCII" tags carry no charset; UTF-8 bytes are what exiftool and
    # most photo software write and expect, so non-ASCII names survive.
    return value if value.isascii() else value.encode("utf-8")


def _exif_offset(moment: datetime) -> str | None:
    offset = moment.utcoffset()
    if offset is None:
        return None
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _build_exif(
    spec: _SceneSpec,
    size: tuple[int, int],
    taken_at: datetime,
    artist: str,
    copyright: str,
    description: str,
) -> Image.Exif:
    exif = Image.Exif()
    stamp = taken_at.strftime("%Y:%m:%d %H:%M:%S")
    exif[ExifTags.Base.Make] = CAMERA_MAKE
    exif[ExifTags.Base.Model] = CAMERA_MODEL
    exif[ExifTags.Base.Orientation] = 1
    exif[ExifTags.Base.Software] = SOFTWARE
    exif[ExifTags.Base.DateTime] = stamp
    for tag, value in (
        (ExifTags.Base.Artist, artist),
        (ExifTags.Base.Copyright, copyright),
        (ExifTags.Base.ImageDescription, description),
    ):
        if value:
            exif[tag] = _exif_text(value)
    details = exif.get_ifd(ExifTags.IFD.Exif)
    details[ExifTags.Base.DateTimeOriginal] = stamp
    details[ExifTags.Base.DateTimeDigitized] = stamp
    offset = _exif_offset(taken_at)
    if offset:
        details[ExifTags.Base.OffsetTimeOriginal] = offset
    details[ExifTags.Base.ExposureTime] = IFDRational(*spec.exposure)
    details[ExifTags.Base.FNumber] = IFDRational(round(spec.f_number * 10), 10)
    details[ExifTags.Base.ISOSpeedRatings] = spec.iso
    details[ExifTags.Base.FocalLength] = IFDRational(spec.focal_mm, 1)
    details[ExifTags.Base.LensModel] = LENS_MODEL
    details[ExifTags.Base.ExifImageWidth] = size[0]
    details[ExifTags.Base.ExifImageHeight] = size[1]
    return exif


def _default_taken_at(seed: int, spec: _SceneSpec) -> datetime:
    # Stable per seed so the bytes stay reproducible, spread over an hour.
    return DEMO_RACE_START + spec.default_offset + timedelta(seconds=seed % 3600)


def _develop(
    work: Image.Image, size: tuple[int, int], rng: random.Random, spec: _SceneSpec
) -> Image.Image:
    """Turn the painted work canvas into a camera-like full-size image."""
    # A little softness anti-aliases the hard-edged ImageDraw shapes.
    work = work.filter(ImageFilter.GaussianBlur(0.7))
    work = _vignette(_grade(work, spec.tint, 0.35), spec.vignette)
    photo = work if work.size == size else work.resize(size, _RESAMPLE)
    return _add_grain(photo, rng, spec.grain)


def _encode_jpeg(photo: Image.Image, exif: Image.Exif) -> bytes:
    buffer = io.BytesIO()
    photo.save(
        buffer,
        "JPEG",
        quality=JPEG_QUALITY,
        optimize=False,
        progressive=False,
        subsampling="4:2:0",
        exif=exif,
    )
    return buffer.getvalue()


def make_photo(
    seed: int,
    scene: str = "track",
    size: tuple[int, int] = (4000, 2667),
    taken_at: datetime | None = None,
    artist: str = "",
    copyright: str = "",
    description: str = "",
) -> bytes:
    """Return JPEG bytes of a synthetic camera-like photo of ``scene``.

    The result is byte-for-byte deterministic for a given seed, scene and
    size.  The composition depends only on seed and scene, so the same seed
    at another size shows the same picture.  Without ``taken_at`` the EXIF
    date is a fixed moment of the demo race weekend derived from the seed.
    """
    spec = _spec_for(scene)
    size = _checked_size(size)
    layout = random.Random(f"{scene}:{seed}:layout")
    noise = random.Random(f"{scene}:{seed}:{size[0]}x{size[1]}:noise")
    canvas = _Canvas(Image.new("RGB", _work_size(size)), layout, noise)
    spec.paint(canvas)
    photo = _develop(canvas.image, size, noise, spec)
    moment = taken_at if taken_at is not None else _default_taken_at(seed, spec)
    return _encode_jpeg(photo, _build_exif(spec, size, moment, artist, copyright, description))


# --------------------------------------------------------------------------
# Logos


def _draw_logo_mark(
    draw: ImageDraw.ImageDraw, box: tuple[float, float, float, float], colour: RGB
) -> None:
    """A rounded tile with a speed chevron cut out of it."""
    x0, y0, x1, _y1 = box
    side = x1 - x0
    draw.rounded_rectangle(box, radius=0.22 * side, fill=(*colour, 255))
    chevron = [
        (x0 + 0.26 * side, y0 + 0.22 * side),
        (x0 + 0.46 * side, y0 + 0.22 * side),
        (x0 + 0.76 * side, y0 + 0.50 * side),
        (x0 + 0.46 * side, y0 + 0.78 * side),
        (x0 + 0.26 * side, y0 + 0.78 * side),
        (x0 + 0.56 * side, y0 + 0.50 * side),
    ]
    draw.polygon(chevron, fill=(0, 0, 0, 0))


def make_logo(
    text: str, colour: tuple[int, int, int], size: tuple[int, int] = (1200, 400)
) -> bytes:
    """Return PNG bytes of a transparent wordmark: a geometric mark and ``text``."""
    width, height = _checked_size(size)
    colour = (_clamp(colour[0]), _clamp(colour[1]), _clamp(colour[2]))
    # Drawn at 4x and reduced, because ImageDraw polygons are not anti-aliased.
    ss = 4
    big = Image.new("RGBA", (width * ss, height * ss), (0, 0, 0, 0))
    draw = ImageDraw.Draw(big)
    margin = 0.1 * height * ss
    side = min(height * ss - 2 * margin, 0.4 * width * ss)
    top = (height * ss - side) / 2
    _draw_logo_mark(draw, (margin, top, margin + side, top + side), colour)
    text_left = margin + side + 0.3 * margin + 0.12 * side
    text = _renderable(text)
    if text.strip():
        font = _fit_font(text, width * ss - text_left - margin, 0.55 * side)
        draw.text((text_left, height * ss / 2), text, font=font, fill=(*colour, 255), anchor="lm")
    logo = big.resize((width, height), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    logo.save(buffer, "PNG")
    return buffer.getvalue()


__all__ = ["RACE_NUMBER", "SCENES", "make_logo", "make_photo"]
