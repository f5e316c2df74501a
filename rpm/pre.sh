# wwsympa %pre: the system user, as %sysusers_create_package does (rpm >= 4.19 also creates it
# from the sysusers.d file); getent/useradd where systemd-sysusers is missing.
if command -v systemd-sysusers >/dev/null 2>&1; then
    systemd-sysusers --replace=/usr/lib/sysusers.d/wwsympa.conf - <<'SYSUSERS' || :
u wwsympa - "wwsympa web interface" /var/lib/wwsympa
SYSUSERS
else
    getent group wwsympa >/dev/null || groupadd -r wwsympa || :
    getent passwd wwsympa >/dev/null ||
        useradd -r -g wwsympa -d /var/lib/wwsympa -s /sbin/nologin -c "wwsympa web interface" wwsympa || :
fi
