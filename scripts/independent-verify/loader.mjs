// What the independent verifiers may read, and nothing else. Digital Bazaar's libraries get
// a document loader that serves the published JSON-LD contexts from byte-for-byte copies
// (contexts/, sources in the README), resolves did:key by decoding the key, and fetches over
// real HTTP only from the loopback hub named on the command line. verifier-core takes no
// loader, so every fetch of this process goes through the same guard: the hub, or an error
// that names the URL. A URL refused is recorded, so a verdict that rests on one is not
// mistaken for the library's view of the credential.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as DidKey from '@digitalbazaar/did-method-key';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';

const here = dirname(fileURLToPath(import.meta.url));

/** The published contexts, each served from its copy in contexts/ (README: where from). */
export const CONTEXTS = {
  'https://www.w3.org/ns/credentials/v2': 'credentials-v2.jsonld',
  'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json': 'ob-v3p0-context-3.0.3.json',
};

const contextDocuments = new Map(
  Object.entries(CONTEXTS).map(([url, file]) => [
    url,
    JSON.parse(readFileSync(join(here, 'contexts', file), 'utf8')),
  ]),
);

const didKey = DidKey.driver();
didKey.use({ multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519Multikey.from });

/** An error for a URL that no rule here serves. */
export class RefusedUrl extends Error {
  constructor(url, why) {
    super(`not served offline: ${url} (${why})`);
    this.name = 'RefusedUrl';
    this.url = url;
  }
}

/**
 * What may be read in one run: `hub` is the loopback hub's base URL (or null), `controllers`
 * maps the id of an issuer that is no did:key (an https address, a did:web) to its controller
 * document, served at that id and, for a did:web, at the https address the did:web method
 * reads it from. Every URL refused is pushed to `refused`.
 */
export class Reach {
  constructor({ hub = null, controllers = new Map() } = {}) {
    this.hub = hub === null ? null : loopbackOrigin(hub);
    this.controllers = controllers;
    this.refused = [];
    this.realFetch = globalThis.fetch.bind(globalThis);
  }

  /** Digital Bazaar's document loader. */
  documentLoader = async (url) => {
    const context = contextDocuments.get(url);
    if (context) return loaded(url, context);
    if (url.startsWith('did:key:')) return loaded(url, await didKey.get({ url }));
    const controller = this.controllerDocument(url);
    if (controller) return loaded(url, controller);
    if (this.fromHub(url)) return loaded(url, await this.fetchJson(url));
    throw this.refuse(url, 'not a published context, a did:key or the loopback hub');
  };

  /** Replaces the process's fetch with one that reaches only the hub (and the controllers). */
  guardFetch() {
    globalThis.fetch = async (input, init) => {
      const url = typeof input === 'string' ? input : (input.url ?? String(input));
      const controller = this.controllerDocument(url) ?? this.didWebDocument(url);
      if (controller) {
        return new Response(JSON.stringify(controller), {
          headers: { 'content-type': 'application/json' },
        });
      }
      if (this.fromHub(url)) return this.realFetch(input, init);
      throw this.refuse(url, 'no network here but the loopback hub');
    };
  }

  fromHub(url) {
    return this.hub !== null && URL.canParse(url) && new URL(url).origin === this.hub;
  }

  /** The controller document for `url` (its id, or a verification method in it), if given. */
  controllerDocument(url) {
    const [id, fragment] = url.split('#');
    const document = this.controllers.get(id);
    if (!document) return null;
    if (fragment === undefined) return document;
    const method = (document.verificationMethod ?? []).find((m) => m.id === url);
    return method ? { '@context': document['@context'], ...method } : null;
  }

  /** The controller document of a did:web given, when `url` is where did:web puts it. */
  didWebDocument(url) {
    return [...this.controllers.values()].find((d) => didWebUrl(d.id) === url) ?? null;
  }

  async fetchJson(url) {
    const response = await this.realFetch(url, { headers: { accept: 'application/json' } });
    if (!response.ok) throw new Error(`${url} answered HTTP ${response.status}`);
    return JSON.parse(await response.text());
  }

  refuse(url, why) {
    this.refused.push(url);
    return new RefusedUrl(url, why);
  }
}

/** The https address a did:web's document is read from (the did:web method): the host's
 * /.well-known/did.json, or PATH/did.json for did:web:host:path. */
function didWebUrl(did) {
  if (typeof did !== 'string' || !did.startsWith('did:web:')) return null;
  const [host, ...path] = did.slice('did:web:'.length).split(':').map(decodeURIComponent);
  return path.length > 0
    ? `https://${host}/${path.join('/')}/did.json`
    : `https://${host}/.well-known/did.json`;
}

function loaded(url, document) {
  return { contextUrl: null, documentUrl: url, document };
}

/** The origin of a hub URL, which must be on this computer's loopback. */
function loopbackOrigin(hub) {
  const url = new URL(hub);
  const host = url.hostname;
  if (!(host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host))) {
    throw new Error(`--hub ${hub} is not on this computer's loopback`);
  }
  return url.origin;
}
