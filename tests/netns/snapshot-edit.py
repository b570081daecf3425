#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# snapshot-edit.py - edit a snapshot file for tests/netns/snapshot.sh:
#   drop-nft-rule IN OUT	drop the first rule from the nftables recording
#				(the NFT_MSG_NEWRULE message, as if it were
#				never there)
#   drop-legacy-rule IN OUT	drop the first "-A" line of the IPv4 legacy
#				tables
#   truncate IN OUT		cut the file in the middle
#   version IN OUT N		claim format version N
#   v1 IN OUT			a version 1 file, as fwaudit 0.1 wrote it
#				(no ruleset_text)
import base64
import json
import struct
import sys

NEWRULE = (10 << 8) | 6		# NFNL_SUBSYS_NFTABLES, NFT_MSG_NEWRULE


def drop_nft_rule(rec):
    out, off, dropped = bytearray(), 0, False
    while off < len(rec):
        kind, length = struct.unpack_from("=II", rec, off)
        data = rec[off + 8:off + 8 + length]
        off += 8 + ((length + 3) & ~3)
        if kind == ord("R") and not dropped:
            msgs, p = bytearray(), 0
            while p < len(data):
                mlen, mtype = struct.unpack_from("=IH", data, p)
                msg = data[p:p + ((mlen + 3) & ~3)]
                p += (mlen + 3) & ~3
                if mtype == NEWRULE and not dropped:
                    dropped = True
                    continue
                msgs += msg
            data = bytes(msgs)
        out += struct.pack("=II", kind, len(data)) + data
        out += b"\0" * (-len(data) % 4)
    if not dropped:
        sys.exit("no rule in the nftables recording")
    return bytes(out)


def main():
    op, src, dst = sys.argv[1:4]
    text = open(src).read()
    if op == "truncate":
        open(dst, "w").write(text[:len(text) // 2])
        return
    d = json.loads(text)
    if op == "version":
        d["version"] = int(sys.argv[4])
    elif op == "v1":
        d["version"] = 1
        d.pop("ruleset_text", None)
        d.pop("redaction", None)
    elif op == "drop-nft-rule":
        rec = base64.b64decode(d["nftables"]["recording"])
        d["nftables"]["recording"] = base64.b64encode(
            drop_nft_rule(rec)).decode()
    elif op == "drop-legacy-rule":
        save = base64.b64decode(d["legacy"]["ipv4"]["save"]).decode()
        lines = save.split("\n")
        i = next(i for i, l in enumerate(lines) if l.startswith("-A "))
        del lines[i]
        d["legacy"]["ipv4"]["save"] = base64.b64encode(
            "\n".join(lines).encode()).decode()
    else:
        sys.exit("unknown operation " + op)
    json.dump(d, open(dst, "w"), indent=1)


main()
