// Canonical N-Quads (RDFC-1.0, through rdf-canonize 5, which escapes as RDFC-1.0 says) of a
// JSON-LD document as jsonld.js computes them: the independent reference for core's golden
// files (core/src/credential/examples/*.nq).
// Contexts come only from core's bundled copies; any other URL is refused.
// Use: node canonize.mjs DOCUMENT.json > DOCUMENT.nq   (after `npm install` here)
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import jsonld from 'jsonld';

const here = dirname(fileURLToPath(import.meta.url));
const bundled = join(here, '..', '..', 'core', 'src', 'credential', 'contexts');
const contexts = {
  'https://www.w3.org/ns/credentials/v2': 'credentials-v2.jsonld',
  'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json': 'ob-v3p0-context-3.0.3.json',
  'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json': 'ob-v3p0-context-3.0.1.json',
  'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json': 'ob-v3p0-context-3.0.2.json',
  'https://purl.imsglobal.org/spec/ob/v3p0/extensions.json': 'ob-v3p0-extensions.json',
  // The placeholder of the first releases, for the old form's golden file only.
  'https://skillpack.example/contexts/microcredential-v1.jsonld': 'skillpack-microcredential-v1.jsonld',
};

const documentLoader = async (url) => {
  const file = contexts[url];
  if (!file) throw new Error(`no bundled context for ${url}`);
  return { contextUrl: null, documentUrl: url, document: JSON.parse(readFileSync(join(bundled, file), 'utf8')) };
};

const doc = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const nquads = await jsonld.canonize(doc, {
  algorithm: 'RDFC-1.0', format: 'application/n-quads', documentLoader, safe: true,
});
process.stdout.write(nquads);
