#!/usr/bin/env python3
# Writes the fuzz seed corpus (fuzz/corpus/<target>/): a handful of valid and edge-case FastCGI and HTTP inputs.
# The corpus directories are git-ignored so that fuzzing runs leave no noise; add a new seed with git add -f.
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def record(kind, rid, content=b"", padding=None):
    if padding is None:
        padding = (8 - len(content) % 8) % 8
    return struct.pack(">BBHHBB", 1, kind, rid, len(content), padding, 0) + content + b"\0" * padding


def length(n):
    return bytes([n]) if n < 128 else struct.pack(">I", n | 0x80000000)


def pair(name, value):
    return length(len(name)) + length(len(value)) + name + value


def begin(rid=1, role=1, keep=False):
    return record(1, rid, struct.pack(">HB5x", role, 1 if keep else 0))


GET = pair(b"REQUEST_METHOD", b"GET") + pair(b"REQUEST_URI", b"/sympa/lists?x=1") + pair(b"SCRIPT_NAME", b"/sympa")


def request(rid=1, params=GET, body=b"", keep=False, padding=None):
    out = begin(rid, keep=keep) + record(4, rid, params, padding) + record(4, rid, b"", padding)
    if body:
        out += record(5, rid, body, padding)
    return out + record(5, rid, b"", padding)


serve = {
    "get": request(),
    "keep_conn_twice": request(keep=True) + request(rid=2, keep=True),
    "post_two_stdin": begin() + record(4, 1, GET + pair(b"CONTENT_LENGTH", b"10")) + record(4, 1)
    + record(5, 1, b"hello") + record(5, 1, b"world") + record(5, 1),
    "get_values": record(9, 0, pair(b"FCGI_MAX_CONNS", b"") + pair(b"FCGI_MAX_REQS", b"") + pair(b"FCGI_MPXS_CONNS", b"")),
    "unknown_type": record(0x40, 0, b"12345678") + request(),
    "padding_7": request(padding=7),
    "split_pair": begin() + record(4, 1, GET[:5]) + record(4, 1, GET[5:]) + record(4, 1) + record(5, 1),
    "unknown_role": record(1, 1, struct.pack(">HB5x", 7, 1)) + request(rid=2),
    "second_begin": begin() + begin(rid=2) + record(4, 1, GET) + record(4, 1) + record(5, 1),
    "abort": begin() + record(4, 1, GET) + record(4, 1) + record(2, 1),
    "long_lengths": begin() + record(4, 1, pair(b"HTTP_X_LONG", b"v" * 300) + GET) + record(4, 1) + record(5, 1),
    "short_begin": record(1, 1, b"\0\1"),
    "stdout_from_client": record(6, 1, b"x") + record(0, 0) + request(),
}

pairs = {
    "two_pairs": b"\x10" + pair(b"A", b"b") + pair(b"REQUEST_URI", b"/x"),
    "long_length": b"\x10" + pair(b"N" * 200, b"v" * 130),
    "truncated": b"\x10" + b"\x85",
    "forged_length": b"\x10" + b"\xff\xff\xff\xff\x01a",
    "empty_pairs": b"\x04" + b"\0\0" * 6,
    "non_utf8": b"\x10" + pair(b"HTTP_X_LATIN1", b"caf\xe9") + pair(b"REQUEST_URI", b"/x"),
}

http = {
    "get": b"GET /sympa/lists?x=1 HTTP/1.1\r\nHost: x\r\n\r\n",
    "keep_alive_twice": b"GET /a HTTP/1.1\r\nHost: x\r\n\r\nHEAD /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    "post_length": b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\na=b&cGET / HTTP/1.0\r\n\r\n",
    "post_chunked": b"POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    + b"5;e=1\r\nhello\r\n3\r\n, w\r\n0\r\nT: 1\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n",
    "small_limit": b"POST /small HTTP/1.1\r\nHost: x\r\nContent-Length: 17\r\n\r\n01234567890123456",
    "expect": b"POST /x HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok",
    "huge_length": b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 9000000000000000000\r\n\r\nabc",
    "two_lengths": b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
    "raw_ff": b"GET /\xff HTTP/1.1\r\nHost: x\r\n\r\n",
    "blank_lines_bare_lf": b"\r\n\nGET http://h/p?q HTTP/1.1\nHost: x\n\n",
}

# LMTP: the first byte is the read size (0: all at once), the rest a client's session.
lmtp = {
    "one_message": b"\0LHLO mta\r\nMAIL FROM:<a@b> SIZE=20 BODY=8BITMIME\r\nRCPT TO:<list@x>\r\n"
    + b"RCPT TO:<nobody@x>\r\nDATA\r\nSubject: s\r\n\r\n..dot\r\n.\r\nQUIT\r\n",
    "byte_by_byte": b"\x01LHLO m\r\nMAIL FROM:<>\r\nRCPT TO:<l@x>\r\nDATA\r\na\n.\rb\n.\n",
    "too_big": b"\x07LHLO m\r\nMAIL FROM:<a@b>\r\nRCPT TO:<l@x>\r\nDATA\r\n" + b"x" * 5000 + b"\r\n.\r\n",
    "size_param": b"\0LHLO m\r\nMAIL FROM:<a@b> SIZE=99999\r\nRSET\r\nVRFY x\r\nHELO x\r\nNOOP\r\n",
    "many_rcpt": b"\x10LHLO m\r\nMAIL FROM:<a@b> SMTPUTF8\r\n" + b"RCPT TO:<l@x>\r\n" * 8 + b"DATA\r\nx\r\n.\r\n",
    "garbage": b"\x03\0\xff\xfe\r\n" + b"A" * 300 + b"\r\nEHLO\r\nMAIL FROM:<\"a b\"@c>\r\n",
}

# SOAP: request bodies, from the captures of Sympa's clients (tests/data/soap-wire) and by hand.
def captured_body(name, nth=0):
    with open(os.path.join(HERE, "..", "tests", "data", "soap-wire", name), "rb") as f:
        data = f.read()
    request = data.split(b">>> REQUEST\n")[1 + nth].split(b"\n<<< RESPONSE\n")[0]
    return request.split(b"\r\n\r\n", 1)[1]


ENV = (b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" '
       b'xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" '
       b'xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">')
soap = {
    "lists_nil": captured_body("03-lists.http"),
    "array": captured_body("18-authenticateAndRun-lists.http"),
    "base64": captured_body("70-add-utf8-gecos.http"),
    "soap12": captured_body("57-soap12-envelope.http"),
    "zeep_array": captured_body("clients/zeep-authenticateAndRun-array-without-soapenc-type.http"),
    "malformed": captured_body("53-fault-malformed-xml.http"),
    "header_struct_refs": ENV + b'<soap:Header><t:x xmlns:t="urn:t" soap:mustUnderstand="0"/></soap:Header>'
    + b'<soap:Body><m:setDetails xmlns:m="urn:sympasoap"><a>&lt;&#233;&#x1F600;<![CDATA[&]]></a>'
    + b'<b><key>k</key><value xsi:nil="true"/></b><c xsi:type="xsd:boolean">1</c>'
    + b'<d soapenc:arrayType="xsd:anyType[2]"><item><e>1</e></item><item/></d></m:setDetails></soap:Body></soap:Envelope>',
}

for target, seeds in (("serve_connection", serve), ("decode_pairs", pairs), ("serve_http", http), ("lmtp_session", lmtp), ("soap_request", soap)):
    directory = os.path.join(HERE, "corpus", target)
    os.makedirs(directory, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(directory, name), "wb") as f:
            f.write(data)
