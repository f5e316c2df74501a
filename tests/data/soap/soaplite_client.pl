#!/usr/bin/perl
# Perl SOAP::Lite against `wwsympa serve --soap`, called the way Sympa's sympa_soap_client.pl
# calls (SOAP::Lite->uri('urn:sympasoap')->proxy($url, cookie_jar => HTTP::Cookies)), through
# every operation, checking the Perl shapes (array refs, hashes, booleans) and the faults.
# Run by tests/it/soap_clients.rs on the site it seeds; prints "ok - NAME" or "not ok - NAME"
# per check and "N passed, N failed" last; exits 1 if any check failed.
#
# With WSDL_URL, also SOAP::Lite->service(WSDL) for a few calls.
#
# Usage: soaplite_client.pl SOAP_URL [WSDL_URL]   (env: LISTMASTER, OWNER, SUBSCRIBER, their *_PASSWORD,
#                                        APP, APP_PASSWORD)
use strict;
use warnings;
use SOAP::Lite;
use HTTP::Cookies;
use Data::Dumper;

my $url = shift or die "usage: $0 SOAP_URL [WSDL_URL]\n";
my $wsdl = shift;
my %e = map { $_ => ($ENV{$_} // die "$_ is not set\n") }
    qw(LISTMASTER LISTMASTER_PASSWORD OWNER OWNER_PASSWORD SUBSCRIBER SUBSCRIBER_PASSWORD APP APP_PASSWORD);
my $domain = 'lists.example.org';
my ($passed, $failed) = (0, 0);

sub ok {
    my ($cond, $name, $diag) = @_;
    if ($cond) { $passed++; print "ok - $name\n"; }
    else {
        $failed++;
        print "not ok - $name\n";
        print "#   $_\n" for split /\n/, ($diag // '');
    }
    return $cond;
}

sub show {
    my ($v) = @_;
    local $Data::Dumper::Sortkeys = 1;
    local $Data::Dumper::Indent = 1;
    local $Data::Dumper::Terse = 1;
    return Data::Dumper::Dumper($v);
}

# A client with its own cookie jar, as sympa_soap_client.pl makes it.
sub client {
    my $jar = HTTP::Cookies->new(ignore_discard => 1);
    my $soap = SOAP::Lite->new();
    $soap->uri('urn:sympasoap');
    $soap->proxy($url, cookie_jar => $jar, timeout => 30);
    return { soap => $soap, jar => $jar };
}

sub call {
    my ($c, $method, @args) = @_;
    my $r = eval { $c->{soap}->call($method => @args) };
    die "$method: transport error: $@" unless $r;
    return $r;
}

# The result of a call that must not fault (undef, and a failed check, when it does).
sub result_of {
    my ($name, $r) = @_;
    if ($r->fault) {
        ok(0, $name, "fault: " . ($r->faultcode // '') . " / " . ($r->faultstring // '') . " / " . ($r->faultdetail // ''));
        return undef;
    }
    return $r->result;
}

# Checks that a call faulted with CODE (Client or Server; undef: either) and, when given,
# exactly STRING.
sub fault_is {
    my ($name, $r, $code, $string) = @_;
    unless ($r->fault) { return ok(0, $name, "no fault; result: " . show($r->result)); }
    my $got_code = $r->faultcode // '';
    my $got_string = $r->faultstring // '';
    my $want_code = $code // '(?:Client|Server)';
    return ok($got_code =~ /(?:^|:)$want_code$/ && (!defined $string || $got_string eq $string),
        "$name: " . ($code // 'a') . " fault" . (defined $string ? " '$string'" : ''),
        "got faultcode '$got_code', faultstring '$got_string'");
}

sub session_in_jar {
    my ($c) = @_;
    my $sid;
    $c->{jar}->scan(sub { $sid = $_[2] if $_[1] eq 'sympa_session' });
    return $sid;
}

sub kv { # "k=v;k=v" -> hash
    my ($s) = @_;
    return { map { my ($k, $v) = split /=/, $_, 2; ($k => $v // '') } split /;/, $s };
}

# --- anonymous -------------------------------------------------------------------------------
my $anon = client();
fault_is('checkCookie without login', call($anon, 'checkCookie'), 'Client', 'User not authenticated');
fault_is('lists without login', call($anon, 'lists'), 'Client', 'User not authenticated');
fault_is('add without login', call($anon, 'add', 'bench-discuss', 'intruder@example.com'), 'Client', 'User not specified');
fault_is('login with a wrong password', call($anon, 'login', $e{LISTMASTER}, 'not the password'), 'Server', 'Authentication failed');
fault_is('login with an unknown user', call($anon, 'login', 'nobody-here@example.com', 'whatever'), 'Server', 'Authentication failed');
fault_is('login with a missing parameter', call($anon, 'login', $e{LISTMASTER}), 'Client', 'Incorrect number of parameters');
{
    my $r = call($anon, 'casLogin', 'ST-1-not-a-real-ticket');
    ok(!$r->fault && !defined $r->result, 'casLogin without CAS configured: a nil answer, no fault',
        $r->fault ? "fault: " . $r->faultstring : "result: " . show($r->result));
}
fault_is('unknown method', call($anon, 'noSuchMethod'), 'Client');

# --- the listmaster ----------------------------------------------------------------------------
my $lm = client();
my $sid = result_of('login as listmaster', call($lm, 'login', $e{LISTMASTER}, $e{LISTMASTER_PASSWORD}));
ok(defined $sid && !ref $sid && length $sid, 'login returns the session id as a string', show($sid));
ok(defined $sid && (session_in_jar($lm) // '') eq $sid, 'the cookie jar holds the session login returned',
    $lm->{jar}->as_string);
{
    my $r = result_of('checkCookie', call($lm, 'checkCookie'));
    ok(defined $r && $r eq $e{LISTMASTER}, 'checkCookie: the logged-in address', show($r));
    $r = result_of('getUserEmailByCookie', call($lm, 'getUserEmailByCookie', $sid));
    ok(defined $r && $r eq $e{LISTMASTER}, 'getUserEmailByCookie: the address of that session', show($r));
}
my @all = map { "bench-$_\@$domain" } qw(announce discuss web);
{
    my $r = result_of('lists', call($lm, 'lists'));
    ok(ref $r eq 'ARRAY' && @$r == 3 && !grep({ ref } @$r), 'lists: an array ref of 3 strings', show($r));
    if (ref $r eq 'ARRAY') {
        my @h = map { kv($_) } @$r;
        ok(join(',', map { $_->{listAddress} // '' } @h) eq join(',', @all), 'lists: sorted by name, listAddress in each', show($r));
        ok(!grep({ !defined $_->{subject} || !defined $_->{homepage} } @h), 'lists: subject and homepage in each', show($r));
        my ($discuss) = grep { ($_->{listAddress} // '') eq "bench-discuss\@$domain" } @h;
        ok($discuss && $discuss->{subject} eq 'Benchmark discussion list', 'lists: the subject', show($discuss));
    }
    $r = result_of('complexLists', call($lm, 'complexLists'));
    ok(ref $r eq 'ARRAY' && @$r == 3 && !grep({ ref ne 'HASH' } @$r), 'complexLists: an array ref of 3 hashes', show($r));
    if (ref $r eq 'ARRAY') {
        ok(join(',', sort map { $_->{listAddress} // '' } @$r) eq join(',', @all)
            && !grep({ !defined $_->{subject} || !defined $_->{homepage} } @$r),
            'complexLists: listAddress, subject and homepage', show($r));
    }
}
{
    my $r = result_of('info', call($lm, 'info', 'bench-discuss'));
    ok(ref $r eq 'ARRAY' && @$r == 1 && ref $r->[0] eq 'HASH', 'info: an array ref holding one hash (Sympa\'s shape)', show($r));
    if (ref $r eq 'ARRAY' && ref $r->[0] eq 'HASH') {
        my $i = $r->[0];
        ok(($i->{listAddress} // '') eq "bench-discuss\@$domain" && ($i->{subject} // '') eq 'Benchmark discussion list'
            && ($i->{homepage} // '') =~ m{/sympa/info/bench-discuss$}, 'info: listAddress, subject, homepage', show($i));
        ok($i->{isOwner}, 'info: the listmaster counts as owner (isOwner true)', show($i));
        ok(!exists $i->{isSubscriber}, 'info: a false flag is left out (isSubscriber)', show($i));
    }
    fault_is('info on an unknown list', call($lm, 'info', 'nosuchlist'), 'Server', 'Unknown list');
}
my @members = map { sprintf 'subscriber%03d@example.com', $_ } 1 .. 5;
{
    my $r = result_of('review', call($lm, 'review', 'bench-discuss'));
    ok(ref $r eq 'ARRAY' && join(',', @$r) eq join(',', @members), 'review: the members, sorted, as an array ref', show($r));
    $r = result_of('review of an empty list', call($lm, 'review', 'bench-web'));
    ok(ref $r eq 'ARRAY' && @$r == 1 && $r->[0] eq 'no_subscribers', 'review of an empty list: [no_subscribers]', show($r));
    $r = result_of('fullReview', call($lm, 'fullReview', 'bench-discuss'));
    ok(ref $r eq 'ARRAY' && !grep({ ref ne 'HASH' } @$r), 'fullReview: an array ref of hashes', show($r));
    if (ref $r eq 'ARRAY') {
        my %by = map { (($_->{email} // '') => $_) } grep { ref eq 'HASH' } @$r;
        my $one = $by{$members[0]};
        ok($one && $one->{isSubscriber} && !$one->{isOwner} && ($one->{gecos} // '') eq 'Subscriber One',
            'fullReview: a member with its gecos and flags', show($one));
        my $owner = $by{$e{OWNER}};
        ok($owner && $owner->{isOwner} && !$owner->{isSubscriber}, 'fullReview: the owner, flagged isOwner', show($owner));
        ok(keys(%by) == 6, 'fullReview: 5 members and the owner, merged by address', show([sort keys %by]));
    }
}
{
    my $r = result_of('amI subscriber', call($lm, 'amI', 'bench-discuss', 'subscriber', $members[0]));
    ok($r, 'amI: a member is subscriber (true)', show($r));
    $r = result_of('amI owner (no)', call($lm, 'amI', 'bench-discuss', 'owner', $members[0]));
    ok(defined $r && !$r, 'amI: a member is not owner (false)', show($r));
    $r = result_of('amI owner (listmaster)', call($lm, 'amI', 'bench-discuss', 'owner', $e{LISTMASTER}));
    ok($r, 'amI: the listmaster counts as owner', show($r));
    fault_is('amI on an unknown list', call($lm, 'amI', 'nosuchlist', 'subscriber', $members[0]), 'Server', 'Unknown list.');
    fault_is('amI with an unknown function', call($lm, 'amI', 'bench-discuss', 'janitor', $members[0]), 'Server', 'Unknown function.');
}
{
    my $r = result_of('add', call($lm, 'add', 'bench-discuss', 'newcomer@example.com', 'New Comer', SOAP::Data->type(boolean => 1)));
    ok($r, 'add (quiet): true', show($r));
    $r = result_of('review after add', call($lm, 'review', 'bench-discuss'));
    ok(ref $r eq 'ARRAY' && grep({ $_ eq 'newcomer@example.com' } @$r), 'add: the new member is in review', show($r));
    fault_is('add with an invalid address', call($lm, 'add', 'bench-discuss', 'not an address'), 'Client', 'Unable to add user');
    fault_is('add to an unknown list', call($lm, 'add', 'nosuchlist', 'someone@example.com'), 'Server', 'Undefined list');
    $r = result_of('del', call($lm, 'del', 'bench-discuss', 'newcomer@example.com', SOAP::Data->type(boolean => 1)));
    ok($r, 'del (quiet): true', show($r));
    $r = result_of('review after del', call($lm, 'review', 'bench-discuss'));
    ok(ref $r eq 'ARRAY' && !grep({ $_ eq 'newcomer@example.com' } @$r), 'del: the member is gone from review', show($r));
    fault_is('del on an unknown list', call($lm, 'del', 'nosuchlist', 'someone@example.com'), 'Server', 'Undefined list');
}
{
    my $r = result_of('createList', call($lm, 'createList', 'bench-new', 'A list made over SOAP', 'discussion_list', 'Made by the SOAP test.', 'misc'));
    ok($r, 'createList by the listmaster: true', show($r));
    $r = result_of('lists after createList', call($lm, 'lists'));
    ok(ref $r eq 'ARRAY' && grep({ (kv($_)->{listAddress} // '') eq "bench-new\@$domain" } @$r), 'createList: the new list is in lists', show($r));
    fault_is('createList with empty parameters', call($lm, 'createList', '', '', '', '', ''), 'Server', 'Missing parameter');
    $r = result_of('closeList', call($lm, 'closeList', 'bench-new'));
    ok($r, 'closeList: true', show($r));
    $r = result_of('lists after closeList', call($lm, 'lists'));
    ok(ref $r eq 'ARRAY' && !grep({ (kv($_)->{listAddress} // '') eq "bench-new\@$domain" } @$r), 'closeList: the list is gone from lists', show($r));
    fault_is('closeList on an unknown list', call($lm, 'closeList', 'nosuchlist'), 'Client', 'unknown list');
}
{
    my $r = result_of('moveUser', call($lm, 'moveUser', 'subscriber005@example.com', 'subscriber005@example.net'));
    ok($r, 'moveUser by the listmaster: true', show($r));
    $r = result_of('review after moveUser', call($lm, 'review', 'bench-discuss'));
    ok(ref $r eq 'ARRAY' && grep({ $_ eq 'subscriber005@example.net' } @$r) && !grep({ $_ eq 'subscriber005@example.com' } @$r),
        'moveUser: the member has the new address', show($r));
}
{
    my $r = result_of('authenticateAndRun(info)', call($lm, 'authenticateAndRun', $e{LISTMASTER}, $sid, 'info', ['bench-discuss']));
    ok(ref $r eq 'ARRAY' && ref $r->[0] eq 'HASH' && ($r->[0]{listAddress} // '') eq "bench-discuss\@$domain",
        'authenticateAndRun(info): the inner shape, an array ref of one hash', show($r));
    $r = result_of('authenticateAndRun(lists)', call($lm, 'authenticateAndRun', $e{LISTMASTER}, $sid, 'lists', []));
    ok(ref $r eq 'ARRAY' && grep({ (kv($_)->{listAddress} // '') eq "bench-discuss\@$domain" } @$r),
        'authenticateAndRun(lists): an array ref of strings', show($r));
    # Without a cookie, as a client that keeps none would call it.
    my $bare = SOAP::Lite->new(); $bare->uri('urn:sympasoap'); $bare->proxy($url, timeout => 30);
    $r = $bare->call(authenticateAndRun => $e{LISTMASTER}, $sid, 'review', ['bench-discuss']);
    ok(!$r->fault && ref $r->result eq 'ARRAY' && grep({ $_ eq $members[0] } @{$r->result}),
        'authenticateAndRun(review) with no cookie at all', $r->fault ? $r->faultstring : show($r->result));
    fault_is('authenticateAndRun with another address than the session\'s',
        call($lm, 'authenticateAndRun', $e{OWNER}, $sid, 'lists', []), 'Client', 'Could not get email from cookie');
    fault_is('authenticateAndRun with an unknown session',
        call($anon, 'authenticateAndRun', $e{LISTMASTER}, '12345678901234', 'lists', []), 'Client', 'Could not get email from cookie');
    fault_is('authenticateAndRun cannot run login', call($lm, 'authenticateAndRun', $e{LISTMASTER}, $sid, 'login', [$e{LISTMASTER}, $e{LISTMASTER_PASSWORD}]), 'Server');
    fault_is('authenticateAndRun cannot run an unknown service', call($lm, 'authenticateAndRun', $e{LISTMASTER}, $sid, 'noSuchService', []), 'Server');
    $r = result_of('getUserEmailByCookie of an unknown session', call($lm, 'getUserEmailByCookie', '98765432109876'));
    ok(defined $r && $r eq 'nobody', 'getUserEmailByCookie of an unknown session: nobody', show($r));
}
{
    my $r = result_of('authenticateRemoteAppAndRun(which)',
        call($anon, 'authenticateRemoteAppAndRun', $e{APP}, $e{APP_PASSWORD}, "USER_EMAIL=$e{SUBSCRIBER}", 'which', []));
    ok(ref $r eq 'ARRAY' && grep({ (kv($_)->{listAddress} // '') eq "bench-discuss\@$domain" } @$r),
        'authenticateRemoteAppAndRun(which) for a member: its list', show($r));
    $r = result_of('authenticateRemoteAppAndRun(complexWhich)',
        call($anon, 'authenticateRemoteAppAndRun', $e{APP}, $e{APP_PASSWORD}, "USER_EMAIL=$e{SUBSCRIBER},remote_host=portal.example.com", 'complexWhich', []));
    ok(ref $r eq 'ARRAY' && grep({ ref eq 'HASH' && ($_->{listAddress} // '') eq "bench-discuss\@$domain" && $_->{isSubscriber} } @$r),
        'authenticateRemoteAppAndRun(complexWhich): hashes, isSubscriber true', show($r));
    fault_is('authenticateRemoteAppAndRun with a wrong password',
        call($anon, 'authenticateRemoteAppAndRun', $e{APP}, 'wrong-secret', "USER_EMAIL=$e{SUBSCRIBER}", 'which', []), 'Server', 'Authentication failed');
    fault_is('authenticateRemoteAppAndRun with a variable without =',
        call($anon, 'authenticateRemoteAppAndRun', $e{APP}, $e{APP_PASSWORD}, 'USER_EMAIL', 'which', []), 'Server', 'Incorrect syntaxe value');
    fault_is('authenticateRemoteAppAndRun cannot run an unknown service',
        call($anon, 'authenticateRemoteAppAndRun', $e{APP}, $e{APP_PASSWORD}, "USER_EMAIL=$e{SUBSCRIBER}", 'noSuchService', []), 'Server');
}

# --- a member -------------------------------------------------------------------------------
my $sub = client();
my $ssid = result_of('login as a member', call($sub, 'login', $e{SUBSCRIBER}, $e{SUBSCRIBER_PASSWORD}));
ok(defined $ssid && defined $sid && $ssid ne $sid, 'a second login gets a session of its own', show([$sid, $ssid]));
{
    my $r = result_of('which', call($sub, 'which'));
    ok(ref $r eq 'ARRAY' && @$r == 1 && !ref $r->[0], 'which: an array ref of one string', show($r));
    if (ref $r eq 'ARRAY' && @$r) {
        my $h = kv($r->[0]);
        ok(($h->{listAddress} // '') eq "bench-discuss\@$domain" && ($h->{isSubscriber} // '') eq '1' && ($h->{isOwner} // '') eq '0',
            'which: k=v pairs, booleans as 1/0', show($h));
    }
    $r = result_of('complexWhich', call($sub, 'complexWhich'));
    ok(ref $r eq 'ARRAY' && @$r == 1 && ref $r->[0] eq 'HASH', 'complexWhich: an array ref of one hash', show($r));
    if (ref $r eq 'ARRAY' && ref $r->[0] eq 'HASH') {
        my $h = $r->[0];
        ok($h->{isSubscriber} && exists $h->{isOwner} && !$h->{isOwner} && exists $h->{isEditor} && !$h->{isEditor},
            'complexWhich: the three flags always there, true or false', show($h));
        ok(($h->{listAddress} // '') eq "bench-discuss\@$domain" && defined $h->{subject} && defined $h->{homepage},
            'complexWhich: listAddress, subject, homepage', show($h));
        ok(defined $h->{bounceCount} && $h->{bounceCount} eq '0', 'complexWhich: bounceCount 0 for a member', show($h));
    }
}
{
    my $r = result_of('getDetails', call($sub, 'getDetails', 'bench-discuss'));
    ok(ref $r eq 'HASH', 'getDetails: a hash', show($r));
    if (ref $r eq 'HASH') {
        ok(($r->{gecos} // '') eq 'Subscriber One' && ($r->{reception} // '') eq 'mail', 'getDetails: gecos and reception', show($r));
        ok(($r->{subscribeDate} // '') =~ /^\d+$/ && ($r->{updateDate} // '') =~ /^\d+$/, 'getDetails: dates as Unix times', show($r));
        ok(ref $r->{custom} eq 'ARRAY' && !@{$r->{custom}}, 'getDetails: custom, an empty array ref', show($r));
    }
    $r = result_of('setDetails', call($sub, 'setDetails', 'bench-discuss', 'Subscriber Uno', 'digest', 'color', 'blue'));
    ok($r, 'setDetails: true', show($r));
    $r = result_of('getDetails after setDetails', call($sub, 'getDetails', 'bench-discuss'));
    ok(ref $r eq 'HASH' && ($r->{gecos} // '') eq 'Subscriber Uno' && ($r->{reception} // '') eq 'digest',
        'setDetails: gecos and reception changed', show($r));
    my %custom = ref $r eq 'HASH' && ref $r->{custom} eq 'ARRAY' ? map { ($_->{key} => $_->{value}) } @{$r->{custom}} : ();
    ok(($custom{color} // '') eq 'blue', 'setDetails: the trailing key/value pair is a custom attribute', show($r));
    $r = result_of('setCustom', call($sub, 'setCustom', 'bench-discuss', 'color', 'green'));
    ok($r, 'setCustom: true', show($r));
    $r = result_of('getDetails after setCustom', call($sub, 'getDetails', 'bench-discuss'));
    %custom = ref $r eq 'HASH' && ref $r->{custom} eq 'ARRAY' ? map { ($_->{key} => $_->{value}) } @{$r->{custom}} : ();
    ok(($custom{color} // '') eq 'green', 'setCustom: the attribute changed', show($r));
    fault_is('getDetails on a list one is not a member of', call($sub, 'getDetails', 'bench-web'), 'Client', 'Not a subscriber to this list');
}
{
    my $r = result_of('subscribe', call($sub, 'subscribe', 'bench-web', 'Subscriber One'));
    ok($r, 'subscribe: true', show($r));
    $r = result_of('amI after subscribe', call($sub, 'amI', 'bench-web', 'subscriber', $e{SUBSCRIBER}));
    ok($r, 'subscribe: the caller is now a member', show($r));
    $r = result_of('signoff', call($sub, 'signoff', 'bench-web'));
    ok($r, 'signoff: true', show($r));
    $r = result_of('amI after signoff', call($sub, 'amI', 'bench-web', 'subscriber', $e{SUBSCRIBER}));
    ok(defined $r && !$r, 'signoff: the caller is no longer a member', show($r));
    fault_is('subscribe to an unknown list', call($sub, 'subscribe', 'nosuchlist'), 'Server', 'Unknown list');
    fault_is('signoff from an unknown list', call($sub, 'signoff', 'nosuchlist'), 'Server', 'Unknown list.');
}
fault_is('review refused to a member', call($sub, 'review', 'bench-discuss'), 'Server', 'Not allowed');
fault_is('fullReview refused to a member', call($sub, 'fullReview', 'bench-discuss'), 'Client', 'Not enough privileges');
fault_is('add refused to a member', call($sub, 'add', 'bench-discuss', 'friend@example.com'), 'Server', 'Not allowed.');
fault_is('del refused to a member', call($sub, 'del', 'bench-discuss', $members[1]), 'Server', 'Not allowed.');
fault_is('closeList refused to a member', call($sub, 'closeList', 'bench-discuss'), 'Client', 'Not allowed');
fault_is('moveUser refused to a member', call($sub, 'moveUser', $members[1], 'elsewhere@example.com'), undef);
{
    my $r = result_of('review after the refusals', call($lm, 'review', 'bench-discuss'));
    ok(ref $r eq 'ARRAY' && grep({ $_ eq $members[1] } @$r) && !grep({ $_ eq 'friend@example.com' } @$r),
        'the refused calls changed nothing', show($r));
    $r = result_of('info after the refusals', call($lm, 'info', 'bench-discuss'));
    ok(ref $r eq 'ARRAY', 'the list is still open after the refused closeList', show($r));
}

# --- the owner ---------------------------------------------------------------------------------
my $own = client();
result_of('login as the owner', call($own, 'login', $e{OWNER}, $e{OWNER_PASSWORD}));
{
    my $r = result_of('review by the owner', call($own, 'review', 'bench-discuss'));
    ok(ref $r eq 'ARRAY' && grep({ $_ eq $members[0] } @$r), 'review by the owner', show($r));
    $r = result_of('fullReview by the owner', call($own, 'fullReview', 'bench-discuss'));
    ok(ref $r eq 'ARRAY' && @$r >= 5, 'fullReview by the owner', show($r));
    $r = result_of('info by the owner', call($own, 'info', 'bench-discuss'));
    ok(ref $r eq 'ARRAY' && ref $r->[0] eq 'HASH' && $r->[0]{isOwner} && $r->[0]{isEditor},
        'info by the owner: isOwner, and isEditor (no editors: owners edit)', show($r));
    fault_is('moveUser refused to an owner', call($own, 'moveUser', $members[1], 'elsewhere@example.com'), undef);
}

# --- SOAP::Lite->service(WSDL): the stub generated from our WSDL (posting to its soap:address) --
if (defined $wsdl) {
    my $jar = HTTP::Cookies->new(ignore_discard => 1);
    my $last_fault;
    my $svc = SOAP::Lite->service($wsdl);
    # The transport options (the jar) stay; the stub still posts to the WSDL's soap:address.
    $svc->proxy($url, cookie_jar => $jar, timeout => 30);
    $svc->on_fault(sub {
        my ($soap, $res) = @_;
        $last_fault = ref $res ? $res->faultstring : 'transport: ' . $soap->transport->status;
        return undef;
    });
    my $r = eval { $svc->login($e{LISTMASTER}, $e{LISTMASTER_PASSWORD}) };
    ok(defined $r && !ref $r && length $r && !defined $last_fault, 'service(WSDL): login', $@ || $last_fault || show($r));
    $r = eval { $svc->checkCookie() };
    ok(defined $r && $r eq $e{LISTMASTER}, 'service(WSDL): checkCookie with the jar the stub keeps', $@ || $last_fault || show($r));
    $r = eval { $svc->lists() };
    ok(ref $r eq 'ARRAY' && @$r == 3, 'service(WSDL): lists, an array ref', $@ || $last_fault || show($r));
    $r = eval { $svc->amI('bench-discuss', 'owner', $e{LISTMASTER}) };
    ok($r, 'service(WSDL): amI true', $@ || $last_fault || show($r));
    $last_fault = undef;
    $r = eval { $svc->info('nosuchlist') };
    ok(!defined $r && ($last_fault // '') eq 'Unknown list', 'service(WSDL): a fault reaches on_fault', $@ || $last_fault || show($r));
}

print "$passed passed, $failed failed\n";
exit($failed ? 1 : 0);
