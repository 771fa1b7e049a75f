// Placeholder until the LocalLog benchmark lands.
print("no benchmarks yet")
