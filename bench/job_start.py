"""Creates Jobs one after the other on the embedded API at argv[1] and
measures, with a watch on their Pods, the time from the create request to
the first Pod reported Running. Prints each run and the median in ms."""

import json
import statistics
import sys
import time
import urllib.request

api, image, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
base = f"{api}/apis/batch/v1/namespaces/default/jobs"


def request(method, url, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    return urllib.request.urlopen(req, timeout=120)


times = []
for i in range(runs):
    name = f"bench-{i}"
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name},
           "spec": {"backoffLimit": 0, "template": {"spec": {
               "restartPolicy": "Never", "terminationGracePeriodSeconds": 0,
               "containers": [{"name": "main", "image": image,
                               "imagePullPolicy": "IfNotPresent",
                               "command": ["sh", "-c", "sleep 30"]}]}}}}
    # Watch first, from now, so no event is missed.
    rv = json.load(request("GET", f"{api}/api/v1/namespaces/default/pods?limit=1"))["metadata"]["resourceVersion"]
    watch = request("GET", f"{api}/api/v1/namespaces/default/pods?watch=1&resourceVersion={rv}"
                           f"&labelSelector=job-name%3D{name}&timeoutSeconds=120")
    start = time.monotonic()
    request("POST", base, job).read()
    for line in watch:
        pod = json.loads(line)["object"]
        if pod.get("status", {}).get("phase") == "Running":
            times.append((time.monotonic() - start) * 1000)
            break
    else:
        sys.exit(f"run {i + 1}: the Pod never ran: {json.dumps(pod.get('status'))}")
    watch.close()
    print(f"run {i + 1}: {times[-1]:.0f} ms", flush=True)
    request("DELETE", f"{base}/{name}", {"propagationPolicy": "Background"}).read()

print(f"median {statistics.median(times):.0f} ms over {runs} runs")
