"""zeep (Debian's python3-zeep, strict mode) against `wwsympa serve --soap` with
soap_wsdl_conformant = true: the WSDL from the web interface, every read operation parsed into
typed values (strings, booleans, objects of the WSDL's types), faults parsed. Run by
tests/it/soap_clients.rs; prints "ok - NAME" or "not ok - NAME" per check and
"N passed, N failed" last; exits 1 if any check failed.

Usage: python3 zeep_client.py WSDL_URL ENCODING_XSD
       (env: LISTMASTER, LISTMASTER_PASSWORD, SUBSCRIBER, SUBSCRIBER_PASSWORD)
"""
import os
import sys

import requests
from zeep import Client, Settings, xsd
from zeep.exceptions import Fault
from zeep.transports import Transport

WSDL, ENCODING_XSD = sys.argv[1], sys.argv[2]
ENV = {k: os.environ[k] for k in ("LISTMASTER", "LISTMASTER_PASSWORD", "SUBSCRIBER", "SUBSCRIBER_PASSWORD")}
DOMAIN = "lists.example.org"
PASSED = FAILED = 0


def ok(cond, name, diag=None):
    global PASSED, FAILED
    if cond:
        PASSED += 1
        print(f"ok - {name}")
    else:
        FAILED += 1
        print(f"not ok - {name}")
        for line in str(diag).splitlines():
            print(f"#   {line}")
    return cond


def result_of(name, fn):
    try:
        return fn()
    except Exception as e:  # a fault or a parse error: the check fails, with its text
        ok(False, name, f"{type(e).__name__}: {e}")
        return None


def fault_is(name, fn, code, string):
    try:
        r = fn()
        return ok(False, f"{name}: {code} fault '{string}'", f"no fault; result: {r!r}")
    except Fault as f:
        return ok(str(f.code).endswith(code) and f.message == string,
                  f"{name}: {code} fault '{string}'", f"got code {f.code!r}, message {f.message!r}")
    except Exception as e:
        return ok(False, f"{name}: {code} fault '{string}'", f"{type(e).__name__}: {e}")


class OfflineTransport(Transport):
    """Hands zeep the local copy of the SOAP encoding schema instead of downloading it."""

    def load(self, url):
        if url.rstrip("/") == "http://schemas.xmlsoap.org/soap/encoding":
            with open(ENCODING_XSD, "rb") as f:
                return f.read()
        return super().load(url)


def client():
    session = requests.Session()
    transport = OfflineTransport(session=session, timeout=20, operation_timeout=20)
    return Client(WSDL, transport=transport, settings=Settings(strict=True)), session


def field(obj, name):
    try:
        return obj[name]
    except (KeyError, TypeError, IndexError):
        return None


lm, lm_session = client()
svc = lm.service
sid = result_of("login", lambda: svc.login(ENV["LISTMASTER"], ENV["LISTMASTER_PASSWORD"]))
ok(isinstance(sid, str) and sid != "", "login: the session id as a str", repr(sid))
ok(lm_session.cookies.get("sympa_session") == sid, "requests kept the session cookie (Set-Cookie)",
   repr(lm_session.cookies.get_dict()))
r = result_of("checkCookie", lambda: svc.checkCookie())
ok(r == ENV["LISTMASTER"], "checkCookie: the address, a str", repr(r))
r = result_of("getUserEmailByCookie", lambda: svc.getUserEmailByCookie(sid))
ok(r == ENV["LISTMASTER"], "getUserEmailByCookie: the address, a str", repr(r))
r = result_of("lists", lambda: svc.lists("", ""))
ok(r is not None and f"bench-discuss@{DOMAIN}" in str(r), "lists parses and names the lists", repr(r))
r = result_of("complexLists", lambda: svc.complexLists())
addresses = sorted(str(field(x, "listAddress")) for x in (r or []))
ok(addresses == [f"bench-announce@{DOMAIN}", f"bench-discuss@{DOMAIN}", f"bench-web@{DOMAIN}"],
   "complexLists: typed objects with listAddress", repr(r))
r = result_of("info", lambda: svc.info("bench-discuss"))
ok(field(r, "listAddress") == f"bench-discuss@{DOMAIN}" and field(r, "subject") == "Benchmark discussion list",
   "info: one object of listType (listAddress, subject)", repr(r))
ok(field(r, "isOwner") is True, "info: isOwner parsed as a Python bool", repr(r))
r = result_of("review", lambda: svc.review("bench-discuss"))
ok(isinstance(r, list) and r and all(isinstance(x, str) for x in r) and r[0] == "subscriber001@example.com",
   "review: a list of str", repr(r))
r = result_of("fullReview", lambda: svc.fullReview("bench-discuss"))
one = [x for x in (r or []) if field(x, "email") == "subscriber001@example.com"]
ok(len(one) == 1 and field(one[0], "isSubscriber") is True and field(one[0], "isOwner") is False
   and field(one[0], "gecos") == "Subscriber One", "fullReview: userType objects with bools", repr(r))
r = result_of("amI", lambda: svc.amI("bench-discuss", "subscriber", "subscriber001@example.com"))
ok(r is True, "amI: True, a Python bool", repr(r))
r = result_of("amI (no)", lambda: svc.amI("bench-discuss", "owner", "subscriber001@example.com"))
ok(r is False, "amI: False, a Python bool", repr(r))
r = result_of("casLogin", lambda: svc.casLogin("ST-1-not-a-real-ticket"))
ok(r is None, "casLogin without CAS: None", repr(r))
# Arrays as zeep sends them: items without a SOAP-ENC type (the WSDL's targetNamespace is the
# WSDL's own URL, <wwsympa_url>/wsdl). Only string answers fit the wrappers' declared
# ArrayOfString: lists and review, not info.
ARRAY_OF_STRING = lm.get_type("{%s}ArrayOfString" % WSDL)
r = result_of("authenticateAndRun(lists)", lambda: svc.authenticateAndRun(ENV["LISTMASTER"], sid, "lists", []))
ok(isinstance(r, list) and len(r) == 3 and all(isinstance(x, str) for x in r) and f"bench-discuss@{DOMAIN}" in r[1],
   "authenticateAndRun(lists) with no parameters: a list of str", repr(r))
# The WSDL imports the SOAP encoding schema, whose Array holds xsd:any items: zeep needs each
# item typed (AnyObject), as a zeep user writes it against this WSDL.
r = result_of("authenticateAndRun(review)",
              lambda: svc.authenticateAndRun(ENV["LISTMASTER"], sid, "review", ARRAY_OF_STRING([xsd.AnyObject(xsd.String(), "bench-discuss")])))
ok(isinstance(r, list) and r[:1] == ["subscriber001@example.com"] and len(r) == 5,
   "authenticateAndRun(review) with zeep's untyped array items: the members", repr(r))
fault_is("info on an unknown list", lambda: svc.info("nosuchlist"), "Server", "Unknown list")
fault_is("login with a wrong password", lambda: svc.login(ENV["LISTMASTER"], "wrong"), "Server", "Authentication failed")

member, _ = client()
msvc = member.service
result_of("login as a member", lambda: msvc.login(ENV["SUBSCRIBER"], ENV["SUBSCRIBER_PASSWORD"]))
r = result_of("which", lambda: msvc.which())
ok(r is not None and f"bench-discuss@{DOMAIN}" in str(r), "which parses and names the member's list", repr(r))
r = result_of("complexWhich", lambda: msvc.complexWhich())
ok(isinstance(r, list) and len(r) == 1 and field(r[0], "listAddress") == f"bench-discuss@{DOMAIN}"
   and field(r[0], "isSubscriber") is True and field(r[0], "isOwner") is False,
   "complexWhich: listType objects with bools", repr(r))
r = result_of("getDetails", lambda: msvc.getDetails("bench-discuss"))
ok(field(r, "gecos") == "Subscriber One" and field(r, "reception") == "mail", "getDetails: a detailsType object", repr(r))
fault_is("fullReview refused to a member", lambda: msvc.fullReview("bench-discuss"), "Client", "Not enough privileges")

print(f"{PASSED} passed, {FAILED} failed")
sys.exit(1 if FAILED else 0)
