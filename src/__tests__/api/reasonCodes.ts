import * as fs from 'fs';
import * as path from 'path';

const OPENAPI = path.resolve(__dirname, '..', '..', 'api', 'openapi');

/** The OpenAPI documents of the platform API and of the sidebar API. */
export const OPENAPI_DOCUMENTS = ['platform.json', 'sidebar.json'];

/**
 * Every reason code the servers may answer with: the union of
 * `components.schemas.ErrorBody.properties.reason.enum` of the OpenAPI
 * documents when they are committed, else the list in `reasons.json`.
 * The one place that knows where the list comes from.
 */
export function reasonCodes(): string[] {
  const documents = OPENAPI_DOCUMENTS.map(name => path.join(OPENAPI, name));
  const present = documents.filter(file => fs.existsSync(file));
  const codes = new Set<string>();
  if (present.length > 0) {
    for (const file of present) {
      const document = JSON.parse(fs.readFileSync(file, 'utf-8'));
      const values: unknown =
        document?.components?.schemas?.ErrorBody?.properties?.reason?.enum;
      if (!Array.isArray(values)) {
        throw new Error(`${file} lists no ErrorBody reason codes`);
      }
      values.forEach(code => codes.add(String(code)));
    }
  } else {
    const listed = JSON.parse(
      fs.readFileSync(path.join(OPENAPI, 'reasons.json'), 'utf-8')
    );
    (listed.reasons as string[]).forEach(code => codes.add(code));
  }
  return [...codes].sort();
}
