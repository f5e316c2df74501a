# The .deb end to end under a real systemd (nspawn): install, socket activation through nginx,
# Apache and lighttpd (the web interface and the SOAP door), restart under load, idle exit, multiwatch, instances, upgrade, remove,
# purge. Sourced by run.sh (uses lib.sh and container.sh); every step is one check.

SOCK=/run/sympa/wwsympa.socket
SOAP_SOCK=/run/sympa/sympasoap.socket
PROBE=e2e-probe
# The account the SOAP calls log in as (made with wwsympa user add).
SOAP_USER=soap-e2e@localhost
SOAP_PASSWORD=e2e-soap-password

# In-container helpers, written once to /usr/local/bin (the overlay is thrown away).
CT_HELPERS='
# debootstrap writes no /etc/hosts (the installer does): without it "localhost" (the default smtp_host)
# does not resolve. A real system has one.
[ -e /etc/hosts ] || printf "127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n" >/etc/hosts
cat >/usr/local/bin/get <<"EOF"
#!/bin/bash
# get URL: the body, failing unless the status is 200.
exec curl -fsS --max-time 10 "$1"
EOF
cat >/usr/local/bin/status-of <<"EOF"
#!/bin/bash
# status-of URL: the HTTP status only.
curl -s -o /dev/null --max-time 10 -w "%{http_code}" "$1"
EOF
cat >/usr/local/bin/wait-port <<"EOF"
#!/bin/bash
# wait-port PORT: until something answers HTTP on 127.0.0.1:PORT (5 s at most).
for i in $(seq 50); do
    curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$1/" && exit 0
    sleep 0.1
done
exit 1
EOF
cat >/usr/local/bin/load <<"EOF"
#!/bin/bash
# load URL SECONDS PARALLEL OUT: PARALLEL curl loops for SECONDS; one status code per line in OUT.
url=$1 secs=$2 par=$3 out=$4
end=$((SECONDS + secs))
for p in $(seq "$par"); do
    (while [ $SECONDS -lt $end ]; do
        curl -s -o /dev/null --max-time 10 -w "%{http_code}\n" "$url"
    done) >"$out.$p" &
done
wait
cat "$out".[0-9]* >"$out"
rm -f "$out".[0-9]*
EOF
cat >/usr/local/bin/fcgi-get <<"EOF"
#!/bin/bash
# fcgi-get SOCKET PATH: a GET straight to a FastCGI socket (no web server).
SCRIPT_NAME=/sympa PATH_INFO=$2 REQUEST_METHOD=GET SERVER_NAME=localhost \
    cgi-fcgi -bind -connect "$1" </dev/null
EOF
cat >/usr/local/bin/inactive <<"EOF"
#!/bin/bash
# inactive UNIT...: true when none of the units is active.
! systemctl is-active -q "$@"
EOF
cat >/usr/local/bin/smtp-sink <<"EOF"
#!/usr/bin/perl
# smtp-sink LOG: a minimal SMTP server on 127.0.0.1:25 writing what it is told to LOG.
use strict; use IO::Socket::INET; use IO::Handle;
open(my $log, ">>", $ARGV[0]) or die; $log->autoflush(1);
my $s = IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => 25, Listen => 5, ReuseAddr => 1) or die "bind: $!";
while (my $c = $s->accept) {
    $c->autoflush(1); print $c "220 sink ESMTP\r\n";
    while (my $l = <$c>) {
        print $log $l;
        if ($l =~ /^(EHLO|HELO)/i) { print $c "250 sink\r\n" }
        elsif ($l =~ /^QUIT/i) { print $c "221 bye\r\n"; last }
        elsif ($l =~ /^DATA/i) { print $c "354 go\r\n"; while (my $d = <$c>) { print $log $d; last if $d =~ /^\.\r?\n$/ } print $c "250 ok\r\n" }
        else { print $c "250 ok\r\n" }
    }
    close $c;
}
EOF
cat >/usr/local/bin/lmtp-probe <<"EOF"
#!/usr/bin/perl
# lmtp-probe HOST:PORT [FROM RCPT FILE]: greeting and LHLO over LMTP (and, given FROM RCPT FILE, one
# message); prints every reply line; fails on a refusal. 20 s at most.
use strict; use IO::Socket::INET;
alarm 20;
my $c = IO::Socket::INET->new(PeerAddr => $ARGV[0], Timeout => 10) or die "connect: $!";
sub reply { while (my $l = <$c>) { print $l; return $l if $l =~ /^\d{3} / } die "closed\n" }
reply() =~ /^220 / or die "no greeting\n";
print $c "LHLO probe.example\r\n"; reply() =~ /^250 / or die "LHLO refused\n";
if (@ARGV == 4) {
    my ($from, $rcpt, $file) = @ARGV[1..3];
    print $c "MAIL FROM:<$from>\r\n"; reply() =~ /^250 / or die "MAIL refused\n";
    print $c "RCPT TO:<$rcpt>\r\n"; reply() =~ /^250 / or die "RCPT refused\n";
    print $c "DATA\r\n"; reply() =~ /^354 / or die "DATA refused\n";
    open(my $m, "<", $file) or die "$file: $!";
    while (my $l = <$m>) { $l =~ s/\r?\n$//; $l = ".$l" if $l =~ /^\./; print $c "$l\r\n" }
    print $c ".\r\n"; reply() =~ /^250 / or die "message refused\n";
}
print $c "QUIT\r\n"; reply();
EOF
cat >/usr/local/bin/soap-call <<"EOF"
#!/bin/bash
# soap-call URL OP COOKIE [PARAM...]: one call as SOAP::Lite makes it (positional string
# parameters), with the session cookie COOKIE when not empty. Leaves in /root/soap.status,
# /root/soap.type, /root/soap.cookie (the sympa_session it sets) and /root/soap.body.
url=$1 op=$2 cookie=$3
shift 3
params="" n=3
for p in "$@"; do params+="<c-gensym$n xsi:type=\"xsd:string\">$p</c-gensym$n>"; n=$((n + 2)); done
body="<?xml version=\"1.0\" encoding=\"UTF-8\"?><soap:Envelope soap:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\" xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soap:Body><$op xmlns=\"urn:sympasoap\">$params</$op></soap:Body></soap:Envelope>"
args=(-sS --max-time 10 -D /root/soap.headers -o /root/soap.body -w "%{http_code}\n%{content_type}"
    -H "Content-Type: text/xml; charset=utf-8" -H "SOAPAction: \"urn:sympasoap#$op\"" --data-binary "$body")
[ -n "$cookie" ] && args+=(-H "Cookie: sympa_session=$cookie")
out=$(curl "${args[@]}" "$url") || exit 1
sed -n 1p <<<"$out" >/root/soap.status
sed -n 2p <<<"$out" >/root/soap.type
{ grep -i "^set-cookie2\?: sympa_session=" /root/soap.headers || true; } | head -1 |
    sed "s/^[^=]*=\([^;]*\).*/\1/" | tr -d "\r" >/root/soap.cookie
EOF
cat >/usr/local/bin/mainpid <<"EOF"
#!/bin/bash
systemctl show -p MainPID --value "${1:-wwsympa.service}"
EOF
chmod 755 /usr/local/bin/get /usr/local/bin/status-of /usr/local/bin/wait-port /usr/local/bin/load \
    /usr/local/bin/fcgi-get /usr/local/bin/mainpid /usr/local/bin/inactive /usr/local/bin/smtp-sink \
    /usr/local/bin/lmtp-probe /usr/local/bin/soap-call
'

# page_checks SERVER PORT: the home page, the lists page with the probe list, a 404 inside the
# base, and the static style sheet served by the web server itself.
page_checks() {
    local server=$1 port=$2
    check "$server: home page at /sympa/ (title)" ct_sh "get http://127.0.0.1:$port/sympa/ | grep -q '<title>Mailing lists service</title>'"
    check "$server: /sympa/lists shows the list made with 'wwsympa list create'" ct_sh "get http://127.0.0.1:$port/sympa/lists | grep -q '$PROBE'"
    check "$server: /sympa (no slash) is the home page" ct_sh "[ \$(status-of http://127.0.0.1:$port/sympa) = 200 ]"
    check "$server: unknown action gives wwsympa's 404" ct_sh "[ \$(status-of http://127.0.0.1:$port/sympa/no-such-action) = 404 ]"
    check "$server: /static-sympa/wwsympa.css served from /usr/share/wwsympa/static" ct_sh "curl -fsS http://127.0.0.1:$port/static-sympa/wwsympa.css | cmp - /usr/share/wwsympa/static/wwsympa.css"
}

# soap_checks SERVER PORT: a SOAP login through the web server's /sympasoap, then lists with the
# session it set: 200, text/xml, Sympa's response shapes (loginResponse/result,
# listsResponse/listInfo naming the probe list).
soap_checks() {
    local server=$1 port=$2
    check "$server: SOAP login through /sympasoap: 200, text/xml, loginResponse with the session it sets" ct_sh "
        soap-call http://127.0.0.1:$port/sympasoap login '' $SOAP_USER '$SOAP_PASSWORD'
        cat /root/soap.status /root/soap.type /root/soap.body; echo
        [ \"\$(cat /root/soap.status)\" = 200 ]; [ \"\$(cat /root/soap.type)\" = 'text/xml; charset=utf-8' ]
        sid=\$(cat /root/soap.cookie); [ -n \"\$sid\" ]
        grep -qF \"<loginResponse xmlns=\\\"urn:sympasoap\\\"><result xsi:type=\\\"xsd:string\\\">\$sid</result></loginResponse>\" /root/soap.body"
    check "$server: SOAP lists with that session: 200, listsResponse, listInfo array naming $PROBE" ct_sh "
        sid=\$(cat /root/soap.cookie); [ -n \"\$sid\" ]
        soap-call http://127.0.0.1:$port/sympasoap lists \"\$sid\"
        cat /root/soap.status /root/soap.body; echo
        [ \"\$(cat /root/soap.status)\" = 200 ]; [ \"\$(cat /root/soap.type)\" = 'text/xml; charset=utf-8' ]
        grep -q '<listsResponse xmlns=\"urn:sympasoap\"><listInfo soapenc:arrayType=\"xsd:string\\[1\\]\" xsi:type=\"soapenc:Array\"><item xsi:type=\"xsd:string\">' /root/soap.body
        grep -q 'listAddress=$PROBE@' /root/soap.body"
    check "$server: SOAP lists without a session: 500, Client fault 'User not authenticated'" ct_sh "
        soap-call http://127.0.0.1:$port/sympasoap lists ''
        [ \"\$(cat /root/soap.status)\" = 500 ]
        grep -q '<faultcode>soap:Client</faultcode><faultstring>User not authenticated</faultstring>' /root/soap.body"
}

deb_e2e() {
    local deb1=$1 deb2=$2 v2=$3
    local b1 b2
    b1=$(basename "$deb1")
    b2=$(basename "$deb2")

    check "container: helpers installed" ct_sh "$CT_HELPERS"

    # --- install --------------------------------------------------------------------------
    check "dpkg -i $b1" ct_sh "dpkg -i /mnt/pkg/$b1 >/root/install.log 2>&1 || { cat /root/install.log; exit 1; }"
    ct_sh 'cp /etc/default/wwsympa /root/default.orig' || true
    check "system user wwsympa (system uid, nologin, home /var/lib/wwsympa)" ct_sh \
        'e=$(getent passwd wwsympa); uid=$(echo "$e" | cut -d: -f3); [ "$uid" -lt 1000 ]; echo "$e" | grep -q ":/var/lib/wwsympa:/usr/sbin/nologin$"'
    check "state dir /var/lib/wwsympa: wwsympa 0700" ct_sh '[ "$(stat -c "%U %G %a" /var/lib/wwsympa)" = "wwsympa wwsympa 700" ]'
    check "wwsympa.socket enabled on install" ct_sh '[ "$(systemctl is-enabled wwsympa.socket)" = enabled ]'
    check "systemctl start wwsympa.socket" ct systemctl start wwsympa.socket
    check "socket active, listening on $SOCK" ct_sh "systemctl is-active -q wwsympa.socket; [ -S $SOCK ]"
    check "service still inactive (socket activation is lazy)" ct_sh 'inactive wwsympa.service'
    check "systemd-analyze verify prints nothing (units as installed)" ct_sh \
        'out=$(systemd-analyze verify wwsympa.socket wwsympa.service wwsympa@1.socket wwsympa@1.service wwsympa-sender.service wwsympa-lmtp.socket wwsympa-lmtp.service sympasoap.socket sympasoap.service 2>&1); [ -z "$out" ] || { echo "$out"; exit 1; }'
    check "sender: wwsympa-sender.service enabled and running as wwsympa" ct_sh '
        [ "$(systemctl is-enabled wwsympa-sender.service)" = enabled ]
        for i in $(seq 50); do systemctl is-active -q wwsympa-sender.service && break; sleep 0.1; done
        systemctl is-active -q wwsympa-sender.service
        [ "$(ps -o user= -p "$(mainpid wwsympa-sender.service)")" = wwsympa ]'
    check "sender: online exposure <= 1.5" ct_sh \
        'out=$(systemd-analyze security --threshold=15 wwsympa-sender.service 2>&1) || { echo "$out" | tail -3; exit 1; }; echo "$out" | tail -1'
    ct_bg 'timeout 60 smtp-sink /root/smtp.log'
    check "sender's sandbox reaches the local MTA (wwsympa check as the sender unit, SMTP on 127.0.0.1:25)" ct_sh '
        for i in $(seq 50); do [ -s /proc/net/tcp ] && grep -q ":0019 00000000:0000 0A" /proc/net/tcp && break; sleep 0.1; done
        mkdir -p /run/systemd/system/wwsympa-sender.service.d
        printf "[Service]\nType=oneshot\nRestart=no\nExecStart=\nExecStart=/usr/bin/wwsympa check\n" \
            >/run/systemd/system/wwsympa-sender.service.d/check.conf
        systemctl daemon-reload; since=$(date +%s); systemctl restart wwsympa-sender.service
        journalctl -q -t wwsympa-sender --since @$since -o cat | grep "^mail: "
        journalctl -q -t wwsympa-sender --since @$since -o cat | grep -q "^mail: ok"
        grep -qi "^EHLO" /root/smtp.log'
    ct_sh 'rm -rf /run/systemd/system/wwsympa-sender.service.d; systemctl daemon-reload; systemctl restart wwsympa-sender.service' || true
    # --- mail intake: LMTP by socket activation -----------------------------------------------
    check "lmtp: wwsympa-lmtp.socket enabled on install" ct_sh '[ "$(systemctl is-enabled wwsympa-lmtp.socket)" = enabled ]'
    check "lmtp: socket listening on 127.0.0.1:8024, the service not started yet" ct_sh '
        systemctl start wwsympa-lmtp.socket; systemctl is-active -q wwsympa-lmtp.socket
        grep -q "0100007F:1F58 00000000:0000 0A" /proc/net/tcp; inactive wwsympa-lmtp.service'
    check "lmtp: an LHLO through the socket starts wwsympa-lmtp.service, answered with the extensions" ct_sh '
        out=$(lmtp-probe 127.0.0.1:8024); echo "$out" | grep -q "^250-PIPELINING"; echo "$out" | grep -q "^250 SMTPUTF8"
        systemctl is-active -q wwsympa-lmtp.service'
    check "lmtp: the service runs as wwsympa; READY/STATUS reached systemd (Type=notify)" ct_sh '
        [ "$(ps -o user= -p "$(mainpid wwsympa-lmtp.service)")" = wwsympa ]
        systemctl show -p StatusText --value wwsympa-lmtp.service | grep -qE "serving LMTP|requests served"'
    check "lmtp: online exposure of wwsympa-lmtp.service <= 1.5" ct_sh \
        'out=$(systemd-analyze security --threshold=15 wwsympa-lmtp.service 2>&1) || { echo "$out" | tail -3; exit 1; }; echo "$out" | tail -1'
    check "lmtp: systemctl stop is clean (exit 0), the socket keeps listening and starts it again" ct_sh '
        systemctl stop wwsympa-lmtp.service; [ "$(systemctl show -p Result --value wwsympa-lmtp.service)" = success ]
        systemctl is-active -q wwsympa-lmtp.socket; lmtp-probe 127.0.0.1:8024 >/dev/null; systemctl is-active -q wwsympa-lmtp.service'

    # --- the SOAP interface: sympasoap.socket -----------------------------------------------------
    check "soap: sympasoap.socket enabled on install" ct_sh '[ "$(systemctl is-enabled sympasoap.socket)" = enabled ]'
    check "soap: socket listening on $SOAP_SOCK (root:www-data 660), the service not started yet" ct_sh "
        systemctl start sympasoap.socket; systemctl is-active -q sympasoap.socket; [ -S $SOAP_SOCK ]
        [ \"\$(stat -c '%U %G %a' $SOAP_SOCK)\" = 'root www-data 660' ]; inactive sympasoap.service"
    check "soap: an account for the SOAP calls" ct_sh "
        echo '$SOAP_PASSWORD' | runuser -u wwsympa -- wwsympa user add $SOAP_USER --password-stdin"

    check "list created as the service user" ct_sh \
        "runuser -u wwsympa -- wwsympa list create $PROBE --subject 'End-to-end probe' 2>&1; runuser -u wwsympa -- wwsympa list ls | grep -q '^$PROBE'"
    check "service still inactive after the admin command" ct_sh 'inactive wwsympa.service'
    check "lmtp: a post to $PROBE over the socket is answered 250 2.0.0 once committed (held: the sender is no member)" ct_sh "
        printf 'From: outsider@example.net\nSubject: e2e post\nMessage-ID: <e2e-lmtp-1@example.net>\n\nhello\n' >/root/post.txt
        lmtp-probe 127.0.0.1:8024 outsider@example.net $PROBE@localhost /root/post.txt | grep '^250 2.0.0'"
    check "lmtp: a list that does not exist is refused 550 5.1.1 at RCPT" ct_sh "
        ! out=\$(lmtp-probe 127.0.0.1:8024 outsider@example.net no-such-list@localhost /root/post.txt 2>&1); echo \"\$out\" | grep '^550 5.1.1'"

    # --- three web servers, with the shipped configurations --------------------------------
    check "nginx: server block including snippets/wwsympa.conf starts" ct_sh '
        printf "server {\n    listen 127.0.0.1:8081;\n    server_name localhost;\n    include snippets/wwsympa.conf;\n}\n" >/etc/nginx/sites-enabled/default
        nginx -t -q && systemctl start nginx && wait-port 8081'
    page_checks nginx 8081
    check "service active after the first request" ct_sh 'systemctl is-active -q wwsympa.service'
    check "service runs as wwsympa" ct_sh '[ "$(ps -o user= -p "$(mainpid)")" = wwsympa ]'
    check "socket owner root:www-data, mode 660" ct_sh "[ \"\$(stat -c '%U %G %a' $SOCK)\" = 'root www-data 660' ]"
    check "READY/STATUS reached systemd (Type=notify)" ct_sh 'systemctl show -p StatusText --value wwsympa.service | grep -q "serving FastCGI"'
    check "online exposure of wwsympa.service <= 1.5" ct_sh \
        'out=$(systemd-analyze security --threshold=15 wwsympa.service 2>&1) || { echo "$out" | tail -3; exit 1; }; echo "$out" | tail -1'
    soap_checks nginx 8081
    check "soap: the call started sympasoap.service, running as wwsympa; READY reached systemd" ct_sh '
        systemctl is-active -q sympasoap.service
        [ "$(ps -o user= -p "$(mainpid sympasoap.service)")" = wwsympa ]
        [ -n "$(systemctl show -p StatusText --value sympasoap.service)" ]'
    check "soap: online exposure of sympasoap.service <= 1.5" ct_sh \
        'out=$(systemd-analyze security --threshold=15 sympasoap.service 2>&1) || { echo "$out" | tail -3; exit 1; }; echo "$out" | tail -1'
    check "soap: the WSDL at /sympa/wsdl names the SOAP address" ct_sh \
        'get http://127.0.0.1:8081/sympa/wsdl | grep -q "<soap:address location=\"http://localhost/sympasoap\""'

    check "apache: a2enmod proxy_fcgi, a2enconf wwsympa, start" ct_sh '
        echo "Listen 127.0.0.1:8082" >/etc/apache2/ports.conf
        echo "ServerName localhost" >/etc/apache2/conf-enabled/zz-servername.conf
        a2dissite -q 000-default && a2enmod -q proxy_fcgi && a2enconf -q wwsympa
        apache2ctl configtest 2>/dev/null && systemctl start apache2 && wait-port 8082'
    page_checks apache 8082
    soap_checks apache 8082

    check "lighttpd: lighty-enable-mod wwsympa, start" ct_sh '
        printf "server.port := 8083\nserver.bind := \"127.0.0.1\"\n" >/etc/lighttpd/conf-enabled/99-port.conf
        lighty-enable-mod wwsympa >/dev/null
        lighttpd -tt -f /etc/lighttpd/lighttpd.conf && systemctl start lighttpd && wait-port 8083'
    page_checks lighttpd 8083
    soap_checks lighttpd 8083

    # --- restart under load: no request lost ----------------------------------------------
    local pid_before
    pid_before=$(ct mainpid)
    ct_bg 'load http://127.0.0.1:8081/sympa/lists 6 4 /root/restart.load'
    local loader=${CT_BG[-1]}
    sleep 1
    check "systemctl restart wwsympa.service x3 during a 6 s load (4 clients)" ct_sh \
        'for i in 1 2 3; do systemctl restart wwsympa.service; sleep 1.2; done'
    wait "$loader" 2>/dev/null || true
    check "restart under load: every request answered 200" ct_sh '
        total=$(wc -l </root/restart.load); bad=$(grep -vc "^200$" /root/restart.load || true)
        echo "$total requests, $bad not 200"; [ "$total" -ge 50 ] && [ "$bad" -eq 0 ]'
    check "restart gave a new process" ct_sh "[ \"\$(mainpid)\" != '$pid_before' ] && [ \"\$(mainpid)\" != 0 ]"

    # --- idle timeout ----------------------------------------------------------------------
    # Every start counts toward systemd's start limit (5 in 10 s): the restarts above and the
    # starts below come faster than any real site's, so clear the counter in between.
    ct systemctl reset-failed wwsympa.service wwsympa.socket || true
    check "idle timeout on: WWSYMPA_IDLE_TIMEOUT=2s in /etc/default/wwsympa" ct_sh '
        echo WWSYMPA_IDLE_TIMEOUT=2s >>/etc/default/wwsympa; systemctl restart wwsympa.service
        get http://127.0.0.1:8081/sympa/ >/dev/null'
    check "idle: the service exits by itself" ct_sh '
        for i in $(seq 100); do systemctl is-active -q wwsympa.service || break; sleep 0.1; done
        inactive wwsympa.service'
    check "idle: clean exit (Result=success), socket still listening" ct_sh '
        [ "$(systemctl show -p Result --value wwsympa.service)" = success ]
        systemctl is-active -q wwsympa.socket && [ -S /run/sympa/wwsympa.socket ]'
    check "idle: the next request gets the page and starts it again" ct_sh "
        get http://127.0.0.1:8081/sympa/lists | grep -q '$PROBE'; systemctl is-active -q wwsympa.service"
    ct_sh 'cp /root/default.orig /etc/default/wwsympa; systemctl restart wwsympa.service' || true

    # --- multiwatch drop-in ----------------------------------------------------------------
    ct systemctl reset-failed wwsympa.service wwsympa.socket || true
    local t0
    check "multiwatch drop-in linked, WWSYMPA_WORKERS=3, restarted" ct_sh '
        mkdir -p /etc/systemd/system/wwsympa.service.d
        ln -sf /usr/share/wwsympa/systemd/multiwatch.conf /etc/systemd/system/wwsympa.service.d/
        printf "WWSYMPA_WORKERS=3\nWWSYMPA_THREADS=2\nWWSYMPA_IDLE_TIMEOUT=1s\n" >>/etc/default/wwsympa
        systemctl daemon-reload; systemctl restart wwsympa.service'
    check "multiwatch: main process multiwatch with 3 wwsympa children, all user wwsympa" ct_sh '
        m=$(mainpid)
        for i in $(seq 50); do
            [ "$(ps -o comm= -p "$m")" = multiwatch ] && [ "$(pgrep -c -P "$m" -x wwsympa)" = 3 ] && break
            sleep 0.1
        done
        ps -o pid=,user=,comm= -p "$m" -p "$(pgrep -d, -P "$m")"
        [ "$(ps -o comm= -p "$m")" = multiwatch ]
        [ "$(pgrep -c -P "$m" -x wwsympa)" = 3 ]
        [ "$(ps -o user= -p "$m" -p "$(pgrep -d, -P "$m")" | sort -u | tr -d " ")" = wwsympa ]'
    check "multiwatch variant: online exposure <= 1.5, verify prints nothing" ct_sh '
        systemd-analyze security --threshold=15 wwsympa.service >/dev/null
        out=$(systemd-analyze verify wwsympa.service 2>&1); [ -z "$out" ] || { echo "$out"; exit 1; }'
    check "multiwatch: WWSYMPA_IDLE_TIMEOUT is unset for the workers (no idle exits)" ct_sh '
        m=$(mainpid); before=$(pgrep -P "$m" | sort | tr "\n" " "); sleep 2.5
        after=$(pgrep -P "$m" | sort | tr "\n" " "); echo "workers $before-> $after"; [ "$before" = "$after" ]'
    check "multiwatch: an exit 0 of multiwatch itself is restarted (Restart=always), no request needed" ct_sh '
        m=$(mainpid); kill -TERM "$m"
        for i in $(seq 50); do n=$(mainpid); [ "$n" != "$m" ] && [ "$n" != 0 ] && break; sleep 0.1; done
        echo "multiwatch $m -> $n"; [ "$n" != "$m" ] && [ "$n" != 0 ]
        [ "$(systemctl show -p NRestarts --value wwsympa.service)" -ge 1 ]'
    t0=$(ct date +%s)
    check "multiwatch: 3 s load (4 clients) through nginx, all 200" ct_sh '
        load http://127.0.0.1:8081/sympa/lists 3 4 /root/mw.load
        total=$(wc -l </root/mw.load); bad=$(grep -vc "^200$" /root/mw.load || true)
        echo "$total requests, $bad not 200"; [ "$total" -ge 30 ] && [ "$bad" -eq 0 ]'
    check "multiwatch: stop is prompt (KillMode=mixed) and clean" ct_sh '
        s=$(date +%s%N); systemctl stop wwsympa.service; e=$(( ($(date +%s%N) - s) / 1000000 ))
        echo "stopped in $e ms"; [ "$e" -lt 5000 ]
        [ "$(systemctl show -p Result --value wwsympa.service)" = success ]'
    check "multiwatch: 3 different worker processes answered" ct_sh "
        set +o pipefail
        for i in \$(seq 30); do
            n=\$(journalctl -q -t wwsympa --since @$t0 -o short | grep -E 'wwsympa\\[[0-9]+\\]: stopped after [1-9][0-9]* request' | sed -E 's/.*wwsympa\\[([0-9]+)\\].*/\\1/' | sort -u | wc -l)
            [ \"\$n\" -ge 3 ] && break; sleep 0.1
        done
        journalctl -q -t wwsympa --since @$t0 -o short | grep 'stopped after'
        [ \"\$n\" -ge 3 ]"
    ct_sh 'rm -f /etc/systemd/system/wwsympa.service.d/multiwatch.conf; cp /root/default.orig /etc/default/wwsympa
        systemctl daemon-reload' || true

    # --- templated instances ----------------------------------------------------------------
    check "instances: wwsympa@1.socket and wwsympa@2.socket answer on their own sockets" ct_sh "
        systemctl start wwsympa@1.socket wwsympa@2.socket
        for i in 1 2; do
            [ \"\$(stat -c '%U %G %a' /run/sympa/wwsympa-\$i.socket)\" = 'root www-data 660' ]
            fcgi-get /run/sympa/wwsympa-\$i.socket /lists | grep -q '$PROBE'
        done
        systemctl is-active -q wwsympa@1.service; systemctl is-active -q wwsympa@2.service
        [ \"\$(mainpid wwsympa@1.service)\" != \"\$(mainpid wwsympa@2.service)\" ]"
    ct_sh 'systemctl stop wwsympa@1.socket wwsympa@2.socket' || true

    # --- Debian's historical /wws, and reload -------------------------------------------------
    check "/wws: wwsympa_url ending in /wws, nginx location /wws, systemctl reload (SIGHUP, same process)" ct_sh "
        get http://127.0.0.1:8081/sympa/ >/dev/null
        sed 's|^location /sympa {|location /wws {|' /etc/nginx/snippets/wwsympa.conf >/etc/nginx/snippets/wwsympa-wws.conf
        printf 'server {\n    listen 127.0.0.1:8084;\n    include snippets/wwsympa-wws.conf;\n}\n' >/etc/nginx/sites-enabled/wws
        nginx -t -q && systemctl reload nginx && wait-port 8084
        cp /etc/wwsympa/wwsympa.toml /root/wwsympa.toml.orig
        sed -i 's|^#wwsympa_url = .*|wwsympa_url = \"http://localhost/wws\"|' /etc/wwsympa/wwsympa.toml
        pid=\$(mainpid); systemctl reload wwsympa.service
        for i in \$(seq 50); do get http://127.0.0.1:8084/wws/lists 2>/dev/null | grep -q 'href=\"/wws/' && break; sleep 0.1; done
        page=\$(get http://127.0.0.1:8084/wws/lists); grep -q '$PROBE' <<<\"\$page\"; grep -q 'href=\"/wws/' <<<\"\$page\"
        [ \"\$(mainpid)\" = \"\$pid\" ]"
    check "/wws: back to /sympa after restoring the configuration and reloading" ct_sh "
        cp /root/wwsympa.toml.orig /etc/wwsympa/wwsympa.toml; systemctl reload wwsympa.service
        for i in \$(seq 50); do [ \"\$(status-of http://127.0.0.1:8081/sympa/lists)\" = 200 ] && break; sleep 0.1; done
        get http://127.0.0.1:8081/sympa/lists | grep -q '$PROBE'"

    # --- list mail through Postfix (mail-e2e.sh) ------------------------------------------------
    if openssl genrsa -out "$TMP/dkim.key" 2048 2>/dev/null &&
        openssl rsa -in "$TMP/dkim.key" -pubout -out "$TMP/dkim.pub" 2>/dev/null; then
        mail_e2e "$TMP"
    else
        fail "mail: a DKIM key made with openssl on the host"
    fi

    # --- upgrade -----------------------------------------------------------------------------
    ct systemctl reset-failed wwsympa.service wwsympa.socket || true # (start limit, see above)
    check "before upgrade: admin edits the configuration, service running" ct_sh "
        sed -i 's/^#title = .*/title = \"Upgraded site\"/' /etc/wwsympa/wwsympa.toml
        systemctl restart wwsympa.service; get http://127.0.0.1:8081/sympa/ | grep -q 'Upgraded site'"
    pid_before=$(ct mainpid)
    local sender_before
    sender_before=$(ct mainpid wwsympa-sender.service)
    check "dpkg -i $b2 (upgrade)" ct_sh "dpkg -i /mnt/pkg/$b2 </dev/null >/root/upgrade.log 2>&1 || { cat /root/upgrade.log; exit 1; }"
    check "upgrade: version $v2 installed" ct_sh "[ \"\$(dpkg-query -W -f '\${Version}' wwsympa)\" = '$v2' ]"
    check "upgrade: service restarted (new process), socket still enabled" ct_sh "
        systemctl is-active -q wwsympa.service; systemctl is-active -q wwsympa.socket
        [ \"\$(mainpid)\" != '$pid_before' ]; [ \"\$(systemctl is-enabled wwsympa.socket)\" = enabled ]"
    check "upgrade: lmtp socket still enabled and listening, LHLO answered" ct_sh '
        [ "$(systemctl is-enabled wwsympa-lmtp.socket)" = enabled ]; systemctl is-active -q wwsympa-lmtp.socket
        lmtp-probe 127.0.0.1:8024 | grep -q "^250 SMTPUTF8"'
    check "upgrade: sympasoap.socket still enabled and listening, a SOAP call answered" ct_sh "
        [ \"\$(systemctl is-enabled sympasoap.socket)\" = enabled ]; systemctl is-active -q sympasoap.socket
        soap-call http://127.0.0.1:8081/sympasoap login '' $SOAP_USER '$SOAP_PASSWORD'; [ \"\$(cat /root/soap.status)\" = 200 ]"
    check "upgrade: sender restarted" ct_sh "systemctl is-active -q wwsympa-sender.service; [ \"\$(mainpid wwsympa-sender.service)\" != '$sender_before' ]"
    check "upgrade: configuration and lists kept, page served" ct_sh "
        page=\$(get http://127.0.0.1:8081/sympa/lists); grep -q 'Upgraded site' <<<\"\$page\"; grep -q '$PROBE' <<<\"\$page\""

    # --- remove, purge, reinstall --------------------------------------------------------------
    check "dpkg -r wwsympa" ct_sh 'dpkg -r wwsympa >/root/remove.log 2>&1 || { cat /root/remove.log; exit 1; }'
    check "remove: units stopped, socket file gone, binary gone" ct_sh "
        inactive wwsympa.service; inactive wwsympa.socket; inactive wwsympa-sender.service
        inactive wwsympa-lmtp.service; inactive wwsympa-lmtp.socket
        inactive sympasoap.service; inactive sympasoap.socket; [ ! -e $SOAP_SOCK ]
        ! grep -q "0100007F:1F58 00000000:0000 0A" /proc/net/tcp
        [ ! -e $SOCK ]; [ ! -e /usr/bin/wwsympa ]"
    check "remove: configuration and database kept" ct_sh '[ -f /etc/wwsympa/wwsympa.toml ] && [ -f /var/lib/wwsympa/wwsympa.db ]'
    check "remove: Apache configuration disabled, Apache still fine" ct_sh '[ ! -e /etc/apache2/conf-enabled/wwsympa.conf ]; apache2ctl configtest 2>/dev/null'
    check "remove: nginx answers 502 for /sympa/ (no backend), nothing hangs" ct_sh '[ "$(status-of http://127.0.0.1:8081/sympa/)" = 502 ]'
    check "dpkg -P wwsympa" ct_sh 'dpkg -P wwsympa >/root/purge.log 2>&1 || { cat /root/purge.log; exit 1; }'
    check "purge: /etc/wwsympa and /etc/default/wwsympa gone, no unit masks left" ct_sh '
        [ ! -e /etc/wwsympa ] && [ ! -e /etc/default/wwsympa ]
        [ ! -e /etc/systemd/system/wwsympa.socket ] && [ ! -e /etc/systemd/system/wwsympa.service ]
        [ ! -e /etc/systemd/system/wwsympa-sender.service ]
        [ ! -e /etc/systemd/system/wwsympa-lmtp.socket ] && [ ! -e /etc/systemd/system/wwsympa-lmtp.service ]
        [ ! -e /etc/systemd/system/sockets.target.wants/wwsympa-lmtp.socket ]
        [ ! -e /etc/systemd/system/multi-user.target.wants/wwsympa-sender.service ]
        [ ! -e /etc/systemd/system/sockets.target.wants/wwsympa.socket ]
        [ ! -e /etc/systemd/system/sympasoap.socket ] && [ ! -e /etc/systemd/system/sympasoap.service ]
        [ ! -e /etc/systemd/system/sockets.target.wants/sympasoap.socket ]'
    check "purge: lighttpd link removed, lighttpd config still valid" ct_sh '[ ! -e /etc/lighttpd/conf-enabled/50-wwsympa.conf ]; lighttpd -tt -f /etc/lighttpd/lighttpd.conf'
    check "purge: lists database and user kept (documented policy)" ct_sh '[ -f /var/lib/wwsympa/wwsympa.db ] && getent passwd wwsympa >/dev/null'
    check "reinstall after purge: same user, the kept lists are served" ct_sh "
        dpkg -i /mnt/pkg/$b1 >/root/reinstall.log 2>&1 || { cat /root/reinstall.log; exit 1; }
        fcgi-get $SOCK /lists | grep -q '$PROBE'"
}
