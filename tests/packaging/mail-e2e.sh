# List mail end to end under the booted systemd, with the packaged units and a real Postfix: a post
# sent over SMTP reaches wwsympa over LMTP (routed by the socketmap, with the shipped main.cf
# lines), is archived and distributed back through Postfix to local mailboxes, signed with DKIM
# (verified on the host with python3-dkim, both unsubscribe headers signed); a held post is
# accepted through the link of its moderator notice; a member's mailbox that does not exist
# bounces to the VERP address and is counted; a list created while Postfix runs takes mail at
# once. Sourced by run.sh (uses lib.sh, container.sh and deb-e2e.sh's helpers); every step is one
# check.

MAIL_DOMAIN=lists.example.org
MAIL_LIST=e2e-mail

# In-container helpers for mail (written to /usr/local/bin; the overlay is thrown away).
MAIL_HELPERS='
cat >/usr/local/bin/smtp-post <<"EOF"
#!/usr/bin/perl
# smtp-post FROM RCPT FILE: one message over SMTP to 127.0.0.1:25; fails unless every reply is
# positive. Prints the replies. 30 s at most.
use strict; use IO::Socket::INET;
alarm 30;
my ($from, $rcpt, $file) = @ARGV;
my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1", PeerPort => 25) or die "connect: $!";
$s->autoflush(1);
sub reply { my $all = ""; while (my $l = <$s>) { print $l; $all .= $l; last if $l =~ /^\d{3} / } die "refused: $all" unless $all =~ /^[23]\d\d /m; }
sub cmd { print $s "$_[0]\r\n"; reply() }
reply();
cmd("EHLO client.example.net"); cmd("MAIL FROM:<$from>"); cmd("RCPT TO:<$rcpt>"); cmd("DATA");
open(my $in, "<", $file) or die; while (my $l = <$in>) { $l =~ s/\r?\n$//; $l = ".$l" if $l =~ /^\./; print $s "$l\r\n" }
print $s ".\r\n"; reply(); cmd("QUIT");
EOF
cat >/usr/local/bin/wait-mail <<"EOF"
#!/bin/bash
# wait-mail MAILBOX TEXT [SECONDS]: until MAILBOX contains TEXT (default 60 s).
for i in $(seq $((${3:-60} * 10))); do
    grep -qF -- "$2" "$1" 2>/dev/null && exit 0
    sleep 0.1
done
echo "$1 has no \"$2\" after ${3:-60} s"; tail -n 5 /var/log/mail.log 2>/dev/null; journalctl -q -u postfix@- -n 20 --no-pager 2>/dev/null
exit 1
EOF
cat >/usr/local/bin/form-post <<"EOF"
#!/bin/bash
# form-post JAR PAGE_URL [FIELD=VALUE...]: GETs PAGE_URL with the cookie jar, takes the first
# POST form (its action and csrf_token), posts the fields with the token; prints the answer.
set -euo pipefail
jar=$1 url=$2; shift 2
page=$(curl -fsS --max-time 10 -c "$jar" -b "$jar" "$url")
action=$(grep -o "<form method=\"post\" action=\"[^\"]*\"" <<<"$page" | grep -v logout | head -1 | sed "s/.*action=\"//; s/\"$//")
token=$(grep -o "name=\"csrf_token\" value=\"[^\"]*\"" <<<"$page" | head -1 | sed "s/.*value=\"//; s/\"$//")
[ -n "$action" ] && [ -n "$token" ] || { echo "no form on $url"; exit 1; }
base=$(sed -E "s|^(https?://[^/]+).*|\1|" <<<"$url")
args=(--data-urlencode "csrf_token=$token")
for field in "$@"; do args+=(--data-urlencode "$field"); done
curl -sS --max-time 10 -c "$jar" -b "$jar" -L "${args[@]}" "$base$action"
EOF
chmod 755 /usr/local/bin/smtp-post /usr/local/bin/wait-mail /usr/local/bin/form-post
'

# A message file in the container: mail_message PATH FROM SUBJECT ID.
mail_message() {
    ct_sh "printf 'From: %s\nTo: $MAIL_LIST@$MAIL_DOMAIN\nSubject: %s\nMessage-ID: <%s@client.example.net>\nDate: %s\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\nHello list,\nthis is %s.\n' '$2' '$3' '$4' \"\$(date -R)\" '$4' >$1"
}

# Verifies on the host the DKIM signature of the message in $1 with the public key in $2 (PEM),
# and that h= covers both unsubscribe headers.
dkim_verify_host() {
    /usr/bin/python3 - "$1" "$2" <<'PY'
import base64, re, sys
import dkim
message = open(sys.argv[1], "rb").read()
pem = open(sys.argv[2]).read()
der = "".join(l for l in pem.splitlines() if "-----" not in l)
record = ("v=DKIM1; k=rsa; p=" + der).encode()
def dns(name, timeout=5):
    return record
signature = re.search(rb"^DKIM-Signature:(.*(?:\r?\n[ \t].*)*)", message, re.M | re.I)
if not signature:
    sys.exit("no DKIM-Signature")
tags = re.sub(rb"\s+", b"", signature.group(1))
h = re.search(rb"(?:^|;)h=([^;]*)", tags).group(1).lower().split(b":")
for needed in (b"list-unsubscribe", b"list-unsubscribe-post", b"from", b"list-id"):
    if needed not in h:
        sys.exit(f"h= lacks {needed!r}: {h!r}")
if not dkim.verify(message, dnsfunc=dns):
    sys.exit("DKIM verification failed")
print("DKIM pass, h=" + b":".join(h).decode())
PY
}

# The first message of the mbox $1/bob.mbox, verified with the key $1/dkim.pub.
mail_dkim_check() {
    # The bytes as delivered: the mbox's first message without its From_ line, unescaped.
    /usr/bin/python3 -c 'import re, sys
data = open(sys.argv[1], "rb").read().split(b"\n", 1)[1]
data = re.split(rb"\n\nFrom ", data)[0] + b"\n"
open(sys.argv[2], "wb").write(re.sub(rb"(?m)^>(>*From )", rb"\1", data))' "$1/bob.mbox" "$1/bob.eml"
    dkim_verify_host "$1/bob.eml" "$1/dkim.pub"
}

mail_e2e() {
    local keydir=$1
    check "mail: helpers installed" ct_sh "$MAIL_HELPERS"
    # The sender check's stand-in MTA on port 25 gives way to Postfix.
    ct_sh 'pkill -f "^/usr/bin/perl /usr/local/bin/smtp-sink" || true
        for i in $(seq 50); do ss -Hltn "sport = :25" | grep -q . || break; sleep 0.1; done' || true
    check "mail: Postfix configured with the shipped main.cf lines (socketmap, LMTP) and started" ct_sh "
        grep -E '^[a-z_]+ *=' /usr/share/doc/wwsympa/examples/postfix/main.cf | sed 's/ *= */=/' >/root/wwsympa-main.cf
        [ \$(wc -l </root/wwsympa-main.cf) -ge 4 ]
        postconf -e 'myhostname = wwsympa-test.localdomain' 'mydomain = localdomain' \
            'mydestination = localhost, wwsympa-test.localdomain' 'inet_interfaces = loopback-only' \
            'inet_protocols = ipv4' 'mynetworks = 127.0.0.0/8' 'smtp_host_lookup = native' \
            'disable_dns_lookups = yes' 'append_dot_mydomain = no' 'biff = no' \
            'maillog_file = /var/log/mail.log' 'smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination' \
            'local_recipient_maps ='
        while IFS= read -r line; do postconf -e \"\$line\"; done </root/wwsympa-main.cf
        postconf -n | grep -q '^transport_maps = socketmap:inet:127.0.0.1:8025:transport'
        for user in alice bob owner; do id \$user >/dev/null 2>&1 || useradd -m \$user; done
        systemctl restart postfix
        for i in \$(seq 100); do ss -Hltn 'sport = :25' | grep -q . && break; sleep 0.1; done
        ss -Hltn 'sport = :25' | grep -q ."
    check "mail: wwsympa's domain $MAIL_DOMAIN, DKIM key, links through nginx; units restarted" ct_sh "
        install -o root -g wwsympa -m 640 /mnt/pkg/dkim.key /etc/wwsympa/dkim.key
        cp /etc/wwsympa/wwsympa.toml /root/wwsympa.toml.mail
        cat >>/etc/wwsympa/wwsympa.toml <<'TOML'
domain = \"$MAIL_DOMAIN\"
wwsympa_url = \"http://127.0.0.1:8081/sympa\"
dkim_feature = true
dkim_private_key_path = \"/etc/wwsympa/dkim.key\"
dkim_selector = \"e2e\"
TOML
        systemctl stop wwsympa.service wwsympa-lmtp.service wwsympa-socketmap.service
        systemctl restart wwsympa-sender.service
        systemctl start wwsympa-socketmap.socket wwsympa-lmtp.socket
        runuser -u wwsympa -- wwsympa check >/root/check.log 2>&1 || { cat /root/check.log; exit 1; }
        wait-port 8081"
    check "mail: list $MAIL_LIST with owner owner@localhost and members alice, bob and ghost (no mailbox)" ct_sh "
        runuser -u wwsympa -- wwsympa list create $MAIL_LIST --subject 'Mail end to end' --owner owner@localhost
        runuser -u wwsympa -- wwsympa member add $MAIL_LIST alice@localhost bob@localhost ghost@localhost >/dev/null"
    check "mail: wwsympa check mta finds Postfix routing the list to wwsympa" ct_sh "
        runuser -u wwsympa -- wwsympa check mta 2>&1 | tee /root/check-mta.log; ! grep -qi 'error' /root/check-mta.log"

    # A member's post: SMTP → Postfix → socketmap → LMTP → archive → outbox → SMTP → Postfix → mailboxes.
    mail_message /root/m1.txt alice@localhost 'first post over Postfix' e2e-m1
    check "mail: a member's post sent over SMTP to Postfix is accepted (250)" ct smtp-post alice@localhost "$MAIL_LIST@$MAIL_DOMAIN" /root/m1.txt
    check "mail: it reaches bob's and alice's mailboxes through Postfix" ct_sh "
        wait-mail /var/mail/bob 'Subject: first post over Postfix'; wait-mail /var/mail/alice 'Subject: first post over Postfix'"
    check "mail: the copy has List-Id, a one-click List-Unsubscribe (RFC 8058) and a VERP return path" ct_sh "
        m=\$(cat /var/mail/bob)
        grep -qi '^List-Id: .*<$MAIL_LIST.$MAIL_DOMAIN>' <<<\"\$m\"
        grep -qi '^List-Unsubscribe-Post: List-Unsubscribe=One-Click' <<<\"\$m\"
        grep -qi '^List-Unsubscribe: .*/oneclick/$MAIL_LIST/' <<<\"\$m\"
        grep -qiE '^Return-Path: <$MAIL_LIST-owner\\+[0-9a-z]+-[a-z2-7]+@$MAIL_DOMAIN>' <<<\"\$m\""
    check "mail: the post is in the list's archive" ct_sh "
        runuser -u wwsympa -- wwsympa archive ls $MAIL_LIST | grep -q ' 1\$'"
    ct cat /var/mail/bob >"$keydir/bob.mbox" 2>/dev/null || true
    check "mail: bob's copy verifies with python3-dkim (DKIM pass, both unsubscribe headers in h=)" \
        mail_dkim_check "$keydir"

    # The ghost member: Postfix's local delivery bounces to the VERP address, which wwsympa counts.
    check "mail: ghost@localhost's copy bounces back to the VERP address and is taken over LMTP" ct_sh "
        for i in \$(seq 600); do grep -qE 'to=<$MAIL_LIST-owner\\+[^>]*@$MAIL_DOMAIN>.*relay=127.0.0.1\\[127.0.0.1\\]:8024.*status=sent' /var/log/mail.log && exit 0; sleep 0.1; done
        grep -E 'ghost|owner\\+' /var/log/mail.log | tail -5; exit 1"
    check "mail: the owner sees ghost@localhost on reviewbouncing" ct_sh "
        printf 'owner password 1\n' | runuser -u wwsympa -- wwsympa user add owner@localhost --password-stdin >/dev/null 2>&1
        rm -f /root/owner.jar
        form-post /root/owner.jar http://127.0.0.1:8081/sympa/login email=owner@localhost 'passwd=owner password 1' >/dev/null
        for i in \$(seq 50); do
            curl -fsS --max-time 10 -b /root/owner.jar http://127.0.0.1:8081/sympa/reviewbouncing/$MAIL_LIST | grep -q 'ghost@localhost' && exit 0
            sleep 0.2
        done
        curl -sS --max-time 10 -b /root/owner.jar http://127.0.0.1:8081/sympa/reviewbouncing/$MAIL_LIST | sed 's/<[^>]*>//g' | grep -v '^\\s*\$' | tail -20; exit 1"

    # An outsider's post is held; the owner (no moderators: owners moderate) accepts it by the link.
    mail_message /root/m2.txt stranger@client.example.net 'held until a moderator says so' e2e-m2
    check "mail: an outsider's post is accepted (250) and held" ct smtp-post stranger@client.example.net "$MAIL_LIST@$MAIL_DOMAIN" /root/m2.txt
    check "mail: the owner gets the moderation notice with its /distribute/ link" ct_sh "
        wait-mail /var/mail/owner '/distribute/$MAIL_LIST/'
        ! grep -q 'Subject: held until a moderator says so' /var/mail/bob"
    check "mail: opening the link changes nothing; its button distributes the post to the members" ct_sh "
        link=\$(perl -0777 -pe 's/=\\r?\\n//g; s/=([0-9A-F]{2})/chr(hex(\$1))/ge' /var/mail/owner |
            grep -o 'http://127.0.0.1:8081/sympa/distribute/$MAIL_LIST/[^ ]*' | tail -1 | tr -d '\\r')
        curl -fsS --max-time 10 \"\$link\" >/dev/null; sleep 1
        ! grep -q 'held until a moderator says so' /var/mail/bob
        form-post /root/anon.jar \"\$link\" do=distribute | grep -q 'Distributed'
        wait-mail /var/mail/bob 'Subject: held until a moderator says so'"

    # A list created while Postfix runs takes mail at once: the socketmap reads the database.
    check "mail: a list created now receives a post without reloading Postfix" ct_sh "
        reloads=\$(grep -c 'reload -- version' /var/log/mail.log || true)
        runuser -u wwsympa -- wwsympa list create e2e-new --subject 'Made after Postfix started' --send public
        printf 'From: alice@localhost\nTo: e2e-new@$MAIL_DOMAIN\nSubject: to a brand new list\nMessage-ID: <e2e-m3@client.example.net>\n\nfirst\n' >/root/m3.txt
        smtp-post alice@localhost e2e-new@$MAIL_DOMAIN /root/m3.txt >/dev/null
        for i in \$(seq 300); do runuser -u wwsympa -- wwsympa archive ls e2e-new 2>/dev/null | grep -q ' 1\$' && break; sleep 0.1; done
        runuser -u wwsympa -- wwsympa archive ls e2e-new | grep -q ' 1\$'
        [ \"\$(grep -c 'reload -- version' /var/log/mail.log || true)\" = \"\$reloads\" ]"
    check "mail: an unknown address in the lists' domain is refused during the SMTP session (550)" ct_sh "
        ! smtp-post alice@localhost no-such-list@$MAIL_DOMAIN /root/m3.txt >/root/refused.log 2>&1
        grep -q '^550' /root/refused.log"

    # Back to the configuration the rest of the run expects.
    ct_sh "cp /root/wwsympa.toml.mail /etc/wwsympa/wwsympa.toml; systemctl stop postfix
        systemctl stop wwsympa.service wwsympa-lmtp.service wwsympa-socketmap.service || true
        systemctl restart wwsympa-sender.service" || true
}
