# wwsympa %post: %tmpfiles_create_package, then %systemd_post wwsympa.socket wwsympa.service
# (presets: on Fedora the socket stays disabled until "systemctl enable --now wwsympa.socket").
systemd-tmpfiles --create /usr/lib/tmpfiles.d/wwsympa.conf >/dev/null 2>&1 || :
if [ "$1" -eq 1 ]; then
    if [ -x /usr/lib/systemd/systemd-update-helper ]; then
        /usr/lib/systemd/systemd-update-helper install-system-units wwsympa.socket wwsympa.service || :
    else
        systemctl --no-reload preset wwsympa.socket wwsympa.service >/dev/null 2>&1 || :
    fi
fi
