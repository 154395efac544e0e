"""EC2 and SSM on loopback for Skyward's AWS tests: moto's own WSGI app, plus what moto lacks.

Started by the Java tests (dev.skyward.aws.Moto) as ``python3 moto_launcher.py``; it listens on
127.0.0.1 on a free port and prints ``PORT <n>`` on stdout once serving. Moto itself does EC2 and SSM;
this wrapper adds what the real services do and moto does not:

* SSM public AMI parameters (Ubuntu, Deep Learning Base AMI) seeded inside moto's process, pointing
  at an AMI moto knows (PutParameter on /aws/... is refused, as on AWS).
* Injected errors: rules POSTed to /_skyward/rules answer matching requests with AWS's error XML
  (InsufficientInstanceCapacity / 500, VcpuLimitExceeded / 400, RequestLimitExceeded / 503, ...);
  with "after": true the request takes effect first and only its answer is the error.
* Credentials: an access key id listed in /_skyward/bad-keys gets AuthFailure (moto accepts any key).
* Eventual consistency: an instance is invisible to DescribeInstances for a while after RunInstances
  (InvalidInstanceID.NotFound when asked for by id, left out of filtered listings).
* ClientToken idempotency: RunInstances with a token seen before answers the first answer again.
* DependencyViolation: DeleteSecurityGroup fails while a non-terminated instance uses the group, and
  a configurable number of further times (AWS takes a while to release a terminated instance's ENI).
* Instance-initiated shutdown: POST /_skyward/shutdown?ip=<private ip> is what the instance's OS
  running ``shutdown`` means to EC2: terminate when its shutdown behaviour is terminate, else stop.
* A request log (/_skyward/requests) so tests can check the parameters the SDK really sent.
* Withdrawn offerings: POST /_skyward/withdraw {"type": ..., "location": ...} leaves an instance type out
  of DescribeInstanceTypeOfferings in that zone (every zone when "location" is empty), as when AWS no
  longer offers it there.
"""

import io
import json
import sys
import threading
import time
import urllib.parse
from xml.etree import ElementTree

from moto.core import DEFAULT_ACCOUNT_ID
from moto.ec2.models import ec2_backends
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from moto.ssm.models import Parameter, ssm_backends
from werkzeug.serving import make_server

UBUNTU = "/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id"
DLAMI = "/aws/service/deeplearning/ami/x86_64/base-oss-nvidia-driver-gpu-ubuntu-22.04/latest/ami-id"

lock = threading.Lock()
state = {
    "rules": [],            # injected errors
    "bad_keys": set(),      # access key ids answered with AuthFailure
    "invisible_ms": 0,      # how long a new instance stays invisible to DescribeInstances
    "born": {},             # instance id -> time.monotonic() of its RunInstances
    "tokens": {},           # ClientToken -> (status, headers, body) of the first answer
    "group_busy_times": 0,  # extra DependencyViolations per group after its instances are gone
    "group_busy_seen": {},  # group id -> DependencyViolations answered so far
    "requests": [],         # (action, params) of every EC2/SSM request
    "withdrawn": [],        # (instance type, zone or "" for all) left out of DescribeInstanceTypeOfferings
}


def region_of(environ):
    auth = environ.get("HTTP_AUTHORIZATION", "")
    # AWS4-HMAC-SHA256 Credential=AKID/20261202/us-east-1/ec2/aws4_request, ...
    try:
        scope = auth.split("Credential=", 1)[1].split(",", 1)[0].split("/")
        return scope[0], scope[2]
    except IndexError:
        return "", "us-east-1"


def seed_ssm(region):
    params = ssm_backends[DEFAULT_ACCOUNT_ID][region]._parameters
    ec2 = ec2_backends[DEFAULT_ACCOUNT_ID][region]
    images = sorted(ec2.amis)
    for i, name in enumerate((UBUNTU, DLAMI)):
        if dict.get(params, name):
            continue
        dict.__setitem__(params, name, [Parameter(
            account_id=DEFAULT_ACCOUNT_ID, name=name, value=images[i], parameter_type="String",
            description=None, allowed_pattern=None, keyid=None,
            last_modified_date=time.time(), version=1, data_type="aws:ec2:image")])


def local(tag):
    return tag.rsplit("}", 1)[-1]


def error_xml(code, message):
    return ('<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>%s</Code>'
            '<Message>%s</Message></Error></Errors><RequestID>skyward-fake</RequestID></Response>'
            % (code, message)).encode()


def matches(rule, action, params):
    if rule.get("action") not in (None, action):
        return False
    for key, want in rule.get("params", {}).items():
        if params.get(key) != want:
            return False
    return rule.get("times", 1) != 0


def ec2_backend(region):
    return ec2_backends[DEFAULT_ACCOUNT_ID][region]


def instances_of_group(region, group_id):
    out = []
    for reservation in ec2_backend(region).reservations.values():
        for inst in reservation.instances:
            if inst.state == "terminated":
                continue
            if any(g.id == group_id for g in inst.security_groups):
                out.append(inst.id)
    return out


def control(environ, start_response, path, body):
    query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
    answer = {}
    with lock:
        if path == "/_skyward/rules":
            state["rules"].append(json.loads(body))
        elif path == "/_skyward/clear":
            state["rules"].clear()
            state["bad_keys"].clear()
            state["invisible_ms"] = 0
            state["group_busy_times"] = 0
            state["requests"].clear()
            state["withdrawn"].clear()
        elif path == "/_skyward/withdraw":
            w = json.loads(body)
            state["withdrawn"].append((w["type"], w.get("location", "")))
        elif path == "/_skyward/bad-keys":
            state["bad_keys"].add(json.loads(body)["key"])
        elif path == "/_skyward/consistency":
            state["invisible_ms"] = int(json.loads(body)["invisible_ms"])
        elif path == "/_skyward/group-busy":
            state["group_busy_times"] = int(json.loads(body)["times"])
        elif path == "/_skyward/requests":
            answer = {"requests": [{"action": a, "params": p} for a, p in state["requests"]]}
        elif path == "/_skyward/shutdown":
            ip = query["ip"][0]
            region = query.get("region", ["us-east-1"])[0]
            answer = {"instances": []}
            for reservation in ec2_backend(region).reservations.values():
                for inst in reservation.instances:
                    if inst.private_ip == ip and inst.state not in ("terminated", "stopped"):
                        if inst.instance_initiated_shutdown_behavior == "terminate":
                            ec2_backend(region).terminate_instances([inst.id])
                        else:
                            ec2_backend(region).stop_instances([inst.id])
                        answer["instances"].append({"id": inst.id, "state": inst.state})
        else:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"unknown control path"]
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps(answer).encode()]


class Fake:
    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        path = environ.get("PATH_INFO", "")
        if path.startswith("/_skyward/"):
            return control(environ, start_response, path, body)

        key, region = region_of(environ)
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if target.startswith("AmazonSSM."):
            action, params = target.split(".", 1)[1], json.loads(body or b"{}")
            seed_ssm(region)
        else:
            params = {k: v[0] for k, v in urllib.parse.parse_qs(body.decode()).items()}
            action = params.get("Action", "")
        with lock:
            state["requests"].append((action, params))
            if key in state["bad_keys"]:
                return self.fail(start_response, "401 Unauthorized", "AuthFailure",
                                 "AWS was not able to validate the provided access credentials")
            token = params.get("ClientToken") if action == "RunInstances" else None
            failing = None
            for rule in state["rules"]:
                if matches(rule, action, params):
                    if "times" in rule:
                        rule["times"] -= 1
                    failing = rule
                    break
            if failing and not failing.get("after"):
                return self.fail(start_response, failing["status"], failing["code"], failing["message"])
            if failing and token in state["tokens"]:
                return self.fail(start_response, failing["status"], failing["code"], failing["message"])
            if token and token in state["tokens"]:
                status, headers, answer = state["tokens"][token]
                start_response(status, headers)
                return [answer]

        if action == "DescribeInstances":
            return self.describe_instances(environ, start_response, params)
        if action == "DescribeInstanceTypeOfferings":
            return self.type_offerings(environ, start_response)
        if action == "DeleteSecurityGroup":
            group = params.get("GroupId", "")
            busy = instances_of_group(region, group)
            with lock:
                seen = state["group_busy_seen"].get(group, 0)
                extra = not busy and seen < state["group_busy_times"]
                if extra:
                    state["group_busy_seen"][group] = seen + 1
            if busy or extra:
                return self.fail(start_response, "400 Bad Request", "DependencyViolation",
                                 "resource %s has a dependent object" % group)

        status, headers, answer = self.call(environ)
        if action == "RunInstances" and status.startswith("200"):
            now = time.monotonic()
            with lock:
                for item in ElementTree.fromstring(answer).iter():
                    if local(item.tag) == "instanceId":
                        state["born"][item.text] = now
                if token:
                    state["tokens"][token] = (status, headers, answer)
        if failing:
            # The call took effect, then its answer was lost: what a timeout or a 500 after the fact looks like.
            return self.fail(start_response, failing["status"], failing["code"], failing["message"])
        start_response(status, headers)
        return [answer]

    def call(self, environ):
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers

        answer = b"".join(self.app(environ, capture))
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        headers.append(("Content-Length", str(len(answer))))
        return captured["status"], headers, answer

    def describe_instances(self, environ, start_response, params):
        with lock:
            horizon = time.monotonic() - state["invisible_ms"] / 1000.0
            fresh = {i for i, t in state["born"].items() if t > horizon}
        asked = [v for k, v in params.items() if k.startswith("InstanceId.")]
        if any(i in fresh for i in asked):
            return self.fail(start_response, "400 Bad Request", "InvalidInstanceID.NotFound",
                             "The instance IDs '%s' do not exist" % ",".join(asked))
        status, headers, answer = self.call(environ)
        if fresh and status.startswith("200"):
            root = ElementTree.fromstring(answer)
            ns = root.tag[:-len(local(root.tag))]
            ElementTree.register_namespace("", ns.strip("{}"))
            for rset in root.iter(ns + "reservationSet"):
                for res in list(rset):
                    iset = res.find(ns + "instancesSet")
                    for item in list(iset):
                        if item.findtext(ns + "instanceId") in fresh:
                            iset.remove(item)
                    if len(iset) == 0:
                        rset.remove(res)
            answer = ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
            headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
            headers.append(("Content-Length", str(len(answer))))
        start_response(status, headers)
        return [answer]

    def type_offerings(self, environ, start_response):
        status, headers, answer = self.call(environ)
        with lock:
            withdrawn = list(state["withdrawn"])
        if withdrawn and status.startswith("200"):
            root = ElementTree.fromstring(answer)
            ns = root.tag[:-len(local(root.tag))]
            ElementTree.register_namespace("", ns.strip("{}"))
            for offerings in root.iter(ns + "instanceTypeOfferingSet"):
                for item in list(offerings):
                    t, where = item.findtext(ns + "instanceType"), item.findtext(ns + "location")
                    if any(t == wt and (not wl or wl == where) for wt, wl in withdrawn):
                        offerings.remove(item)
            answer = ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
            headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
            headers.append(("Content-Length", str(len(answer))))
        start_response(status, headers)
        return [answer]

    @staticmethod
    def fail(start_response, status, code, message):
        answer = error_xml(code, message)
        start_response(status, [("Content-Type", "text/xml"), ("Content-Length", str(len(answer)))])
        return [answer]


def main():
    app = Fake(DomainDispatcherApplication(create_backend_app))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    print("PORT %d" % server.server_port, flush=True)
    # The test JVM owns this process: when it closes our stdin (or dies), stop.
    threading.Thread(target=lambda: (sys.stdin.read(), server.shutdown()), daemon=True).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
