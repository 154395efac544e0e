#!/usr/bin/env python3
"""Summarises a JFR recording without a GUI: where CPU samples fall and what allocates.

    benchmarks/tools/jfr-top.py FILE.jfr [TOP]

Prints, from jdk.ExecutionSample: samples by thread (digits folded), the top frames by self time,
the top frames by "first frame in a package that is not the JDK's" (dev.skyward, io.grpc,
io.netty, org.apache.fory, com.hazelcast ...), and by first frame in FOCUS (default
dev.skyward.,com.hazelcast.); from jdk.ObjectAllocationSample: the allocated
classes and allocating frames by sampled weight. Needs the JDK's `jfr` tool on the PATH (or
JAVA_HOME) and Python 3.
"""
import collections
import json
import os
import re
import subprocess
import sys

JDK = ("java.", "javax.", "jdk.", "sun.", "com.sun.")
FOCUS = os.environ.get("FOCUS", "dev.skyward.,com.hazelcast.").split(",")


def events(path, name):
    jfr = os.path.join(os.environ["JAVA_HOME"], "bin", "jfr") if os.environ.get("JAVA_HOME") else "jfr"
    out = subprocess.run([jfr, "print", "--json", "--stack-depth", "64", "--events", name, path],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)["recording"]["events"]


def frame(f):
    m = f["method"]
    return m["type"]["name"].replace("/", ".") + "." + m["name"]


def thread(e, key="sampledThread"):
    t = e["values"].get(key) or e["values"].get("eventThread") or {}
    return re.sub(r"[0-9]+", "#", (t.get("javaName") or t.get("osName") or "?"))


def first_app(frames):
    for f in frames:
        n = frame(f)
        if not n.startswith(JDK):
            return n
    return frame(frames[0]) if frames else "?"


def first_focus(frames):
    for f in frames:
        n = frame(f)
        if n.startswith(tuple(FOCUS)):
            return n
    return "(no " + "/".join(FOCUS) + " frame)"


def show(title, counter, total, top):
    print(f"\n{title} (of {total})")
    for k, v in counter.most_common(top):
        print(f"  {100.0 * v / max(total, 1):5.1f}%  {v:8}  {k}")


def main():
    path = sys.argv[1]
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 15
    samples = events(path, "jdk.ExecutionSample")
    by_thread, self_frames, app_frames = collections.Counter(), collections.Counter(), collections.Counter()
    focus_frames = collections.Counter()
    for e in samples:
        frames = (e["values"].get("stackTrace") or {}).get("frames") or []
        by_thread[thread(e)] += 1
        if frames:
            self_frames[frame(frames[0])] += 1
            app_frames[first_app(frames)] += 1
            focus_frames[first_focus(frames)] += 1
    show("CPU samples by thread", by_thread, len(samples), top)
    show("CPU samples by top frame (self)", self_frames, len(samples), top)
    show("CPU samples by first non-JDK frame", app_frames, len(samples), top)
    show("CPU samples by first frame in " + ",".join(FOCUS) + " (set FOCUS=...)", focus_frames, len(samples), top)
    allocs = events(path, "jdk.ObjectAllocationSample")
    by_class, by_site, by_focus = collections.Counter(), collections.Counter(), collections.Counter()
    total = 0
    for e in allocs:
        w = e["values"].get("weight", 0)
        total += w
        by_class[(e["values"].get("objectClass") or {}).get("name", "?")] += w
        frames = (e["values"].get("stackTrace") or {}).get("frames") or []
        by_site[first_app(frames) + " @ " + thread(e, "eventThread")] += w
        by_focus[first_focus(frames) + " @ " + thread(e, "eventThread")] += w
    show("Allocation (sampled bytes) by class", by_class, total, top)
    show("Allocation (sampled bytes) by first non-JDK frame @ thread", by_site, total, top)
    show("Allocation (sampled bytes) by first frame in " + ",".join(FOCUS) + " @ thread", by_focus, total, top)


if __name__ == "__main__":
    main()
