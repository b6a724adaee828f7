// A deliberately small runtime schema language for API payloads. Peers (renderer, WebSocket
// clients) are untrusted, so every field is checked and unknown keys are rejected.

export type Schema =
  | { kind: 'string'; max?: number; pattern?: RegExp }
  | { kind: 'number'; int?: boolean; min?: number; max?: number }
  | { kind: 'boolean' }
  | { kind: 'literal'; values: readonly (string | number | boolean)[] }
  | { kind: 'array'; of: Schema; max: number }
  | { kind: 'object'; fields: Record<string, Schema>; optional?: readonly string[] }
  | { kind: 'record'; of: Schema; maxKeys: number }
  | { kind: 'union'; tag: string; variants: Record<string, Schema & { kind: 'object' }> }
  | { kind: 'oneOf'; of: readonly Schema[]; describe: string }
  | { kind: 'any-json'; maxBytes: number };

export const s = {
  string: (max = 4096, pattern?: RegExp): Schema => ({ kind: 'string', max, pattern }),
  int: (min = 0, max = Number.MAX_SAFE_INTEGER): Schema => ({ kind: 'number', int: true, min, max }),
  number: (min = -Number.MAX_VALUE, max = Number.MAX_VALUE): Schema => ({ kind: 'number', min, max }),
  boolean: (): Schema => ({ kind: 'boolean' }),
  literal: (...values: (string | number | boolean)[]): Schema => ({ kind: 'literal', values }),
  array: (of: Schema, max = 1000): Schema => ({ kind: 'array', of, max }),
  object: (fields: Record<string, Schema>, optional: string[] = []): Schema & { kind: 'object' } => ({
    kind: 'object',
    fields,
    optional,
  }),
  record: (of: Schema, maxKeys = 1000): Schema => ({ kind: 'record', of, maxKeys }),
  union: (tag: string, variants: Record<string, Schema & { kind: 'object' }>): Schema => ({ kind: 'union', tag, variants }),
  json: (maxBytes = 1 << 20): Schema => ({ kind: 'any-json', maxBytes }),
  /** Valid when any alternative is; `describe` names them in the problem. */
  oneOf: (describe: string, ...of: Schema[]): Schema => ({ kind: 'oneOf', of, describe }),
};

/** Service names as the config accepts them. */
export const SERVICE_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,62}$/;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Returns the problems found, empty when the value conforms. Stops after 20 problems. */
export function checkPayload(schema: Schema, value: unknown, path = '$'): string[] {
  const out: string[] = [];
  walk(schema, value, path, out);
  return out;
}

function walk(schema: Schema, v: unknown, path: string, out: string[]): void {
  if (out.length >= 20) return;
  switch (schema.kind) {
    case 'string':
      if (typeof v !== 'string') return void out.push(`${path}: expected a string`);
      if (schema.max !== undefined && v.length > schema.max) out.push(`${path}: longer than ${schema.max} characters`);
      else if (schema.pattern && !schema.pattern.test(v)) out.push(`${path}: does not match ${schema.pattern}`);
      return;
    case 'number':
      if (typeof v !== 'number' || !Number.isFinite(v)) return void out.push(`${path}: expected a number`);
      if (schema.int && !Number.isInteger(v)) out.push(`${path}: expected an integer`);
      if (schema.min !== undefined && v < schema.min) out.push(`${path}: below ${schema.min}`);
      if (schema.max !== undefined && v > schema.max) out.push(`${path}: above ${schema.max}`);
      return;
    case 'boolean':
      if (typeof v !== 'boolean') out.push(`${path}: expected a boolean`);
      return;
    case 'literal':
      if (!schema.values.includes(v as string)) out.push(`${path}: expected one of ${schema.values.join(', ')}`);
      return;
    case 'array':
      if (!Array.isArray(v)) return void out.push(`${path}: expected an array`);
      if (v.length > schema.max) return void out.push(`${path}: more than ${schema.max} items`);
      v.forEach((item, i) => walk(schema.of, item, `${path}[${i}]`, out));
      return;
    case 'record': {
      if (!isPlainObject(v)) return void out.push(`${path}: expected an object`);
      const keys = Object.keys(v);
      if (keys.length > schema.maxKeys) return void out.push(`${path}: more than ${schema.maxKeys} keys`);
      for (const k of keys) walk(schema.of, v[k], `${path}.${k}`, out);
      return;
    }
    case 'object': {
      if (!isPlainObject(v)) return void out.push(`${path}: expected an object`);
      for (const k of Object.keys(v)) {
        if (!Object.hasOwn(schema.fields, k)) out.push(`${path}: unexpected key "${k}"`);
      }
      for (const [k, fs] of Object.entries(schema.fields)) {
        if (v[k] === undefined) {
          if (!schema.optional?.includes(k)) out.push(`${path}.${k}: required`);
          continue;
        }
        walk(fs, v[k], `${path}.${k}`, out);
      }
      return;
    }
    case 'union': {
      if (!isPlainObject(v)) return void out.push(`${path}: expected an object`);
      const tag = v[schema.tag];
      const variant = typeof tag === 'string' && Object.hasOwn(schema.variants, tag) ? schema.variants[tag] : undefined;
      if (!variant) return void out.push(`${path}.${schema.tag}: expected one of ${Object.keys(schema.variants).join(', ')}`);
      walk(variant, v, path, out);
      return;
    }
    case 'oneOf':
      if (!schema.of.some((alt) => checkPayload(alt, v, path).length === 0)) out.push(`${path}: expected ${schema.describe}`);
      return;
    case 'any-json': {
      let size: number;
      try {
        size = JSON.stringify(v)?.length ?? 0;
      } catch {
        return void out.push(`${path}: not JSON-serialisable`);
      }
      if (size > schema.maxBytes) out.push(`${path}: larger than ${schema.maxBytes} bytes`);
      return;
    }
  }
}
