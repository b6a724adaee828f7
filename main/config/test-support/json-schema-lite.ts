// A tiny JSON Schema (draft-07 subset) checker for tests: exactly the keywords
// schema/services.schema.json uses. No ajv is installed; this keeps the schema honest anyway.
type S = SchemaObject | boolean;

interface SchemaObject {
  $ref?: string;
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  minLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  items?: S;
  required?: string[];
  properties?: Record<string, S>;
  patternProperties?: Record<string, S>;
  additionalProperties?: S;
  propertyNames?: S;
  allOf?: S[];
  anyOf?: S[];
  oneOf?: S[];
  not?: S;
  if?: S;
  then?: S;
  else?: S;
}

export function validateSchema(root: Record<string, unknown>, value: unknown): string[] {
  const errors: string[] = [];
  check(root, root, value, '$', errors);
  return errors;
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function check(root: Record<string, unknown>, schema: S, v: unknown, at: string, errors: string[]): void {
  if (schema === true) return;
  if (schema === false) return void errors.push(`${at}: not allowed`);
  const s = schema;
  if (s.$ref) {
    const target = s.$ref
      .replace(/^#\//, '')
      .split('/')
      .reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], root) as S | undefined;
    if (!target) throw new Error(`unresolved $ref ${s.$ref}`);
    check(root, target, v, at, errors);
  }
  if (s.type) {
    const t = typeOf(v);
    const types: string[] = Array.isArray(s.type) ? s.type : [s.type];
    if (!types.some((x) => x === t || (x === 'number' && t === 'integer'))) errors.push(`${at}: expected ${types.join('|')}, got ${t}`);
  }
  if (s.const !== undefined && v !== s.const) errors.push(`${at}: expected ${JSON.stringify(s.const)}`);
  if (s.enum && !s.enum.includes(v)) errors.push(`${at}: not one of ${s.enum.join(', ')}`);
  if (typeof v === 'string') {
    if (s.minLength !== undefined && v.length < s.minLength) errors.push(`${at}: too short`);
    if (s.pattern && !new RegExp(s.pattern, 'u').test(v)) errors.push(`${at}: does not match ${s.pattern}`);
  }
  if (typeof v === 'number') {
    if (s.minimum !== undefined && v < s.minimum) errors.push(`${at}: below ${s.minimum}`);
    if (s.maximum !== undefined && v > s.maximum) errors.push(`${at}: above ${s.maximum}`);
  }
  if (Array.isArray(v)) {
    if (s.minItems !== undefined && v.length < s.minItems) errors.push(`${at}: too few items`);
    if (s.items !== undefined) v.forEach((it, i) => check(root, s.items!, it, `${at}[${i}]`, errors));
  }
  if (typeOf(v) === 'object') {
    const o = v as Record<string, unknown>;
    for (const r of s.required ?? []) if (!(r in o)) errors.push(`${at}: missing ${r}`);
    for (const [k, val] of Object.entries(o)) {
      let matched = false;
      if (s.properties && k in s.properties) {
        matched = true;
        check(root, s.properties[k], val, `${at}.${k}`, errors);
      }
      for (const [p, ps] of Object.entries(s.patternProperties ?? {})) {
        if (new RegExp(p, 'u').test(k)) {
          matched = true;
          check(root, ps, val, `${at}.${k}`, errors);
        }
      }
      if (s.propertyNames) check(root, s.propertyNames, k, `${at}.<${k}>`, errors);
      if (!matched && s.additionalProperties !== undefined) check(root, s.additionalProperties, val, `${at}.${k}`, errors);
    }
  }
  for (const sub of s.allOf ?? []) check(root, sub, v, at, errors);
  if (s.anyOf && !s.anyOf.some((sub) => validateAt(root, sub, v))) errors.push(`${at}: matches none of anyOf`);
  if (s.oneOf) {
    const n = s.oneOf.filter((sub) => validateAt(root, sub, v)).length;
    if (n !== 1) errors.push(`${at}: matches ${n} of oneOf (expected exactly 1)`);
  }
  if (s.not !== undefined && validateAt(root, s.not, v)) errors.push(`${at}: matches what "not" excludes`);
  if (s.if !== undefined) {
    const branch = validateAt(root, s.if, v) ? s.then : s.else;
    if (branch !== undefined) check(root, branch, v, at, errors);
  }
}

function validateAt(root: Record<string, unknown>, schema: S, v: unknown): boolean {
  const e: string[] = [];
  check(root, schema, v, '$', e);
  return e.length === 0;
}
