#!/bin/sh
# Alertmanager cannot read its webhook token from the environment (it expands no variables in its config),
# so docker-compose.yml passes IDE_MONITOR_WEBHOOK_TOKEN (from .env) and this script writes it to the
# credentials file alertmanager.yml names, on a tmpfs, readable by Alertmanager's user only, then execs it.
set -eu
: "${IDE_MONITOR_WEBHOOK_TOKEN:?is empty: set it in .env (see .env.example)}"
: "${IDE_MONITOR_WEBHOOK_TOKEN_FILE:?must name the credentials_file of alertmanager.yml}"
umask 077
printf '%s' "$IDE_MONITOR_WEBHOOK_TOKEN" > "$IDE_MONITOR_WEBHOOK_TOKEN_FILE"
unset IDE_MONITOR_WEBHOOK_TOKEN
exec /bin/alertmanager "$@"
