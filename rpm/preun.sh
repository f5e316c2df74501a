# wwsympa %preun: %systemd_preun wwsympa.socket wwsympa.service (stop and disable on erase only).
if [ "$1" -eq 0 ]; then
    if [ -x /usr/lib/systemd/systemd-update-helper ]; then
        /usr/lib/systemd/systemd-update-helper remove-system-units wwsympa.socket wwsympa.service || :
    else
        systemctl --no-reload disable --now wwsympa.socket wwsympa.service >/dev/null 2>&1 || :
    fi
fi
