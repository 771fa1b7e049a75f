#!/usr/bin/env python3
"""confluent-kafka (librdkafka) as the independent client for Ferry's Kafka cross-checks.

    kafka_client.py BOOTSTRAP consume TOPIC PARTITIONS COUNT     read COUNT records from offset 0 of partitions 0..P-1
    kafka_client.py BOOTSTRAP produce TOPIC FILE COMPRESSION     produce the records of FILE (JSON list), print reports
    kafka_client.py BOOTSTRAP partition TOPIC FILE               produce keys of FILE with partitioner=murmur2_random
    kafka_client.py BOOTSTRAP times TOPIC PARTITION TS...        offsets_for_times per timestamp
    kafka_client.py BOOTSTRAP keys TOPIC PARTITIONS              every record of partitions 0..P-1 from offset 0, read
                                                                 until 10 s pass with nothing new: [[partition, offset, key-hex]]

Records are JSON objects: key/value hex or null, headers [[name, hex-or-null]], timestamp ms, partition.
Prints one JSON document on stdout; exit 0 on success.
"""
import json
import sys

from confluent_kafka import Consumer, Producer, TopicPartition


def hx(b):
    return None if b is None else bytes(b).hex()


def unhx(s):
    return None if s is None else bytes.fromhex(s)


def consume(bootstrap, topic, partitions, count):
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "ferry-crosscheck", "enable.auto.commit": False,
                  "enable.partition.eof": False})
    c.assign([TopicPartition(topic, p, 0) for p in range(int(partitions))])
    out = []
    empty = 0
    while len(out) < int(count) and empty < 20:
        m = c.poll(0.5)
        if m is None:
            empty += 1
            continue
        if m.error():
            raise SystemExit("consume error: %s" % m.error())
        ts_type, ts = m.timestamp()
        out.append({"partition": m.partition(), "offset": m.offset(), "key": hx(m.key()), "value": hx(m.value()),
                    "headers": [[k, hx(v)] for k, v in (m.headers() or [])], "timestamp": ts, "timestamp_type": ts_type})
    c.close()
    print(json.dumps(out))


def produce(bootstrap, topic, path, compression):
    records = json.load(open(path))
    p = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True, "acks": "all", "linger.ms": 20,
                  "compression.type": compression})
    reports = [None] * len(records)

    def report(i):
        def cb(err, msg):
            reports[i] = {"error": str(err)} if err else {"partition": msg.partition(), "offset": msg.offset()}
        return cb

    for i, r in enumerate(records):
        kwargs = {"key": unhx(r.get("key")), "value": unhx(r.get("value")), "timestamp": r["timestamp"],
                  "headers": [(h[0], unhx(h[1] if len(h) > 1 else None)) for h in r["headers"]], "on_delivery": report(i)}
        if r.get("partition") is not None:
            kwargs["partition"] = r["partition"]
        p.produce(topic, **kwargs)
        p.poll(0)
    p.flush(30)
    print(json.dumps(reports))


def partition(bootstrap, topic, path):
    keys = json.load(open(path))
    p = Producer({"bootstrap.servers": bootstrap, "partitioner": "murmur2_random", "linger.ms": 50})
    parts = [None] * len(keys)

    def report(i):
        def cb(err, msg):
            parts[i] = -1 if err else msg.partition()
        return cb

    for i, k in enumerate(keys):
        p.produce(topic, key=unhx(k), value=b"", on_delivery=report(i))
        if i % 1000 == 0:
            p.poll(0)
    p.flush(60)
    print(json.dumps(parts))


def keys(bootstrap, topic, partitions):
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "ferry-crosscheck", "enable.auto.commit": False,
                  "enable.partition.eof": False})
    c.assign([TopicPartition(topic, p, 0) for p in range(int(partitions))])
    out = []
    empty = 0
    while empty < 20:
        batch = c.consume(10000, 0.5)
        if not batch:
            empty += 1
            continue
        empty = 0
        for m in batch:
            if m.error():
                raise SystemExit("consume error: %s" % m.error())
            out.append([m.partition(), m.offset(), hx(m.key())])
    c.close()
    print(json.dumps(out))


def times(bootstrap, topic, part, stamps):
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "ferry-crosscheck"})
    found = c.offsets_for_times([TopicPartition(topic, int(part), int(t)) for t in stamps], timeout=10)
    c.close()
    print(json.dumps([tp.offset for tp in found]))


if __name__ == "__main__":
    bootstrap, mode, *rest = sys.argv[1:]
    if mode == "consume":
        consume(bootstrap, *rest)
    elif mode == "produce":
        produce(bootstrap, *rest)
    elif mode == "partition":
        partition(bootstrap, *rest)
    elif mode == "keys":
        keys(bootstrap, *rest)
    elif mode == "times":
        times(bootstrap, rest[0], rest[1], rest[2:])
    else:
        raise SystemExit("unknown mode " + mode)
