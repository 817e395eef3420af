// `parseInput(schema, value)`: each route parses its body, query or params through one schema before
// calling its command, so a command receives only checked input; failures become a 400 naming the field.
import type { z } from 'zod';
import { describeIssues } from '../../schemas.js';
import { HttpError } from './errors.js';

export function parseInput<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value ?? {});
  if (!result.success) {
    const details = describeIssues(result.error);
    throw new HttpError(400, details.map((d) => `${d.field}: ${d.message}`).join('; '), details, 'invalid_input');
  }
  return result.data;
}
