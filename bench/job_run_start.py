"""Submits job runs one after the other through Berth's API at argv[1]
(signed in as the first administrator with the one-time password in
$BERTH_ONCE) and measures, with the run's live events, the time from the
submit request to the first index reported running. Prints each run and
the median in ms."""

import http.cookiejar
import json
import os
import statistics
import sys
import time
import urllib.request

url, image, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
jar = http.cookiejar.CookieJar()
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
csrf = ""


def request(method, path, body=None, accept="application/json"):
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json", "Origin": url, "Accept": accept}
    if csrf:
        headers["X-CSRF-Token"] = csrf
    req = urllib.request.Request(url + path, data=data, method=method, headers=headers)
    return opener.open(req, timeout=120)


def sign_in(password):
    global csrf
    session = json.load(request("POST", "/api/v1/session",
                                {"username": "admin", "password": password}))
    csrf = session["csrfToken"]


once = os.environ["BERTH_ONCE"]
sign_in(once)
request("PUT", "/api/v1/session/password",
        {"currentPassword": once, "newPassword": "bench administrator password"}).read()
sign_in("bench administrator password")
request("POST", "/api/v1/projects", {"name": "bench"}).read()
project = "/api/v1/projects/bench"
request("POST", f"{project}/job-templates",
        {"name": "sleep", "image": image, "command": ["sh", "-c", "sleep 30"],
         "retryLimit": 0, "maxExecutionSeconds": 120}).read()

times = []
for i in range(runs):
    start = time.monotonic()
    run = json.load(request("POST", f"{project}/job-templates/sleep/runs", {}))
    name = run["name"]
    events = request("GET", f"{project}/job-runs/{name}/events", accept="text/event-stream")
    event = ""
    for raw in events:
        line = raw.decode().strip()
        if line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:") and event == "run":
            data = json.loads(line[5:])
            if data["counts"]["running"] > 0:
                times.append((time.monotonic() - start) * 1000)
                break
    else:
        sys.exit(f"run {i + 1}: no index ever ran")
    events.close()
    print(f"run {i + 1}: {times[-1]:.0f} ms", flush=True)
    request("DELETE", f"{project}/job-runs/{name}").read()

print(f"median {statistics.median(times):.0f} ms over {runs} runs")
