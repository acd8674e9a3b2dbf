// The ingest port's TLS material: a private CA (10 years) and a server certificate it signs,
// made on first run with @peculiar/x509 over Node's WebCrypto (no hand-rolled ASN.1) and
// kept 0600 in <data-dir>/tls/. Agents pin the CA by its SHA-256 fingerprint. The server
// certificate is re-issued from the same CA when the configured ingest host is not among its
// names (or it nears expiry), so the fingerprint agents pinned stays valid.
// @peculiar/x509 resolves its algorithms through tsyringe, which needs the Reflect metadata
// API: the polyfill must load before it (its README, "Reflect Polyfill Required").
import 'reflect-metadata';
import { webcrypto, X509Certificate as NodeX509 } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { formatFingerprint } from '../../../shared/credentials.js';
import { syncDir } from '../state/durable-file.js';

export const TLS_DIR = 'tls';
const CA_YEARS = 10;
const SERVER_DAYS = 825;
/** Re-issue the server certificate when it has less than this left. */
const RENEW_BEFORE_MS = 30 * 24 * 3600_000;
const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export interface TlsMaterial {
  /** PEM: the server certificate followed by its issuer (the CA), as the TLS server sends it. */
  cert: string;
  key: string;
  /** The fingerprint agents pin: the CA's (or, for an operator's chain, its last certificate). */
  fingerprint: string;
  /** The CA certificate in PEM (what `--ca-fingerprint` resolves to). */
  caPem: string;
}

/** The certificate's SHA-256 fingerprint as `sha256:<hex>`. */
export function fingerprintOf(pem: string): string {
  return formatFingerprint(new NodeX509(pem).fingerprint256);
}

/** Every certificate in a PEM bundle, in order. */
export function splitPem(bundle: string): string[] {
  return bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

/** The names the server certificate must carry for this ingest host. */
export function serverNames(ingestHost: string): string[] {
  const names = new Set(['localhost', '127.0.0.1', '::1']);
  if (ingestHost !== '0.0.0.0' && ingestHost !== '::') names.add(ingestHost);
  return [...names];
}

/** Operator-supplied files: the chain as given, pinned by its last (topmost) certificate. */
export async function loadOperatorTls(certFile: string, keyFile: string): Promise<TlsMaterial> {
  const [cert, key] = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')]);
  const chain = splitPem(cert);
  if (chain.length === 0) throw new Error(`${certFile} holds no PEM certificate`);
  const caPem = chain.at(-1)!;
  return { cert, key, caPem, fingerprint: fingerprintOf(caPem) };
}

/** Load <dataDir>/tls/, creating the CA and server certificate on first run. */
export async function loadOrCreateTls(
  dataDir: string,
  ingestHost: string,
  now: Date,
  extraNames: readonly string[] = [],
): Promise<TlsMaterial> {
  const dir = join(dataDir, TLS_DIR);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const names = [...new Set([...serverNames(ingestHost), ...extraNames])];
  let ca = await readPair(dir, 'ca');
  if (!ca) {
    ca = await createCa(now);
    await writePair(dir, 'ca', ca);
  }
  let server = await readPair(dir, 'server');
  if (!server || !covers(server.cert, names, now)) {
    server = await createServerCert(ca, names, now);
    await writePair(dir, 'server', server);
  }
  return {
    cert: `${server.cert}${ca.cert}`,
    key: server.key,
    caPem: ca.cert,
    fingerprint: fingerprintOf(ca.cert),
  };
}

interface Pair {
  cert: string;
  key: string;
}

async function readPair(dir: string, name: string): Promise<Pair | null> {
  try {
    const [cert, key] = await Promise.all([
      readFile(join(dir, `${name}.pem`), 'utf8'),
      readFile(join(dir, `${name}-key.pem`), 'utf8'),
    ]);
    return { cert, key };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** Key first, then certificate, each written to a temp file and renamed (0600). */
async function writePair(dir: string, name: string, pair: Pair): Promise<void> {
  for (const [file, text] of [
    [`${name}-key.pem`, pair.key],
    [`${name}.pem`, pair.cert],
  ] as const) {
    const path = join(dir, file);
    await writeFile(`${path}.tmp`, text, { mode: 0o600, flush: true });
    await rename(`${path}.tmp`, path);
  }
  await syncDir(dir);
}

function covers(certPem: string, names: readonly string[], now: Date): boolean {
  const cert = new NodeX509(certPem);
  if (new Date(cert.validTo).getTime() - now.getTime() < RENEW_BEFORE_MS) return false;
  return names.every((n) =>
    isIP(n) ? cert.checkIP(n) !== undefined : cert.checkHost(n, { subject: 'never' }) !== undefined,
  );
}

async function pemKey(key: webcrypto.CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

async function createCa(now: Date): Promise<Pair> {
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const notAfter = new Date(now);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + CA_YEARS);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: 'CN=Meridian ingest CA',
    notBefore: new Date(now.getTime() - 3600_000),
    notAfter,
    keys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert: cert.toString('pem') + '\n', key: await pemKey(keys.privateKey) };
}

async function createServerCert(ca: Pair, names: readonly string[], now: Date): Promise<Pair> {
  const caCert = new x509.X509Certificate(ca.cert);
  const caKey = await webcrypto.subtle.importKey(
    'pkcs8',
    x509.PemConverter.decodeFirst(ca.key),
    ALG,
    false,
    ['sign'],
  );
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.create({
    subject: 'CN=Meridian ingest',
    issuer: caCert.subject,
    notBefore: new Date(now.getTime() - 3600_000),
    notAfter: new Date(now.getTime() + SERVER_DAYS * 24 * 3600_000),
    publicKey: keys.publicKey,
    signingKey: caKey,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(
        names.map((n) => ({ type: isIP(n) ? ('ip' as const) : ('dns' as const), value: n })),
      ),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
    ],
  });
  return { cert: cert.toString('pem') + '\n', key: await pemKey(keys.privateKey) };
}
