<?php
// PHP SoapClient (Debian's php-soap) against `wwsympa serve --soap`: WSDL mode with the WSDL
// fetched from the web interface (its soap:address points at the SOAP server), the session kept
// by SoapClient from our Set-Cookie and, in a second client, by __setCookie as Sympa's sample
// client does; the shapes PHP code reads (arrays, stdClass objects, booleans) and faults; then
// one call in non-WSDL mode. Run by tests/it/soap_clients.rs; prints "ok - NAME" or
// "not ok - NAME" per check and "N passed, N failed" last; exits 1 if any check failed.
//
// Usage: php php_client.php WSDL_URL SOAP_URL   (env: LISTMASTER, LISTMASTER_PASSWORD,
//                                                  SUBSCRIBER, SUBSCRIBER_PASSWORD, APP, APP_PASSWORD)
[$wsdl, $soap_url] = [$argv[1] ?? '', $argv[2] ?? ''];
if ($wsdl === '' || $soap_url === '') { fwrite(STDERR, "usage: php php_client.php WSDL_URL SOAP_URL\n"); exit(2); }
$e = [];
foreach (['LISTMASTER', 'LISTMASTER_PASSWORD', 'SUBSCRIBER', 'SUBSCRIBER_PASSWORD', 'APP', 'APP_PASSWORD'] as $k) {
    $v = getenv($k);
    if ($v === false) { fwrite(STDERR, "$k is not set\n"); exit(2); }
    $e[$k] = $v;
}
$domain = 'lists.example.org';
$passed = 0; $failed = 0;

function ok($cond, $name, $diag = null) {
    global $passed, $failed;
    if ($cond) { $passed++; echo "ok - $name\n"; }
    else {
        $failed++;
        echo "not ok - $name\n";
        if ($diag !== null) { foreach (explode("\n", is_string($diag) ? $diag : var_export($diag, true)) as $l) echo "#   $l\n"; }
    }
    return $cond;
}

// The result of a call that must not fault; null and a failed check when it does.
function result_of($name, $fn) {
    try { return $fn(); }
    catch (SoapFault $f) { ok(false, $name, "fault: {$f->faultcode} / {$f->faultstring}"); }
    catch (Throwable $t) { ok(false, $name, get_class($t) . ': ' . $t->getMessage()); }
    return null;
}

// Checks that a call faults with CODE (Client or Server) and exactly STRING when given.
function fault_is($name, $fn, $code, $string = null) {
    try { $r = $fn(); return ok(false, "$name: $code fault", 'no fault; result: ' . var_export($r, true)); }
    catch (SoapFault $f) {
        $got_code = (string)$f->faultcode;
        $code_ok = preg_match('/(^|:)' . $code . '$/', $got_code) === 1;
        return ok($code_ok && ($string === null || $f->faultstring === $string),
            "$name: $code fault" . ($string === null ? '' : " '$string'"),
            "got faultcode '$got_code', faultstring '{$f->faultstring}'");
    }
}

function kv($s) {
    $h = [];
    foreach (explode(';', $s) as $pair) { $p = explode('=', $pair, 2); $h[$p[0]] = $p[1] ?? ''; }
    return $h;
}

$options = ['trace' => 1, 'exceptions' => true, 'cache_wsdl' => WSDL_CACHE_NONE, 'connection_timeout' => 20];

// --- WSDL mode, the session kept by SoapClient itself (our Set-Cookie) ------------------------
$c = new SoapClient($wsdl, $options);
$functions = implode("\n", $c->__getFunctions());
foreach (['login', 'lists', 'info', 'review', 'fullReview', 'amI', 'which', 'complexWhich', 'authenticateAndRun', 'getDetails', 'moveUser'] as $op) {
    ok(preg_match('/ ' . $op . '\(/', $functions) === 1, "the WSDL declares $op", $functions);
}
$sid = result_of('login', fn() => $c->login($e['LISTMASTER'], $e['LISTMASTER_PASSWORD']));
ok(is_string($sid) && $sid !== '', 'login: the session id, a string', var_export($sid, true));
$cookies = $c->__getCookies();
ok(isset($cookies['sympa_session']) && $cookies['sympa_session'][0] === $sid,
    'SoapClient kept the session cookie by itself (Set-Cookie)', var_export($cookies, true));
$r = result_of('checkCookie without __setCookie', fn() => $c->checkCookie());
ok($r === $e['LISTMASTER'], 'checkCookie: the session is kept with no manual step', var_export($r, true));

$r = result_of('lists', fn() => $c->lists());
ok(is_array($r) && count($r) === 3 && count(array_filter($r, 'is_string')) === 3, 'lists: an array of 3 strings', var_export($r, true));
if (is_array($r)) {
    ok(array_map(fn($s) => kv($s)['listAddress'] ?? '', $r) === ["bench-announce@$domain", "bench-discuss@$domain", "bench-web@$domain"],
        'lists: sorted, listAddress in each', var_export($r, true));
}
$r = result_of('info', fn() => $c->info('bench-discuss'));
ok(is_array($r) && count($r) === 1 && ($r[0] ?? null) instanceof stdClass, 'info: array(0 => object), as from Sympa', var_export($r, true));
if (is_array($r) && ($r[0] ?? null) instanceof stdClass) {
    ok(($r[0]->listAddress ?? '') === "bench-discuss@$domain" && ($r[0]->subject ?? '') === 'Benchmark discussion list',
        'info: $r[0]->listAddress and ->subject', var_export($r, true));
    ok(($r[0]->isOwner ?? null) === true, 'info: isOwner is PHP true', var_export($r, true));
}
$r = result_of('review', fn() => $c->review('bench-discuss'));
ok(is_array($r) && ($r[0] ?? '') === 'subscriber001@example.com' && count($r) >= 4, 'review: an array of addresses, sorted', var_export($r, true));
$r = result_of('fullReview', fn() => $c->fullReview('bench-discuss'));
$by = [];
if (is_array($r)) { foreach ($r as $u) { if ($u instanceof stdClass) $by[$u->email ?? ''] = $u; } }
ok(isset($by['subscriber001@example.com']) && $by['subscriber001@example.com']->isSubscriber === true
    && $by['subscriber001@example.com']->isOwner === false, 'fullReview: objects with PHP booleans', var_export($r, true));
$r = result_of('amI', fn() => $c->amI('bench-discuss', 'owner', $e['LISTMASTER']));
ok($r === true, 'amI: PHP true', var_export($r, true));
$r = result_of('amI (no)', fn() => $c->amI('bench-discuss', 'owner', 'subscriber001@example.com'));
ok($r === false, 'amI: PHP false', var_export($r, true));
$r = result_of('authenticateAndRun(info)', fn() => $c->authenticateAndRun($e['LISTMASTER'], $sid, 'info', ['bench-discuss']));
ok(is_array($r) && ($r[0] ?? null) instanceof stdClass && ($r[0]->listAddress ?? '') === "bench-discuss@$domain",
    'authenticateAndRun(info) with an array parameter: array(0 => object)', var_export($r, true));
$r = result_of('authenticateAndRun(lists)', fn() => $c->authenticateAndRun($e['LISTMASTER'], $sid, 'lists', []));
ok(is_array($r) && count($r) === 3, 'authenticateAndRun(lists) with an empty array', var_export($r, true));
$r = result_of('authenticateRemoteAppAndRun(complexWhich)',
    fn() => $c->authenticateRemoteAppAndRun($e['APP'], $e['APP_PASSWORD'], 'USER_EMAIL=' . $e['SUBSCRIBER'], 'complexWhich', []));
ok(is_array($r) && ($r[0] ?? null) instanceof stdClass && ($r[0]->listAddress ?? '') === "bench-discuss@$domain" && ($r[0]->isSubscriber ?? null) === true,
    'authenticateRemoteAppAndRun(complexWhich) for a member: objects', var_export($r, true));
fault_is('info on an unknown list', fn() => $c->info('nosuchlist'), 'Server', 'Unknown list');
fault_is('login with a wrong password', fn() => $c->login($e['LISTMASTER'], 'wrong'), 'Server', 'Authentication failed');
fault_is('authenticateAndRun with another address', fn() => $c->authenticateAndRun('owner@lists.example.org', $sid, 'lists', []), 'Client', 'Could not get email from cookie');

// --- WSDL mode, a member, the session set by hand (Sympa's sampleClient.php way) ----------------
$m = new SoapClient($wsdl, $options);
$msid = result_of('login as a member', fn() => $m->login($e['SUBSCRIBER'], $e['SUBSCRIBER_PASSWORD']));
$m->__setCookie('sympa_session', (string)$msid);
$r = result_of('checkCookie after __setCookie', fn() => $m->checkCookie());
ok($r === $e['SUBSCRIBER'], 'checkCookie after __setCookie: the member', var_export($r, true));
$r = result_of('which', fn() => $m->which());
ok(is_array($r) && count($r) === 1 && is_string($r[0]) && (kv($r[0])['listAddress'] ?? '') === "bench-discuss@$domain",
    'which: an array of k=v strings', var_export($r, true));
$r = result_of('complexWhich', fn() => $m->complexWhich());
ok(is_array($r) && count($r) === 1 && ($r[0] ?? null) instanceof stdClass && ($r[0]->isSubscriber ?? null) === true && ($r[0]->isOwner ?? null) === false,
    'complexWhich: objects, flags as PHP booleans', var_export($r, true));
fault_is('review refused to a member', fn() => $m->review('bench-discuss'), 'Server', 'Not allowed');
fault_is('fullReview refused to a member', fn() => $m->fullReview('bench-discuss'), 'Client', 'Not enough privileges');

// --- non-WSDL mode, one call -------------------------------------------------------------------
$n = new SoapClient(null, ['location' => $soap_url, 'uri' => 'urn:sympasoap', 'trace' => 1, 'exceptions' => true, 'connection_timeout' => 20]);
$n->__setCookie('sympa_session', (string)$msid);
$r = result_of('getDetails (non-WSDL mode)', fn() => $n->__soapCall('getDetails', ['bench-discuss']));
ok($r instanceof stdClass && ($r->reception ?? '') !== '' && isset($r->gecos), 'getDetails in non-WSDL mode: an object', var_export($r, true));

echo "$passed passed, $failed failed\n";
exit($failed ? 1 : 0);
