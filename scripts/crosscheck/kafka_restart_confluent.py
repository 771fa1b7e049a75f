#!/usr/bin/env python3
"""confluent-kafka's idempotent producer across two SIGKILL restarts of the durable tansu: the same experiment as
Tests/IntegrationTests/KafkaBrokerRestartTests, with librdkafka instead of Ferry, to tell broker behaviour
from client behaviour (docs/decisions/0008-kafka-restart-test-on-tansu-s3.md).

    kafka_restart_confluent.py BOOTSTRAP RESTART_SCRIPT STATE_DIR [RECORDS]

Prints on stderr: acknowledged/failed counts, then read back: lost, duplicated, misplaced, with samples.
"""
import sys, subprocess, time
from confluent_kafka import Producer, Consumer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic
bs=sys.argv[1]; restart_script=sys.argv[2]; state_dir=sys.argv[3]; topic="confluent-restart-%d"%int(time.time())
a=AdminClient({"bootstrap.servers":bs})
for f in a.create_topics([NewTopic(topic,4,1)]).values(): f.result()
p=Producer({"bootstrap.servers":bs,"enable.idempotence":True,"acks":"all","linger.ms":5,"message.timeout.ms":60000})
acked={}; failed={}
def cb(i):
    def f(err,msg):
        if err: failed[i]=str(err)
        else: acked[i]=(msg.partition(),msg.offset())
    return f
N=int(sys.argv[4]) if len(sys.argv) > 4 else 30000; restarts=[N//3,2*N//3]
for i in range(N):
    while True:
        try: p.produce(topic,key=b"record-%d"%i,value=b"."*200,on_delivery=cb(i)); break
        except BufferError: p.poll(0.01)
    p.poll(0)
    if restarts and len(acked)>=restarts[0]:
        restarts.pop(0); print("restart at",len(acked),file=sys.stderr)
        subprocess.run([restart_script, state_dir],check=True,stdout=subprocess.DEVNULL)
    if i%200==0: time.sleep(0.005)
p.flush(120)
print("acked",len(acked),"failed",len(failed),list(failed.values())[:2],file=sys.stderr)
c=Consumer({"bootstrap.servers":bs,"group.id":"x","enable.auto.commit":False})
c.assign([TopicPartition(topic,q,0) for q in range(4)])
seen={};empty=0
while empty<10:
    b=c.consume(10000,0.5)
    if not b: empty+=1; continue
    empty=0
    for m in b: seen.setdefault(int(m.key()[7:]),[]).append((m.partition(),m.offset()))
lost=[i for i in acked if i not in seen]; dup=[i for i in seen if len(seen[i])>1]
mis=[i for i in acked if i in seen and acked[i] not in seen[i]]
print("read",sum(len(v) for v in seen.values()),"lost",len(lost),"dup",len(dup),"misplaced",len(mis),file=sys.stderr)
print("lost sample",[(i,acked[i]) for i in lost[:10]],file=sys.stderr)
print("misplaced sample",[(i,acked[i],seen[i]) for i in mis[:10]],file=sys.stderr)
