/**
 * Validates a value against a CustomResourceDefinition's structural schema (OpenAPI v3 subset), as the API
 * server does with strict field validation (`kubectl apply --validate=strict`): wrong types, missing
 * required fields, values outside an enum or pattern, and unknown fields are errors. A keyword this
 * validator does not know is an error too, so a newer schema cannot pass by being half understood.
 */
export interface StructuralSchema {
  readonly type?: string;
  readonly properties?: Readonly<Record<string, StructuralSchema>>;
  readonly additionalProperties?: StructuralSchema | boolean;
  readonly items?: StructuralSchema;
  readonly required?: readonly string[];
  readonly enum?: readonly unknown[];
  readonly pattern?: string;
  readonly minLength?: number;
  readonly minimum?: number;
  readonly anyOf?: readonly StructuralSchema[];
  readonly 'x-kubernetes-int-or-string'?: boolean;
  readonly 'x-kubernetes-preserve-unknown-fields'?: boolean;
}

/** Keywords that describe or default, or that list semantics checks beyond a single object: nothing to check. */
const IGNORED = new Set(['default', 'format', 'x-kubernetes-list-map-keys', 'x-kubernetes-list-type', 'x-kubernetes-map-type']);
const KNOWN = new Set([
  'type',
  'properties',
  'additionalProperties',
  'items',
  'required',
  'enum',
  'pattern',
  'minLength',
  'minimum',
  'anyOf',
  'x-kubernetes-int-or-string',
  'x-kubernetes-preserve-unknown-fields',
  ...IGNORED,
]);

/** Every problem found, each as `path: message`; empty when the value is valid. */
export function validateStructural(schema: StructuralSchema, value: unknown, path = ''): string[] {
  for (const keyword of Object.keys(schema)) if (!KNOWN.has(keyword)) throw new Error(`${path || '.'}: schema keyword ${keyword} is not supported`);
  const at = path || '.';
  if (schema['x-kubernetes-int-or-string'] === true) {
    return Number.isInteger(value) || typeof value === 'string' ? [] : [`${at}: expected an integer or a string`];
  }
  if (schema.anyOf !== undefined && !schema.anyOf.some((option) => validateStructural({ ...schema, anyOf: undefined, ...option }, value, path).length === 0)) {
    return [`${at}: matches none of the allowed forms`];
  }
  const typeError = checkType(schema.type, value);
  if (typeError !== undefined) return [`${at}: ${typeError}`];
  const problems: string[] = [];
  if (schema.enum !== undefined && !schema.enum.includes(value)) problems.push(`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  if (typeof value === 'string') {
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value))
      problems.push(`${at}: ${JSON.stringify(value)} does not match ${schema.pattern}`);
    if (schema.minLength !== undefined && value.length < schema.minLength) problems.push(`${at}: shorter than ${schema.minLength}`);
  }
  if (typeof value === 'number' && schema.minimum !== undefined && value < schema.minimum) problems.push(`${at}: below ${schema.minimum}`);
  if (Array.isArray(value) && schema.items !== undefined) {
    const items = schema.items;
    value.forEach((item, i) => problems.push(...validateStructural(items, item, `${path}[${i}]`)));
  }
  if (isObject(value)) {
    for (const name of schema.required ?? []) if (!(name in value)) problems.push(`${path}.${name}: required`);
    for (const [name, child] of Object.entries(value)) {
      const property = schema.properties?.[name];
      if (property !== undefined) problems.push(...validateStructural(property, child, `${path}.${name}`));
      else if (typeof schema.additionalProperties === 'object') problems.push(...validateStructural(schema.additionalProperties, child, `${path}.${name}`));
      // An object schema without properties (metadata, free-form maps) is validated elsewhere or takes anything.
      else if (schema.properties !== undefined && schema.additionalProperties !== true && schema['x-kubernetes-preserve-unknown-fields'] !== true) {
        problems.push(`${path}.${name}: unknown field`);
      }
    }
  }
  return problems;
}

function checkType(type: string | undefined, value: unknown): string | undefined {
  switch (type) {
    case undefined:
      return undefined;
    case 'object':
      return isObject(value) ? undefined : 'expected an object';
    case 'array':
      return Array.isArray(value) ? undefined : 'expected an array';
    case 'string':
      return typeof value === 'string' ? undefined : 'expected a string';
    case 'integer':
      return Number.isInteger(value) ? undefined : 'expected an integer';
    case 'number':
      return typeof value === 'number' ? undefined : 'expected a number';
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'expected a boolean';
    default:
      throw new Error(`schema type ${type} is not supported`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
