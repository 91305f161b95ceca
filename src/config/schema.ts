// The JSON Schema of rhythm.yml (schemas/config.schema.json), compiled once. Validation fills in
// defaults in place, so the data that passes is the shape RhythmConfig describes.
import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

export const configSchemaUrl = new URL('../../schemas/config.schema.json', import.meta.url);

let compiled: ValidateFunction | undefined;

export function readConfigSchema(): Record<string, unknown> {
  return JSON.parse(readFileSync(configSchemaUrl, 'utf8')) as Record<string, unknown>;
}

function validator(): ValidateFunction {
  if (!compiled) {
    const ajv = new Ajv2020({
      strict: true,
      allErrors: true,
      useDefaults: true,
      discriminator: true,
      // parentSchema and data on each error let messages name what was expected and found.
      verbose: true,
    });
    addFormats.default(ajv);
    compiled = ajv.compile(readConfigSchema());
  }
  return compiled;
}

/** Validates and fills defaults into `data` in place; returns ajv's errors (empty when valid). */
export function validateConfigData(data: unknown): ErrorObject[] {
  const validate = validator();
  return validate(data) ? [] : [...(validate.errors ?? [])];
}
