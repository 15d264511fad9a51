"""HEIC and HEIF photos read one row of tiles at a time.

Phones store their HEIC photos as a grid of small HEVC pictures (iPhones:
512 × 512 tiles). Decoding the whole grid at once, as pillow-heif does,
holds every pixel several times over while libheif works (its HEVC frames,
their YCbCr planes and the RGB result): about 150 MB for an iPhone's
24-megapixel photo. Asked for one tile at a time, libheif holds one tile,
and we hold one row of them. pillow-heif does not offer that part of
libheif's interface, so it is called here directly, through the libheif
that pillow-heif's own extension has loaded.

The tiles come as they are stored; the file's rotation and mirroring boxes
(irot, imir) are turned into the EXIF orientation with the same effect, which
the renditions apply like a camera JPEG's. Files with any other
transformation (a crop box) are read whole by pillow-heif instead.
"""

import ctypes
import os
from contextlib import contextmanager
from functools import cache

from PIL import Image

from newsroom.ground.orientation import UPRIGHT

COLORSPACE_RGB = 1
CHROMA_RGB, CHROMA_RGBA = 10, 11
CHANNEL_INTERLEAVED = 10


def fourcc(code):
    return int.from_bytes(code.encode("ascii"), "big")


ROTATION, MIRROR = fourcc("irot"), fourcc("imir")
# libheif's mirror directions: 0 flips top to bottom, 1 left to right.
MIRRORS = {0: Image.Transpose.FLIP_TOP_BOTTOM, 1: Image.Transpose.FLIP_LEFT_RIGHT}
# Counter-clockwise turns, as HEIF states them and as Pillow names them.
ROTATIONS = {
    90: Image.Transpose.ROTATE_90,
    180: Image.Transpose.ROTATE_180,
    270: Image.Transpose.ROTATE_270,
}


class Error(ctypes.Structure):
    _fields_ = [("code", ctypes.c_int), ("subcode", ctypes.c_int), ("message", ctypes.c_char_p)]


class Tiling(ctypes.Structure):
    _fields_ = [
        ("version", ctypes.c_int),
        ("columns", ctypes.c_uint32),
        ("rows", ctypes.c_uint32),
        ("tile_width", ctypes.c_uint32),
        ("tile_height", ctypes.c_uint32),
        ("image_width", ctypes.c_uint32),
        ("image_height", ctypes.c_uint32),
        ("top_offset", ctypes.c_uint32),
        ("left_offset", ctypes.c_uint32),
        ("extra_dimensions", ctypes.c_uint8),
        ("extra_sizes", ctypes.c_uint32 * 8),
        ("reserved", ctypes.c_uint8 * 64),  # room for fields later versions add
    ]


class DecodingOptions(ctypes.Structure):
    """The leading fields of libheif's decoding options (versions 1 and 2)."""

    _fields_ = [
        ("version", ctypes.c_uint8),
        ("ignore_transformations", ctypes.c_uint8),
        ("progress_callbacks", ctypes.c_void_p * 4),
        ("convert_hdr_to_8bit", ctypes.c_uint8),
    ]


Pointer = ctypes.c_void_p
ItemId = ctypes.c_uint32
SIGNATURES = {
    "heif_context_alloc": (Pointer, []),
    "heif_context_free": (None, [Pointer]),
    "heif_context_read_from_file": (Error, [Pointer, ctypes.c_char_p, Pointer]),
    "heif_context_read_from_memory_without_copy": (
        Error,
        [Pointer, ctypes.c_char_p, ctypes.c_size_t, Pointer],
    ),
    "heif_context_get_primary_image_handle": (Error, [Pointer, ctypes.POINTER(Pointer)]),
    "heif_image_handle_release": (None, [Pointer]),
    "heif_image_handle_has_alpha_channel": (ctypes.c_int, [Pointer]),
    "heif_image_handle_get_item_id": (ItemId, [Pointer]),
    "heif_image_handle_get_raw_color_profile_size": (ctypes.c_size_t, [Pointer]),
    "heif_image_handle_get_raw_color_profile": (Error, [Pointer, ctypes.c_char_p]),
    "heif_image_handle_get_image_tiling": (Error, [Pointer, ctypes.c_int, ctypes.POINTER(Tiling)]),
    "heif_item_get_transformation_properties": (
        ctypes.c_int,
        [Pointer, ItemId, ctypes.POINTER(ctypes.c_uint32), ctypes.c_int],
    ),
    "heif_item_get_property_type": (ctypes.c_uint32, [Pointer, ItemId, ctypes.c_uint32]),
    "heif_item_get_property_transform_rotation_ccw": (
        ctypes.c_int,
        [Pointer, ItemId, ctypes.c_uint32],
    ),
    "heif_item_get_property_transform_mirror": (ctypes.c_int, [Pointer, ItemId, ctypes.c_uint32]),
    "heif_decoding_options_alloc": (ctypes.POINTER(DecodingOptions), []),
    "heif_decoding_options_free": (None, [ctypes.POINTER(DecodingOptions)]),
    "heif_image_handle_decode_image_tile": (
        Error,
        [
            Pointer,
            ctypes.POINTER(Pointer),
            ctypes.c_int,
            ctypes.c_int,
            ctypes.POINTER(DecodingOptions),
            ctypes.c_uint32,
            ctypes.c_uint32,
        ],
    ),
    "heif_image_get_plane_readonly": (
        ctypes.POINTER(ctypes.c_uint8),
        [Pointer, ctypes.c_int, ctypes.POINTER(ctypes.c_int)],
    ),
    "heif_image_get_width": (ctypes.c_int, [Pointer, ctypes.c_int]),
    "heif_image_get_height": (ctypes.c_int, [Pointer, ctypes.c_int]),
    "heif_image_get_bits_per_pixel_range": (ctypes.c_int, [Pointer, ctypes.c_int]),
    "heif_image_release": (None, [Pointer]),
}


@cache
def libheif():
    """libheif as pillow-heif loaded it, or None where it lacks the tile functions."""
    import _pillow_heif  # its extension module, linked against libheif

    library = ctypes.CDLL(_pillow_heif.__file__)  # dlsym also searches what it links
    try:
        for name, (result, arguments) in SIGNATURES.items():
            function = getattr(library, name)
            function.restype, function.argtypes = result, arguments
    except AttributeError:
        return None
    return library


def check(error):
    if error.code:
        message = error.message.decode("utf-8", "replace") if error.message else ""
        raise ValueError(f"libheif: {message or error.code}")


def orientation_of(turns):
    """The EXIF orientation that has the same effect as these turns, in this order."""
    probe = Image.frombytes("L", (2, 3), bytes(range(6)))
    turned = probe
    for turn in turns:
        turned = turned.transpose(turn)
    for orientation, exif_turns in UPRIGHT.items():
        candidate = probe
        for turn in exif_turns:
            candidate = candidate.transpose(turn)
        if candidate.tobytes() == turned.tobytes() and candidate.size == turned.size:
            return orientation
    raise AssertionError("every rotation and mirroring is one of the eight orientations")


class Tiles:
    """The primary image of a HEIF file, decoded one row of tiles at a time.

    `size` and the bands are the stored pixels; `orientation` the EXIF value
    that makes them upright. Close it (or use it in a `with`) to let libheif
    free what it holds.
    """

    def __init__(self, path=None, data=None):
        self.library = libheif()
        self.data = data  # libheif reads from it without a copy, so it must stay alive
        self.context = self.library.heif_context_alloc()
        self.handle = Pointer()
        self.options = None
        self._row_number, self._buffer = None, None
        try:
            self.open(path)
        except BaseException:
            self.close()
            raise

    def open(self, path):
        lib = self.library
        if path is not None:  # libheif reads only the parts it needs, when it needs them
            check(lib.heif_context_read_from_file(self.context, os.fsencode(path), None))
        else:
            check(
                lib.heif_context_read_from_memory_without_copy(
                    self.context, self.data, len(self.data), None
                )
            )
        check(lib.heif_context_get_primary_image_handle(self.context, ctypes.byref(self.handle)))
        tiling = Tiling(version=1)
        check(lib.heif_image_handle_get_image_tiling(self.handle, 0, ctypes.byref(tiling)))
        self.tiling = tiling
        self.size = (tiling.image_width, tiling.image_height)
        self.has_alpha = bool(lib.heif_image_handle_has_alpha_channel(self.handle))
        self.mode = "RGBA" if self.has_alpha else "RGB"
        self.orientation = self.read_orientation()
        self.options = lib.heif_decoding_options_alloc()
        self.options.contents.ignore_transformations = 1
        self.options.contents.convert_hdr_to_8bit = 1

    def read_orientation(self):
        """The EXIF orientation of the file's rotation and mirroring; None if it has more."""
        lib, item = self.library, self.library.heif_image_handle_get_item_id(self.handle)
        properties = (ctypes.c_uint32 * 16)()
        count = lib.heif_item_get_transformation_properties(self.context, item, properties, 16)
        turns = []
        for property_id in properties[:count]:
            kind = lib.heif_item_get_property_type(self.context, item, property_id)
            if kind == ROTATION:
                angle = lib.heif_item_get_property_transform_rotation_ccw(
                    self.context, item, property_id
                )
                turns += [ROTATIONS[angle]] if angle in ROTATIONS else []
            elif kind == MIRROR:
                direction = lib.heif_item_get_property_transform_mirror(
                    self.context, item, property_id
                )
                turns.append(MIRRORS[direction])
            else:
                return None  # a crop box: not something tiles can be read with
        return orientation_of(turns)

    @property
    def readable(self):
        """Whether its transformations allow reading it tile by tile."""
        return self.orientation is not None

    @property
    def row_pixels(self):
        """How many pixels are decoded at once: one row of tiles."""
        return self.size[0] * min(self.tiling.tile_height, self.size[1])

    @contextmanager
    def tile(self, column, row):
        """One decoded tile, as a Pillow image that reads libheif's buffer while in the `with`."""
        lib, image = self.library, Pointer()
        check(
            lib.heif_image_handle_decode_image_tile(
                self.handle,
                ctypes.byref(image),
                COLORSPACE_RGB,
                CHROMA_RGBA if self.has_alpha else CHROMA_RGB,
                self.options,
                column,
                row,
            )
        )
        try:
            if lib.heif_image_get_bits_per_pixel_range(image, CHANNEL_INTERLEAVED) != 8:
                raise ValueError("libheif: not 8 bits per channel")
            stride = ctypes.c_int()
            plane = lib.heif_image_get_plane_readonly(
                image, CHANNEL_INTERLEAVED, ctypes.byref(stride)
            )
            width = lib.heif_image_get_width(image, CHANNEL_INTERLEAVED)
            height = lib.heif_image_get_height(image, CHANNEL_INTERLEAVED)
            if not plane or width <= 0 or height <= 0:
                raise ValueError("libheif: an empty tile")
            pixels = (ctypes.c_uint8 * (stride.value * height)).from_address(
                ctypes.addressof(plane.contents)
            )
            mode = self.mode
            yield Image.frombuffer(mode, (width, height), pixels, "raw", mode, stride.value, 1)
        finally:
            lib.heif_image_release(image)

    def row(self, number):
        """Row `number` of tiles, the whole width, as one image (the last one asked is kept).

        Every row is decoded into the same image, so only one is ever held.
        """
        if self._row_number == number:
            return self._buffer
        self._row_number = None  # until the row is whole
        width, height = self.size
        top = number * self.tiling.tile_height
        size = (width, min(self.tiling.tile_height, height - top))
        if self._buffer is None or self._buffer.size != size:
            self._buffer = None  # let the previous one go first
            self._buffer = Image.new(self.mode, size)
        for column in range(self.tiling.columns):
            with self.tile(column, number) as tile:
                self._buffer.paste(tile, (column * self.tiling.tile_width, 0))
        self._row_number = number
        return self._buffer

    def band(self, top, bottom):
        """Rows top to bottom of the stored pixels."""
        tile_height = self.tiling.tile_height
        first, last = top // tile_height, (bottom - 1) // tile_height
        if first == last:
            start = first * tile_height
            return self.row(first).crop((0, top - start, self.size[0], bottom - start))
        band = Image.new(self.mode, (self.size[0], bottom - top))
        for number in range(first, last + 1):
            start = number * tile_height
            upper, lower = max(top, start), min(bottom, start + tile_height)
            part = self.row(number).crop((0, upper - start, self.size[0], lower - start))
            band.paste(part, (0, upper - top))
        return band

    def verify(self):
        """Decode every tile once, keeping none: raises ValueError if any is damaged."""
        for number in range(self.tiling.rows):
            for column in range(self.tiling.columns):
                with self.tile(column, number):
                    pass

    def icc_profile(self):
        length = self.library.heif_image_handle_get_raw_color_profile_size(self.handle)
        if not length:
            return None
        profile = ctypes.create_string_buffer(length)
        check(self.library.heif_image_handle_get_raw_color_profile(self.handle, profile))
        return profile.raw

    def close(self):
        self._row_number, self._buffer = None, None
        if self.options:
            self.library.heif_decoding_options_free(self.options)
            self.options = None
        if self.handle:
            self.library.heif_image_handle_release(self.handle)
            self.handle = Pointer()
        if self.context:
            self.library.heif_context_free(self.context)
            self.context = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


def open_tiles(source):
    """Tiles of the HEIF file `source` (an open file), or None.

    None where libheif lacks the tile functions. Raises ValueError for a file
    libheif cannot read. A file on local disk is read from there; any other
    is read into memory first.
    """
    if libheif() is None:
        return None
    path = local_path(source)
    if path:
        return Tiles(path=path)
    source.seek(0)
    return Tiles(data=source.read())


def local_path(source):
    """Where on disk an open file (an upload, a stored file) is, if it is a whole file there."""
    if hasattr(source, "temporary_file_path"):
        return source.temporary_file_path()
    name = getattr(getattr(source, "file", source), "name", None)
    if isinstance(name, str) and os.path.isabs(name) and os.path.isfile(name):
        return name
    return None
