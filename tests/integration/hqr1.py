"""An independent reader and writer of HQR1 texts (DESIGN §5), in Python, for the tests that check
the service's codes byte by byte or forge codes it must refuse: strict RFC 9285 Base45, the 97-byte
layout, the truncated HMAC and the Ed25519 signature."""
import hashlib
import hmac
import struct

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

B45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
RAW_LEN = 97


def b45decode(s):
    """RFC 9285 Base45, strict: rejects unknown characters, a 1-character tail and overflows."""
    vals = [B45.index(c) for c in s]
    out = bytearray()
    for i in range(0, len(vals), 3):
        chunk = vals[i:i + 3]
        if len(chunk) == 3:
            n = chunk[0] + chunk[1] * 45 + chunk[2] * 45 * 45
            assert n <= 0xFFFF, "Base45 triplet overflows"
            out += n.to_bytes(2, "big")
        elif len(chunk) == 2:
            n = chunk[0] + chunk[1] * 45
            assert n <= 0xFF, "Base45 pair overflows"
            out.append(n)
        else:
            raise AssertionError("Base45 with a dangling character")
    return bytes(out)


def b45encode(b):
    out = []
    for i in range(0, len(b) - 1, 2):
        n = b[i] * 256 + b[i + 1]
        out += [B45[n % 45], B45[n // 45 % 45], B45[n // (45 * 45)]]
    if len(b) % 2:
        out += [B45[b[-1] % 45], B45[b[-1] // 45]]
    return "".join(out)


def token_bytes(text):
    """The bytes of an HQR1 text, whatever their length."""
    assert text.startswith("HQR1:"), text
    return b45decode(text[5:])


def token_raw(text):
    """The 97 bytes of a well-formed HQR1 text."""
    raw = token_bytes(text)
    assert len(raw) == RAW_LEN, len(raw)
    return raw


def parse(text):
    raw = token_raw(text)
    version, kind, color, kid = struct.unpack(">BBBH", raw[:5])
    return {"version": version, "kind": kind, "color": color, "kid": kid,
            "code_ref": int.from_bytes(raw[5:13], "big"), "t": int.from_bytes(raw[13:17], "big"),
            "mac": raw[17:33], "sig": raw[33:97], "raw": raw}


def mac_of(mac_key, header17):
    return hmac.new(mac_key, header17, hashlib.sha256).digest()[:16]


def seal(mac_key, seed, kind, color, kid, code_ref, t):
    """Builds an HQR1 text as the service would: header, mac, Ed25519 over b"HQR1" + 33 bytes."""
    header = struct.pack(">BBBH", 1, kind, color, kid) + code_ref.to_bytes(8, "big") + \
        (t & 0xFFFFFFFF).to_bytes(4, "big")
    signed = header + mac_of(mac_key, header)
    sig = Ed25519PrivateKey.from_private_bytes(seed).sign(b"HQR1" + signed)
    return "HQR1:" + b45encode(signed + sig)


def reencode(raw):
    return "HQR1:" + b45encode(bytes(raw))
