"""Drives the DSA C# kernel with jupyter_client, as JupyterLab or nbclient would.

Usage: python3 kernel_protocol_check.py KERNEL_NAME   (JUPYTER_PATH must reach the kernelspec)

Checks, each printed as "ok: ..." (the first failure exits 1 with "FAIL: ..."):
kernel_info reply fields; execute with a display (iopub: status busy, execute_input, display_data,
status idle; an ok execute_reply); a throwing cell (error broadcast, execute_reply status error) and
a later cell that still runs; interrupt of an endless loop; a large tensor allocated, disposed and
its memory returned (RSS of the kernel process); complete / inspect / is_complete; shutdown with
restart (the process exits, a new one starts with a fresh session) and a final shutdown; status
busy/idle around every request; every received message's HMAC-SHA256 signature verified here.
"""
import hashlib
import hmac
import queue
import sys
import time

from jupyter_client import KernelManager
from jupyter_client.session import Session

TIMEOUT = 60
verified = {"count": 0}
_deserialize = Session.deserialize


def _frame_bytes(frame):
    return frame.bytes if hasattr(frame, "bytes") else bytes(frame)


def _checked_deserialize(self, msg_list, content=True, copy=True):
    # msg_list = [signature, header, parent_header, metadata, content, buffers...] after the identities.
    signature = _frame_bytes(msg_list[0])
    digest = hmac.new(self.key, digestmod=hashlib.sha256)
    for frame in msg_list[1:5]:
        digest.update(_frame_bytes(frame))
    if not hmac.compare_digest(digest.hexdigest().encode("ascii"), signature):
        fail("a message from the kernel has an invalid signature")
    verified["count"] += 1
    return _deserialize(self, msg_list, content=content, copy=copy)


Session.deserialize = _checked_deserialize


def fail(what):
    print(f"FAIL: {what}", flush=True)
    sys.exit(1)


def check(condition, what):
    if not condition:
        fail(what)
    print(f"ok: {what}", flush=True)


def iopub_until_idle(kc, msg_id, timeout=TIMEOUT):
    """The iopub messages whose parent is msg_id, up to and including its status idle."""
    messages, deadline = [], time.time() + timeout
    while True:
        try:
            msg = kc.get_iopub_msg(timeout=max(0.1, deadline - time.time()))
        except queue.Empty:
            fail(f"no status idle for {msg_id} within {timeout} s (got {[m['msg_type'] for m in messages]})")
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        messages.append(msg)
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return messages


def shell_reply(kc, msg_id, timeout=TIMEOUT):
    while True:
        reply = kc.get_shell_msg(timeout=timeout)
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply


def kinds(messages):
    return [m["msg_type"] if m["msg_type"] != "status" else "status:" + m["content"]["execution_state"] for m in messages]


def bracketed(messages):
    k = kinds(messages)
    return len(k) >= 2 and k[0] == "status:busy" and k[-1] == "status:idle"


def execute(kc, code):
    msg_id = kc.execute(code)
    messages = iopub_until_idle(kc, msg_id)
    return messages, shell_reply(kc, msg_id)


def rss_kib(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    fail(f"no {field} in /proc/{pid}/status")


def start(km):
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=TIMEOUT)
    return kc


def main():
    km = KernelManager(kernel_name=sys.argv[1])
    km.start_kernel()
    check(len(km.session.key) > 0, "messages are signed (the connection file has a key)")
    kc = start(km)

    msg_id = kc.kernel_info()
    info = shell_reply(kc, msg_id)
    content = info["content"]
    check(info["msg_type"] == "kernel_info_reply" and content["status"] == "ok", "kernel_info_reply status ok")
    check(content["protocol_version"] == "5.3", "protocol_version 5.3")
    check(content["language_info"]["name"] == "C#" and content["language_info"]["file_extension"] == ".cs", "language_info C# / .cs")
    check(content["implementation"] == "dsa-csharp" and "banner" in content, "implementation and banner")
    check(bracketed(iopub_until_idle(kc, msg_id)), "kernel_info bracketed by status busy/idle")

    messages, reply = execute(kc, "display(new SkiaSharp.SKBitmap(4, 4));")
    check(kinds(messages) == ["status:busy", "execute_input", "display_data", "status:idle"],
          f"display: iopub busy, execute_input, display_data, idle (got {kinds(messages)})")
    display = messages[2]["content"]
    check("image/png" in display["data"] and "display_id" in display["transient"], "display_data carries image/png and a display_id")
    check(reply["content"]["status"] == "ok" and reply["content"]["execution_count"] == 1, "execute_reply ok, execution_count 1")
    check(messages[1]["content"]["execution_count"] == 1, "execute_input carries execution_count 1")

    messages, reply = execute(kc, 'throw new InvalidOperationException("boom");')
    check(kinds(messages) == ["status:busy", "execute_input", "error", "status:idle"],
          f"throwing cell: iopub busy, execute_input, error, idle (got {kinds(messages)})")
    check(reply["content"]["status"] == "error" and reply["content"]["ename"] == "InvalidOperationException"
          and reply["content"]["evalue"] == "boom", "execute_reply status error with ename/evalue")
    messages, reply = execute(kc, "int after = 41 + 1;\nafter")
    result = [m for m in messages if m["msg_type"] == "execute_result"]
    check(reply["content"]["status"] == "ok" and len(result) == 1 and result[0]["content"]["data"]["text/plain"] == "42",
          "the kernel still runs a cell after an error (execute_result 42)")

    msg_id = kc.execute("while (true) { System.Threading.Thread.Sleep(10); }")
    deadline = time.time() + TIMEOUT
    while kc.get_iopub_msg(timeout=TIMEOUT)["msg_type"] != "execute_input":
        if time.time() > deadline:
            fail("the endless cell never started")
    time.sleep(0.5)
    interrupted_at = time.time()
    km.interrupt_kernel()
    reply = shell_reply(kc, msg_id)
    took = time.time() - interrupted_at
    check(reply["content"]["status"] in ("error", "aborted"), f"interrupted cell replies {reply['content']['status']}")
    check(took < 5, f"the loop stopped {took:.2f} s after interrupt_request")
    check(any(m["msg_type"] == "error" for m in iopub_until_idle(kc, msg_id)), "the interrupt is reported as an error output")
    messages, reply = execute(kc, "after + 1")
    check(reply["content"]["status"] == "ok", "the kernel runs a cell after the interrupt")

    pid = km.provisioner.process.pid
    execute(kc, "using (var warm = torch.ones(8)) { Console.WriteLine(warm.sum().item<float>()); }")
    baseline = rss_kib(pid)
    messages, reply = execute(kc, "using (var big = torch.zeros(256, 1024, 1024)) { Console.WriteLine(big.numel()); }")
    check(reply["content"]["status"] == "ok", "a cell allocates torch.zeros(256, 1024, 1024) (1 GiB) and disposes it")
    peak, after_rss = rss_kib(pid, "VmHWM"), rss_kib(pid)
    print(f"memory: baseline {baseline / 1024:.0f} MiB, peak {peak / 1024:.0f} MiB, after {after_rss / 1024:.0f} MiB", flush=True)
    check(peak - baseline > 900 * 1024, "the 1 GiB tensor was really resident (peak RSS)")
    check(after_rss - baseline < 200 * 1024, "RSS returned within 200 MiB of its baseline after dispose")

    msg_id = kc.complete("aft", 3)
    reply = shell_reply(kc, msg_id)
    check("after" in reply["content"]["matches"] and reply["content"]["cursor_start"] == 0, "complete finds the notebook variable 'after'")
    code = "Console.Wri"
    msg_id = kc.complete(code, len(code))
    check("WriteLine" in shell_reply(kc, msg_id)["content"]["matches"], "complete lists members after a dot (Console.WriteLine)")
    check(bracketed(iopub_until_idle(kc, msg_id)), "complete bracketed by status busy/idle")
    msg_id = kc.inspect("Math.Sqrt(2)", 7)
    reply = shell_reply(kc, msg_id)
    check(reply["content"]["found"] and "Sqrt" in reply["content"]["data"]["text/plain"], "inspect describes Math.Sqrt")
    msg_id = kc.is_complete("for (int i = 0; i < 3; i++) {")
    check(shell_reply(kc, msg_id)["content"]["status"] == "incomplete", "is_complete: an open brace is incomplete")
    msg_id = kc.is_complete("var x = 1;")
    check(shell_reply(kc, msg_id)["content"]["status"] == "complete", "is_complete: a statement is complete")

    msg_id = kc.shutdown(restart=True)
    reply = kc.get_control_msg(timeout=TIMEOUT)
    check(reply["msg_type"] == "shutdown_reply" and reply["content"]["restart"] is True and reply["content"]["status"] == "ok",
          "shutdown_reply (restart) on control")
    deadline = time.time() + 10
    while km.is_alive() and time.time() < deadline:
        time.sleep(0.1)
    check(not km.is_alive(), "the kernel process exits after shutdown_request")
    kc.stop_channels()
    km.restart_kernel(now=False)
    kc = start(km)
    messages, reply = execute(kc, "after")
    check(reply["content"]["status"] == "error" and reply["content"]["execution_count"] == 1,
          "after restart the session is fresh (execution_count 1, 'after' is gone)")

    msg_id = kc.shutdown()
    reply = kc.get_control_msg(timeout=TIMEOUT)
    check(reply["content"]["restart"] is False and reply["content"]["status"] == "ok", "final shutdown_reply")
    km.shutdown_kernel(now=False)
    kc.stop_channels()
    check(verified["count"] > 40, f"{verified['count']} received messages had valid HMAC-SHA256 signatures")
    print("ALL CHECKS PASSED", flush=True)


if __name__ == "__main__":
    main()
