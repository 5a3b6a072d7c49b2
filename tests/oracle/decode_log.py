#!/usr/bin/env python3
"""Decode Kafka segment files (.log) with kafka-python, an implementation independent of
filka, and print one JSON object per record on stdout.

Usage: decode_log.py FILE.log [FILE.log ...]
Run it with the oracle venv's python (tests/oracle/setup.sh prints its path).

Every batch's CRC is checked with DefaultRecordBatch.validate_crc() before its records are
read (kafka-python never checks it by itself), and MemoryRecords.valid_bytes() must equal the
file size (kafka-python stops silently at a torn tail). Any failure prints a message on
stderr and exits non-zero; a record-level inconsistency raises CorruptRecordError.

Output fields, one line per record (kafka-format.md §2, §3, §11):
  file, position (batch start in the file), size (batch bytes), base_offset, last_offset,
  leader_epoch, batch_crc (unsigned), compression (none|gzip|snappy|lz4|zstd),
  timestamp_type (CreateTime|LogAppendTime), is_transactional, is_control, producer_id,
  producer_epoch, base_sequence, first_timestamp, max_timestamp, records_count,
  offset, timestamp, key_hex / value_hex (null when null),
  headers: [[key (str), value hex or null], ...],
  and for records of control batches control_type (0 ABORT, 1 COMMIT).
"""

import json
import sys

from kafka.record import MemoryRecords

CODECS = {0: "none", 1: "gzip", 2: "snappy", 3: "lz4", 4: "zstd"}
TIMESTAMP_TYPES = {0: "CreateTime", 1: "LogAppendTime"}


class OracleError(Exception):
    """The file is not a valid sequence of v2 batches."""


def _hex(b):
    return None if b is None else bytes(b).hex()


def decode_file(path):
    """Returns the list of record objects (dicts) of one .log file."""
    with open(path, "rb") as f:
        data = f.read()
    mr = MemoryRecords(data)
    out = []
    position = 0
    while mr.has_next():
        batch = mr.next_batch()
        if batch.magic != 2:
            raise OracleError(f"{path}: batch at byte {position} has magic {batch.magic}")
        # Must come before iterating: iteration decompresses in place.
        if not batch.validate_crc():
            raise OracleError(
                f"{path}: CRC mismatch in the batch at byte {position} "
                f"(base offset {batch.base_offset}, stored crc {batch.crc})"
            )
        common = {
            "file": str(path),
            "position": position,
            "size": batch.size_in_bytes,
            "base_offset": batch.base_offset,
            "last_offset": batch.last_offset,
            "leader_epoch": batch.leader_epoch,
            "batch_crc": batch.crc,
            "compression": CODECS[batch.compression_type],
            "timestamp_type": TIMESTAMP_TYPES[batch.timestamp_type],
            "is_transactional": bool(batch.is_transactional),
            "is_control": bool(batch.is_control_batch),
            "producer_id": batch.producer_id,
            "producer_epoch": batch.producer_epoch,
            "base_sequence": batch.base_sequence,
            "first_timestamp": batch.first_timestamp,
            "max_timestamp": batch.max_timestamp,
            "records_count": batch.records_count,
        }
        count = 0
        for rec in batch:
            obj = dict(common)
            obj["offset"] = rec.offset
            obj["timestamp"] = rec.timestamp
            obj["key_hex"] = _hex(rec.key)
            obj["value_hex"] = _hex(rec.value)
            obj["headers"] = [[k, _hex(v)] for k, v in rec.headers]
            if batch.is_control_batch:
                obj["control_type"] = rec.type
            out.append(obj)
            count += 1
        if count != batch.records_count:
            raise OracleError(
                f"{path}: batch at byte {position} declares {batch.records_count} records "
                f"but yielded {count}"
            )
        position += batch.size_in_bytes
    valid = mr.valid_bytes()
    if valid != len(data):
        raise OracleError(
            f"{path}: torn tail: only {valid} of {len(data)} bytes are complete batches"
        )
    return out


def main(argv):
    if not argv:
        print("usage: decode_log.py FILE.log [FILE.log ...]", file=sys.stderr)
        return 2
    lines = []
    for path in argv:
        try:
            lines.extend(decode_file(path))
        except OracleError as e:
            print(f"decode_log.py: {e}", file=sys.stderr)
            return 1
    for obj in lines:
        print(json.dumps(obj))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
