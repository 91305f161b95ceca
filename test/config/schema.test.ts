// The config schema is what editors show on hover and what the loader enforces: every property
// explains itself, every default is itself valid, every pattern has words for errors; and the
// schemas/config.schema.json editors read is the one generated from schema-source.ts.
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { loadConfigText } from '../../src/config/load.js';
import { configSchemaUrl } from '../../src/config/schema.js';
import { schemaJson } from '../../src/config/schema-json.js';
import { patternMeanings } from '../../src/config/schema-messages.js';
import { configSchema } from '../../src/config/schema-source.js';

type Schema = Record<string, unknown>;

const schema: Schema = configSchema;

/** Every subschema with its JSON pointer. */
function subschemas(node: unknown, pointer = ''): Array<[string, Schema]> {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return [];
  const found: Array<[string, Schema]> = [[pointer, node as Schema]];
  for (const [key, value] of Object.entries(node as Schema)) {
    if (key === 'default' || key === 'enum' || key === 'const' || key === 'required' || key === 'dependentRequired') continue;
    if (key === 'properties' || key === '$defs') {
      for (const [name, child] of Object.entries(value as Schema)) found.push(...subschemas(child, `${pointer}/${key}/${name}`));
    } else if (Array.isArray(value)) {
      value.forEach((child, index) => found.push(...subschemas(child, `${pointer}/${key}/${index}`)));
    } else {
      found.push(...subschemas(value, `${pointer}/${key}`));
    }
  }
  return found;
}

const all = subschemas(schema);

describe('the config schema', () => {
  it('is written to schemas/config.schema.json as generated (run `npm run schemas` after editing schema-source.ts)', () => {
    expect(readFileSync(configSchemaUrl, 'utf8')).toBe(schemaJson(configSchema));
  });

  it('reads the same from the generated JSON as from its source', () => {
    expect(JSON.parse(readFileSync(configSchemaUrl, 'utf8'))).toEqual(configSchema);
  });

  it('is draft 2020-12 with an $id', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(typeof schema.$id).toBe('string');
  });

  it('describes every property and every definition', () => {
    const undescribed = all
      .filter(([pointer]) => /\/(properties|\$defs)\/[^/]+$/.test(pointer))
      .filter(([, sub]) => typeof sub.description !== 'string' || sub.description.length < 10)
      .map(([pointer]) => pointer);
    expect(undescribed).toEqual([]);
    expect(all.filter(([p]) => /\/properties\/[^/]+$/.test(p)).length).toBeGreaterThan(60);
  });

  it('closes every object to unknown keys (a discriminated union closes in its branches)', () => {
    const open = all
      .filter(([, sub]) => sub.type === 'object' && sub.oneOf === undefined && sub.additionalProperties !== false)
      .map(([pointer]) => pointer);
    expect(open).toEqual([]);
  });

  it('has words for every pattern it uses, so errors never show a bare regex', () => {
    const patterns = [...new Set(all.map(([, sub]) => sub.pattern).filter((p): p is string => typeof p === 'string'))];
    expect(patterns.filter((pattern) => !(pattern in patternMeanings))).toEqual([]);
  });

  it('gives defaults that are valid by their own schema', () => {
    const ajv = new Ajv2020({ strict: true, discriminator: true });
    addFormats.default(ajv);
    ajv.addSchema(schema);
    const withDefaults = all.filter(([, sub]) => 'default' in sub);
    expect(withDefaults.length).toBeGreaterThan(30);
    const invalid = withDefaults
      .filter(([pointer, sub]) => !ajv.validate({ $ref: `${String(schema.$id)}#${pointer}` }, sub.default))
      .map(([pointer]) => pointer);
    expect(invalid).toEqual([]);
  });

  it('requires the gitlab block, or the environment in its place', () => {
    const bare = 'boards: []\n';
    const result = loadConfigText(bare, 'rhythm.yml', {});
    expect(result.ok ? [] : result.errors).toEqual([
      'rhythm.yml:1:1 the top level must have "gitlab" (not found); it needs url and token, or set GITLAB_URL and GITLAB_TOKEN',
    ]);
  });
});
