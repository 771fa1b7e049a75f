"""stomp.py side of `ferry-bench stomp`: the same workload as Ferry's client, for a same-run comparison.

usage: stomp_bench.py HOST PORT QUEUE COUNT BATCH SIZE
Sends COUNT persistent messages of SIZE bytes in transactions of BATCH (COMMIT with a receipt, awaited),
then receives them with ack:client-individual (prefetch 500), ACKing each. Prints two lines:
"send <seconds>" and "receive <seconds>".
"""
import sys, threading, time
import stomp

host, port, queue, count, batch, size = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
body = "x" * size


class Listener(stomp.ConnectionListener):
    def __init__(self):
        self.receipts = {}
        self.received = 0
        self.done = threading.Event()
        self.conn = None

    def on_receipt(self, frame):
        event = self.receipts.pop(frame.headers.get("receipt-id"), None)
        if event:
            event.set()

    def on_message(self, frame):
        self.conn.ack(frame.headers["ack"])
        self.received += 1
        if self.received >= count:
            self.done.set()


listener = Listener()
conn = stomp.Connection12([(host, port)], auto_content_length=True)
listener.conn = conn
conn.set_listener("", listener)
conn.connect(wait=True)

start = time.perf_counter()
sent = 0
n = 0
while sent < count:
    n += 1
    tx = conn.begin()
    for _ in range(min(batch, count - sent)):
        conn.send(queue, body, headers={"persistent": "true", "amq-msg-type": "text"}, transaction=tx)
        sent += 1
    receipt = "c-%d" % n
    event = threading.Event()
    listener.receipts[receipt] = event
    conn.commit(tx, headers={"receipt": receipt})
    if not event.wait(60):
        sys.exit("no receipt for COMMIT")
print("send %.6f" % (time.perf_counter() - start), flush=True)

start = time.perf_counter()
conn.subscribe(queue, id="bench", ack="client-individual", headers={"activemq.prefetchSize": "500"})
if not listener.done.wait(300):
    sys.exit("received only %d" % listener.received)
print("receive %.6f" % (time.perf_counter() - start), flush=True)
conn.disconnect()
