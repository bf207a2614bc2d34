#!/usr/bin/env python3
"""Write the binary seeds of tests/fuzz/seeds: names in wire form (name_key)
and captures of every link type fluxwall reads (pcap), made from the DNS
answer in tests/data/pcap/dns_udp.pcap. Run from this directory; the
output is committed, so this only needs running to change the seeds."""
import struct

def wire(*labels):
    return b"".join(bytes([len(l)]) + l for l in labels) + b"\0"

names = {
    "plain": wire(b"evil", b"example"),
    "mixed-case": wire(b"EvIl", b"ExAmPlE") + b"\x00\x01\x00\x01",
    "pointer": wire(b"a")[:-1] + b"\xc0\x0c",
    "backward-pointer": wire(b"www", b"example", b"com") + wire(b"mail")[:-1] + b"\xc0\x04",
    "label63": wire(b"a" * 63, b"example"),
    "label64": bytes([64]) + b"a" * 64 + b"\0",
    "max-name": wire(*[b"abc"] * 63),
    "over-max": wire(*[b"abc"] * 64),
    "high-bytes": wire(b"\xc1\xe9\x80z", b"example"),
    "root": b"\0",
    "nul-in-label": b"\x03a\0b\0",
    "text-name": b"Evil.Example.",
    "text-wildcard": b"*.Ads.example",
    "text-bad": b"a..b example",
}
for name, data in names.items():
    open(f"name_key/{name}", "wb").write(data)

# The response of dns_udp.pcap as an IPv4 packet, for every link type.
raw = open("../../data/pcap/dns_udp.pcap", "rb").read()
magic, _, _, _, _, snap, link = struct.unpack("<IHHiIII", raw[:24])
off, frames = 24, []
while off + 16 <= len(raw):
    sec, usec, incl, orig = struct.unpack("<IIII", raw[off:off + 16])
    frames.append(raw[off + 16:off + 16 + incl])
    off += 16 + incl
ip = frames[-1][14:]  # Ethernet in the original

def pcap(linktype, payload, nano=False):
    m = 0xa1b23c4d if nano else 0xa1b2c3d4
    hdr = struct.pack("<IHHiIII", m, 2, 4, 0, 0, 65535, linktype)
    rec = struct.pack("<IIII", 1700000000, 123456789 if nano else 123456, len(payload), len(payload))
    return hdr + rec + payload

sll = struct.pack(">HHH8sH", 0, 1, 6, b"\x02\0\0\0\0\x01\0\0", 0x0800)
open("pcap/linux-sll.pcap", "wb").write(pcap(113, sll + ip))
open("pcap/raw-ip.pcap", "wb").write(pcap(101, ip))
open("pcap/ipv4.pcap", "wb").write(pcap(228, ip))
open("pcap/bsd-null.pcap", "wb").write(pcap(0, struct.pack("<I", 2) + ip))
open("pcap/bsd-loop.pcap", "wb").write(pcap(108, struct.pack(">I", 2) + ip))
open("pcap/nanosecond.pcap", "wb").write(pcap(1, frames[-1], nano=True))
open("pcap/short-frame.pcap", "wb").write(pcap(1, frames[-1][:10]))
open("pcap/unknown-link.pcap", "wb").write(pcap(147, ip))

# pcapng: section header, interface (Ethernet), one enhanced packet.
def block(btype, body):
    body += b"\0" * (-len(body) % 4)
    n = 12 + len(body)
    return struct.pack("<II", btype, n) + body + struct.pack("<I", n)
f = frames[-1]
ng = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
ng += block(1, struct.pack("<HHI", 1, 0, 65535))
ng += block(6, struct.pack("<IIIII", 0, 0, 1000, len(f), len(f)) + f)
open("pcap/pcapng.pcapng", "wb").write(ng)
