"""Reads producer-state snapshots (.snapshot) and aborted-transaction indexes (.txnindex)
the way Kafka's own readers do, written from kafka-format.md section 1 and Kafka's
ProducerSnapshot.json / ProducerStateManager.readSnapshot / TransactionIndex, independently
of filka's Rust code: struct for the big-endian layouts and kafka-python's pure-Python
CRC-32C (kafka.record._crc32c) for the checksum.

usage: decode_pstate.py FILE...   prints one JSON object per file; exits 1 on the first file
that Kafka's reader would refuse, saying why on stderr.
"""
import json
import struct
import sys

from kafka.record._crc32c import crc as crc32c

ENTRY = struct.Struct(">qhiqiqiq")  # 46 bytes: ProducerSnapshot v1 ProducerEntry
TXN = struct.Struct(">hqqqq")  # 34 bytes: AbortedTxn


def fail(path, why):
    print(f"{path}: {why}", file=sys.stderr)
    sys.exit(1)


def decrement_sequence(seq, dec):
    # DefaultRecordBatch.decrementSequence
    return 2**31 - 1 - (dec - seq) + 1 if seq < dec else seq - dec


def snapshot(path, data):
    if len(data) < 10:
        fail(path, "shorter than the 10-byte header")
    version, crc, count = struct.unpack_from(">hIi", data, 0)
    if version != 1:
        fail(path, f"unknown snapshot version {version}")
    if count < 0 or count * ENTRY.size > len(data) - 10:
        fail(path, f"bad entry count {count}")
    computed = crc32c(data[6:])
    if computed != crc:
        fail(path, f"CRC {crc:#010x} stored, {computed:#010x} computed")
    entries = []
    for i in range(count):
        pid, epoch, last_seq, last_off, delta, ts, coord, txn = ENTRY.unpack_from(
            data, 10 + i * ENTRY.size
        )
        e = {
            "producer_id": pid,
            "epoch": epoch,
            "coordinator_epoch": coord,
            "last_timestamp": ts,
            # readSnapshot: an ongoing transaction only when the offset is >= 0, batch
            # metadata only when lastOffset >= 0.
            "current_txn_first_offset": txn if txn >= 0 else None,
            "batch": None,
        }
        if last_off >= 0:
            e["batch"] = {
                "first_sequence": decrement_sequence(last_seq, delta),
                "last_sequence": last_seq,
                "first_offset": last_off - delta,
                "last_offset": last_off,
            }
        entries.append(e)
    return {"file": path, "kind": "snapshot", "crc": crc, "entries": entries}


def txnindex(path, data):
    if len(data) % TXN.size:
        fail(path, f"{len(data)} bytes is not a whole number of entries")
    entries = []
    for off in range(0, len(data), TXN.size):
        version, pid, first, last, lso = TXN.unpack_from(data, off)
        if version != 0:
            fail(path, f"unexpected aborted transaction version {version}")
        entries.append(
            {
                "producer_id": pid,
                "first_offset": first,
                "last_offset": last,
                "last_stable_offset": lso,
            }
        )
    return {"file": path, "kind": "txnindex", "entries": entries}


for path in sys.argv[1:]:
    with open(path, "rb") as f:
        data = f.read()
    if path.endswith(".snapshot"):
        out = snapshot(path, data)
    elif path.endswith(".txnindex"):
        out = txnindex(path, data)
    else:
        fail(path, "neither a .snapshot nor a .txnindex")
    print(json.dumps(out))
