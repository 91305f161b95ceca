// `npm run schemas`: writes schemas/config.schema.json from src/config/schema-source.ts, the
// schema's source. test/config/schema.test.ts fails while the committed file is out of date.
import { writeFileSync } from 'node:fs';
import { configSchemaUrl } from '../src/config/schema.js';
import { schemaJson } from '../src/config/schema-json.js';
import { configSchema } from '../src/config/schema-source.js';

writeFileSync(configSchemaUrl, schemaJson(configSchema));
process.stdout.write(`wrote ${configSchemaUrl.pathname}\n`);
