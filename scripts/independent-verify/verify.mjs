// Checks credentials with two verifiers that are not ours, Digital Bazaar's libraries and the
// DCC's verifier-core, and compares each verdict with what is expected of it. Each endorsement
// of the issuer a credential carries is also verified on its own with Digital Bazaar's library,
// one "endorsement" line each: neither library checks embedded endorsements itself.
//
//   node verify.mjs [--hub http://127.0.0.1:PORT] [--controller FILE]... [--challenge C]
//                   EXPECTED=FILE...
//
// EXPECTED is valid, revoked (the issuer's status list says so) or invalid (anything else
// fails: the proof, a date, a status list that cannot be used). --hub is the loopback hub
// whose status lists may be read; --controller serves a controller document at its id (only
// for a published vector whose issuer is no did:key). One line per credential per verifier;
// verifier-core's issuer-registry and schema checks each get a line of their own, marked
// "info", that decides nothing. Exits 1 when any verdict is not the one expected, or rests on
// a URL the loader refused; 2 when the script itself fails.
//
// A FILE holding a worker's presentation (a Verifiable Presentation, or Skillpack's
// presentation file around one) is checked by Digital Bazaar's library as a presentation: the
// holder's authentication proof over --challenge, and every credential in it. verifier-core
// is not asked: it checks presentations for an assertionMethod proof over a fixed challenge,
// so its verdict would say nothing of an answer to this challenge.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import * as vc from '@digitalbazaar/vc';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { checkStatus } from '@digitalbazaar/vc-bitstring-status-list';
import { verifyCredential as dccVerifyCredential } from '@digitalcredentials/verifier-core';
import { securityLoader } from '@digitalcredentials/security-document-loader';
import { CONTEXTS, Reach } from './loader.mjs';

const EXPECTATIONS = new Set(['valid', 'invalid', 'revoked']);

/** Where verifier-core fetches the Open Badges JSON Schema for its schema check, which is
 * reported apart and so may be refused without touching the verdict. */
const OB3_SCHEMAS = 'https://purl.imsglobal.org/spec/ob/v3p0/schema/';

function parseArgs(argv) {
  let hub = null;
  let challenge = null;
  const controllers = new Map();
  const credentials = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--hub') {
      hub = argv[++i];
    } else if (arg === '--challenge') {
      challenge = argv[++i];
    } else if (arg === '--controller') {
      const document = readJson(argv[++i]);
      controllers.set(document.id, document);
    } else {
      const at = arg.indexOf('=');
      const expected = arg.slice(0, at);
      if (at < 0 || !EXPECTATIONS.has(expected)) {
        throw new Error(`${arg}: write EXPECTED=FILE, EXPECTED one of ${[...EXPECTATIONS]}`);
      }
      credentials.push({ expected, file: arg.slice(at + 1) });
    }
  }
  if (credentials.length === 0) throw new Error('no credential given');
  return { hub, challenge, controllers, credentials };
}

function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** Each message of an error, its nested errors and causes, in one line. */
function reasonOf(error) {
  if (!error) return 'no reason given';
  const parts = [];
  const walk = (e) => {
    if (!e) return;
    if (e.message && !parts.includes(e.message)) parts.push(e.message);
    if (Array.isArray(e.errors)) e.errors.forEach(walk);
    if (e.cause) walk(e.cause);
  };
  walk(error);
  return parts.join('; ') || String(error);
}

/** Digital Bazaar: @digitalbazaar/vc with the eddsa-rdfc-2022 suite and its status-list checker. */
async function digitalBazaar(credential, reach) {
  const suite = new DataIntegrityProof({ cryptosuite: eddsaRdfc2022 });
  const result = await vc.verifyCredential({
    credential,
    suite,
    documentLoader: reach.documentLoader,
    checkStatus,
  });
  if (!result.verified) {
    const error = result.statusResult?.error ?? result.error ?? result.results?.[0]?.error;
    const where = result.statusResult ? 'status list: ' : '';
    return { verdict: 'invalid', reason: where + reasonOf(error) };
  }
  // The checker reports the bit it read (status true: set) and leaves the verdict to us.
  const set = (result.statusResult?.results ?? []).filter((r) => r.status === true);
  if (set.length > 0) {
    const entry = set[0].credentialStatus;
    return {
      verdict: 'revoked',
      reason: `${entry.statusListCredential} has bit ${entry.statusListIndex} set ` +
        `(statusPurpose ${entry.statusPurpose})`,
    };
  }
  return { verdict: 'valid', reason: result.statusResult ? 'status list read: bit not set' : '' };
}

/** The Verifiable Presentation a file holds, or null when it holds a credential. */
function presentationIn(document) {
  const inner = document?.presentation ?? document;
  const types = [].concat(inner?.type ?? []);
  return types.includes('VerifiablePresentation') ? inner : null;
}

/**
 * Digital Bazaar: @digitalbazaar/vc's presentation check (AuthenticationProofPurpose over the
 * challenge), with every credential in it verified and its status read.
 */
async function digitalBazaarPresentation(presentation, challenge, reach) {
  const suite = new DataIntegrityProof({ cryptosuite: eddsaRdfc2022 });
  const result = await vc.verify({
    presentation,
    suite,
    challenge,
    documentLoader: reach.documentLoader,
    checkStatus,
  });
  if (!result.verified) {
    const failed = (result.credentialResults ?? []).find((r) => !r.verified);
    const error = result.error ?? result.presentationResult?.results?.[0]?.error ?? failed?.error;
    const where = result.presentationResult?.verified === false
      ? "the holder's proof: "
      : failed ? `credential ${failed.credentialId ?? ''}: ` : '';
    return { verdict: 'invalid', reason: where + reasonOf(error) };
  }
  const count = result.credentialResults?.length ?? 0;
  return {
    verdict: 'valid',
    reason: `holder ${presentation.holder} answered the challenge; ${count} credentials verified`,
  };
}

/**
 * Each endorsement of the issuer the credential carries (`issuer.endorsement[]`, Open Badges
 * 3.0 EndorsementCredentials), verified as a credential of its own with Digital Bazaar's
 * library: neither library does this when it verifies the credential holding them. Gives the
 * verdict on each and the did:key that signed it.
 */
async function endorsements(credential, reach) {
  const found = credential?.issuer?.endorsement ?? [];
  const outcomes = [];
  for (const endorsement of found) {
    const suite = new DataIntegrityProof({ cryptosuite: eddsaRdfc2022 });
    const result = await vc.verifyCredential({
      credential: endorsement,
      suite,
      documentLoader: reach.documentLoader,
    });
    const signer = String(endorsement?.proof?.[0]?.verificationMethod ?? '').split('#')[0];
    outcomes.push(
      result.verified
        ? { verdict: 'valid', reason: `signed by ${signer}, endorses ${endorsement.credentialSubject?.id}` }
        : { verdict: 'invalid', reason: reasonOf(result.error ?? result.results?.[0]?.error) },
    );
  }
  return outcomes;
}

/** The DCC's verifier-core, with its own document loader (bundled contexts, did:key). */
async function verifierCore(credential) {
  const result = await quietly(() => dccVerifyCredential({ credential, knownDIDRegistries: [] }));
  const info = [];
  const registry = result.log?.find((s) => s.id === 'registered_issuer');
  if (registry) {
    info.push(
      `issuer registry: registered_issuer valid=${registry.valid} with no registry to ` +
        `consult offline (${registry.matchingIssuers.length} matching, ` +
        `${registry.uncheckedRegistries.length} unchecked): neither valid nor invalid`,
    );
  }
  const schema = result.additionalInformation?.find((a) => a.id === 'schema_check');
  if (schema) info.push(`schema check: ${schemaLine(schema.results)}`);
  if (result.errors) {
    const reason = result.errors.map((e) => `${e.name}: ${e.message}`).join('; ');
    return { verdict: 'invalid', reason, info };
  }
  const step = (id) => result.log.find((s) => s.id === id);
  const failed = ['valid_signature', 'expiration'].filter((id) => step(id)?.valid !== true);
  if (failed.length > 0) {
    return { verdict: 'invalid', reason: `${failed.join(', ')} not valid`, info };
  }
  const status = step('revocation_status');
  if (status?.error) {
    const reason = `revocation_status error ${status.error.name}: ${status.error.message}`;
    return { verdict: 'invalid', reason, info };
  }
  if (status && status.valid === false) {
    return { verdict: 'revoked', reason: 'revocation_status valid=false', info };
  }
  const reason = status ? 'revocation_status valid=true' : 'no credentialStatus';
  return { verdict: 'valid', reason, info };
}

function schemaLine(results) {
  if (typeof results === 'string' && results.startsWith('INVALID_SCHEMA')) {
    return `not done: the schema cannot be fetched offline (verifier-core: ${results})`;
  }
  if (!Array.isArray(results)) return String(results);
  return results
    .map(({ schema, result }) => {
      if (result?.valid) return `valid against ${schema}`;
      const errors = (result?.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
      return `not valid against ${schema}: ${errors.join('; ') || 'no reason given'}`;
    })
    .join('; ');
}

/**
 * Runs `f` with console output held back: verifier-core logs a failed schema fetch with its
 * stack, which would break the one-line-per-verdict output.
 */
async function quietly(f) {
  const saved = { log: console.log, error: console.error, warn: console.warn };
  console.log = console.error = console.warn = () => {};
  try {
    return await f();
  } finally {
    Object.assign(console, saved);
  }
}

/** verifier-core's bundled contexts must mean what the published ones do, or its "valid" says
 * nothing about ours. */
async function checkVerifierCoreContexts() {
  const load = securityLoader().build();
  for (const url of Object.keys(CONTEXTS)) {
    const { document } = await load(url);
    const { document: published } = await new Reach().documentLoader(url);
    const theirs = typeof document === 'string' ? JSON.parse(document) : document;
    if (!isDeepStrictEqual(theirs, published)) {
      throw new Error(`verifier-core bundles a ${url} that differs from the published one`);
    }
  }
}

async function main() {
  const { hub, challenge, controllers, credentials } = parseArgs(process.argv.slice(2));
  await checkVerifierCoreContexts();
  const reach = new Reach({ hub, controllers });
  reach.guardFetch();
  let unexpected = 0;
  let endorsementsChecked = 0;
  let verdicts = 0;
  const width = Math.max(...credentials.map(({ file }) => basename(file).length));
  const say = (mark, name, verifier, text) =>
    console.log(`${mark.padEnd(6)}${name.padEnd(width + 2)}${verifier.padEnd(15)}${text}`);
  for (const { expected, file } of credentials) {
    const name = basename(file);
    const credential = readJson(file);
    const presentation = presentationIn(credential);
    const verifiers = presentation
      ? [['digitalbazaar', () => digitalBazaarPresentation(presentation, challenge, reach)]]
      : [
        ['digitalbazaar', () => digitalBazaar(credential, reach)],
        ['verifier-core', () => verifierCore(credential)],
      ];
    verdicts += verifiers.length;
    for (const [verifier, run] of verifiers) {
      reach.refused.length = 0;
      let outcome;
      try {
        outcome = await run();
      } catch (error) {
        outcome = { verdict: 'invalid', reason: `the library threw: ${reasonOf(error)}` };
      }
      // A refused URL other than the schema's means the verdict is about the loader, not the
      // credential.
      const refused = reach.refused.filter((url) => !url.startsWith(OB3_SCHEMAS));
      const agrees = outcome.verdict === expected && refused.length === 0;
      if (!agrees) unexpected++;
      const text = outcome.verdict + (outcome.reason ? `: ${outcome.reason}` : '');
      const note = agrees ? '' : `  [expected ${expected}` +
        (refused.length ? `; rests on refused ${[...new Set(refused)].join(', ')}` : '') + ']';
      say(agrees ? 'ok' : 'FAIL', name, verifier, text + note);
      for (const line of outcome.info ?? []) say('info', name, verifier, line);
    }
    // An endorsement inside a credential expected valid or revoked must verify on its own;
    // inside one expected invalid, its verdict is information.
    let outcomes;
    try {
      outcomes = await endorsements(credential, reach);
    } catch (error) {
      outcomes = [{ verdict: 'invalid', reason: `the library threw: ${reasonOf(error)}` }];
    }
    for (const outcome of outcomes) {
      const text = `${outcome.verdict}: ${outcome.reason}`;
      if (expected === 'invalid') {
        say('info', name, 'endorsement', text);
        continue;
      }
      const agrees = outcome.verdict === 'valid';
      endorsementsChecked++;
      if (!agrees) unexpected++;
      say(agrees ? 'ok' : 'FAIL', name, 'endorsement', text + (agrees ? '' : '  [expected valid]'));
    }
  }
  const total = verdicts + endorsementsChecked;
  console.log(`${total - unexpected} of ${total} verdicts as expected`);
  process.exitCode = unexpected === 0 ? 0 : 1;
}

main().catch((error) => {
  console.error(`verify.mjs: ${error.stack ?? error}`);
  process.exitCode = 2;
});
