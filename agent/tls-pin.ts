// `--ca-fingerprint`: the agent trusts the console's certificate only if its chain holds a
// CA with this SHA-256 fingerprint. A first TLS handshake (nothing sent over it) reads the
// presented chain and takes the certificate with the pinned fingerprint; the real connection
// then trusts that certificate alone, with Node's full verification (chain, validity, host
// name). So the enrolment secret or key is never sent to a console that cannot prove it.
import { connect, type DetailedPeerCertificate } from 'node:tls';

export type PinResult =
  | { ok: true; ca: string }
  | { ok: false; mismatch: true; message: string }
  | { ok: false; mismatch: false; message: string };

/** `sha256:<lowercase hex>` from Node's `AB:CD:…` form. */
const canonical = (fp: string) => `sha256:${fp.replace(/:/g, '').toLowerCase()}`;

function toPem(der: Buffer): string {
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN CERTIFICATE-----\n${b64.replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
}

/** The presented chain, leaf first (Node links each certificate to its issuer). */
function chainOf(leaf: DetailedPeerCertificate): DetailedPeerCertificate[] {
  const chain: DetailedPeerCertificate[] = [];
  const seen = new Set<string>();
  let cert: DetailedPeerCertificate | undefined = leaf;
  while (cert && cert.raw && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    chain.push(cert);
    cert = cert.issuerCertificate;
  }
  return chain;
}

/** Read the console's chain and find the pinned CA in it. */
export function fetchPinnedCa(
  url: string,
  fingerprint: string,
  timeoutMs = 10_000,
): Promise<PinResult> {
  const { hostname, port } = new URL(url);
  const host = hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve) => {
    const socket = connect({
      host,
      port: Number(port || 443),
      // Not trusted yet: this handshake only reads the chain; nothing is sent over it.
      rejectUnauthorized: false,
      ...(/^[\d.]+$|:/.test(host) ? {} : { servername: host }),
    });
    const done = (r: PinResult) => {
      socket.destroy();
      resolve(r);
    };
    socket.setTimeout(timeoutMs, () =>
      done({
        ok: false,
        mismatch: false,
        message: `no TLS handshake from ${url} in ${timeoutMs} ms`,
      }),
    );
    socket.on('error', (err) =>
      done({ ok: false, mismatch: false, message: `TLS to ${url}: ${err.message}` }),
    );
    socket.on('secureConnect', () => {
      const chain = chainOf(socket.getPeerCertificate(true));
      const match = chain.find((c) => canonical(c.fingerprint256) === fingerprint);
      if (match) return done({ ok: true, ca: toPem(match.raw) });
      const presented = chain
        .map((c) => `${canonical(c.fingerprint256)} (${c.subject?.CN ?? 'no CN'})`)
        .join(', ');
      done({
        ok: false,
        mismatch: true,
        message: `the console at ${url} is not the one pinned: --ca-fingerprint is ${fingerprint}, but its certificate chain is ${presented || 'empty'}; refusing to send credentials`,
      });
    });
  });
}
