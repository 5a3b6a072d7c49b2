"""Decodes record values with independent implementations, for the serializer tests.

    decode_values.py avro SCHEMA.avsc        < hex lines   -> one JSON datum per line (fastavro)
    decode_values.py avro-ocf FILE.avro                    -> the schema's name, then one JSON
                                                              record per line (fastavro.reader)
    decode_values.py protobuf DIR FILE.proto TYPE < hex    -> protoc's text format per value,
                                                              values separated by a line "--"

Bytes and fixed values print as lists of byte values and timestamps as epoch milliseconds,
so the output is plain JSON.
"""
import datetime
import io
import json
import subprocess
import sys

import fastavro


EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def plain(v):
    if isinstance(v, (bytes, bytearray)):
        return list(v)
    if isinstance(v, datetime.datetime):
        # fastavro reads timestamp-millis as a datetime; filka shows the long itself.
        return (v - EPOCH) // datetime.timedelta(milliseconds=1)
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [plain(x) for x in v]
    return v


def main():
    mode = sys.argv[1]
    if mode == "avro":
        with open(sys.argv[2]) as f:
            schema = fastavro.parse_schema(json.load(f))
        for line in sys.stdin:
            data = bytes.fromhex(line.strip())
            buf = io.BytesIO(data)
            datum = fastavro.schemaless_reader(buf, schema, None)
            if buf.tell() != len(data):
                raise SystemExit(f"{len(data) - buf.tell()} bytes left after the datum")
            print(json.dumps(plain(datum), sort_keys=True))
    elif mode == "avro-ocf":
        with open(sys.argv[2], "rb") as f:
            reader = fastavro.reader(f)
            print(reader.writer_schema.get("name", reader.writer_schema.get("type")))
            for record in reader:
                print(json.dumps(plain(record), sort_keys=True))
    elif mode == "protobuf":
        include, proto, message = sys.argv[2], sys.argv[3], sys.argv[4]
        for line in sys.stdin:
            data = bytes.fromhex(line.strip())
            out = subprocess.run(
                [sys.executable, "-m", "grpc_tools.protoc", f"--decode={message}",
                 f"-I{include}", proto],
                input=data, capture_output=True, check=True)
            sys.stdout.write(out.stdout.decode())
            print("--")
    else:
        raise SystemExit(f"unknown mode {mode}")


main()
