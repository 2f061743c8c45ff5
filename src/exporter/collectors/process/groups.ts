import { z } from 'zod';
import { regex } from '../../../config/schema-types.js';

/**
 * A group name becomes the `group` label value of every `ide_process_*` series and appears in alert
 * texts; keeping it to a plain identifier-like set spares users quoting surprises in PromQL and templates.
 */
const GROUP_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.:-]*$/;

/** `comm: rust-analyzer` and `comm: [rust-analyzer, ra-multiplex]` mean the same. */
const names = z
  .union([z.string().min(1, 'must not be empty'), z.array(z.string().min(1, 'must not be empty')).min(1, 'must list at least one name')])
  .transform((value) => (typeof value === 'string' ? [value] : value));

/**
 * One group of processes. Its matchers are ORed: a process belongs to the group when any of them matches
 * (a language server found by name or, for one started by a wrapper, by its command line).
 */
const processGroupSchema = z
  .strictObject({
    name: z
      .string()
      .max(64, 'must be at most 64 characters')
      .regex(GROUP_NAME, 'must be letters, digits, "_", ".", ":" or "-", not starting with a punctuation mark'),
    /** Executable names: the kernel's comm (first 15 bytes of the executable's name) or the basename of argv[0]. */
    comm: names.optional(),
    /** A regular expression searched (unanchored) in the command line, its arguments joined by single spaces. */
    cmdline: regex.optional(),
    /** A file holding the pid of the one process of the group, read on every scrape (under --path.rootfs). */
    pid_file: z.string().min(1, 'must not be empty').optional(),
  })
  .superRefine((group, ctx) => {
    if (group.comm === undefined && group.cmdline === undefined && group.pid_file === undefined) {
      ctx.addIssue({ code: 'custom', message: `group "${group.name}" needs a matcher: comm, cmdline or pid_file` });
    }
  });

export type ProcessGroupConfig = z.output<typeof processGroupSchema>;

/** `collectors.process.groups`: the groups, each name used once. */
export const processGroupsSchema = z
  .array(processGroupSchema)
  .default([])
  .superRefine((groups, ctx) => {
    const first = new Map<string, number>();
    groups.forEach((group, index) => {
      const earlier = first.get(group.name);
      if (earlier === undefined) first.set(group.name, index);
      else ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `duplicate group name "${group.name}" (already used by groups.${earlier})` });
    });
  });
