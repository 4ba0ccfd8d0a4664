/**
 * A real mutual TLS handshake on 127.0.0.1 between two holders of
 * CA-issued certificates, each trusting the given bundle: what two sidecars
 * do with SDS `default` and `ROOTCA`. Identity is checked on the SPIFFE URI
 * SAN, as Envoy's match_subject_alt_names does, since leaves carry no DNS name.
 */
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';

export interface TlsParty {
  readonly keyPem: string;
  /** Leaf first; the root may be left on the end (it is dropped). */
  readonly certChainPem: readonly string[];
  /** The bundle this party trusts. */
  readonly trustedPem: readonly string[];
}

export interface HandshakeResult {
  /** The SAN the server saw on the client's certificate. */
  readonly clientSanSeenByServer: string | undefined;
  /** The SAN the client saw on the server's certificate. */
  readonly serverSanSeenByClient: string | undefined;
}

function certificateChain(p: TlsParty): string {
  return p.certChainPem.slice(0, Math.max(1, p.certChainPem.length - 1)).join('');
}

export async function mutualTlsHandshake(server: TlsParty, client: TlsParty, o: { expectServerSan?: string; servername?: string } = {}): Promise<HandshakeResult> {
  let clientSanSeenByServer: string | undefined;
  const srv = tls.createServer({ key: server.keyPem, cert: certificateChain(server), ca: [...server.trustedPem], requestCert: true, rejectUnauthorized: true }, (socket) => {
    clientSanSeenByServer = socket.getPeerCertificate().subjectaltname;
    socket.end('ok');
  });
  const serverErrors: Error[] = [];
  srv.on('tlsClientError', (err) => serverErrors.push(err));
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as AddressInfo;
  try {
    const serverSanSeenByClient = await new Promise<string | undefined>((resolve, reject) => {
      const socket = tls.connect({
        host: '127.0.0.1',
        port,
        key: client.keyPem,
        cert: certificateChain(client),
        ca: [...client.trustedPem],
        ...(o.servername !== undefined ? { servername: o.servername } : {}),
        ...(o.servername === undefined
          ? {
              checkServerIdentity: (_host: string, cert: tls.PeerCertificate): Error | undefined =>
                o.expectServerSan === undefined || cert.subjectaltname === o.expectServerSan ? undefined : new Error(`server SAN ${cert.subjectaltname} is not ${o.expectServerSan}`),
            }
          : {}),
      });
      let san: string | undefined;
      socket.on('secureConnect', () => {
        san = socket.getPeerCertificate().subjectaltname;
      });
      socket.on('data', () => undefined);
      socket.on('end', () => resolve(san));
      socket.on('error', reject);
    });
    if (serverErrors.length > 0) throw serverErrors[0];
    return { clientSanSeenByServer, serverSanSeenByClient };
  } finally {
    await new Promise<void>((resolve) => srv.close(() => resolve()));
  }
}
