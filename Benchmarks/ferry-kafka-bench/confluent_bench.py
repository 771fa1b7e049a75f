#!/usr/bin/env python3
"""confluent-kafka counterpart of ferry-kafka-bench: same records, acks=all, idempotence, same linger and
batch size; produce then consume from the beginning; one JSON line with wall and process CPU time.

    confluent_bench.py BOOTSTRAP [RECORDS] [PARTITIONS] [LINGER_MS] [BATCH_BYTES]
"""
import json, random, resource, sys, time
from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

bootstrap = sys.argv[1]
count = int(sys.argv[2]) if len(sys.argv) > 2 else 200000
partitions = int(sys.argv[3]) if len(sys.argv) > 3 else 4
linger = int(sys.argv[4]) if len(sys.argv) > 4 else 5
batch = int(sys.argv[5]) if len(sys.argv) > 5 else 1000000

def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime

topic = "rdkafka-bench-%d" % random.randint(0, 2**32)
admin = AdminClient({"bootstrap.servers": bootstrap})
admin.create_topics([NewTopic(topic, partitions)])[topic].result()
p = Producer({"bootstrap.servers": bootstrap, "acks": "all", "enable.idempotence": True, "linger.ms": linger,
              "batch.size": batch, "queue.buffering.max.kbytes": 65536, "partitioner": "murmur2_random"})
value = b"a" * 1024
headers = [("ce_specversion", b"1.0"), ("ce_type", b"org.ferry.bench.v1"), ("ce_source", b"/bench"),
           ("content-type", b"application/json")]
delivered = [0, 0]
def report(err, msg):
    delivered[1 if err else 0] += 1
c0, t0 = cpu(), time.monotonic()
for i in range(count):
    while True:
        try:
            p.produce(topic, key=b"member-%d" % (i % 10000), value=value, timestamp=1700000000000 + i,
                      headers=headers + [("ce_id", str(i).encode())], on_delivery=report)
            break
        except BufferError:
            p.poll(0.001)
    p.poll(0)
p.flush(120)
pw, pc = time.monotonic() - t0, cpu() - c0

c = Consumer({"bootstrap.servers": bootstrap, "group.id": "bench", "enable.auto.commit": False,
              "fetch.max.bytes": 52428800, "max.partition.fetch.bytes": 4194304})
c.assign([TopicPartition(topic, i, 0) for i in range(partitions)])
c1, t1 = cpu(), time.monotonic()
consumed = 0
while consumed < delivered[0]:
    msgs = c.consume(10000, 1.0)
    consumed += sum(1 for m in msgs if not m.error())
cw, cc = time.monotonic() - t1, cpu() - c1
c.close()
print(json.dumps({"client": "confluent-kafka", "records": count, "delivered": delivered[0], "failed": delivered[1],
                  "produce_s": round(pw, 3), "produce_msg_s": int(delivered[0] / pw), "produce_cpu_s": round(pc, 3),
                  "produce_cpu_us_per_msg": round(pc * 1e6 / max(delivered[0], 1), 2), "consumed": consumed,
                  "consume_s": round(cw, 3), "consume_msg_s": int(consumed / cw),
                  "consume_cpu_us_per_msg": round(cc * 1e6 / max(consumed, 1), 2)}))
