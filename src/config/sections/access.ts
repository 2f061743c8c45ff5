import { z } from 'zod';

/** Who may do what: viewer < operator < admin (docs and SECURITY.md have the table of routes × roles). */
const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

const BCRYPT_HASH = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/;

const principalSchema = z.strictObject({
  /** Recorded in the audit log and as the silence's createdBy. */
  name: z.string().regex(/^[A-Za-z0-9_.@-]{1,64}$/, 'must be 1–64 letters, digits, "_", ".", "@" or "-"'),
  role: z.enum(ROLES),
  /** bcrypt hash of the bearer token this principal sends (`htpasswd -nBC 10 "" | tr -d ':\n'`), never the token. */
  token_hash: z.string().regex(BCRYPT_HASH, 'must be a bcrypt hash of the token (e.g. from `htpasswd -nBC 10 "" | tr -d \':\\n\'`), never the token itself'),
});

/**
 * `access:` — people and API clients, each with a role, and whether the status page has a public view.
 * Machine credentials stay separate and narrow: `bridge.webhook.token` only posts Alertmanager
 * notifications, `ingest.token` only ingests. Without principals and basic-auth roles, the old single
 * webhook token keeps the rights it had (the whole alert API), with a startup warning.
 */
export const accessSchema = z
  .strictObject({
    principals: z
      .array(principalSchema)
      .default([])
      .refine((list) => new Set(list.map((p) => p.name)).size === list.length, 'principal names must be unique'),
    /** The web config's basic-auth users → their role (a user not listed is a viewer). */
    basic_auth_roles: z.record(z.string().min(1), z.enum(ROLES)).default({}),
    /**
     * Serve a reduced status page and snapshot (health bars, alert counts by severity; no alert names,
     * labels, hosts or LSP method details) to callers who are not signed in.
     */
    public_status: z.boolean().default(false),
  })
  .prefault({});

export type AccessConfig = z.output<typeof accessSchema>;
