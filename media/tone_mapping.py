"""HDR video shown as SDR: what phones record by default, made right for every screen.

Phones (an iPhone since the 12, many Android phones) and cameras record HDR:
BT.2020 colours with the HLG or PQ transfer, ten bits a channel. The web
version is 8-bit H.264 in BT.709, what every browser plays and every screen
shows; copying the HDR tags onto it would leave most browsers showing a grey,
washed-out picture, and the poster frame would be just as flat. So an HDR
picture is converted, in FFmpeg's filter graph, through a 3D look-up table
(FFmpeg's `lut3d`) computed here from the standards' formulas:

1. the signal to light: HLG's inverse OETF and its system gamma of 1.2 for a
   1000 cd/m² display (ITU-R BT.2100), or PQ's EOTF (SMPTE ST 2084);
2. light to SDR: HDR's reference white (203 cd/m², ITU-R BT.2408) becomes
   SDR's, brighter light is rolled off smoothly to the SDR peak instead of
   clipped, by luminance so hues keep;
3. BT.2020's primaries to BT.709's (linear light), out-of-gamut colours clipped;
4. light to signal for an SDR display (the BT.1886 gamma of 2.4).

The tables are small (33 points a side, 36k entries), computed and written once per
process; the filter interpolates between them. It runs at the web size, after scaling,
and costs about half again a real clip's encode (bench/README.md).
"""

import math
import os
import tempfile
import threading
from functools import cache
from pathlib import Path

from av.video.reformatter import ColorPrimaries, ColorRange, Colorspace, ColorTrc

HLG, PQ = ColorTrc.ARIB_STD_B67, ColorTrc.SMPTE2084
HDR_TRANSFERS = (HLG, PQ)
POINTS = 33  # per side of the table, the size colour tools use

# HLG (BT.2100): the OETF's constants, its system gamma on a 1000 cd/m² display.
HLG_A = 0.17883277
HLG_B = 1 - 4 * HLG_A
HLG_C = 0.5 - HLG_A * math.log(4 * HLG_A)
HLG_GAMMA = 1.2
HLG_PEAK = 1000.0
# PQ (ST 2084): absolute light up to 10,000 cd/m².
PQ_M1, PQ_M2 = 2610 / 16384, 2523 / 4096 * 128
PQ_C1, PQ_C2, PQ_C3 = 3424 / 4096, 2413 / 4096 * 32, 2392 / 4096 * 32
PQ_PEAK = 10000.0
# HDR's reference (graphics) white, SDR white is made of it (BT.2408).
REFERENCE_WHITE = 203.0
# Up to this share of SDR white the light is kept as it is; above it, rolled off.
KNEE = 0.75
SDR_GAMMA = 2.4
# Luminance of BT.2020 colours, and linear BT.2020 to BT.709 (BT.2087).
BT2020_LUMA = (0.2627, 0.6780, 0.0593)
BT2020_TO_BT709 = (
    (1.6605, -0.5876, -0.0728),
    (-0.1246, 1.1329, -0.0083),
    (-0.0182, -0.1006, 1.1187),
)


def is_hdr(frame) -> bool:
    return frame.color_trc in HDR_TRANSFERS


def sdr_tags(context) -> None:
    """Tag an encoder's pictures as the conversion leaves them: BT.709, limited range."""
    context.color_range = ColorRange.MPEG
    context.colorspace = Colorspace.ITU709
    context.color_primaries = ColorPrimaries.BT709
    context.color_trc = ColorTrc.BT709


def filters(frame) -> list[tuple[str, str]]:
    """The filters that turn the frame's HDR pictures into BT.709 SDR ones in 16-bit RGB, as
    (name, arguments). The `scale` after them converts to YUV with `TO_BT709`."""
    return [
        # 16-bit RGB from the source's own matrix: nothing of the ten bits lost.
        ("scale", "in_color_matrix=bt2020:out_range=full"),
        ("format", "gbrp16le"),
        ("lut3d", f"file={os.fspath(table_path(int(frame.color_trc)))}:interp=tetrahedral"),
    ]


def table_path(transfer: int) -> Path:
    """The table's file, written once per process (again if something cleaned it away)."""
    path = _tables() / f"sdr-from-{transfer}.cube"
    if not path.exists():
        written = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}")
        written.write_text(cube(transfer))
        written.replace(path)  # whole, whichever thread or process gets there first
    return path


@cache
def _tables() -> Path:
    return Path(tempfile.mkdtemp(prefix="newsroom-tone-mapping-"))


# What the scale after `filters()` needs to write BT.709 YUV, as `sdr_tags()` says it is.
TO_BT709 = "out_color_matrix=bt709:out_range=tv"


@cache
def cube(transfer: int) -> str:
    """The table in the .cube format: red fastest, then green, then blue."""
    to_light = hlg_light if transfer == HLG else pq_light
    steps = [index / (POINTS - 1) for index in range(POINTS)]
    lines = [f"LUT_3D_SIZE {POINTS}", "DOMAIN_MIN 0 0 0", "DOMAIN_MAX 1 1 1"]
    for blue in steps:
        for green in steps:
            for red in steps:
                rgb = sdr_signal(to_light((red, green, blue)))
                lines.append("{:.6f} {:.6f} {:.6f}".format(*rgb))
    return "\n".join(lines) + "\n"


def hlg_light(signal):
    """HLG signal (0–1 a channel) to display light in cd/m² on the reference display."""
    scene = [hlg_inverse_oetf(value) for value in signal]
    luma = sum(weight * value for weight, value in zip(BT2020_LUMA, scene, strict=True))
    gain = HLG_PEAK * luma ** (HLG_GAMMA - 1) if luma > 0 else 0.0
    return [gain * value for value in scene]


def hlg_inverse_oetf(value: float) -> float:
    if value <= 0.5:
        return value * value / 3
    return (math.exp((value - HLG_C) / HLG_A) + HLG_B) / 12


def pq_light(signal):
    """PQ signal (0–1 a channel) to light in cd/m²."""
    light = []
    for value in signal:
        power = max(value, 0.0) ** (1 / PQ_M2)
        light.append(PQ_PEAK * (max(power - PQ_C1, 0.0) / (PQ_C2 - PQ_C3 * power)) ** (1 / PQ_M1))
    return light


def sdr_signal(light):
    """BT.2020 light in cd/m² to the BT.709 signal (0–1) an SDR display shows it with."""
    relative = [value / REFERENCE_WHITE for value in light]  # 1.0: SDR white
    luma = sum(weight * value for weight, value in zip(BT2020_LUMA, relative, strict=True))
    if luma > KNEE:
        relative = [value * roll_off(luma) / luma for value in relative]
    bt709 = [sum(m * v for m, v in zip(row, relative, strict=True)) for row in BT2020_TO_BT709]
    return [min(max(value, 0.0), 1.0) ** (1 / SDR_GAMMA) for value in bt709]


def roll_off(luma: float) -> float:
    """Light above the knee eased towards SDR white: continuous, never above 1."""
    headroom = 1 - KNEE
    return KNEE + headroom * math.tanh((luma - KNEE) / headroom)
