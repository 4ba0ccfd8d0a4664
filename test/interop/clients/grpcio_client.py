#!/usr/bin/env python3
"""Sends TestService.UnaryCall RPCs through gRPC C-core's xDS resolver (grpcio).

The channel dials an xds:/// target, so C-core fetches Listener, Route,
Cluster and Endpoint resources from the server named in the bootstrap file
(env GRPC_XDS_BOOTSTRAP) and routes every RPC by them. RPCs go one at a time,
continuously; after every --batch RPCs one JSON line goes to stdout:

  {"started_ms": ..., "ended_ms": ..., "rpcs": 50,
   "by_backend": {"reviews-v1": 31, ...}, "errors": {"UNAVAILABLE": 2},
   "first_error": "...", "nacked": [{"type_url": ..., "name": ..., "details": ...}]}

A backend is known by the "hostname" header of its response, as grpc-go's xDS
interop server sends it (and the tests' echo backends too).

started_ms/ended_ms are wall-clock milliseconds, so a reader can drop batches
begun before some moment. "nacked" lists the resources this client holds as
NACKed, read from C-core's own CSDS view (a client keeps serving its last good
config after a NACK, so traffic alone cannot show one).

It stops at --count RPCs or after --seconds; with neither, when stdin closes
(so a parent that dies or closes the pipe never leaves it running).

With --commands it sends nothing on its own: it reads one JSON command a line
from stdin, {"rpcs": 20, "metadata": {"x-user": "a"}, "timeout": 5,
"concurrency": 4}, sends those RPCs (that many in flight at once) and answers
with one JSON line: {"by_backend": ..., "errors": {"UNAVAILABLE": 3},
"samples": ["UNAVAILABLE: ..."], "fastest_ms": 12.5, "nacked": [...]}. It
stops when stdin closes.

With --xds-credentials the channel takes its TLS from the control plane
(gRFC A29): the Cluster names certificate providers of the bootstrap, and a
cluster without TLS is dialed in plaintext.

RPCs are sent as raw bytes (no generated Python code, no third-party .proto):
an empty message is a valid grpc.testing.SimpleRequest, and only the response
header is read. That keeps the peer's install to grpcio alone, with no protoc
or grpcio-tools step.
"""

import argparse
import json
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import grpc
import grpc.experimental
from grpc._cython import cygrpc

UNARY_CALL = "/grpc.testing.TestService/UnaryCall"
EMPTY_REQUEST = b""  # a SimpleRequest with no fields set
HOSTNAME_HEADER = "hostname"

WIRE_VARINT, WIRE_I64, WIRE_LEN, WIRE_I32 = 0, 1, 2, 5

# envoy.admin.v3.ClientResourceStatus
RESOURCE_STATUS = {0: "UNKNOWN", 1: "REQUESTED", 2: "DOES_NOT_EXIST", 3: "ACKED",
                   4: "NACKED", 5: "RECEIVED_ERROR", 6: "TIMEOUT"}


def read_varint(buf, pos):
    value, shift = 0, 0
    while True:
        if pos >= len(buf):
            raise ValueError("truncated varint")
        byte = buf[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7


def proto_fields(buf):
    """Yields (field_number, value) for each field of an encoded message:
    int for varint and fixed-width fields, bytes for length-delimited ones."""
    pos = 0
    while pos < len(buf):
        key, pos = read_varint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == WIRE_VARINT:
            value, pos = read_varint(buf, pos)
        elif wire == WIRE_I64:
            value, pos = int.from_bytes(buf[pos:pos + 8], "little"), pos + 8
        elif wire == WIRE_I32:
            value, pos = int.from_bytes(buf[pos:pos + 4], "little"), pos + 4
        elif wire == WIRE_LEN:
            length, pos = read_varint(buf, pos)
            value, pos = bytes(buf[pos:pos + length]), pos + length
        else:
            raise ValueError(f"unsupported wire type {wire}")
        if pos > len(buf):
            raise ValueError("truncated field")
        yield number, value


class MissingHostname(Exception):
    pass


def backend_of(call):
    for key, value in call.initial_metadata():
        if key == HOSTNAME_HEADER:
            return value
    raise MissingHostname(f'UnaryCall answered without a "{HOSTNAME_HEADER}" header')


def nacked_resources():
    """Resources whose client_status is NACKED in C-core's CSDS dump
    (envoy.service.status.v3.ClientStatusResponse). dump_xds_configs is the
    call grpcio-csds serves CSDS with; calling it directly spares the venv
    protobuf and xds-protos."""
    nacked = []
    for number, client_config in proto_fields(cygrpc.dump_xds_configs()):
        if number != 1:  # ClientStatusResponse.config
            continue
        for number, generic in proto_fields(client_config):
            if number != 3:  # ClientConfig.generic_xds_configs
                continue
            entry = {"type_url": "", "name": "", "status": "UNKNOWN", "details": ""}
            for number, value in proto_fields(generic):
                if number == 1:
                    entry["type_url"] = value.decode("utf-8")
                elif number == 2:
                    entry["name"] = value.decode("utf-8")
                elif number == 7:
                    entry["status"] = RESOURCE_STATUS.get(value, str(value))
                elif number == 8:  # UpdateFailureState
                    for n, v in proto_fields(value):
                        if n == 3:
                            entry["details"] = v.decode("utf-8")
            if entry["status"] == "NACKED":
                del entry["status"]
                nacked.append(entry)
    return nacked


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--target", default="xds:///reviews", help="channel target (default %(default)s)")
    parser.add_argument("--batch", type=int, default=50, help="RPCs per output line (default %(default)s)")
    parser.add_argument("--count", type=int, default=0, help="stop after this many RPCs (0: no limit)")
    parser.add_argument("--seconds", type=float, default=0, help="stop after this long (0: no limit)")
    parser.add_argument("--rpc-timeout", type=float, default=1.0, help="deadline of each RPC in seconds")
    parser.add_argument("--commands", action="store_true", help="send RPCs as stdin's JSON commands ask (see above)")
    parser.add_argument("--xds-credentials", action="store_true", help="TLS as the xDS server says (gRFC A29), else plaintext")
    return parser.parse_args()


MAX_SAMPLES = 10


def one_rpc(unary_call, metadata, timeout):
    """("answer", backend, ms) or ("error", code, details) for one UnaryCall."""
    started = time.monotonic()
    try:
        _, call = unary_call.with_call(EMPTY_REQUEST, timeout=timeout, metadata=metadata)
        return ("answer", backend_of(call), (time.monotonic() - started) * 1000)
    except grpc.RpcError as error:
        return ("error", error.code().name, error.details() or "")
    except MissingHostname as error:
        return ("error", "NO_HOSTNAME", str(error))


def run_command(unary_call, command):
    metadata = tuple((key, value) for key, value in command.get("metadata", {}).items())
    timeout = float(command["timeout"])
    rpcs = int(command["rpcs"])
    result = {"by_backend": {}, "errors": {}, "samples": []}
    fastest = None
    with ThreadPoolExecutor(max_workers=max(1, min(int(command.get("concurrency", 1)), rpcs))) as pool:
        outcomes = list(pool.map(lambda _: one_rpc(unary_call, metadata, timeout), range(rpcs)))
    for kind, what, extra in outcomes:
        if kind == "answer":
            result["by_backend"][what] = result["by_backend"].get(what, 0) + 1
            fastest = extra if fastest is None else min(fastest, extra)
        else:
            result["errors"][what] = result["errors"].get(what, 0) + 1
            sample = f"{what}: {extra}"
            if len(result["samples"]) < MAX_SAMPLES and sample not in result["samples"]:
                result["samples"].append(sample)
    if fastest is not None:
        result["fastest_ms"] = fastest
    result["nacked"] = nacked_resources()
    return result


def open_channel(target, xds_credentials):
    if not xds_credentials:
        return grpc.insecure_channel(target)
    fallback = grpc.experimental.insecure_channel_credentials()
    return grpc.secure_channel(target, grpc.xds_channel_credentials(fallback_credentials=fallback))


def serve_commands(target, xds_credentials):
    with open_channel(target, xds_credentials) as channel:
        unary_call = channel.unary_unary(UNARY_CALL)
        for line in sys.stdin:
            if line.strip():
                print(json.dumps(run_command(unary_call, json.loads(line))), flush=True)


def watch_stdin(stop):
    for _ in sys.stdin:
        pass
    stop.set()


def main():
    args = parse_args()
    if not hasattr(cygrpc, "dump_xds_configs"):
        sys.exit(f"grpcio {grpc.__version__} has no cygrpc.dump_xds_configs: cannot report NACKs")
    if args.commands:
        serve_commands(args.target, args.xds_credentials)
        return
    stop = threading.Event()
    if not args.count and args.seconds <= 0:
        threading.Thread(target=watch_stdin, args=(stop,), daemon=True).start()
    deadline = time.monotonic() + args.seconds if args.seconds > 0 else None
    sent = 0
    with open_channel(args.target, args.xds_credentials) as channel:
        unary_call = channel.unary_unary(UNARY_CALL)  # no serializers: bytes in, bytes out
        while not stop.is_set():
            if deadline is not None and time.monotonic() >= deadline:
                break
            if args.count and sent >= args.count:
                break
            size = args.batch if not args.count else min(args.batch, args.count - sent)
            batch = {"started_ms": int(time.time() * 1000), "rpcs": size, "by_backend": {}, "errors": {}}
            for _ in range(size):
                try:
                    _, call = unary_call.with_call(EMPTY_REQUEST, timeout=args.rpc_timeout)
                    backend = backend_of(call)
                    batch["by_backend"][backend] = batch["by_backend"].get(backend, 0) + 1
                except grpc.RpcError as error:
                    code = error.code().name
                    batch["errors"][code] = batch["errors"].get(code, 0) + 1
                    batch.setdefault("first_error", f"{code}: {error.details()}")
                except MissingHostname as error:
                    batch["errors"]["NO_HOSTNAME"] = batch["errors"].get("NO_HOSTNAME", 0) + 1
                    batch.setdefault("first_error", str(error))
            sent += size
            batch["ended_ms"] = int(time.time() * 1000)
            batch["nacked"] = nacked_resources()
            print(json.dumps(batch), flush=True)


if __name__ == "__main__":
    main()
