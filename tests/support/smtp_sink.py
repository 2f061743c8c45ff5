"""A real SMTP server for the email channel's tests: aiosmtpd (Debian's python3-aiosmtpd) on 127.0.0.1 with
STARTTLS (required) and AUTH PLAIN/LOGIN (required, only over TLS). Each accepted message is parsed with
Python's own MIME parser and saved to OUT_DIR as <n>.eml (the raw message) and <n>.json (envelope, headers
and every text part), so the test reads real MIME as a mail client would.

Recipients steer failures, as a real server's answers: reject-…@… gets 550 (no such mailbox), later-…@…
gets 451 (try again later). A wrong password gets 535.

Usage: /usr/bin/python3 smtp_sink.py PORT OUT_DIR CERT KEY USER PASSWORD
"""
import email
import email.policy
import json
import os
import signal
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

port, out_dir, cert, key, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]


class Handler:
    def __init__(self):
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split('@')[0]
        if local.startswith('reject'):
            return '550 5.1.1 <%s>: Recipient address rejected: User unknown' % address
        if local.startswith('later'):
            return '451 4.3.0 <%s>: Temporary failure, try again later' % address
        envelope.rcpt_tos.append(address)
        return '250 OK'

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(out_dir, '%04d' % self.count)
        raw = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=email.policy.default)
        parts = []
        for part in message.walk():
            if part.is_multipart():
                continue
            parts.append({'content_type': part.get_content_type(), 'charset': part.get_content_charset(), 'transfer_encoding': part.get('Content-Transfer-Encoding'), 'content': part.get_content()})
        record = {
            'mail_from': envelope.mail_from,
            'rcpt_tos': envelope.rcpt_tos,
            'tls': session.ssl is not None,
            'authenticated': bool(session.authenticated),
            'login': session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None,
            'content_type': message.get_content_type(),
            'headers': {name: str(message[name]) for name in ['Subject', 'From', 'To', 'Cc', 'References', 'In-Reply-To', 'Message-ID'] if message[name] is not None},
            'parts': parts,
        }
        with open(base + '.eml', 'wb') as f:
            f.write(raw)
        # Written under a temporary name and renamed: the test never reads half a file.
        with open(base + '.json.tmp', 'w') as f:
            json.dump(record, f)
        os.rename(base + '.json.tmp', base + '.json')
        return '250 2.0.0 Ok: queued as %04d' % self.count


def authenticator(server, session, envelope, mechanism, auth_data):
    if isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user and auth_data.password.decode() == password:
        return AuthResult(success=True, auth_data=auth_data)
    return AuthResult(success=False, handled=False)


context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
context.load_cert_chain(cert, key)
controller = Controller(
    Handler(),
    hostname='127.0.0.1',
    port=port,
    tls_context=context,
    require_starttls=True,
    authenticator=authenticator,
    auth_required=True,
    auth_require_tls=True,
)
controller.start()
print('READY', flush=True)
stopped = threading.Event()
signal.signal(signal.SIGTERM, lambda *_: stopped.set())
signal.signal(signal.SIGINT, lambda *_: stopped.set())
stopped.wait()
controller.stop()
