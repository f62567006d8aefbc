#!/usr/bin/env python3
# Copyright 2026 csirt-collect developers
# SPDX-License-Identifier: Apache-2.0
#
# A headless Chromium driven over the DevTools protocol on a pipe
# (--remote-debugging-pipe: NUL-terminated JSON, fd 3 in, fd 4 out), no npm.
# usage: cdp.py CHROMIUM PROFILE_DIR URL CHECKS SHOT.png
# Opens URL; prints "error TEXT" for each exception or console/log error,
# "request URL" for each request that is not file: or data:, "failed URL"
# for each failed load, "error dialog" for each alert (dismissed); then evaluates each line "NAME<TAB>JS" of CHECKS
# in order and prints "NAME<TAB>JSON result"; then takes a screenshot to
# SHOT.png and prints "png WIDTH HEIGHT COLOURS" (distinct colours seen).
import json, os, struct, subprocess, sys, time, zlib, base64

def main():
    chromium, prof, url, checks, shot = sys.argv[1:6]
    r_in, w_in = os.pipe()      # we write, chromium reads fd 3
    r_out, w_out = os.pipe()    # chromium writes fd 4, we read

    def child():
        os.dup2(r_in, 3)
        os.dup2(w_out, 4)
    p = subprocess.Popen([chromium, "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--user-data-dir=" + prof,
        "--window-size=1280,1600", "--remote-debugging-pipe", "about:blank"],
        preexec_fn=child, pass_fds=(3, 4, r_in, w_out), stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    os.close(r_in); os.close(w_out)
    rf = os.fdopen(r_out, "rb", buffering=0)
    state = {"id": 0, "buf": b"", "events": [], "dialogs": 0}

    def recv():
        while b"\0" not in state["buf"]:
            chunk = rf.read(65536)
            if not chunk:
                raise SystemExit("error chromium closed the pipe")
            state["buf"] += chunk
        msg, state["buf"] = state["buf"].split(b"\0", 1)
        m = json.loads(msg)
        # a dialog (alert: injected script ran) would block the page
        if m.get("method") == "Page.javascriptDialogOpening":
            state["dialogs"] += 1
            os.write(w_in, json.dumps({"id": 1000000 + state["dialogs"],
                "method": "Page.handleJavaScriptDialog", "params": {"accept": False},
                "sessionId": m.get("sessionId")}).encode() + b"\0")
        return m

    def call(method, params=None, session=None):
        state["id"] += 1
        m = {"id": state["id"], "method": method, "params": params or {}}
        if session:
            m["sessionId"] = session
        os.write(w_in, json.dumps(m).encode() + b"\0")
        while True:
            r = recv()
            if r.get("id") == state["id"]:
                if "error" in r:
                    raise SystemExit("error %s: %s" % (method, r["error"]))
                return r["result"]
            state["events"].append(r)

    tid = call("Target.createTarget", {"url": "about:blank"})["targetId"]
    sid = call("Target.attachToTarget", {"targetId": tid, "flatten": True})["sessionId"]
    for d in ("Runtime.enable", "Log.enable", "Network.enable", "Page.enable"):
        call(d, None, sid)
    call("Page.navigate", {"url": url}, sid)
    deadline = time.time() + 30
    while not any(e.get("method") == "Page.loadEventFired" for e in state["events"]):
        if time.time() > deadline:
            raise SystemExit("error page did not load in 30 s")
        state["events"].append(recv())
    out = []
    for line in open(checks, encoding="utf-8"):
        line = line.rstrip("\n")
        if not line or line.startswith("#"):
            continue
        name, expr = line.split("\t", 1)
        r = call("Runtime.evaluate", {"expression": expr, "returnByValue": True}, sid)
        if "exceptionDetails" in r:
            out.append("%s\tEXCEPTION %s" % (name, r["exceptionDetails"].get("text")))
        else:
            out.append("%s\t%s" % (name, json.dumps(r["result"].get("value"), ensure_ascii=False)))
    png = base64.b64decode(call("Page.captureScreenshot", {"format": "png"}, sid)["data"])
    open(shot, "wb").write(png)
    for e in state["events"]:
        m, pr = e.get("method"), e.get("params", {})
        if m == "Runtime.exceptionThrown":
            print("error exception", pr["exceptionDetails"].get("text"))
        elif m == "Runtime.consoleAPICalled" and pr.get("type") in ("error", "assert"):
            print("error console", pr.get("args"))
        elif m == "Log.entryAdded" and pr["entry"].get("level") == "error":
            print("error log", pr["entry"].get("text"))
        elif m == "Network.requestWillBeSent":
            u = pr["request"]["url"]
            if not (u.startswith("file:") or u.startswith("data:")):
                print("request", u)
        elif m == "Page.javascriptDialogOpening":
            print("error dialog", pr.get("message"))
        elif m == "Network.loadingFailed":
            print("failed", pr.get("errorText"))
    for o in out:
        print(o)
    print("png %d %d %d" % png_info(png))
    try:
        call("Browser.close")
    except SystemExit:
        pass
    p.wait(timeout=10)

def png_info(data):
    # width, height and distinct colours of an 8-bit RGB/RGBA PNG
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, typ = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if typ == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
        elif typ == b"IDAT":
            idat += body
        pos += 12 + n
    bpp = {2: 3, 6: 4}[ctype]
    raw, stride, prev, colours = zlib.decompress(idat), w * bpp, bytearray(w * bpp), set()
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1: line[i] = (line[i] + a) & 255
            elif f == 2: line[i] = (line[i] + b) & 255
            elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        if y % 4 == 0:
            for x in range(0, stride, bpp * 2):
                colours.add(bytes(line[x:x + 3]))
        prev = line
    return w, h, len(colours)

main()
