/**
 * Compiled validators for the hot intake formats (Ajv): a delivery that passes is normalised
 * straight away; one that fails is validated again by the format's zod schema, which alone
 * writes the 400 `details`. The JSON schemas here mirror the zod ones in `schemas.ts` exactly
 * (lengths in UTF-16 code units like zod, unknown properties allowed like `z.object`), so the
 * compiled check never accepts what zod refuses.
 */
import { Ajv, type SchemaObject, type ValidateFunction } from 'ajv';
import { MAX_ANNOTATIONS, MAX_ANNOTATION_VALUE, MAX_LABELS, MAX_LABEL_NAME, MAX_LABEL_VALUE, validTimestamp } from './schemas.ts';

// `unicode: false` counts lengths in UTF-16 code units as zod does (Ajv deprecates the option but keeps it;
// its deprecation notice is the only thing the silenced logger would print: strict mode throws).
const ajv = new Ajv({ unicode: false, strict: true, logger: false, formats: { timestamp: validTimestamp } });

/** A bounded string-to-string map (see `labelsSchema` and `annotationsSchema`). */
function boundedMap(maxEntries: number, maxValue: number): SchemaObject {
  return {
    type: 'object',
    maxProperties: maxEntries,
    propertyNames: { type: 'string', minLength: 1, maxLength: MAX_LABEL_NAME },
    additionalProperties: { type: 'string', maxLength: maxValue },
  };
}

export const labelsJsonSchema = boundedMap(MAX_LABELS, MAX_LABEL_VALUE);
export const annotationsJsonSchema = boundedMap(MAX_ANNOTATIONS, MAX_ANNOTATION_VALUE);
/** An RFC 3339 timestamp (`timestampSchema`). */
export const timestampJsonSchema: SchemaObject = { type: 'string', maxLength: 64, format: 'timestamp' };

/** Compiles `schema` once; the validator is a plain predicate. */
export function compileValidator<T>(schema: SchemaObject): (value: unknown) => value is T {
  const validate: ValidateFunction = ajv.compile(schema);
  return (value: unknown): value is T => validate(value);
}
