import * as fs from 'fs';
import * as path from 'path';

const OPENAPI = path.resolve(__dirname, '..', '..', 'api', 'openapi');

/** The OpenAPI documents of the platform API and of the sidebar API. */
export const OPENAPI_DOCUMENTS = ['platform.json', 'sidebar.json'];

/**
 * The union of one enum of `components.schemas` over both committed
 * OpenAPI documents. A document that is missing, or lists no such enum,
 * fails loudly: the lists come from the wire contract and nowhere else.
 */
function documentedEnum(schema: string, property: string): string[] {
  const codes = new Set<string>();
  for (const name of OPENAPI_DOCUMENTS) {
    const file = path.join(OPENAPI, name);
    if (!fs.existsSync(file)) {
      throw new Error(
        `${file} is missing: export the OpenAPI documents and commit them`
      );
    }
    const document = JSON.parse(fs.readFileSync(file, 'utf-8'));
    const values: unknown =
      document?.components?.schemas?.[schema]?.properties?.[property]?.enum;
    if (!Array.isArray(values) || values.length === 0) {
      throw new Error(`${file} lists no ${schema}.${property} codes`);
    }
    values.forEach(code => codes.add(String(code)));
  }
  return [...codes].sort();
}

/**
 * Every reason code the servers may answer with:
 * `components.schemas.ErrorBody.properties.reason.enum`.
 */
export function reasonCodes(): string[] {
  return documentedEnum('ErrorBody', 'reason');
}

/**
 * Every reason code a form field's message may carry (`field_reasons`):
 * `components.schemas.FieldReason.properties.reason.enum`.
 */
export function fieldReasonCodes(): string[] {
  return documentedEnum('FieldReason', 'reason');
}
