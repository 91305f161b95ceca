// The two hook schemas, compiled once per process. Only what Rhythm reads is checked, so a
// payload GitLab grows new fields in keeps passing; nothing here walks unknown nesting.
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { issueEvents, noteEvents } from './event.js';

const schemaDir = new URL('../../schemas/', import.meta.url);

function load(name: string): object {
  return JSON.parse(readFileSync(new URL(name, schemaDir), 'utf8')) as object;
}

let compiled: { issue: ValidateFunction; note: ValidateFunction } | null = null;

function validators(): { issue: ValidateFunction; note: ValidateFunction } {
  if (!compiled) {
    const ajv = new Ajv2020({ strict: true, allErrors: false });
    compiled = {
      issue: ajv.compile(load('issue-hook.schema.json')),
      note: ajv.compile(load('note-hook.schema.json')),
    };
  }
  return compiled;
}

/** The validator for an event Rhythm handles, or null for every other event. */
export function validatorFor(event: string): ValidateFunction | null {
  if (issueEvents.has(event)) return validators().issue;
  if (noteEvents.has(event)) return validators().note;
  return null;
}

/** Short, one-per-line problems for the response body (GitLab shows it in the hook's log). */
export function describeErrors(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
}
