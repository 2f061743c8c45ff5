import { z } from 'zod';
import { duration, regex } from '../../config/schema-types.js';
import { PLACEHOLDER_SHAPE, checkUrlTemplate, unknownPlaceholders } from './template.js';

/**
 * `bridge.actions:` — automated responses. Each entry says which alerts it applies to (`match`, `match_re`),
 * what runs when one fires (`trigger`) and what undoes it when it resolves (`rollback`). Alert data reaches
 * an `http` step only through JSON-safe placeholders and an `exec` step only through environment variables
 * and stdin; see docs/actions.md.
 */

/** Label → value records; keys are checked on the whole record so the error names the offending key. */
const byLabel = <T extends z.ZodType<string, string>>(value: T) =>
  z.record(z.string(), value).superRefine((record, ctx) => {
    for (const name of Object.keys(record)) {
      if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name))
        ctx.addIssue({ code: 'custom', path: [name], message: 'must be a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)' });
    }
  });

/** Action names end up as a metric label value and in audit records, so keep them plain. */
const actionName = z
  .string()
  .regex(/^[a-zA-Z_][a-zA-Z0-9_.-]{0,63}$/, 'must start with a letter or "_" and contain only letters, digits, "_", "-", "." (at most 64 characters)');

/** Checked on the whole record (not as a record key schema) so the error names the offending key. */
const environment = z.record(z.string(), z.string()).superRefine((env, ctx) => {
  for (const name of Object.keys(env)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      ctx.addIssue({ code: 'custom', path: [name], message: 'must be an environment variable name ([A-Za-z_][A-Za-z0-9_]*)' });
    else if (name.toUpperCase().startsWith('ALERT_')) ctx.addIssue({ code: 'custom', path: [name], message: 'ALERT_* variables are reserved for alert data' });
  }
});

const noPlaceholderInArgv = (arg: string) => !PLACEHOLDER_SHAPE.test(arg);

const httpStep = z.strictObject({
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('POST'),
  url: z.string().superRefine((url, ctx) => {
    const problem = checkUrlTemplate(url);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  }),
  headers: z.record(z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'must be an HTTP header name'), z.string()).optional(),
  /** Any JSON value; string values may contain placeholders, replaced after parsing (never by text splicing). */
  body: z
    .json()
    .superRefine((body, ctx) => {
      for (const { path, placeholder } of unknownPlaceholders(body)) {
        ctx.addIssue({
          code: 'custom',
          path,
          message: `unknown placeholder ${JSON.stringify(placeholder)}: use {{ labels.NAME }}, {{ annotations.NAME }}, {{ fingerprint }}, {{ episode }}, {{ status }}, {{ phase }}, {{ starts_at }} or {{ ends_at }}`,
        });
      }
    })
    .optional(),
});

const execStep = z.strictObject({
  argv: z
    .array(
      z.string().refine(noPlaceholderInArgv, {
        message: 'argv is never templated: read alert labels from ALERT_<LABEL> environment variables or the alert JSON on stdin',
      }),
    )
    .min(1, 'argv needs at least the program to run, e.g. ["/usr/local/bin/restart-indexer"]')
    .refine((argv) => argv.length === 0 || argv[0] !== '', { message: 'argv[0] (the program) must not be empty', path: [0] }),
  working_dir: z.string().min(1).optional(),
  env: environment.optional(),
});

/**
 * A command for the LSP proxies that report to this server's ingest API (`lsp-proxy`): restart a language
 * server in place, or open/close a circuit breaker on some of its methods. `server` and `instance` may use
 * placeholders (`{{ labels.server }}`); they pick the proxies (see src/ingest/control.ts).
 */
const lspStep = z
  .strictObject({
    command: z.enum(['restart', 'breaker_open', 'breaker_close']),
    server: z.string().min(1).optional(),
    /** A proxy's instance name (`lsp-proxy:<host>:<pid>`), for one proxy only. */
    instance: z.string().min(1).optional(),
    /** Breakers only: method names or patterns with `*` (default every method). */
    methods: z.array(z.string().min(1)).min(1).optional(),
    /** How long the command waits for a proxy to pick it up and answer. */
    ttl: duration.default(300_000),
  })
  .refine((s) => s.methods === undefined || s.command !== 'restart', {
    message: 'methods go with breaker_open and breaker_close, not restart',
    path: ['methods'],
  })
  .refine((s) => s.server !== undefined || s.instance !== undefined, { message: 'name the proxies: server (e.g. "{{ labels.server }}") or instance' });

export type HttpStep = z.output<typeof httpStep>;
export type ExecStep = z.output<typeof execStep>;
export type LspStep = z.output<typeof lspStep>;
export type ActionStep = { readonly http: HttpStep } | { readonly exec: ExecStep } | { readonly lsp: LspStep };

/**
 * Written as one object with two optional keys (rather than a zod union) so that a mistake inside a step is
 * reported at its exact path (`trigger.exec.argv`) instead of as "no union member matched".
 */
const step = z
  .strictObject({ http: httpStep.optional(), exec: execStep.optional(), lsp: lspStep.optional() })
  .superRefine((value, ctx) => {
    const kinds = [value.http, value.exec, value.lsp].filter((k) => k !== undefined).length;
    if (kinds !== 1) ctx.addIssue({ code: 'custom', message: 'a step needs exactly one of "http", "exec" or "lsp"' });
  })
  .transform((value): ActionStep =>
    value.http !== undefined ? { http: value.http } : value.lsp !== undefined ? { lsp: value.lsp } : { exec: value.exec as ExecStep },
  );

export const actionDefinitionSchema = z.strictObject({
  name: actionName,
  /** Label → value; every entry must be equal. */
  match: byLabel(z.string()).optional(),
  /** Label → regular expression, anchored at both ends like Alertmanager's matchers. */
  match_re: byLabel(regex).optional(),
  trigger: step,
  rollback: step.optional(),
  timeout: duration.default(30_000),
  cooldown: duration.default(300_000),
});

export type ActionDefinition = z.output<typeof actionDefinitionSchema>;

/**
 * Names are how audit records, metrics and cooldowns tell actions apart, so they must be unique. Tolerates
 * entries that failed their own validation, so duplicates are reported together with other mistakes.
 */
function checkUniqueNames(definitions: readonly unknown[], ctx: z.RefinementCtx): void {
  // `when: () => true` runs this even when the value failed the array check: it may be anything.
  if (!Array.isArray(definitions)) return;
  const seen = new Map<string, number>();
  definitions.forEach((definition, index) => {
    const name = definition !== null && typeof definition === 'object' ? (definition as { name?: unknown }).name : undefined;
    if (typeof name !== 'string') return;
    const first = seen.get(name);
    if (first === undefined) seen.set(name, index);
    else ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `duplicate action name ${JSON.stringify(name)} (first used by entry ${first})` });
  });
}

export const actionDefinitionsSchema = z.array(actionDefinitionSchema).superRefine(checkUniqueNames, { when: () => true });
