import { fileURLToPath } from 'node:url';
import type { ActionAlert } from '../../../../src/bridge/actions/model.js';
import { actionDefinitionSchema, type ActionDefinition } from '../../../../src/bridge/actions/schema.js';

/** Shared helpers for the action tests (not a test file itself). */
export const FIXTURES = fileURLToPath(new URL('../../../fixtures/actions/', import.meta.url));

export function alert(overrides: Partial<ActionAlert> = {}): ActionAlert {
  return {
    fingerprint: 'fp-1',
    status: 'firing',
    labels: { alertname: 'IdeLspCompletionSlow', severity: 'critical', instance: 'ide-1:10451' },
    annotations: { summary: 'Completion is slow.' },
    startsAt: '2024-05-01T10:00:00.000Z',
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus:9090/graph',
    ...overrides,
  };
}

/** A definition as the config loader would produce it (defaults applied). */
export function definition(input: Record<string, unknown>): ActionDefinition {
  return actionDefinitionSchema.parse(input);
}
