"""Units of measurement for metrology records, through pint.

Registry units are pint expressions (``degC``, ``kPa``, ``mg/L``); DCC files
carry D-SI unit strings (``\\kilo\\pascal``, ``\\degreecelsius``) which
:func:`dsi_to_pint` translates. Values that are not convertible (a decibel
against a pascal) raise :class:`UnitError`.
"""

import functools
import re

import pint

UREG = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)

#: Units pint does not know or treats logarithmically; compared by name only.
_OPAQUE = {"dB", "dB(A)", "%vol", "ppm_vol"}

_DSI_UNITS = {
    "metre": "m",
    "kilogram": "kg",
    "gram": "g",
    "second": "s",
    "ampere": "A",
    "kelvin": "K",
    "mole": "mol",
    "candela": "cd",
    "degreecelsius": "degC",
    "pascal": "Pa",
    "bar": "bar",
    "volt": "V",
    "ohm": "ohm",
    "watt": "W",
    "joule": "J",
    "hertz": "Hz",
    "newton": "N",
    "litre": "L",
    "hour": "h",
    "minute": "min",
    "percent": "percent",
    "one": "dimensionless",
    "decibel": "dB",
}
_DSI_PREFIXES = {
    "kilo": "k",
    "mega": "M",
    "giga": "G",
    "milli": "m",
    "micro": "u",
    "nano": "n",
    "centi": "c",
    "deci": "d",
    "hecto": "h",
}
_PINT_TO_DSI = {v: k for k, v in _DSI_UNITS.items()}
_TOKEN = re.compile(r"\\([a-zA-Z]+)(?:\{(-?\d+)\})?")


class UnitError(ValueError):
    """A unit that cannot be read or converted."""


@functools.lru_cache(maxsize=512)
def parse_unit(text: str) -> pint.Unit:
    """Read a registry unit (``kPa``, ``degC``); raise UnitError if unknown."""
    try:
        return UREG.Unit(text)
    except Exception as exc:
        raise UnitError(f"Unknown unit {text!r}.") from exc


@functools.lru_cache(maxsize=1024)
def linear(from_unit: str, to_unit: str) -> tuple[float, float]:
    """``(a, b)`` with ``to = a * from + b`` for absolute values (ranges)."""
    if from_unit == to_unit:
        return 1.0, 0.0
    if from_unit in _OPAQUE or to_unit in _OPAQUE:
        raise UnitError(f"Cannot convert {from_unit} to {to_unit}.")
    src, dst = parse_unit(from_unit), parse_unit(to_unit)
    try:
        b = UREG.Quantity(0.0, src).to(dst).magnitude
        a = UREG.Quantity(1.0, src).to(dst).magnitude - b
    except pint.DimensionalityError as exc:
        raise UnitError(f"Cannot convert {from_unit} to {to_unit}.") from exc
    return float(a), float(b)


def convert(value: float, from_unit: str, to_unit: str) -> float:
    """An absolute value (a range end, a reading) in another unit."""
    a, b = linear(from_unit, to_unit)
    return a * value + b


def convert_delta(value: float, from_unit: str, to_unit: str) -> float:
    """A difference (an uncertainty, an error, a tolerance) in another unit."""
    a, _b = linear(from_unit, to_unit)
    return a * value


def dsi_to_pint(text: str) -> str:
    """Translate a D-SI unit string (``\\kilo\\pascal``, ``\\metre\\tothe{2}``)
    into a pint expression; unknown tokens raise UnitError."""
    text = text.strip()
    if not text.startswith("\\"):
        raise UnitError(f"Not a D-SI unit: {text!r}.")
    parts: list[str] = []
    prefix = ""
    for name, power in _TOKEN.findall(text):
        if name in _DSI_PREFIXES:
            prefix = _DSI_PREFIXES[name]
            continue
        if name == "tothe" and parts:
            parts[-1] = f"{parts[-1]}**{power}"
            continue
        if name == "per":
            parts.append("/")
            continue
        if name not in _DSI_UNITS:
            raise UnitError(f"Unknown D-SI unit {text!r}.")
        parts.append(prefix + _DSI_UNITS[name])
        prefix = ""
    if not parts:
        raise UnitError(f"Unknown D-SI unit {text!r}.")
    out = ""
    for part in parts:
        if part == "/":
            out += "/"
        elif out and not out.endswith("/"):
            out += "*" + part
        else:
            out += part
    return out


def pint_to_dsi(text: str) -> str:
    """The D-SI spelling of a simple registry unit (for DCC export)."""
    if text in _PINT_TO_DSI:
        return "\\" + _PINT_TO_DSI[text]
    for long, short in _DSI_PREFIXES.items():
        rest = text[len(short) :]
        if text.startswith(short) and rest in _PINT_TO_DSI:
            return f"\\{long}\\{_PINT_TO_DSI[rest]}"
    raise UnitError(f"No D-SI spelling for unit {text!r}.")


def to_dsi(text: str) -> str:
    """The D-SI spelling of a unit, or ``\\one`` when it has none."""
    if text.startswith("\\"):
        return text
    try:
        return pint_to_dsi(text)
    except UnitError:
        return "\\one"
