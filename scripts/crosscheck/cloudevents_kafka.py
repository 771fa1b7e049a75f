#!/usr/bin/env python3
"""Decode Kafka records written by Ferry with the official CloudEvents Python SDK (test tooling only).

Usage: cloudevents_kafka.py RECORDS.jsonl

Each input line is one Kafka record:
    {"mode": "binary" | "structured",
     "key": BASE64 | null, "value": BASE64 | null,
     "headers": [[NAME, BASE64 | null], ...]}

Each output line (same order) is what the SDK decoded, or why it could not:
    {"ok": true, "sdk": VERSION,
     "attributes": {"specversion": ..., "id": ..., "source": ..., "type": ...,
                    "subject"?, "time"?, "datacontenttype"?, "dataschema"?},
     "extensions": {NAME: JSON string | number | boolean, ...},
     "data": null | {"kind": "bytes", "base64": BASE64} | {"kind": "json", "value": ANY},
     "sdk_defaulted_time": BOOL}
    {"ok": false, "error": "ExceptionType: message"}

Decoding uses the SDK's Kafka binding, `cloudevents.core.bindings.kafka` (cloudevents >= 2.0):
`from_binary` / `from_structured` with a `KafkaMessage` and the SDK's `JSONFormat`. The mode comes from the
input line (the writer knows it); the SDK's own `from_kafka` guesses from `ce_` headers instead of `content-type`.

Normalisations, all the SDK's, reported so the caller can allow for them:
- Binary mode: the SDK's `JSONFormat.read_data` would parse JSON values into Python objects; this script passes a
  format whose `read_data` returns the value bytes verbatim, so binary-mode data is compared byte for byte.
  (An empty value becomes no data, as in the SDK.)
- `time` is parsed by `dateutil.isoparse` into a `datetime`, which keeps microseconds only (extra digits are
  truncated) and keeps the UTC offset; it is printed with `isoformat()` ('+00:00' written as 'Z').
- The SDK invents `time` (now) when an event has none; this script then drops it and sets
  `"sdk_defaulted_time": true` (it knows from the input whether `ce_time` / `"time"` was present).
- A record key becomes the `partitionkey` extension (the SDK's reverse key mapping).
- Structured mode: `data` is whatever `json.loads` made of the member (numbers as int/float), printed back as JSON.
Exit status: 0 after processing every line (errors are reported per line), 2 on usage or unreadable input,
3 when the SDK is missing.
"""

import base64
import json
import sys
from datetime import datetime

try:
    import cloudevents
    from cloudevents.core.bindings import kafka as ce_kafka
    from cloudevents.core.formats.json import JSONFormat
except ImportError as error:  # pragma: no cover - exercised by the Swift test's failure message
    print(
        f"the cloudevents SDK (>= 2.0, with cloudevents.core.bindings.kafka) is not importable: {error}",
        file=sys.stderr,
    )
    sys.exit(3)

CORE_ATTRIBUTES = ("specversion", "id", "source", "type", "subject", "time", "datacontenttype", "dataschema")
SDK_VERSION = getattr(cloudevents, "__version__", "unknown")


class VerbatimDataJSONFormat(JSONFormat):
    """The SDK's JSON format, except that binary-mode data is handed back as the raw bytes."""

    def read_data(self, body, datacontenttype):
        if not body:
            return None
        return bytes(body)


def b64(text):
    return None if text is None else base64.b64decode(text, validate=True)


def iso(value):
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def jsonable(value):
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, (bytes, bytearray)):
        return {"bytes_base64": base64.b64encode(value).decode("ascii")}
    return value


def decode(record):
    mode = record["mode"]
    headers = {}
    for name, value in record["headers"]:
        headers[name] = b64(value) if value is not None else b""
    message = ce_kafka.KafkaMessage(headers=headers, key=b64(record["key"]), value=b64(record["value"]) or b"")
    if mode == "binary":
        event = ce_kafka.from_binary(message, VerbatimDataJSONFormat())
        had_time = "ce_time" in headers
    elif mode == "structured":
        event = ce_kafka.from_structured(message, JSONFormat())
        had_time = "time" in json.loads(message.value.decode("utf-8"))
    else:
        raise ValueError(f"unknown mode {mode!r}")

    attributes = {}
    extensions = {}
    for name, value in event.get_attributes().items():
        if value is None:
            continue
        if name in CORE_ATTRIBUTES:
            attributes[name] = jsonable(value)
        else:
            extensions[name] = jsonable(value)
    if not had_time:
        attributes.pop("time", None)

    data = event.get_data()
    if data is None:
        data_out = None
    elif isinstance(data, (bytes, bytearray)):
        data_out = {"kind": "bytes", "base64": base64.b64encode(data).decode("ascii")}
    else:
        data_out = {"kind": "json", "value": data}
    return {
        "ok": True,
        "sdk": SDK_VERSION,
        "attributes": attributes,
        "extensions": extensions,
        "data": data_out,
        "sdk_defaulted_time": not had_time,
    }


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    try:
        with open(argv[1], encoding="utf-8") as handle:
            lines = [line for line in handle.read().splitlines() if line.strip()]
    except OSError as error:
        print(f"cannot read {argv[1]}: {error}", file=sys.stderr)
        return 2
    for line in lines:
        try:
            result = decode(json.loads(line))
        except Exception as error:  # report and go on: one line out per line in
            result = {"ok": False, "error": f"{type(error).__name__}: {error}"}
        print(json.dumps(result, ensure_ascii=False, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
