"""Helpers of the multi-process and crash tests (tests/integration/multiprocess_test.sh,
crash_test.sh): a running `reclaim serve`, concurrent API writers that remember every write the
server acknowledged, and report payloads built from the demo database's own hazards (so that
they pass validation: a small square at the corner of an existing hazard, same province and
village)."""
import http.client
import json
import subprocess
import threading
import time

fails = []  # what check() found wrong; the test exits 1 when it is not empty


def check(cond, what):
    """Prints one TAP-like line (as tests/integration/lib.sh does) and remembers a failure."""
    print(("ok   - " if cond else "FAIL - ") + what, flush=True)
    if not cond:
        fails.append(what)


def free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def request(port, method, path, token=None, body=None, timeout=30):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    h = {}
    if token:
        h["Authorization"] = "Bearer " + token
    if body is not None:
        h["Content-Type"] = "application/json"
        body = json.dumps(body)
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, data


def wait_up(port, proc, limit=60):
    end = time.time() + limit
    while time.time() < end:
        if proc.poll() is not None:
            raise SystemExit("the server exited: rc=%s" % proc.returncode)
        try:
            if request(port, "GET", "/api/status", timeout=5)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise SystemExit("the server did not answer within %d s" % limit)


def anchors(sql_rows):
    """(province_code, village_code, lon, lat) rows from
    `sqlite3 -separator '|' DB "SELECT ..."` output or psql -At output."""
    out = []
    for line in sql_rows.splitlines():
        p = line.split("|")
        if len(p) == 4 and p[0] and p[1]:
            out.append((p[0], p[1], float(p[2]), float(p[3])))
    return out


def report(n, anchor, prefix):
    prov, village, x, y = anchor
    d = 0.0002
    wkt = "POLYGON((%.6f %.6f,%.6f %.6f,%.6f %.6f,%.6f %.6f,%.6f %.6f))" % (
        x, y, x + d, y, x + d, y + d, x, y + d, x, y)
    return {"entity": "hazards", "action": "create", "date_of_information": "2025-01-10",
            "payload": {"id": "%s%06d" % (prefix, n), "name": "multi-process %d" % n,
                        "hazard_type": "CHA", "contamination": "AP", "province_code": prov,
                        "village_code": village, "date_recorded": "2024-11-02",
                        "geometry": wkt}}


class Writers:
    """`threads` clients posting submissions until stop(); acked holds the id of every
    submission answered 201 (the write the server acknowledged)."""

    def __init__(self, port, token, anchors_, threads=4, prefix="KH-HZ-8"):
        self.port, self.token, self.anchors, self.prefix = port, token, anchors_, prefix
        self.acked, self.errors, self.other = [], [], {}
        self.mu = threading.Lock()
        self.stopping = threading.Event()
        self.seq = 0
        self.threads = [threading.Thread(target=self.run, daemon=True) for _ in range(threads)]

    def start(self):
        for t in self.threads:
            t.start()
        return self

    def next(self):
        with self.mu:
            self.seq += 1
            return self.seq

    def run(self):
        while not self.stopping.is_set():
            n = self.next()
            body = report(n, self.anchors[n % len(self.anchors)], self.prefix)
            try:
                status, data = request(self.port, "POST", "/api/submissions", self.token, body)
            except OSError as e:  # the server was killed: the write was not acknowledged
                with self.mu:
                    self.errors.append(str(e))
                time.sleep(0.05)
                continue
            with self.mu:
                if status == 201:
                    self.acked.append(json.loads(data)["id"])
                else:
                    self.other[status] = self.other.get(status, 0) + 1
                    if len(self.errors) < 5:
                        self.errors.append("%d %s" % (status, data[:300]))

    def stop(self):
        self.stopping.set()
        for t in self.threads:
            t.join(timeout=60)


def sh(cmd, timeout=300, **kw):
    """Runs a shell command; on timeout its whole process group is killed (returncode -9)."""
    import os
    import signal
    p = subprocess.Popen(cmd, shell=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, start_new_session=True, **kw)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, err = p.communicate()
        err = (err or "") + "\n(timed out after %d s)" % timeout
    return subprocess.CompletedProcess(cmd, p.returncode, out, err)


def deleted_fds(pid, db):
    """The server's descriptors on the database's files that were deleted while open."""
    import os
    out = []
    try:
        for fd in os.listdir("/proc/%d/fd" % pid):
            try:
                target = os.readlink("/proc/%d/fd/%s" % (pid, fd))
            except OSError:
                continue
            if target.startswith(db) and target.endswith("(deleted)"):
                out.append(target)
    except OSError:
        pass
    return out
