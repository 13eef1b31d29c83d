// A wallet's DID authentication (a Verifiable Presentation signed over a verifier's challenge
// and domain) as the Learner Credential Wallet's libraries sign it: the independent reference
// for the hub's exchange. The Ed25519Signature2020 presentation is signed twice, with Digital
// Bazaar's libraries and with the Digital Credentials Consortium's forks the wallet ships, and
// must come out the same; the DataIntegrityProof one with Digital Bazaar's eddsa-rdfc-2022.
// Ed25519 signatures are deterministic, so a fixed key, time, challenge and domain give fixed
// bytes that core's tests verify and that the hub tests' scripted wallet must match exactly.
// Contexts come only from core's bundled copies; any other URL is refused.
// Use: node sign.mjs ed25519-signature-2020|eddsa-rdfc-2022 > FILE.json   (after `npm ci` here)
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as dbVc from '@digitalbazaar/vc';
import * as dccVc from '@digitalcredentials/vc';
import { Ed25519Signature2020 as DbSuite } from '@digitalbazaar/ed25519-signature-2020';
import { Ed25519VerificationKey2020 as DbKey } from '@digitalbazaar/ed25519-verification-key-2020';
import { Ed25519Signature2020 as DccSuite } from '@digitalcredentials/ed25519-signature-2020';
import { Ed25519VerificationKey2020 as DccKey } from '@digitalcredentials/ed25519-verification-key-2020';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';

const here = dirname(fileURLToPath(import.meta.url));
const bundled = join(here, '..', '..', 'core', 'src', 'credential', 'contexts');
const contexts = {
  'https://www.w3.org/ns/credentials/v2': 'credentials-v2.jsonld',
  'https://w3id.org/security/suites/ed25519-2020/v1': 'ed25519-signature-2020-v1.jsonld',
};
const documentLoader = async (url) => {
  const file = contexts[url];
  if (!file) throw new Error(`no bundled context for ${url}`);
  return { contextUrl: null, documentUrl: url, document: JSON.parse(readFileSync(join(bundled, file), 'utf8')) };
};

// The inputs, written beside the presentation so the Rust tests read them from one place.
const inputs = {
  seed: '17'.repeat(32),
  challenge: '6c1f0c1a2b3d4e5f60718293a4b5c6d7',
  domain: 'https://hub.example',
  created: '2026-12-08T10:00:00Z',
};
const seed = Uint8Array.from(Buffer.from(inputs.seed, 'hex'));
const { challenge, domain, created } = inputs;

async function ed25519Signature2020(vc, KeyClass, Suite) {
  const key = await KeyClass.generate({ seed });
  const did = `did:key:${key.fingerprint()}`;
  key.controller = did;
  key.id = `${did}#${key.fingerprint()}`;
  const presentation = vc.createPresentation({ holder: did });
  return vc.signPresentation({
    presentation, challenge, domain, documentLoader, suite: new Suite({ key, date: created }),
  });
}

async function dataIntegrity() {
  const probe = await Ed25519Multikey.generate({ seed });
  const did = `did:key:${probe.publicKeyMultibase}`;
  const key = await Ed25519Multikey.generate({
    seed, controller: did, id: `${did}#${probe.publicKeyMultibase}`,
  });
  const presentation = dbVc.createPresentation({ holder: did });
  const suite = new DataIntegrityProof({ signer: key.signer(), cryptosuite: eddsaRdfc2022, date: created });
  return dbVc.signPresentation({ presentation, challenge, domain, documentLoader, suite });
}

let presentation;
switch (process.argv[2]) {
  case 'ed25519-signature-2020': {
    presentation = await ed25519Signature2020(dbVc, DbKey, DbSuite);
    const wallets = await ed25519Signature2020(dccVc, DccKey, DccSuite);
    if (JSON.stringify(wallets) !== JSON.stringify(presentation)) {
      throw new Error(`the wallet's libraries sign otherwise:\n${JSON.stringify(wallets, null, 2)}`);
    }
    break;
  }
  case 'eddsa-rdfc-2022':
    presentation = await dataIntegrity();
    break;
  default:
    throw new Error('name a proof: ed25519-signature-2020 or eddsa-rdfc-2022');
}
process.stdout.write(`${JSON.stringify({ ...inputs, presentation }, null, 2)}\n`);
