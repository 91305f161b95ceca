// The JSON Schema of rhythm.yml (schema-source.ts), compiled once. Validation fills in defaults in
// place, so the data that passes is the shape RhythmConfig describes.
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { configSchema } from './schema-source.js';

/** The generated copy editors read (`npm run schemas` writes it). */
export const configSchemaUrl = new URL('../../schemas/config.schema.json', import.meta.url);

let compiled: ValidateFunction | undefined;

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
    compiled = ajv.compile(configSchema);
  }
  return compiled;
}

/** Validates and fills defaults into `data` in place; returns ajv's errors (empty when valid). */
export function validateConfigData(data: unknown): ErrorObject[] {
  const validate = validator();
  return validate(data) ? [] : [...(validate.errors ?? [])];
}
