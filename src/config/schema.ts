// The JSON Schema of rhythm.yml (schema-source.ts), compiled once. Validation fills in defaults
// in place, so data that passes is a ValidatedConfig: ajv's type guard says so, without a cast.
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { configSchema } from './schema-source.js';
import type { ValidatedConfig } from './types.js';

/** The generated copy editors read (`npm run schemas` writes it). */
export const configSchemaUrl = new URL('../../schemas/config.schema.json', import.meta.url);

let compiled: ValidateFunction<ValidatedConfig> | undefined;

function validator(): ValidateFunction<ValidatedConfig> {
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
    compiled = ajv.compile<ValidatedConfig>(configSchema);
  }
  return compiled;
}

export type SchemaResult = { ok: true; config: ValidatedConfig } | { ok: false; errors: ErrorObject[] };

/** Validates `data`, filling in its defaults in place; the same data back, typed, when it is valid. */
export function validateConfigData(data: unknown): SchemaResult {
  const validate = validator();
  if (validate(data)) return { ok: true, config: data };
  return { ok: false, errors: [...(validate.errors ?? [])] };
}
