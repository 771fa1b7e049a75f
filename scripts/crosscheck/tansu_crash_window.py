#!/usr/bin/env python3
"""Why tansu 0.6.0 (s3:// storage) loses acknowledged records when it is killed mid-produce: the S3 state between
the kill and the restart, then what an idempotent producer (confluent-kafka) gets acknowledged and can read back.
docs/decisions/0008-kafka-restart-test-on-tansu-s3.md, revision 2.

    tansu_crash_window.py BOOTSTRAP STATE_DIR [KILL|TERM] [RECORDS]

BOOTSTRAP: the durable tansu of scripts/brokers/start-kafka-durable; STATE_DIR: its state directory (the signal goes
to the PID in STATE_DIR/kafka-durable/tansu.pid, checked to be that tansu; moto keeps running; S3 is read with the
boto3 of STATE_DIR/moto-venv; moto's port is FERRY_TEST_MOTO_PORT, default 19094). Sends RECORDS (default 30,000)
keyed records to a new 4-partition topic, signals tansu once a third are acknowledged, prints each partition's
S3 state (watermark.json `high`, the producer's sequence in meta.json, batch objects), restarts tansu on the same
store (start-kafka-durable --tansu-only), finishes, reads everything back and prints what was lost.
Per partition, `meta.json sequence - watermark high` is how many records have a committed producer sequence but
no stored batch; with KILL those are the records lost, acknowledged by a DUPLICATE_SEQUENCE_NUMBER answer
(base offset -1, so the client reports offsets -1, 0, 1, ...).
"""
import json
import os
import signal
import subprocess
import sys
import time

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

bootstrap, state = sys.argv[1], os.path.abspath(sys.argv[2])
how = sys.argv[3] if len(sys.argv) > 3 else "KILL"
total = int(sys.argv[4]) if len(sys.argv) > 4 else 30000
moto = "http://127.0.0.1:%s" % os.environ.get("FERRY_TEST_MOTO_PORT", "19094")
repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
topic, partitions = "crash-window-%d" % int(time.time()), 4

# Runs in the moto venv (boto3): one line per partition of `topic`.
SNAPSHOT = r'''
import sys, json, boto3
s3 = boto3.client("s3", endpoint_url=sys.argv[1], aws_access_key_id="test", aws_secret_access_key="test",
                  region_name="us-east-1")
topic, base = sys.argv[2], "clusters/tansu_cluster/"
def get(key): return json.loads(s3.get_object(Bucket="tansu", Key=base + key)["Body"].read())
sequences = {}
for producer, detail in get("meta.json")["producers"].items():
    for epoch, topics in detail["sequences"].items():
        for partition, sequence in topics.get(topic, {}).items():
            sequences[int(partition)] = sequences.get(int(partition), 0) + sequence
keys = []
for page in s3.get_paginator("list_objects_v2").paginate(Bucket="tansu", Prefix=base + "topics/" + topic + "/"):
    keys += [o["Key"] for o in page.get("Contents", [])]
for partition in sorted(sequences):
    high = get("topics/%s/partitions/%010d/watermark.json" % (topic, partition))["high"] or 0
    batches = sorted(int(k.rsplit("/", 1)[1][:20]) for k in keys if "/partitions/%010d/records/" % partition in k)
    print(json.dumps({"partition": partition, "watermark_high": high, "meta_sequence": sequences[partition],
                      "batch_objects": len(batches), "last_batch_offset": batches[-1] if batches else None}))
'''


def snapshot(label):
    run = subprocess.run([os.path.join(state, "moto-venv/bin/python"), "-c", SNAPSHOT, moto, topic],
                         capture_output=True, text=True, check=True)
    print(label, file=sys.stderr)
    for line in run.stdout.splitlines():
        row = json.loads(line)
        row["sequenced_not_stored"] = row["meta_sequence"] - row["watermark_high"]
        print("   ", row, file=sys.stderr)


def signal_tansu():
    pid = int(open(os.path.join(state, "kafka-durable/tansu.pid")).read())
    cwd = os.readlink("/proc/%d/cwd" % pid)
    exe = open("/proc/%d/cmdline" % pid, "rb").read().split(b"\0")[0].decode()
    if cwd != os.path.join(state, "kafka-durable") or not exe.endswith("/tansu"):
        sys.exit("pid %d is not the durable tansu of %s" % (pid, state))
    os.kill(pid, signal.SIGKILL if how == "KILL" else signal.SIGTERM)
    started = time.time()
    while os.path.exists("/proc/%d" % pid) and open("/proc/%d/stat" % pid).read().split()[2] != "Z":
        time.sleep(0.01)
    print("tansu (pid %d) gone %.2f s after SIG%s" % (pid, time.time() - started, how), file=sys.stderr)
    os.remove(os.path.join(state, "kafka-durable/tansu.pid"))


admin = AdminClient({"bootstrap.servers": bootstrap})
admin.create_topics([NewTopic(topic, partitions, 1)])[topic].result()
producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True, "acks": "all", "linger.ms": 5,
                     "message.timeout.ms": 60000})
acknowledged, failed = {}, {}


def report(index):
    def settle(error, message):
        if error:
            failed[index] = str(error)
        else:
            acknowledged[index] = (message.partition(), message.offset())
    return settle


signalled = False
for index in range(total):
    while True:
        try:
            producer.produce(topic, key=b"record-%d" % index, value=b"." * 200, on_delivery=report(index))
            break
        except BufferError:
            producer.poll(0.01)
    producer.poll(0)
    if not signalled and len(acknowledged) >= total // 3:
        signalled = True
        print("%d acknowledged; SIG%s" % (len(acknowledged), how), file=sys.stderr)
        signal_tansu()
        snapshot("S3 after SIG%s, before the restart:" % how)
        subprocess.run([os.path.join(repo, "scripts/brokers/start-kafka-durable"), "--tansu-only", state],
                       check=True, stdout=subprocess.DEVNULL)
    if index % 50 == 0:
        time.sleep(0.005)  # keeps records in flight when the signal comes
producer.flush(120)
snapshot("S3 at the end:")

consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": topic, "enable.auto.commit": False})
consumer.assign([TopicPartition(topic, partition, 0) for partition in range(partitions)])
seen, idle = {}, 0
while idle < 10:
    messages = consumer.consume(10000, 0.5)
    if not messages:
        idle += 1
        continue
    idle = 0
    for message in messages:
        seen.setdefault(int(message.key()[7:]), []).append((message.partition(), message.offset()))
lost = sorted(index for index in acknowledged if index not in seen)
duplicated = [index for index in seen if len(seen[index]) > 1]
misplaced = [index for index in acknowledged if index in seen and acknowledged[index] not in seen[index]]
by_partition = {}
for index in lost:
    by_partition[acknowledged[index][0]] = by_partition.get(acknowledged[index][0], 0) + 1
print("topic %s: %d acknowledged, %d failed; read back %d: %d lost %s, %d duplicated, %d misplaced"
      % (topic, len(acknowledged), len(failed), sum(map(len, seen.values())), len(lost), by_partition,
         len(duplicated), len(misplaced)), file=sys.stderr)
print("lost (record, (partition, reported offset)):", [(i, acknowledged[i]) for i in lost[:8]], file=sys.stderr)
