#!/usr/bin/env python3
"""Writes the golden files of CheckpointFormatDescriptorTest from the layout in docs/checkpoint-format.md,
independently of the Java code. Run from this directory; commit the files only with a format change."""
import struct
def crc32c(data, crc=0):
    poly=0x82F63B78
    crc ^= 0xffffffff
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (poly if crc & 1 else 0)
    return crc ^ 0xffffffff
assert crc32c(b"123456789")==0xe3069283
payload=b"123456789"
# ---- v1
h=struct.pack(">IhhqiqI",0x534E5043,1,0,7,0,len(payload),crc32c(payload))
h+=struct.pack(">I",crc32c(h))
assert len(h)==36
open("v1/rank-00000.piece","wb").write(h+payload)
body=b"snapline-manifest 1\ncheckpoint 7\nranks 1\npiece 0 rank-00000.piece 45 e3069283\n"
open("v1/MANIFEST","wb").write(body+b"crc32c %08x\n"%crc32c(body))
# ---- v2
fp=("job 1 format 2\n"
    "job 2 main-class demo.Heat2D\n"
    "job 3 arguments 4 128 a%20b  %C3%BC%25\n"
    "job 4 class-path sha256:"+"0123456789abcdef"*4+"\n"
    "job 5 policy coordinated\n"
    "job 6 policy-options logging=none\n"
    "job 7 ranks 3\n").encode("ascii")
h=struct.pack(">Ihhqiiq",0x534E5043,2,0,7,2,len(fp),len(payload))+struct.pack(">II",crc32c(payload),crc32c(fp))
h+=struct.pack(">I",crc32c(h))
assert len(h)==44
piece=h+fp+payload
open("v2/rank-00002.piece","wb").write(piece)
body=(b"snapline-manifest 2\ncheckpoint 7\nranks 3\n"+fp+
      b"piece 0 rank-00000.piece %d e3069283\n"%len(piece)+
      b"piece 1 rank-00001.piece %d e3069283\n"%len(piece)+
      b"piece 2 rank-00002.piece %d e3069283\n"%len(piece))
open("v2/MANIFEST","wb").write(body+b"crc32c %08x\n"%crc32c(body))
print(len(piece))
